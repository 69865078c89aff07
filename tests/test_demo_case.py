"""The demo itself (``make demo``: Leuven, seed 1, every year 2027–2035), as a planner gets it.

One ``laadplan run`` of the demo case; on it: the vervoerregio's report (issue 15), a specific
cause with its binding figure on every unmet row, and ``--propose-sites`` lowering the last
year's unmet energy and saying by how much.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pypdfium2
import pytest

from planner.optimisation.unmet_causes import UnmetCause
from planner.optimisation.vocabulary import PLAN_FOLDER, PlanFile
from planner.workflows.capacity_requests import REQUESTS_FILE
from tests._cli import run_cli

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
#: ``make demo``'s generator arguments (Makefile, target ``demo``).
DEMO_ARGUMENTS = ["--region", "Leuven", "--seed", "1"]
YEARS = range(2027, 2036)
TIER_NL = {"private": "privé", "semi_public": "semipubliek", "public": "publiek"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo case and its results, as ``make demo`` writes them."""
    root = tmp_path_factory.mktemp("demo")
    case, out = root / "demo-case", root / "demo-out"
    assert run_cli(["-q", "generate", *DEMO_ARGUMENTS, "--out", str(case), "--force"]) == 0
    assert run_cli(["-q", "run", "--data", str(case), "--out", str(out)]) == 0
    return case, out


def summary_years(plan_folder: Path) -> dict[int, dict[str, object]]:
    summary = json.loads((plan_folder / PlanFile.SUMMARY).read_text(encoding="utf-8"))
    return {int(year["year"]): year for year in summary["years"]}


def test_the_demo_report_holds_region_years_tiers_municipalities_and_requests(
    demo: tuple[Path, Path],
) -> None:
    case, out = demo
    pdf = out / "leuven.pdf"
    arguments = ["-q", "report", "--data", str(case), "--results", str(out), "--region"]
    assert run_cli([*arguments, "Leuven", "--out", str(pdf)]) == 0
    document = pypdfium2.PdfDocument(pdf)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    ARTIFACTS.mkdir(exist_ok=True)
    for i in range(min(2, len(document))):
        document[i].render(scale=1.2).to_pil().save(ARTIFACTS / f"report-demo-p{i + 1}.png")
    document.close()
    whole = "\n".join(pages)
    assert len(pages) >= 9  # a page per section at least
    assert "vervoerregio Leuven" in whole
    for year in YEARS:
        assert re.search(rf"(?m)^{year}\b", whole), f"year {year} missing"
    plan = out / PLAN_FOLDER
    aggregate = pd.read_csv(plan / PlanFile.CHARGERS_BY_MUNICIPALITY, dtype=str)
    for tier in aggregate["tier"].unique():
        assert TIER_NL[tier] in whole
    for name in aggregate["name"].unique():
        assert name in whole, f"municipality {name} missing"
    unbroken = re.sub(r"\s+", "", whole)  # a long cell wraps inside a node id
    requests = pd.read_csv(plan / REQUESTS_FILE, dtype={"node_id": str})
    assert requests["node_id"].notna().any(), "the demo's plan asks the grid operator for capacity"
    for node in requests["node_id"].dropna().unique():
        assert node in unbroken, f"requested node {node} missing"
    assert "merged_from_children" not in unbroken and "optimal" not in whole  # said in Dutch


def test_every_unmet_row_of_the_demo_has_a_specific_cause_and_its_figure(
    demo: tuple[Path, Path],
) -> None:
    unmet = pd.read_csv(demo[1] / PLAN_FOLDER / PlanFile.UNMET, keep_default_na=False)
    assert len(unmet) > 0, "the demo leaves energy unmet in some year"
    assert set(unmet["cause"]) <= {cause.value for cause in UnmetCause}
    assert (unmet["binding"].str.strip() != "").all()


def test_proposed_hubs_lower_the_demos_unmet_energy_and_say_by_how_much(
    demo: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, out = demo
    last = max(YEARS)
    before = float(summary_years(out / PLAN_FOLDER)[last]["unmet_kwh_per_day"])  # type: ignore[arg-type]
    capsys.readouterr()
    command = ["plan", "--data", str(case), "--year", str(last), "--out", str(tmp_path)]
    assert run_cli([*command, "--propose-sites", "3"]) == 0
    printed = capsys.readouterr().out
    said = re.search(r"unmet energy in (\d+) from ([\d,]+) to ([\d,]+) kWh/day", printed)
    assert said is not None, printed
    after = float(summary_years(tmp_path)[last]["unmet_kwh_per_day"])  # type: ignore[arg-type]
    assert float(said[3].replace(",", "")) == pytest.approx(after, abs=0.5)
    assert after < float(said[2].replace(",", ""))
    assert after < before
