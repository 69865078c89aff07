"""The dashboard inside ``laadplan serve`` in a real headless Chromium: logging in through the
form (CSRF token, ``Secure`` cookie on 127.0.0.1) and the page working under its
Content-Security-Policy, with no violation reported by the browser."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests._service_fixtures import Server, service_server

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian's chromium and chromium-driver are not installed (make test installs them)",
)
#: Waits until the overview map holds data.
WAIT_FOR_MAP = """
const done = arguments[0];
function check() {
  const plot = document.querySelector('#ov-map .js-plotly-plot');
  const traces = (plot && plot._fullData) || [];
  if (traces.some(t => (t.lat && t.lat.length) || (t.x && t.x.length))) { done(true); }
  else { setTimeout(check, 50); }
}
check();
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    offline = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"
    profile = tempfile.mkdtemp(prefix="laadplan-chromium-")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1200,1000",
    ):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
    if offline is None:
        os.environ.pop("SE_OFFLINE", None)
    else:
        os.environ["SE_OFFLINE"] = offline


@pytest.mark.slow
def test_the_dashboard_logs_in_and_runs_under_its_csp(
    browser: webdriver.Chrome, tmp_path_factory: pytest.TempPathFactory
) -> None:
    server: Server = service_server("sqlite", tmp_path_factory)
    browser.get(f"{server.url}/dashboard-login")
    browser.find_element(By.NAME, "token").send_keys(server.tokens["planner"])
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 60).until(lambda d: d.current_url.endswith("/dashboard/"))
    assert browser.execute_async_script(WAIT_FOR_MAP) is True
    cookie = browser.get_cookie("laadplan_token")
    assert cookie is not None and cookie["secure"] and cookie["httpOnly"]
    messages = [entry["message"] for entry in browser.get_log("browser")]  # type: ignore[no-untyped-call]
    assert [m for m in messages if "Content Security Policy" in m] == []
