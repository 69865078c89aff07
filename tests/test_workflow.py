"""One planning workflow: the CLI, the service and the dashboard make the same plan of a case.

A generated case of two vervoerregio's is planned by a real ``laadplan serve`` (with a
``laadplan worker``) on SQLite and PostgreSQL; the run's frozen inputs are then planned by
``laadplan plan`` and by the dashboard's background job runner.  All three must choose the same
sites and chargers at the same cost, and the service must have split the run per
vervoerregio, as the CLI does.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pytest

from dashboards.jobs import JobRegistry, JobState
from dashboards.plan_data import PlanOutputs
from dashboards.scenario_runs import knobs_of, run_plan
from dashboards.store import CaseStore
from planner.cli import main
from planner.optimisation.case import PlanCase
from planner.workflows import plan_case as plan_case_module
from planner.workflows.case import prepare_plan, read_case
from planner.workflows.datafolder import resolve_data_folder
from planner.workflows.decompose import SubCase
from planner.workflows.parallel import Engine
from planner.workflows.plan_case import largest_first, plan_case
from service.config import ConfigError, load_settings
from service.dashboard import DatabaseRuns, PublishedRunStore
from service.db import make_engine, make_session_factory
from service.snapshot import NEED_ID_SEPARATOR
from tests._service_fixtures import BACKENDS, Server, service_server, upload_all, wait_for_run
from tests._two_regions import REGIONS, YEAR, make_two_region_case

#: Columns of a plan's sites compared between the three ways of planning.
SITE_COLUMNS = ["site_id", "tier", "chargers", "new_chargers", "installed_kw"]
#: Relative tolerance on costs and energies (the same solver on the same model).
REL = 1e-6


@pytest.fixture(scope="module", params=BACKENDS)
def service_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """A finished service run of the two-region case: its results and its frozen inputs."""
    server: Server = service_server(
        request.param, tmp_path_factory, make_two_region_case, "two-regions"
    )
    upload_all(server)
    # On PostgreSQL the worker solves the sub-problems on a local Dask cluster of 2 processes.
    workers = "2" if request.param == "postgresql" else "1"
    worker = server.start_worker(LAADPLAN_DASK_WORKERS=workers)
    try:
        with server.client("planner") as client:
            answer = client.post("/runs", json={"years": [YEAR]})
            assert answer.status_code == 202, answer.text
            run_id = answer.json()["id"]
        done = wait_for_run(server, run_id, ("done", "failed"), timeout_s=300)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert done["status"] == "done", done["error"]
    with server.client("planner") as client:
        results: dict[str, Any] = client.get(f"/runs/{run_id}/results").json()
        inputs: dict[str, Any] = client.get(f"/runs/{run_id}/inputs").json()
    engine = "local Dask cluster of 2" if workers == "2" else "this process"
    assert engine in results["tables"]["summary"]["engine"]
    return {
        "tables": results["tables"],
        "snapshot": inputs["snapshot"],
        "run_id": run_id,
        "server": server,
    }


@pytest.fixture(scope="module")
def snapshot_case(service_run: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The service run's frozen input files as a data folder."""
    folder = tmp_path_factory.mktemp("snapshot-case")
    for name, text in service_run["snapshot"]["files"].items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def table(tables: dict[str, Any], name: str) -> pd.DataFrame:
    """A service result table as a DataFrame."""
    content = tables[name]
    return pd.DataFrame(content["records"], columns=content["columns"])


def plan_sites(sites: pd.DataFrame) -> pd.DataFrame:
    """The compared columns of a year's open sites, in site order."""
    chosen = sites[sites["chargers"].astype(float) > 0]
    frame = chosen[SITE_COLUMNS].astype({"site_id": str, "tier": str})
    frame = frame.astype({"chargers": int, "new_chargers": int, "installed_kw": float})
    return frame.sort_values("site_id", ignore_index=True)


def energy_by_pair(assignments: pd.DataFrame) -> pd.Series:
    """Energy per working day by (need, site), kWh."""
    energy = assignments.groupby(["need_id", "site_id"])["energy_kwh_per_day"].sum()
    return energy.astype(float).sort_index()


