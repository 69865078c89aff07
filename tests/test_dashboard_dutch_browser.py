"""The dashboard in Dutch and in English, read in a real headless Chromium.

Every page (overview, demand, grid, plan, scenarios, intake) is read as a Flemish planner
sees it: table headers are Dutch labels (no ``snake_case``), numbers are written the Belgian
way (``1.234,5``; years ``2030``), every chart writes numbers with a decimal comma and names
its axes with their units.  The overview's year slider changes the figures; the EN switch
turns headers and numbers to English.  One browser and one app for the module (the fixtures
of :mod:`tests.test_dashboard_browser`, on its small generated case).
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from planner.cli import main as laadplan
from tests._dashboard_fixtures import FIRST_YEAR, LAST_YEAR, generate_case, run_case
from tests.test_dashboard_browser import (
    CHROMEDRIVER,
    CHROMIUM,
    PAGES,
    browser,
    open_page,
    server,
    wait_for_text,
)

__all__ = ["browser", "server"]  # the fixtures (on this module's case), used by every test here
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian's chromium and chromium-driver are not installed (make test installs them)",
)

#: Headroom left at every cabin of the case, kVA: small, so that the grid page has congestion
#: and capacity requests to show.
CABIN_HEADROOM_KVA = 20.0


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The browser tests' small case with tight cabins: demand, grid overlay and plan."""
    root = tmp_path_factory.mktemp("dashboard-dutch")
    folder = generate_case(root / "case")
    grid = pd.read_csv(folder / "grid.csv", dtype={"parent_id": str})
    cabins = grid["level"] == "mv_cabin"
    grid.loc[cabins, "peak_load_kva"] = grid.loc[cabins, "firm_capacity_kva"] - CABIN_HEADROOM_KVA
    grid.loc[cabins, "headroom_kva"] = CABIN_HEADROOM_KVA
    grid.to_csv(folder / "grid.csv", index=False)
    (folder / "grid_profiles.csv").unlink()  # the headroom of grid.csv at every hour
    with (folder / "scenario.toml").open("a", encoding="utf-8") as scenario:
        scenario.write("\n[optimisation.detour_km_max]\nsemi_public = 30\npublic = 30\n")
    out = run_case(folder, root / "out")
    with contextlib.redirect_stdout(io.StringIO()):
        assert laadplan(["-q", "plan", "--data", str(folder), "--out", str(out)]) == 0
    return folder, out


#: Per page: headers its tables must show in Dutch, and whether its cells hold decimals.
DUTCH_HEADERS = {
    "/": ["Gemeente", "ZE-voertuigen", "Energie (kWh/dag)", "Laadpunten privé"],
    "/vraag": ["Vervoerregio", "Jaar", "Categorie", "Energie (kWh/dag)"],
    "/net": ["Netknooppunt", "Jaar", "Extra capaciteit (kVA)", "Publicatie"],
    "/plan": ["Locatie", "Trede", "Laadpunten", "Geïnstalleerd vermogen (kW)", "Bezetting"],
    "/scenarios": ["Grootheid", "A", "B", "B − A"],
    "/invoer": ["Behoefte", "Voertuigcategorie", "Eigen terrein", "Stilstand van"],
}
#: Words of the planner's English messages (causes, binding figures, solver status).
ENGLISH_WORDS = re.compile(r"\b(nearest|limit|optimal|dwell window|holds|draws its|no site)\b")
SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
#: Numbers written the English way, or grouped with spaces: not Belgian.
ENGLISH_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+\.\d{1,2}$|\d \d{3}")
#: A Belgian decimal (at most two decimals are written, so never an English ``1,234``).
BELGIAN_DECIMAL = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d{1,2}(\s?%)?$")

