"""``GET /runs/{id}/report``: a finished run's regional charging plan, on SQLite and PostgreSQL.

One server per backend (module-scoped) with a solved Leuven run of a scoped planner, a queued
run of all of Flanders and a queued Leuven run; the report is read back as PDF text and HTML.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pypdfium2
import pytest

from charging_sites import SHARED_TIERS
from dashboards.report import ReportError
from dashboards.report._render import format_number
from planner.workflows.exemptions import EXEMPTION_COLUMNS
from service.reports import REPORT_SLOTS, ReportsBusyError, report_slot, run_report
from tests._service_fixtures import (
    BACKENDS,
    Server,
    add_user_via_api,
    start_server,
    stop_server,
    upload_all,
    wait_for_run,
)

YEAR = 2030
#: needs, sites, substations, cabins of the generated Leuven case.
CASE_SIZE = (24, 10, 1, 8)
LEUVEN = 7


@dataclass
class World:
    server: Server
    solved: int  # planner_leuven's done run
    queued_leuven: int
    queued_all: int


def _start_run(server: Server, who: str) -> int:
    with server.client(who) as client:
        answer = client.post("/runs", json={"years": [YEAR]})
    assert answer.status_code == 202, answer.text
    return int(answer.json()["id"])


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    server = start_server(request.param, tmp_path_factory, CASE_SIZE)
    try:
        for who, organisation, role, regions in (
            ("planner", "MOW", "planner", None),
            ("planner_leuven", "VR-LEUVEN", "planner", [str(LEUVEN)]),
            ("planner_antwerpen", "VR-ANTWERPEN", "planner", ["2"]),
            ("grid", "FLUVIUS", "grid_operator", None),
        ):
            server.tokens[who] = add_user_via_api(server, organisation, role, regions)
        for organisation in sorted(server.needs["organisation_id"].unique()):
            server.tokens[organisation] = add_user_via_api(server, organisation, "signatory")
        upload_all(server)
        solved = _start_run(server, "planner_leuven")
        worker = server.start_worker()
        try:
            assert wait_for_run(server, solved, ("done", "failed"))["status"] == "done"
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        queued = _start_run(server, "planner_leuven"), _start_run(server, "planner")
        yield World(server, solved, *queued)
    finally:
        stop_server(server)


def _get(world: World, who: str, run_id: int, **query: str) -> Any:
    with world.server.client(who, timeout=120) as client:
        return client.get(f"/runs/{run_id}/report", params=query)


def pdf_pages(content: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(io.BytesIO(content))
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def test_a_scoped_planner_gets_its_regions_plan_as_pdf(world: World) -> None:
    answer = _get(world, "planner_leuven", world.solved)  # the run's only region, PDF, Dutch
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    name = f"laadplan-run{world.solved}-vervoerregio{LEUVEN}.pdf"
    assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
    pages = pdf_pages(answer.content)
    whole = "\n".join(pages)
    assert len(pages) >= 9  # a page per section at least
    assert "vervoerregio Leuven" in whole and str(YEAR) in whole
    assert "Leuven" in whole and "Kandidaten voor een vrijstelling bij netcongestie" in whole


def test_the_html_report_shows_the_runs_roll_out(world: World) -> None:
    answer = _get(world, "planner", world.solved, region="Leuven", format="html", lang="en")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    page = answer.text
    assert 'lang="en"' in page and "transport region Leuven" in page
    with world.server.client("planner") as client:
        tables = client.get(f"/runs/{world.solved}/results").json()["tables"]
    assert tables["congestion_exemptions"]["columns"] == EXEMPTION_COLUMNS  # planner only
    sites = pd.DataFrame(tables["sites"]["records"], columns=tables["sites"]["columns"])
    shared = sites[sites["tier"].isin(SHARED_TIERS) & (sites["vervoerregio_code"] == str(LEUVEN))]
    assert not shared.empty, "the run opens no shared site in Leuven"
    labels = {"semi_public": "semi-public", "public": "public"}
    for tier, chargers in shared.groupby("tier")["chargers"].sum().items():
        cell = f"<td>{YEAR}</td><td>{labels[str(tier)]}</td>"
        row = page[page.index(cell) : page.index("</tr>", page.index(cell))]
        assert f'<td class="n">{format_number(chargers, "en")}</td>' in row


@pytest.mark.parametrize(
    ("who", "run", "query", "code"),
    [
        ("planner_antwerpen", "solved", {}, 404),  # not its run
        ("planner_leuven", "solved", {"region": "Antwerpen"}, 404),  # not its region
        ("planner", "solved", {"region": "Antwerpen"}, 404),  # not in the run
        ("planner", "solved", {"region": "Atlantis"}, 422),
        ("planner", "queued_all", {}, 422),  # all of Flanders: name the region
        ("planner_leuven", "queued_leuven", {}, 409),  # not done
        ("grid", "solved", {}, 403),
    ],
)
def test_reports_outside_scope_or_state_are_refused(
    world: World, who: str, run: str, query: dict[str, str], code: int
) -> None:
    answer = _get(world, who, getattr(world, run), **query)
    assert answer.status_code == code, answer.text
    assert answer.json()["detail"]


def test_a_signatory_gets_403(world: World) -> None:
    organisation = sorted(world.server.needs["organisation_id"].unique())[0]
    assert _get(world, organisation, world.solved).status_code == 403


def test_a_print_over_its_time_limit_is_stopped_and_slots_are_bounded(world: World) -> None:
    with world.server.client("planner") as client:
        tables = client.get(f"/runs/{world.solved}/results").json()["tables"]
        snapshot = client.get(f"/runs/{world.solved}/inputs").json()["snapshot"]
    with pytest.raises(ReportError, match=r"did not print the report within 0.05 s"):
        run_report(world.solved, snapshot, tables, LEUVEN, "pdf", "nl", timeout_s=0.05)
    with report_slot(), report_slot():
        assert REPORT_SLOTS == 2
        with pytest.raises(ReportsBusyError, match="try again"):
            run_report(world.solved, snapshot, tables, LEUVEN, "html", "nl")
    html = run_report(world.solved, snapshot, tables, LEUVEN, "html", "nl")  # slots free again
    assert b"vervoerregio Leuven" in html
