"""``laadplan report``: the charging plan of a vervoerregio as PDF and HTML, read back as text."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pypdfium2
import pytest

from dashboards.report._content import MUNICIPALITY_FILE, REGION_FILE
from dashboards.report._render import format_number
from dashboards.report._texts import wording
from planner.cli import main as laadplan
from planner.optimisation.vocabulary import PLAN_FOLDER
from planner.workflows.capacity_requests import REQUESTS_FILE
from tests._dashboard_fixtures import FIRST_YEAR, LAST_YEAR, generate_case, run_case

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
#: The report's sections, one page each at least (CSS break-before: page).
TIER_NL = {"private": "privé", "semi_public": "semipubliek", "public": "publiek"}
TIER_EN = {"private": "private", "semi_public": "semi-public", "public": "public"}
SECTIONS = (
    "summary", "zes", "demand", "rollout", "municipalities", "grid", "unmet", "exemptions",
    "methods",
)  # fmt: skip


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small generated Leuven case (the demo's generator) run and planned."""
    root = tmp_path_factory.mktemp("report")
    folder = generate_case(root / "case")
    with (folder / "scenario.toml").open("a", encoding="utf-8") as scenario:
        # the needs without a depot of their own are 10-30 km from the hubs: within this reach
        # the plan opens shared sites, so the roll-out tables have rows
        scenario.write("\n[optimisation.detour_km_max]\nsemi_public = 30\npublic = 30\n")
    return folder, run_case(folder, root / "out")


@pytest.fixture(scope="module")
def pdf_text(planned: tuple[Path, Path]) -> tuple[list[str], Path]:
    """The Dutch PDF report of Leuven: text per page, and the file."""
    folder, out = planned
    pdf = out / "leuven.pdf"
    arguments = ["-q", "report", "--data", str(folder), "--results", str(out)]
    assert laadplan([*arguments, "--region", "Leuven", "--out", str(pdf)]) == 0
    document = pypdfium2.PdfDocument(pdf)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    ARTIFACTS.mkdir(exist_ok=True)
    for i in range(min(2, len(document))):
        document[i].render(scale=1.2).to_pil().save(ARTIFACTS / f"report-leuven-p{i + 1}.png")
    document.close()
    return pages, pdf


def test_pdf_names_region_years_tiers_and_municipalities(
    pdf_text: tuple[list[str], Path], planned: tuple[Path, Path]
) -> None:
    pages, _ = pdf_text
    whole = "\n".join(pages)
    assert "vervoerregio Leuven" in whole
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        assert re.search(rf"(?m)^{year}\b", whole), f"year {year} missing"
    aggregate = pd.read_csv(planned[1] / PLAN_FOLDER / MUNICIPALITY_FILE, dtype=str)
    assert not aggregate.empty
    for tier in aggregate["tier"].unique():
        assert {"private": "privé", "semi_public": "semipubliek", "public": "publiek"}[
            tier
        ] in whole
    for name in aggregate["name"].unique():
        assert name in whole, f"municipality {name} missing"


def test_pdf_has_a_page_per_section_in_dutch(pdf_text: tuple[list[str], Path]) -> None:
    pages, _ = pdf_text
    headings = [
        wording("summary.year", "nl", year=LAST_YEAR).split(" ")[0],
        wording("zes", "nl"),
        wording("demand", "nl"),
        wording("rollout", "nl"),
        wording("municipalities", "nl"),
        wording("grid", "nl"),
        wording("unmet", "nl"),
        wording("exemptions", "nl"),
        wording("methods", "nl"),
    ]
    assert len(pages) >= len(SECTIONS)
    found = [next(i for i, page in enumerate(pages) if heading in page) for heading in headings]
    assert found == sorted(found) and len(set(found)) == len(SECTIONS)


def test_pdf_shows_the_operators_requests_as_written(
    pdf_text: tuple[list[str], Path], planned: tuple[Path, Path]
) -> None:
    pages, _ = pdf_text
    grid_page = next(page for page in pages if wording("grid", "nl") in page)
    plan_file = planned[1] / PLAN_FOLDER / REQUESTS_FILE
    requests = pd.read_csv(plan_file, dtype={"node_id": str})
    named = requests.dropna(subset=["node_id"])
    if named.empty:
        assert wording("grid.none", "nl") in grid_page
    for row in named.itertuples():
        assert str(row.node_id) in grid_page
        assert format_number(row.extra_capacity_kva, "nl") in grid_page


