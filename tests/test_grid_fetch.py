"""Downloading portal exports, against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from grid_data import read_grid
from grid_data.fetch import FetchError, export_url, fetch_dataset
from planner.cli import grid as grid_command
from planner.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "grid"
EXPORT_PREFIX = "/api/explore/v2.1/catalog/datasets/"


@dataclass
class PortalState:
    """What the fake portal has seen and how it behaves."""

    requests: list[str] = field(default_factory=list)
    flaky_failures_left: int = 2
    release: threading.Event = field(default_factory=threading.Event)


class FakePortal(ThreadingHTTPServer):
    daemon_threads = True
    state: PortalState


class PortalHandler(BaseHTTPRequestHandler):
    server: FakePortal

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        state = self.server.state
        state.requests.append(self.path)
        parts = urlsplit(self.path).path.removeprefix(EXPORT_PREFIX).split("/")
        dataset, fmt = parts[0], parts[-1]
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(state, dataset, fmt)  # the client may have given up (timeout test)

    def _answer(self, state: PortalState, dataset: str, fmt: str) -> None:
        if dataset == "capaciteit":
            name = "opendatasoft.csv" if fmt == "csv" else "opendatasoft_list.json"
            self._send(200, (FIXTURES / name).read_bytes())
        elif dataset == "flaky" and state.flaky_failures_left > 0:
            state.flaky_failures_left -= 1
            self._send(503, b"busy")
        elif dataset == "flaky":
            self._send(200, (FIXTURES / "opendatasoft.csv").read_bytes())
        elif dataset == "slow":
            state.release.wait(2.0)
            self._send(200, b"late")
        elif dataset == "truncated":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"id;naam\n")
            self.close_connection = True
        elif dataset == "badwhere":
            body = {"error_code": "ODSQLError", "message": "ODSQL query is malformed"}
            self._send(400, json.dumps(body).encode())
        else:
            self._send(404, b'{"error_code": "NotFound"}')

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def portal() -> Iterator[tuple[str, PortalState]]:
    server = FakePortal(("127.0.0.1", 0), PortalHandler)
    server.state = PortalState()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host!s}:{port}", server.state
    finally:
        server.state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_export_url_encodes_delimiter_and_filter() -> None:
    url = export_url("capaciteit", "https://portal.example/", "csv", "gemeente = 'Gent'")
    parsed = urlsplit(url)
    assert parsed.path == EXPORT_PREFIX + "capaciteit/exports/csv"
    assert parsed.query == "delimiter=%3B&where=gemeente%20%3D%20%27Gent%27"
    assert urlsplit(export_url("x", "https://p.example", "geojson")).query == ""


def test_fetch_csv_writes_the_export_and_sends_the_filter(
    portal: tuple[str, PortalState], tmp_path: Path
) -> None:
    base_url, state = portal
    out = tmp_path / "cap.csv"
    result = fetch_dataset("capaciteit", out, base_url=base_url, where="type = 'Cabine'")
    assert result == out
    assert out.read_bytes() == (FIXTURES / "opendatasoft.csv").read_bytes()
    (request,) = state.requests
    query = parse_qs(urlsplit(request).query)
    assert query == {"delimiter": [";"], "where": ["type = 'Cabine'"]}
    assert len(read_grid(out)) == 4  # the download reads as an Opendatasoft export
    assert leftovers(tmp_path) == ["cap.csv"]


def test_fetch_json_format(portal: tuple[str, PortalState], tmp_path: Path) -> None:
    base_url, state = portal
    out = fetch_dataset("capaciteit", tmp_path / "sub" / "cap.json", base_url=base_url, fmt="json")
    assert state.requests == [EXPORT_PREFIX + "capaciteit/exports/json"]
    assert json.loads(out.read_text(encoding="utf-8"))[0]["id"] == "OS-GENT"


def test_unknown_dataset_gives_a_clear_message_and_no_file(
    portal: tuple[str, PortalState], tmp_path: Path
) -> None:
    base_url, state = portal
    with pytest.raises(FetchError) as excinfo:
        fetch_dataset("capaciteitswijzer", tmp_path / "x.csv", base_url=base_url, backoff_s=0)
    assert str(excinfo.value).startswith(
        f"dataset 'capaciteitswijzer' not found at {base_url}; dataset ids change without "
        "notice — check the portal's catalogue"
    )
    assert len(state.requests) == 1  # a 404 is not retried
    assert leftovers(tmp_path) == []


def test_server_errors_are_retried_with_backoff(
    portal: tuple[str, PortalState], tmp_path: Path
) -> None:
    base_url, state = portal
    out = fetch_dataset("flaky", tmp_path / "f.csv", base_url=base_url, retries=3, backoff_s=0.01)
    assert len(state.requests) == 3  # 503, 503, 200
    assert out.read_bytes() == (FIXTURES / "opendatasoft.csv").read_bytes()


def test_retries_run_out(portal: tuple[str, PortalState], tmp_path: Path) -> None:
    base_url, state = portal
    with pytest.raises(FetchError, match=r"in 2 attempt\(s\): HTTP 503"):
        fetch_dataset("flaky", tmp_path / "f.csv", base_url=base_url, retries=1, backoff_s=0.01)
    assert len(state.requests) == 2
    assert leftovers(tmp_path) == []


def test_slow_server_times_out(portal: tuple[str, PortalState], tmp_path: Path) -> None:
    base_url, _ = portal
    started = time.perf_counter()
    with pytest.raises(FetchError, match="timed out"):
        fetch_dataset("slow", tmp_path / "s.csv", base_url=base_url, timeout_s=0.5, retries=0)
    assert time.perf_counter() - started < 1.5
    assert leftovers(tmp_path) == []


def test_truncated_download_leaves_the_previous_file_intact(
    portal: tuple[str, PortalState], tmp_path: Path
) -> None:
    base_url, state = portal
    out = tmp_path / "t.csv"
    out.write_text("previous good download", encoding="utf-8")
    with pytest.raises(FetchError, match="incomplete download: 8 of 1000 bytes"):
        fetch_dataset("truncated", out, base_url=base_url, retries=1, backoff_s=0.01)
    assert len(state.requests) == 2
    assert out.read_text(encoding="utf-8") == "previous good download"
    assert leftovers(tmp_path) == ["t.csv"]


def test_refused_request_shows_the_portal_message(
    portal: tuple[str, PortalState], tmp_path: Path
) -> None:
    base_url, state = portal
    with pytest.raises(FetchError, match=r"HTTP 400.*ODSQL query is malformed"):
        fetch_dataset("badwhere", tmp_path / "b.csv", base_url=base_url, where="x ==")
    assert len(state.requests) == 1


def test_connection_refused_is_retried_then_reported(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=r"2 attempt\(s\): connection failed"):
        fetch_dataset(
            "x", tmp_path / "x.csv", base_url=f"http://127.0.0.1:{port}", retries=1, backoff_s=0
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dataset_id": " "}, "no dataset id"),
        ({"fmt": "xlsx"}, "valid: one of csv, json, geojson"),
        ({"base_url": "ftp://portal"}, "http:// or https://"),
    ],
)
def test_bad_requests_fail_before_any_network(
    tmp_path: Path, kwargs: dict[str, str], message: str
) -> None:
    arguments = {"dataset_id": "x", "base_url": "http://127.0.0.1:9", **kwargs}
    with pytest.raises(FetchError, match=message):
        fetch_dataset(out=tmp_path / "x.csv", **arguments)  # type: ignore[arg-type]


def make_cli() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="laadplan")
    grid_command.register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_grid_fetch(
    portal: tuple[str, PortalState], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_url, state = portal
    out = tmp_path / "cap.json"
    argv = ["grid", "fetch", "--dataset", "capaciteit", "--out", str(out)]
    argv += ["--base-url", base_url, "--format", "json", "--where", "type = 'Cabine'"]
    args = make_cli().parse_args(argv)
    assert args.func(args) == 0
    assert capsys.readouterr().out.startswith(str(out))
    assert out.exists()
    assert "where=type%20%3D%20%27Cabine%27" in state.requests[0]


def test_cli_grid_fetch_unknown_dataset(portal: tuple[str, PortalState], tmp_path: Path) -> None:
    base_url, _ = portal
    argv = ["grid", "fetch", "--dataset", "nope", "--out", str(tmp_path / "n.csv")]
    args = make_cli().parse_args([*argv, "--base-url", base_url, "--retries", "0"])
    with pytest.raises(FetchError, match="dataset 'nope' not found"):
        args.func(args)


def test_cli_grid_requires_a_subcommand() -> None:
    with pytest.raises(SystemExit):
        make_cli().parse_args(["grid"])


def test_laadplan_main_reports_unknown_dataset_with_exit_code(
    portal: tuple[str, PortalState], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_url, _ = portal
    argv = ["grid", "fetch", "--dataset", "nope", "--out", str(tmp_path / "n.csv")]
    assert main([*argv, "--base-url", base_url]) == 1
    assert "error: dataset 'nope' not found at" in capsys.readouterr().err