@pytest.mark.slow
def test_cli_service_and_dashboard_make_the_same_plan(
    service_run: dict[str, Any], snapshot_case: Path, tmp_path: Path
) -> None:
    tables = service_run["tables"]
    summary = tables["summary"]
    assert summary["sub_problems"] == list(REGIONS)  # decomposed per vervoerregio
    assert sorted(summary["tasks"]) == list(REGIONS)
    service_year = summary["years"][0]
    assert service_year["status"] in ("optimal", "feasible")
    assert all(NEED_ID_SEPARATOR in n for n in table(tables, "assignments")["need_id"])

    out = tmp_path / "cli-plan"
    arguments = ["-q", "plan", "--data", str(snapshot_case), "--out", str(out), "--workers", "2"]
    assert main(arguments) == 0
    cli_summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert cli_summary["sub_problems"] == list(REGIONS)
    assert "local Dask cluster of 2" in cli_summary["engine"]
    cli_sites = pd.read_csv(out / "sites.csv", dtype={"site_id": str})
    cli_assignments = pd.read_csv(out / "assignments.csv", dtype={"need_id": str, "site_id": str})

    dashboard = dashboard_plan(snapshot_case)

    service_sites = plan_sites(table(tables, "sites"))
    assert len(service_sites) > 0
    pd.testing.assert_frame_equal(plan_sites(cli_sites), service_sites)
    pd.testing.assert_frame_equal(plan_sites(dashboard.sites), service_sites)
    service_energy = energy_by_pair(table(tables, "assignments"))
    pd.testing.assert_series_equal(energy_by_pair(cli_assignments), service_energy, rtol=REL)
    pd.testing.assert_series_equal(energy_by_pair(dashboard.assignments), service_energy, rtol=REL)
    for other in (cli_summary["years"][0], dashboard.summaries[YEAR]):
        assert other["objective_eur"] == pytest.approx(service_year["objective_eur"], rel=REL)
        for key, value in service_year["costs_eur_per_year"].items():
            assert other["costs_eur_per_year"][key] == pytest.approx(value, rel=REL, abs=1e-6)


@pytest.mark.slow
def test_the_served_dashboard_shows_the_published_run_from_the_database(
    service_run: dict[str, Any],
) -> None:
    server: Server = service_run["server"]
    run_id = service_run["run_id"]
    with server.client("planner") as client:
        assert client.post(f"/runs/{run_id}/publish").status_code == 200
        assert client.get("/dashboard/_dash-layout").status_code == 200
    with server.client("planner_other") as client:  # limited to vervoerregio 1: API only
        assert client.get("/dashboard/").status_code == 403
    settings = load_settings(server.environment)
    engine = make_engine(settings.database_url)
    try:
        store = PublishedRunStore(settings, make_session_factory(engine))
        assert store.has_case() and store.run_id == run_id
        assert store.plan is not None and store.plan.years == [YEAR]
        api_sites = plan_sites(table(service_run["tables"], "sites"))
        pd.testing.assert_frame_equal(plan_sites(store.plan.sites), api_sites)
        assert store.needs["need_id"].str.contains(NEED_ID_SEPARATOR).all()  # the run's inputs
        assert str(store.data_dir).endswith(f"run-{run_id}")
        sources = dict(DatabaseRuns(make_session_factory(engine)).runs())
        assert sources[str(run_id)].endswith("published")
    finally:
        engine.dispose()


def dashboard_plan(folder: Path) -> PlanOutputs:
    """The plan of the dashboard's Scenarios page run (background job) on a case folder."""
    store = CaseStore(folder)
    jobs = JobRegistry()
    knobs = knobs_of(store.scenario, YEAR)
    try:
        job_id = jobs.submit("same", {}, lambda report: run_plan(store.case, knobs, report))
        job = jobs.wait(job_id, timeout_s=300)
    finally:
        jobs.shutdown()
    assert job is not None and job.state == JobState.DONE, job and job.error
    assert isinstance(job.result, PlanOutputs)
    return job.result


#: Headroom per status of the status-only cabins, kVA (``[grid] status_headroom_kva``).
STATUS_HEADROOM_KVA = {"green": 333.0, "orange": 77.0, "red": 11.0}