#: The tables of the page: every header and every cell, by table.
READ_TABLES = """
return [...document.querySelectorAll('table.data-table')].map(table => ({
  headers: [...table.querySelectorAll('thead th')].map(th => th.textContent.trim()),
  rows: [...table.querySelectorAll('tbody tr')].map(
    tr => [...tr.querySelectorAll('td')].map(td => td.textContent.trim())),
}));
"""
#: The charts of the page: separators, axes (title, type, tick texts), legend names.
READ_CHARTS = """
return [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
  const layout = plot._fullLayout || {};
  const axes = Object.keys(layout).filter(k => /^[xy]axis\\d*$/.test(k)).map(k => ({
    name: k, visible: layout[k].visible, type: layout[k].type,
    title: (layout[k].title && layout[k].title.text) || '',
    range: layout[k].range, categories: layout[k]._categories || [],
    ticks: [...plot.querySelectorAll('.' + k.replace('axis', '') + 'tick text')]
      .map(t => t.textContent),
  }));
  const colorbars = (plot._fullData || []).filter(t => t.type === 'heatmap')
    .map(t => (t.colorbar && t.colorbar.title && t.colorbar.title.text) || '');
  return {id: (plot.closest('.dash-graph') || plot).id, separators: layout.separators,
          axes: axes, colorbars: colorbars,
          names: (plot._fullData || []).map(t => t.name || '')};
});
"""


def choose_language(driver: webdriver.Chrome, server: str, lang: str) -> None:
    """Open the overview and switch the language (kept in the browser for later pages)."""
    open_page(driver, server + "/", ["ov-map"], "#ov-table table")
    driver.find_element(By.CSS_SELECTOR, f"#lang-switch input[value={lang}]").click()
    wait_for_text(driver, "nav-overview", ("Overzicht" if lang == "nl" else "Overview",), 60)


def open_with_tables(driver: webdriver.Chrome, server: str, path: str, case: Any) -> None:
    """Open a page until its charts and tables are there (the intake page: after an upload)."""
    _, graphs, selector = PAGES[path]
    open_page(driver, server + path, graphs, selector)
    if path == "/invoer":
        upload = driver.find_element(By.CSS_SELECTOR, "#in-upload input[type=file]")
        upload.send_keys(str(case[0] / "needs.csv"))
        wait_for_text(driver, "in-outcome", ("geldig", "valid"), 120)
    WebDriverWait(driver, 60, poll_frequency=0.1).until(
        lambda d: (
            d.execute_script(READ_TABLES) and all(t["rows"] for t in d.execute_script(READ_TABLES))
        )
    )


def check_tables(tables: list[dict[str, Any]], path: str) -> None:
    """Dutch headers, Belgian numbers, years of four digits."""
    headers = [header for table in tables for header in table["headers"]]
    assert [h for h in headers if SNAKE_CASE.match(h)] == [], path
    assert set(DUTCH_HEADERS[path]) <= set(headers), (path, headers)
    for table in tables:
        for row in table["rows"]:
            cells = dict(zip(table["headers"], row, strict=True))
            english = [c for h, c in cells.items() if ENGLISH_NUMBER.search(c) and h != "Melding"]
            assert english == [], (path, cells)
            if "Jaar" in cells:
                assert re.fullmatch(r"\d{4}", cells["Jaar"]), (path, cells)


def check_charts(charts: list[dict[str, Any]], path: str, separators: str) -> None:
    """Numbers in the language, every axis named, value axes with their unit, years 2030."""
    drawn = [chart for chart in charts if chart["names"]]  # a chart waiting for a 2nd run: none
    assert drawn, path
    for chart in drawn:
        assert chart["separators"] == separators, (path, chart["id"])
        shown = [axis for axis in chart["axes"] if axis["visible"]]
        for axis in shown:
            assert axis["title"], (path, chart["id"], axis["name"])
            if axis["type"] == "linear":
                assert re.search(r"\(.+\)", axis["title"]), (path, chart["id"], axis["title"])
            if axis["type"] == "category":  # nothing drawn far off the categories (padding ok)
                low, high = axis["range"]
                assert low >= -2 and high <= len(axis["categories"]) + 1, (path, chart["id"])
            if axis["title"] in ("Jaar", "Year"):
                assert all(re.fullmatch(r"\d{4}", tick) for tick in axis["ticks"]), axis
        for colorbar in chart["colorbars"]:
            assert re.search(r"\(.+\)", colorbar), (path, chart["id"], colorbar)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_reads_dutch_with_belgian_numbers(browser, server, case, path):
    choose_language(browser, server, "nl")
    open_with_tables(browser, server, path, case)
    check_tables(browser.execute_script(READ_TABLES), path)
    if path != "/invoer":  # the intake page has no chart
        check_charts(browser.execute_script(READ_CHARTS), path, ",.")
    if path in ("/", "/plan"):  # energy, kW and shares with decimals
        cells = [c for t in browser.execute_script(READ_TABLES) for r in t["rows"] for c in r]
        assert any(BELGIAN_DECIMAL.match(cell) for cell in cells), path
    if path == "/plan":  # the solver's status and message in Dutch
        status = browser.find_element(By.ID, "pl-status").text
        assert "Status van de oplossing" in status and "optimaal" in status, status
        assert "EUR/jaar" in status and "optimal " not in status, status
        cells = [c for t in browser.execute_script(READ_TABLES) for r in t["rows"] for c in r]
        assert not [c for c in cells if ENGLISH_WORDS.search(c)]  # causes and binding figures


