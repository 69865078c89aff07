"""The dashboard app on a small generated case: store, pages and callbacks called directly."""

from __future__ import annotations

import base64
import contextlib
import io
import re
import socket
from pathlib import Path
from typing import Any

import dash
import openpyxl
import plotly.graph_objects as go
import pytest

from dashboards import command
from dashboards.app import PAGES, create_app, current_store
from dashboards.context import AppContext
from dashboards.jobs import JobState
from dashboards.pages.demand import _callbacks as demand
from dashboards.pages.grid import _callbacks as grid
from dashboards.pages.intake import _callbacks as intake
from dashboards.pages.overview import _callbacks as overview
from dashboards.pages.plan import _callbacks as plan
from dashboards.pages.scenarios import _callbacks as scenarios
from dashboards.plan_sources import RESULTS
from dashboards.store import CaseStore, open_store
from planner.cli import build_parser
from planner.cli import main as laadplan
from tests._dashboard_fixtures import LAST_YEAR, break_needs, generate_case, run_case
from tests.test_needs_intake import write_belgian_excel_csv

KNOBS = [LAST_YEAR, "none", "soft", ["on"], ["on"], 0.25, 0.15, 5, 10, 10, 30, [], 0]


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("dashboard-app")
    folder = generate_case(root / "case")
    out = run_case(folder, root / "out")
    with contextlib.redirect_stdout(io.StringIO()):
        assert laadplan(["-q", "plan", "--data", str(folder), "--out", str(out)]) == 0
    return folder, out


@pytest.fixture(scope="module")
def context(case: tuple[Path, Path]) -> AppContext:
    app = create_app(*case)
    context: AppContext = app.server.config["laadplan_context"]
    return context


def traces_with_points(figure: Any) -> int:
    """Traces of a figure with at least one point (x or z values)."""
    count = 0
    for trace in go.Figure(figure).data:
        values = trace.x if getattr(trace, "x", None) is not None else getattr(trace, "z", None)
        count += int(values is not None and len(values) > 0)
    return count


