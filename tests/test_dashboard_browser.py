"""The running dashboard in a real headless Chromium: every page, an upload, a scenario run.

Uses Debian's ``chromium`` and ``chromium-driver`` (``make test`` installs them when missing);
selenium is given the driver's path, so it never downloads a browser or driver. The app runs
on 127.0.0.1 in a thread, on a small generated case with its demand, grid overlay and plan.
Screenshots go to ``test-artifacts/screenshots/``, page load times (measured in the browser,
from navigation start until the page's charts hold data; the first visit of a page, and again)
to ``test-artifacts/page_load_ms.json``; they are reported, not asserted.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from dashboards.app import create_app, warm_app
from planner.cli import main as laadplan
from tests._dashboard_fixtures import break_needs, generate_case, run_case

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian's chromium and chromium-driver are not installed (make test installs them)",
)
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
TIMINGS = ARTIFACTS / "page_load_ms.json"
WINDOW = (1200, 1400)

#: Page path → (screenshot name, charts that must hold data, an element that must be there).
PAGES = {
    "/": ("overview", ["ov-map"], "#ov-table table"),
    "/vraag": ("demand", ["dm-vehicles", "dm-energy", "dm-curve"], "#dm-table table"),
    "/net": ("grid", ["gr-heatmap", "gr-curve", "gr-map"], "#gr-requests"),
    "/plan": ("plan", ["pl-map", "pl-ladder", "pl-municipality-chart"], "#pl-sites table"),
    "/scenarios": (
        "scenarios",
        ["sc-energy", "sc-chargers", "sc-map-a"],
        "#sc-compare-table table",
    ),
    "/invoer": ("intake", [], "#in-upload input[type=file]"),
}

#: Waits in the page until the charts hold data and the element exists; returns the time.
WAIT_FOR_PAGE = """
const [graphIds, selector, done] = arguments;
function points(graph) {
  const plot = graph && graph.querySelector('.js-plotly-plot');
  return ((plot && plot._fullData) || []).reduce((n, t) =>
    n + ((t.x && t.x.length) || (t.z && t.z.length) || (t.lat && t.lat.length) || 0), 0);
}
function check() {
  const counts = graphIds.map(id => points(document.getElementById(id)));
  if (counts.every(n => n > 0) && document.querySelector(selector)) {
    done({ms: performance.now(), points: counts});
  } else { setTimeout(check, 20); }
}
check();
"""


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("dashboard-browser")
    folder = generate_case(root / "case")
    with (folder / "scenario.toml").open("a", encoding="utf-8") as scenario:
        # the needs without a depot of their own are 10-30 km from the hubs: within this
        # reach the plan opens shared sites, so the plan page's municipality chart has data
        # (without it the only shared charging was a few Wh of ladder-tolerance dust)
        scenario.write("\n[optimisation.detour_km_max]\nsemi_public = 30\npublic = 30\n")
    out = run_case(folder, root / "out")
    with contextlib.redirect_stdout(io.StringIO()):
        assert laadplan(["-q", "plan", "--data", str(folder), "--out", str(out)]) == 0
    return folder, out


@pytest.fixture(scope="module")
def server(case: tuple[Path, Path]) -> Iterator[str]:
    app = create_app(*case)
    warm_app(app)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    http = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(10)
    app.server.config["laadplan_context"].jobs.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    offline = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # selenium never looks for a browser or driver online
    profile = tempfile.mkdtemp(prefix="laadplan-chromium-")
    options = Options()
    options.binary_location = str(CHROMIUM)
    size = f"--window-size={WINDOW[0]},{WINDOW[1]}"
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-dev-shm-usage", f"--user-data-dir={profile}", size,
    ):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
    if offline is None:
        os.environ.pop("SE_OFFLINE", None)
    else:
        os.environ["SE_OFFLINE"] = offline


def open_page(
    driver: webdriver.Chrome, url: str, graphs: list[str], selector: str
) -> dict[str, Any]:
    """Load a page; wait until its charts hold data; return the browser's time in ms."""
    driver.get(url)
    result: dict[str, Any] = driver.execute_async_script(WAIT_FOR_PAGE, graphs, selector)
    return result


def record_time(page: str, first_ms: float, again_ms: float) -> None:
    """Add one page's load times (first visit, visit again) to the timings file; print them."""
    timings = json.loads(TIMINGS.read_text("utf-8")) if TIMINGS.is_file() else {}
    timings[page] = {"first_visit_ms": round(first_ms), "again_ms": round(again_ms)}
    TIMINGS.write_text(json.dumps(timings, indent=1) + "\n", "utf-8")
    print(f"page {page}: charts with data after {first_ms:.0f} ms, again {again_ms:.0f} ms")


def wait_for_text(
    driver: webdriver.Chrome, element_id: str, words: tuple[str, ...], timeout_s: float
) -> str:
    """Wait until an element's text holds one of the words; return the text."""

    def text_with_word(d: webdriver.Chrome) -> str | None:
        text = str(d.find_element(By.ID, element_id).text)
        return text if any(word in text for word in words) else None

    ignored = (NoSuchElementException, StaleElementReferenceException)
    wait = WebDriverWait(driver, timeout_s, poll_frequency=0.1, ignored_exceptions=ignored)
    return str(wait.until(text_with_word))