def test_the_overview_map_legend_and_headline_carry_units(browser, server):
    choose_language(browser, server, "nl")
    open_page(browser, server + "/", ["ov-map", "ov-rollout"], "#ov-table table")
    charts = {chart["id"]: chart for chart in browser.execute_script(READ_CHARTS)}
    legend = charts["ov-map"]["names"]
    assert "depots (grootte = energie, kWh/dag)" in legend
    assert any(name.startswith("energie per gemeente (kWh/dag) ≤ ") for name in legend)
    energy = browser.find_element(By.ID, "ov-kpi-energy").text
    assert re.fullmatch(r"[\d.]+,\d MWh/dag", energy), energy
    rollout = charts["ov-rollout"]
    assert [axis["title"] for axis in rollout["axes"] if axis["visible"]] == [
        "Jaar", "Laadpunten (aantal)", "Geïnstalleerd vermogen (kW)",
    ]  # fmt: skip


def rollout_year(driver: webdriver.Chrome) -> str | None:
    """The year shaded in the roll-out chart (the slider's year), as its label says.

    Checks that the shaded band covers that year's bars (category position ± 0.5).
    """
    shaded: list[dict[str, Any]] = driver.execute_script(
        "const p = document.querySelector('#ov-rollout .js-plotly-plot');"
        "if (!p || !p._fullLayout) return [];"
        "const L = p._fullLayout, cats = L.xaxis._categories;"
        "return L.shapes.map((s, i) => ({x0: s.x0, x1: s.x1, cats: cats,"
        "  text: (L.annotations[i] || {}).text}));"
    )
    if not shaded:
        return None
    band = shaded[0]
    assert band["x1"] - band["x0"] == 1 and band["cats"][round(band["x0"] + 0.5)] == band["text"]
    return str(band["text"])


def test_the_year_slider_changes_the_overview(browser, server):
    choose_language(browser, server, "nl")
    open_page(browser, server + "/", ["ov-map", "ov-rollout"], "#ov-table table")
    assert rollout_year(browser) == str(LAST_YEAR)
    vehicles_last = browser.find_element(By.ID, "ov-kpi-vehicles").text
    table_last = browser.find_element(By.ID, "ov-table").text
    marks = browser.find_elements(By.CSS_SELECTOR, "#ov-year .dash-slider-mark")
    assert [mark.text for mark in marks] == [str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)]
    browser.find_element(By.CSS_SELECTOR, "#ov-year [role=slider]").send_keys(Keys.HOME)
    WebDriverWait(browser, 60, poll_frequency=0.1).until(
        lambda d: rollout_year(d) == str(FIRST_YEAR)
    )
    WebDriverWait(browser, 60, poll_frequency=0.1).until(
        lambda d: d.find_element(By.ID, "ov-table").text != table_last
    )
    vehicles_first = browser.find_element(By.ID, "ov-kpi-vehicles").text
    assert int(vehicles_first.replace(".", "")) < int(vehicles_last.replace(".", ""))


def test_the_english_switch_turns_headers_and_numbers_to_english(browser, server, case):
    choose_language(browser, server, "en")
    try:
        open_with_tables(browser, server, "/plan", case)
        tables = browser.execute_script(READ_TABLES)
        headers = {header for table in tables for header in table["headers"]}
        assert {"Site", "Tier", "Installed power (kW)"} <= headers
        assert not {"Locatie", "Trede"} & headers
        cells = [cell for table in tables for row in table["rows"] for cell in row]
        assert any(re.fullmatch(r"-?\d+\.\d+", cell) for cell in cells)  # decimal points
        assert not any(BELGIAN_DECIMAL.match(cell) for cell in cells)
        for chart in browser.execute_script(READ_CHARTS):
            assert chart["separators"] == ".,", chart["id"]
        status = browser.find_element(By.ID, "pl-status").text
        assert "Solve status" in status and "optimal" in status
    finally:
        choose_language(browser, server, "nl")