def test_rollout_figures_add_up_to_the_plans_aggregate(
    planned: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, out = planned
    html = tmp_path / "leuven.html"
    arguments = ["-q", "report", "--data", str(folder), "--results", str(out), "--region", "7"]
    assert laadplan([*arguments, "--out", str(html), "--format", "html", "--lang", "en"]) == 0
    page = html.read_text(encoding="utf-8")
    assert 'lang="en"' in page and "Supra-local charging plan" in page
    region = pd.read_csv(out / PLAN_FOLDER / REGION_FILE)
    last = region[region["year"] == LAST_YEAR]
    for tier, chargers in last.groupby("tier")["chargers"].sum().items():
        label = TIER_EN[str(tier)]
        cell = f"<td>{LAST_YEAR}</td><td>{label}</td>"
        row = page[page.index(cell) : page.index("</tr>", page.index(cell))]
        assert f'<td class="n">{format_number(chargers, "en")}</td>' in row


def test_unknown_region_is_refused_with_the_valid_names(
    planned: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, out = planned
    arguments = ["report", "--data", str(folder), "--results", str(out), "--region", "Lueven"]
    assert laadplan([*arguments, "--out", str(tmp_path / "x.pdf")]) == 1
    error = capsys.readouterr().err
    assert "Lueven" in error and "Leuven" in error


def test_missing_browser_is_named(
    planned: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("LAADPLAN_CHROMIUM", "no-such-browser")
    folder, out = planned
    arguments = ["report", "--data", str(folder), "--results", str(out), "--region", "Leuven"]
    assert laadplan([*arguments, "--out", str(tmp_path / "x.pdf")]) == 1
    error = capsys.readouterr().err
    assert "no-such-browser" in error and "--format html" in error
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    ("value", "lang", "digits", "expected"),
    [(3.2, "nl", 1, "3,2"), (3200, "nl", 0, "3.200"), (1234.5, "en", 1, "1,234.5")],
)
def test_numbers_in_belgian_and_english_form(
    value: float, lang: str, digits: int, expected: str
) -> None:
    assert format_number(value, lang, digits) == expected


def test_a_withheld_private_count_is_marked_never_read_as_zero(
    planned: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, out = planned
    results = tmp_path / "results"
    shutil.copytree(out, results)
    by_municipality = results / PLAN_FOLDER / MUNICIPALITY_FILE
    table = pd.read_csv(by_municipality, dtype={"nis_code": str})
    private = table[(table["tier"] == "private") & (table["year"] == LAST_YEAR)]
    assert not private.empty, "the case's plan has private chargers in its last year"
    blanked = private.index[0]  # as the disclosure rule leaves a count of fewer than k owners
    table.loc[blanked, ["sites", "chargers", "connectors", "installed_kw"]] = None
    table.to_csv(by_municipality, index=False)
    html = tmp_path / "leuven.html"
    arguments = ["-q", "report", "--data", str(folder), "--results", str(results), "--region"]
    assert laadplan([*arguments, "7", "--out", str(html), "--format", "html"]) == 0
    page = html.read_text(encoding="utf-8")
    section = page[page.index('<section id="municipalities">') : page.index('<section id="grid">')]
    assert "* zonder de private laadpunten" in section
    last = table[table["year"] == LAST_YEAR].groupby("name")
    for name, rows in last:
        cells = re.findall(rf"<tr><td>{re.escape(str(name))}</td>(.*?)</tr>", section)
        if not cells:
            continue  # a municipality of another region
        last_cell = re.findall(r'<td class="n">([^<]*)</td>', cells[0])[-1]
        shown = format_number(rows["chargers"].sum(), "nl")  # NaN left out: the disclosed tiers
        assert last_cell == shown + ("*" if rows["chargers"].isna().any() else "")
    withheld_name = table.loc[blanked, "name"]
    assert re.search(rf"<tr><td>{re.escape(str(withheld_name))}</td>.*?\*</td></tr>", section)