@pytest.fixture(scope="module")
def status_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated Leuven case whose cabins are known by their status only."""
    folder = tmp_path_factory.mktemp("status") / "case"
    sizes = ["--needs", "40", "--sites", "16", "--substations", "3", "--cabins", "24"]
    arguments = ["-q", "generate", "--region", "Leuven", "--seed", "3", "--out", str(folder)]
    assert main([*arguments, *sizes]) == 0
    grid = pd.read_csv(folder / "grid.csv", dtype=str, keep_default_na=False)
    cabins = grid["level"] == "mv_cabin"
    grid.loc[cabins, ["firm_capacity_kva", "peak_load_kva", "headroom_kva"]] = ""
    grid.to_csv(folder / "grid.csv", index=False)
    scenario = (folder / "scenario.toml").read_text(encoding="utf-8")
    scenario = scenario.replace("last_year = 2035", "last_year = 2027")
    table = ", ".join(f"{status} = {kva}" for status, kva in STATUS_HEADROOM_KVA.items())
    scenario += f"\n[grid]\nstatus_headroom_kva = {{ {table} }}\n"
    (folder / "scenario.toml").write_text(scenario, encoding="utf-8")
    return folder


def test_status_headroom_is_the_same_in_overlay_plan_and_dashboard(
    status_case: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert main(["-q", "run", "--data", str(status_case), "--out", str(out), "--workers", "1"]) == 0
    grid = pd.read_csv(status_case / "grid.csv", dtype=str, keep_default_na=False)
    cabins = grid[grid["level"] == "mv_cabin"]
    expected = pd.Series(
        cabins["status"].map(STATUS_HEADROOM_KVA).to_numpy(float), index=cabins["node_id"]
    )
    assert set(cabins["status"]) == set(STATUS_HEADROOM_KVA)

    store = CaseStore(status_case, out)
    power_factor = store.scenario.grid.power_factor
    assert store.grid is not None
    shown = store.grid.set_index("node_id")["headroom_kva"]  # the dashboard's grid table
    pd.testing.assert_series_equal(shown.loc[expected.index], expected, check_names=False)

    # The status headroom binds at the node's peak hour: it is the least headroom of the day.
    overlays = {"results": store.overlay, "computed": CaseStore(status_case).overlay}
    headroom_kva: dict[str, pd.DataFrame] = {}
    for source, overlay in overlays.items():
        assert overlay is not None and overlay.source == source
        per_slot = overlay.node_load["headroom_kw"].sel(node=list(expected.index))
        headroom_kva[source] = pd.DataFrame(
            per_slot.transpose("node", "slot").to_numpy() / power_factor,
            index=pd.Index(per_slot["node"].to_numpy().astype(str), name="node_id"),
            columns=pd.Index(per_slot["slot"].to_numpy().astype(int), name="slot"),
        )
        least = headroom_kva[source].min(axis="columns")
        pd.testing.assert_series_equal(least, expected, check_names=False, rtol=1e-9)

    node_load = pd.read_csv(out / "plan" / "node_load.csv", dtype={"node_id": str})
    planned = node_load[node_load["node_id"].isin(expected.index)]
    assert len(planned) > 0  # sites below status-only cabins carry load in the plan
    overlay_kva = headroom_kva["results"].stack()
    plan_kva = planned.set_index(["node_id", "slot"])["headroom_kva"]
    shown_kva = pd.Series(overlay_kva.loc[plan_kva.index].to_numpy(), index=plan_kva.index)
    pd.testing.assert_series_equal(plan_kva, shown_kva, check_names=False, rtol=1e-9)


def test_plan_case_reports_progress_up_to_done(status_case: Path) -> None:
    reported: list[tuple[float, str]] = []
    case = read_case(resolve_data_folder(status_case))
    planned = plan_case(
        case, engine=Engine(workers=1), progress=lambda f, m: reported.append((f, m))
    )
    fractions = [fraction for fraction, _ in reported]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("2027: building and solving" in message for _, message in reported)
    assert planned.plan.years == [2027] and planned.engine == "this process"
    assert planned.summary()["sub_problems"] == list(planned.sub_problems)


class _HandedOutError(Exception):
    """Raised by the stand-in for ``run_tasks`` once it has seen the tasks."""


def test_plan_case_hands_out_the_largest_sub_problem_first(
    status_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Longest first: on a cluster the tasks start in the order they are handed out."""
    case = read_case(resolve_data_folder(status_case))
    prepared = prepare_plan(case)
    half, quarter = len(prepared.pairs) // 2, len(prepared.pairs) // 4
    parts = [
        SubCase("1", replace(prepared, pairs=prepared.pairs.iloc[:quarter])),
        SubCase("2", prepared),
        SubCase("3", replace(prepared, pairs=prepared.pairs.iloc[:half])),
    ]
    assert 0 < quarter < half < len(prepared.pairs)
    handed: list[str] = []

    def run_tasks(function: Any, arguments: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        handed.extend(arguments)
        raise _HandedOutError

    monkeypatch.setattr(plan_case_module, "sub_cases", lambda case, decompose: parts)
    monkeypatch.setattr(plan_case_module, "run_tasks", run_tasks)
    with pytest.raises(_HandedOutError):
        plan_case(case, engine=Engine(workers=2))
    assert handed == ["2", "3", "1"]
    assert [p.region for p in largest_first(parts[::-1])] == ["2", "3", "1"]


def test_acknowledged_headroom_is_shared_like_the_node() -> None:
    part = SubCase("7", cast(PlanCase, None), {"C1": 0.25, "C2": 1.0})
    added = {"C1": [(2030, 400.0)], "C9": [(2029, 50.0)]}
    assert part.additions(added) == {"C1": [(2030, 100.0)]}  # C9 feeds no site of the part
    assert SubCase("all", cast(PlanCase, None)).additions(added) == added


def test_service_engine_settings_come_from_the_environment() -> None:
    base = {"LAADPLAN_DATA_DIR": "/tmp/laadplan-test-settings"}
    settings = load_settings({**base, "LAADPLAN_DASK_WORKERS": "3"})
    assert settings.dask_workers == 3 and settings.dask_scheduler is None
    remote = load_settings({**base, "LAADPLAN_DASK_SCHEDULER": "tcp://10.0.0.5:8786"})
    assert remote.dask_workers == 1 and remote.dask_scheduler == "tcp://10.0.0.5:8786"
    with pytest.raises(ConfigError, match=r"LAADPLAN_DASK_WORKERS='1\.5': valid: a whole number"):
        load_settings({**base, "LAADPLAN_DASK_WORKERS": "1.5"})
