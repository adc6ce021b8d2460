"""The query page in a real headless chromium (Debian's chromium + chromedriver via selenium)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from w3c_protocol.harness import build_store, live_server, sample_quads

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# set GENRL_KG_SCREENSHOTS=DIR to keep screenshots of the page for a human look
SCREENSHOT_DIR = (
    Path(os.environ["GENRL_KG_SCREENSHOTS"]) if os.environ.get("GENRL_KG_SCREENSHOTS") else None
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)",
    ),
]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the sample graph."""
    store = build_store(tmp_path_factory.mktemp("browser") / "store", sample_quads(30))
    with live_server(store, timeout=5.0, workers=2) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    """A headless chromium with a fresh profile and no background networking."""
    webdriver = pytest.importorskip("selenium.webdriver")
    profile = tempfile.mkdtemp(prefix="genrl-kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    browser = webdriver.Chrome(options=options, service=service)
    browser.set_page_load_timeout(30)
    browser.set_window_size(1280, 1000)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _rows(driver: object) -> list[list[str]]:
    """Return the rendered results table as text cells."""
    from selenium.webdriver.common.by import By

    table = driver.find_element(By.ID, "results-table")  # type: ignore[attr-defined]
    return [
        [c.text for c in r.find_elements(By.TAG_NAME, "td")]
        for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]


def _run_own_query(driver: object, url: str, text: str) -> object:
    """Open the page, type *text* as a query of one's own, run it; return the waiter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver.get(url + "/")  # type: ignore[attr-defined]
    wait = WebDriverWait(driver, 20)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    Select(driver.find_element(By.ID, "saved")).select_by_value("")  # type: ignore[attr-defined]
    box = driver.find_element(By.ID, "query")  # type: ignore[attr-defined]
    box.clear()
    box.send_keys(text)
    driver.find_element(By.ID, "run").click()  # type: ignore[attr-defined]
    return wait


def test_run_saved_query_with_parameter(url: str, driver: object) -> None:
    """Pick a saved query, fill its parameter, run it, and read the rendered table."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver.get(url + "/")  # type: ignore[attr-defined]
    wait = WebDriverWait(driver, 20)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    Select(driver.find_element(By.ID, "saved")).select_by_value("paper-by-arxiv-id")  # type: ignore[attr-defined]
    field = driver.find_element(By.ID, "param-arxivId")  # type: ignore[attr-defined]
    field.clear()
    field.send_keys("2303.00004")
    driver.find_element(By.ID, "run").click()  # type: ignore[attr-defined]
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results-table tbody tr"))
    rows = _rows(driver)
    assert len(rows) == 1
    assert rows[0][0] == "2303.00004" and rows[0][2] == "Paper number 4"
    link = driver.find_element(By.CSS_SELECTOR, "#results-table tbody a")  # type: ignore[attr-defined]
    assert link.get_attribute("href").endswith("/resource/paper/arxiv/2303.00004")
    downloads = driver.find_elements(By.CSS_SELECTOR, "#downloads a.download")  # type: ignore[attr-defined]
    assert [d.get_attribute("data-format") for d in downloads] == ["json", "xml", "csv", "tsv"]
    if SCREENSHOT_DIR:
        driver.save_screenshot(str(SCREENSHOT_DIR / "query-saved.png"))  # type: ignore[attr-defined]


def test_table_sorts_on_header_click(url: str, driver: object) -> None:
    """Clicking a header sorts the rows; clicking again reverses them."""
    from selenium.webdriver.common.by import By

    wait = _run_own_query(
        driver, url, "SELECT ?t WHERE { ?p <http://purl.org/dc/terms/title> ?t } LIMIT 5"
    )
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results-table tbody tr")) == 5)
    driver.find_element(By.CSS_SELECTOR, "#results-table th").click()  # type: ignore[attr-defined]
    ascending = [r[0] for r in _rows(driver)]
    assert ascending == sorted(ascending)
    driver.find_element(By.CSS_SELECTOR, "#results-table th").click()  # type: ignore[attr-defined]
    assert [r[0] for r in _rows(driver)] == sorted(ascending, reverse=True)


def test_prefixed_iris_and_clear_errors(url: str, driver: object) -> None:
    """IRIs render as prefixed names (full IRI in the title); a parser error is shown plainly."""
    from selenium.webdriver.common.by import By

    wait = _run_own_query(driver, url, "SELECT DISTINCT ?type WHERE { ?s a ?type } ORDER BY ?type")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results-table tbody a"))
    links = driver.find_elements(By.CSS_SELECTOR, "#results-table tbody a")  # type: ignore[attr-defined]
    assert "genrl:Paper" in [a.text for a in links]
    paper = next(a for a in links if a.text == "genrl:Paper")
    assert paper.get_attribute("title") == "https://w3id.org/genrl-kg/ontology#Paper"
    box = driver.find_element(By.ID, "query")  # type: ignore[attr-defined]
    box.clear()
    box.send_keys("SELECT ?x WHERE { ?x ")
    driver.find_element(By.ID, "run").click()  # type: ignore[attr-defined]
    wait.until(lambda d: d.find_element(By.ID, "error").is_displayed())
    message = driver.find_element(By.ID, "error").text  # type: ignore[attr-defined]
    assert message.startswith("400 Bad request") and "malformed query" in message
    if SCREENSHOT_DIR:
        driver.save_screenshot(str(SCREENSHOT_DIR / "query-error.png"))  # type: ignore[attr-defined]