@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_with_its_charts_holding_data(browser, server, path):
    name, graphs, selector = PAGES[path]
    first = open_page(browser, server + path, graphs, selector)
    result = open_page(browser, server + path, graphs, selector)
    assert all(points > 0 for points in first["points"] + result["points"])
    assert browser.find_element(By.CSS_SELECTOR, "header nav").text.split() == [
        "Overzicht", "Vraag", "Net", "Plan", "Scenario's", "Invoer",
    ]  # fmt: skip
    if path == "/":
        assert browser.find_element(By.ID, "ov-kpi-vehicles").text not in ("", "–", "0")
    record_time(name, first["ms"], result["ms"])
    browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def test_language_switch_turns_the_labels_to_english(browser, server):
    open_page(browser, server + "/", ["ov-map"], "#ov-table table")
    browser.find_element(By.CSS_SELECTOR, "#lang-switch input[value=en]").click()
    wait_for_text(browser, "nav-overview", ("Overview",), 60)
    assert "ZE vehicles" in browser.find_element(By.CSS_SELECTOR, ".kpis").text

    def english_legend(driver: webdriver.Chrome) -> list[str] | None:
        names: list[str] = driver.execute_script(
            "const plot = document.querySelector('#ov-map .js-plotly-plot');"
            "return plot && plot._fullData ? plot._fullData.map(t => t.name || '') : [];"
        )
        return names if any("approximate outlines" in name for name in names) else None

    # the map is redrawn after the labels: wait for its legend rather than race it
    legend = WebDriverWait(browser, 60, poll_frequency=0.1).until(english_legend)
    assert legend is not None
    assert any("approximate outlines" in name for name in legend)
    browser.find_element(By.CSS_SELECTOR, "#lang-switch input[value=nl]").click()
    wait_for_text(browser, "nav-overview", ("Overzicht",), 60)


def test_a_bad_needs_file_shows_every_bad_row(browser, server, case, tmp_path):
    bad_rows = break_needs(case[0] / "needs.csv", tmp_path / "needs.csv")
    open_page(browser, server + "/invoer", [], PAGES["/invoer"][2])
    assert browser.find_element(By.ID, "in-template-dl-xlsx").is_displayed()  # the template
    browser.find_element(By.CSS_SELECTOR, "#in-upload input[type=file]").send_keys(
        str(tmp_path / "needs.csv")
    )
    outcome = wait_for_text(browser, "in-outcome", ("niets",), 120)
    assert f"in {len(bad_rows)} rij(en)" in outcome
    rows = browser.find_elements(By.CSS_SELECTOR, "#in-error-table tbody tr")
    assert sorted({int(row.find_elements(By.TAG_NAME, "td")[0].text) for row in rows}) == bad_rows
    errors = browser.find_element(By.ID, "in-error-table").text
    assert "is geen voertuigcategorie" in errors and "bedoelde u 'N2H'" in errors, errors
    assert "geldig: een getal van 0 tot en met 1500 (km), of leeg" in errors, errors
    assert "ligt buiten het toegelaten bereik" in errors, errors
    assert not re.search(r"did you mean|is not|one of|out of range|valid:", errors), errors
    browser.save_screenshot(str(SCREENSHOTS / "intake.png"))
    browser.find_element(By.CSS_SELECTOR, "#lang-switch input[value=en]").click()
    try:  # in English the validation's own words, as the CLI and the service say them
        english = wait_for_text(browser, "in-error-table", ("did you mean",), 60)
        assert "is not a vehicle category" in english and "is out of range" in english
    finally:
        browser.find_element(By.CSS_SELECTOR, "#lang-switch input[value=nl]").click()
        wait_for_text(browser, "nav-overview", ("Overzicht",), 60)


def test_a_scenario_run_shows_progress_and_the_comparison(browser, server):
    open_page(browser, server + "/scenarios", [], "#sc-run")
    browser.find_element(By.CSS_SELECTOR, "#sc-ladder input[value=none]").click()
    browser.find_element(By.ID, "sc-run").click()
    status = wait_for_text(browser, "sc-run-status", ("klaar", "mislukt"), 400)
    assert "klaar" in status, status
    assert browser.find_element(By.ID, "sc-progress").get_attribute("value") == "1"
    graphs = ["sc-energy", "sc-chargers", "sc-costs", "sc-map-a", "sc-map-b"]
    result = browser.execute_async_script(WAIT_FOR_PAGE, graphs, "#sc-compare-table table")
    assert all(points > 0 for points in result["points"])
    table = browser.find_element(By.ID, "sc-compare-table").text
    assert "Instelling: ladder van laden" in table and "geen" in table
    browser.execute_script("document.getElementById('sc-energy').scrollIntoView()")
    browser.save_screenshot(str(SCREENSHOTS / "scenarios.png"))


def test_the_plan_page_downloads_the_regions_charging_plan_as_pdf(browser, server, tmp_path):
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    open_page(browser, server + "/plan", PAGES["/plan"][1], "#pl-report-pdf")
    button = browser.find_element(By.ID, "pl-report-pdf")
    browser.execute_script("arguments[0].scrollIntoView()", button)
    button.click()
    wait_for_text(browser, "pl-report-status", ("gedownload", "niet gemaakt"), 120)
    name = "laadplan-vervoerregio7.pdf"
    assert name in browser.find_element(By.ID, "pl-report-status").text
    pdf = tmp_path / name
    WebDriverWait(browser, 30, poll_frequency=0.2).until(lambda _: pdf.is_file())
    document = pypdfium2.PdfDocument(pdf)
    text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    assert "vervoerregio Leuven" in text and "Laadpunten per gemeente" in text
    browser.save_screenshot(str(SCREENSHOTS / "plan-report.png"))