def text_of(component: Any) -> str:
    """All text inside a Dash component tree."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(item) for item in component)
    children = getattr(component, "children", None)
    return "" if children is None else text_of(children)


# --- store and app -----------------------------------------------------------------------------


def test_store_reads_each_table_once_and_prefers_the_results(case):
    folder, out = case
    store = CaseStore(folder, out)
    assert store.demand is store.demand
    assert store.overlay is not None and store.overlay.source == "results"
    assert store.plan is not None and store.plan.years == [2027, 2028, LAST_YEAR]
    assert open_store(folder, out) is open_store(folder, out)


def test_store_without_results_computes_the_overlay_and_has_no_plan(case):
    folder, _ = case
    store = CaseStore(folder)
    assert store.overlay is not None and store.overlay.source == "computed"
    assert store.plan is None
    assert store.years == [2027, 2028, LAST_YEAR]


def test_app_registers_every_page_and_serves_it(case):
    app = create_app(*case)
    paths = {page["path"] for page in dash.page_registry.values()}
    assert {page.path for page in PAGES} <= paths
    client = app.server.test_client()
    for page in PAGES:
        assert client.get(page.path).status_code == 200
    assert current_store(app).data_dir == case[0]


def test_page_layouts_build_from_the_context(context):
    for page in PAGES:
        layout = page.layout(context)
        assert layout.className == "page"


def test_dashboard_command_is_registered_through_the_entry_point():
    parser = build_parser()
    args = parser.parse_args(["dashboard", "--data", "x", "--port", "9000", "--tiles", "off"])
    assert args.func is command.run and args.port == 9000 and not command.use_tiles(args.tiles)
    assert command.use_tiles("on")


def test_tiles_are_not_used_when_the_server_does_not_answer():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    assert not command.tiles_reachable(f"http://127.0.0.1:{port}/0/0/0.png", timeout_s=0.5)


# --- pages -------------------------------------------------------------------------------------


def test_overview_callback_fills_the_headline_rollout_map_and_table(context):
    outputs = overview.update_overview(context, "en", LAST_YEAR, None, None, [])
    kpis, rollout, figure, table = outputs[:7], outputs[7], outputs[8], outputs[9]
    assert kpis[0] != "0"
    assert re.fullmatch(r"\d+ · \d+ · \d+", kpis[3])  # chargers per tier: the results' plan
    assert traces_with_points(figure) >= 5
    sites = context.store.plan.sites
    bars = {trace.name: list(trace.y) for trace in go.Figure(rollout).data if trace.type == "bar"}
    for tier, name in (("private", "private (chargers)"), ("public", "public (chargers)")):
        expected = sites[sites["tier"] == tier].groupby("year")["chargers"].sum()
        assert bars[name] == [int(expected.get(year, 0)) for year in context.store.plan.years]
    assert "Energy (kWh/day)" in text_of(table) and "Chargers private" in text_of(table)
    rollout_csv = overview.download_rollout(context, "csv", LAST_YEAR, None, None, [])
    assert rollout_csv["content"].startswith("year,tier,sites,chargers,connectors,installed_kw")
    geojson = overview.download_map(context, "geojson", LAST_YEAR, None, None, [])
    assert geojson["filename"] == f"overview_{LAST_YEAR}.geojson"
    excel = overview.download_table(context, "xlsx", LAST_YEAR, 7, None, [])
    assert excel["base64"] and excel["filename"].endswith(".xlsx")


def test_overview_of_one_municipality_zooms_on_it(context):
    outputs = overview.update_overview(context, "nl", LAST_YEAR, 7, "24062", ["N1"])
    x_range = go.Figure(outputs[8]).layout.xaxis.range
    assert x_range[1] - x_range[0] < 0.5


def test_demand_callback_draws_years_curves_and_the_region_table(context):
    vehicles, energy, curve, table = demand.update_demand(
        context, "nl", "sector", LAST_YEAR, None, None, []
    )
    assert traces_with_points(vehicles) >= 1 and traces_with_points(energy) >= 1
    assert traces_with_points(curve) == 3
    assert "Vervoerregio" in text_of(table)
    download = demand.download_curves(context, "csv", LAST_YEAR, None, None, [])
    assert download["content"].startswith("strategy,slot,slot_start")


def test_grid_callbacks_give_heatmap_choices_and_requests(context):
    heatmap, options, value, hidden, *_tables = grid.update_grid(context, "en", LAST_YEAR, [])
    assert traces_with_points(heatmap) == 1 and options and value == options[0]["value"]
    assert "below the k threshold" in hidden
    assert traces_with_points(grid.update_curve(context, "en", value, LAST_YEAR)) == 2
    shared = grid.update_grid(context, "en", LAST_YEAR, ["shared"])[1]
    assert len(shared) <= len(options)
    download = grid.download_requests(context, "geojson", LAST_YEAR)
    assert download["filename"] == f"capacity_requests_{LAST_YEAR}.geojson"


def test_plan_callbacks_show_the_results_folder_plan(context):
    options, year = plan.year_choices(context, RESULTS)
    assert year == LAST_YEAR and [o["value"] for o in options] == [2027, 2028, LAST_YEAR]
    status, plan_map, ladder, _chart, *tables = plan.update_plan(context, "en", RESULTS, year)
    assert "optimal" in status or "feasible" in status
    assert traces_with_points(plan_map) >= 2 and traces_with_points(ladder) == 3
    assert "<th>Site</th>" in text_of(tables[0])
    download = plan.download_table(context, "unmet", "csv", RESULTS, year)
    assert download is not None and download["filename"] == f"plan_unmet_{year}.csv"


def test_intake_shows_every_bad_row_and_takes_nothing_in(context, case, tmp_path):
    bad_rows = break_needs(case[0] / "needs.csv", tmp_path / "bad.csv")
    upload = (
        "data:text/csv;base64," + base64.b64encode((tmp_path / "bad.csv").read_bytes()).decode()
    )
    before = context.store.demand
    parts, errors_bar, valid_bar = intake.show_upload(context, upload, "bad.csv", "en")
    text = text_of(parts)
    assert "nothing was taken in" in text and errors_bar == {} and valid_bar == {"display": "none"}
    assert all(f"row {row}" in text for row in bad_rows)
    assert context.store.demand is before
    errors = intake.download_errors("csv", upload, "bad.csv")
    assert errors is not None and errors["content"].count("\n") == 1 + len(bad_rows)
    assert intake.download_valid("csv", upload, "bad.csv") is None


def test_intake_of_a_valid_file_shows_what_it_adds(context, case):
    upload = (
        "data:text/csv;base64," + base64.b64encode((case[0] / "needs.csv").read_bytes()).decode()
    )
    parts, errors_bar, valid_bar = intake.show_upload(context, upload, "needs.csv", "nl")
    text = text_of(parts)
    assert "geldig" in text and "ZE-voertuigen in 2029" in text
    assert errors_bar == {"display": "none"} and valid_bar == {}
    validated = intake.download_valid("csv", upload, "needs.csv")
    assert validated is not None and "vervoerregio_name" in validated["content"].splitlines()[0]
    hidden = {"display": "none"}
    assert intake.show_upload(context, None, None, "nl") == ([], hidden, hidden)


def test_intake_shows_the_warnings_and_offers_the_template(context, tmp_path):
    path = write_belgian_excel_csv(tmp_path / "needs.csv")
    upload = "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode()
    parts, errors_bar, _ = intake.show_upload(context, upload, "needs.csv", "en")
    text = text_of(parts)
    assert "The file is valid: 3 rows" in text and errors_bar == {"display": "none"}
    assert "Waarschuwingen: zo is het bestand gelezen" in text  # headings start in Dutch
    assert "read as Windows-1252" in text and "'Diesel' was read as 'diesel'" in text
    template = intake.download_template("xlsx")
    assert template["filename"] == "needs.xlsx" and template["base64"] is True
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(template["content"])))
    assert book.sheetnames == ["needs", "uitleg"]


def test_scenario_runs_in_the_background_and_two_runs_compare(context):
    assert scenarios.start_run(context, 0, "x", "nl", *KNOBS)[0] is dash.no_update
    error = scenarios.start_run(context, 1, "bad", "nl", *KNOBS[:5], "", *KNOBS[6:])[2]
    assert "peak price: '' is not a number" in text_of(error)
    job_id, poll_disabled, message = scenarios.start_run(context, 1, "cost only", "nl", *KNOBS)
    assert not poll_disabled and message == ""
    job = context.jobs.wait(job_id, 120)
    assert job is not None and job.state == JobState.DONE, job and job.error
    progress, status, _runs, disabled, run_disabled, options, _, run_a, run_b = scenarios.poll(
        context, 1, job_id, None, None, "en"
    )
    assert progress == "1.0" and "done" in status and disabled and not run_disabled
    assert {option["value"] for option in options} == {RESULTS, job_id}
    assert (run_a, run_b) == (RESULTS, job_id)
    table, energy, chargers, _costs, map_a, map_b = scenarios.compare(context, run_a, run_b, "en")
    assert "Setting: charging ladder" in text_of(table)
    assert traces_with_points(energy) == 2 and traces_with_points(chargers) == 2
    assert traces_with_points(map_a) >= 2 and traces_with_points(map_b) >= 2
    download = scenarios.download_comparison(context, "xlsx", run_a, run_b)
    assert download is not None and download["filename"] == "scenario_comparison.xlsx"
