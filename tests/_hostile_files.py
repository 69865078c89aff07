"""Hostile and malformed upload files, built in memory for the upload-limit tests."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
ROW = b'<row><c t="inlineStr"><is><t>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</t></is></c></row>'


def small_workbook(rows: list[list[object]]) -> bytes:
    """A real XLSX workbook holding ``rows`` on its first sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_with_sheet(sheet_xml_chunks: list[bytes], repeat: int = 1) -> bytes:
    """A workbook whose first sheet's XML is the chunks, the middle one repeated ``repeat``
    times (compressed, so a few hundred MB of repeated rows take about a MB)."""
    template = small_workbook([["need_id"], ["a"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != SHEET:
                target.writestr(item, source.read(item))
                continue
            with target.open(SHEET, "w", force_zip64=True) as sheet:
                head, middle, tail = sheet_xml_chunks
                sheet.write(head)
                for _ in range(repeat):
                    sheet.write(middle)
                sheet.write(tail)
    return out.getvalue()


def bomb_workbook(unpacked_mb: int) -> bytes:
    """A workbook of about a MB whose sheet XML unpacks to ``unpacked_mb`` MB."""
    chunk = ROW * 1000
    repeat = unpacked_mb * 1024 * 1024 // len(chunk)
    return workbook_with_sheet(
        [SHEET_HEAD + b"<sheetData>", chunk, b"</sheetData></worksheet>"], repeat
    )


def rows_workbook(rows: int, dimension: str | None = None, columns: int = 1) -> bytes:
    """A workbook with ``rows`` data rows of ``columns`` cells; an optional ``<dimension>``."""
    cells = b"".join(b'<c t="inlineStr"><is><t>v</t></is></c>' for _ in range(columns))
    head = SHEET_HEAD
    if dimension is not None:
        head += f'<dimension ref="{dimension}"/>'.encode()
    return workbook_with_sheet(
        [head + b"<sheetData>", b"<row>" + cells + b"</row>", b"</sheetData></worksheet>"],
        rows + 1,
    )


def understated_workbook() -> bytes:
    """A workbook whose central directory says its sheet is 100 bytes while it holds 5 MB."""
    content = bytearray(bomb_workbook(5))
    directory_at = content.rfind(b"PK\x01\x02")
    while directory_at != -1:
        name_length = struct.unpack_from("<H", content, directory_at + 28)[0]
        name = bytes(content[directory_at + 46 : directory_at + 46 + name_length])
        if name == SHEET.encode():
            assert struct.unpack_from("<I", content, directory_at + 24)[0] != 0xFFFFFFFF
            struct.pack_into("<I", content, directory_at + 24, 100)  # uncompressed size
            return bytes(content)
        directory_at = content.rfind(b"PK\x01\x02", 0, directory_at)
    raise AssertionError("no directory entry for the sheet")


def not_a_zip() -> bytes:
    """Bytes that start like a zip archive but are not one."""
    return b"PK\x03\x04" + b"this is not a zip archive at all" * 10


def truncated_workbook() -> bytes:
    """The first half of a real workbook."""
    content = small_workbook([["need_id", "vehicles"], ["a", 1]])
    return content[: len(content) // 2]


def zip_without_workbook() -> bytes:
    """A valid zip archive that holds no workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()
