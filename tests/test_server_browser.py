"""The pages in a real headless chromium (Debian's chromium + chromedriver via selenium).

Every request a page makes is read from chromium's performance log (the DevTools Network
events) and must go to the test server: nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from test_explorer import DIFFUSION_POLICY, PAPER, WITH_CODE, build_explorer_store, sparql_papers
from w3c_protocol.harness import build_store, live_server, sample_quads

from genrl_kg.queries import bind_parameters, load_saved_queries, run_query
from genrl_kg.server.app import VENDOR_DIR
from genrl_kg.server.editor import has_yasgui
from genrl_kg.store import open_store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# set GENRL_KG_SCREENSHOTS=DIR to keep screenshots of the page for a human look
SCREENSHOT_DIR = (
    Path(os.environ["GENRL_KG_SCREENSHOTS"]) if os.environ.get("GENRL_KG_SCREENSHOTS") else None
)
LOCAL_SCHEMES = ("data:", "blob:", "about:")
COMPLETE = """
const yasqe = genrlYasgui.getTab().getYasqe();
const text = arguments[0];
yasqe.setValue(text);
yasqe.setCursor(yasqe.getDoc().posFromIndex(text.length));
yasqe.autocomplete();
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)",
    ),
]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the sample graph (the plain query page's tests)."""
    store = build_store(tmp_path_factory.mktemp("browser") / "store", sample_quads(30))
    with live_server(store, timeout=5.0, workers=2) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def explorer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Serve the explorer's fixture graph (authors, abstracts, table facts); yield URL and store."""
    store = build_explorer_store(tmp_path_factory.mktemp("explorer-browser"))
    with live_server(store, timeout=10.0, workers=2) as base_url:
        yield base_url, store


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where chromium saves downloads."""
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def driver(downloads: Path) -> Iterator[Any]:
    """A headless chromium with a fresh profile, no background networking, a network log."""
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
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    browser = webdriver.Chrome(options=options, service=service)
    browser.set_page_load_timeout(30)
    browser.set_window_size(1280, 1000)
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def requests(driver: Any) -> Iterator[list[str]]:
    """Start each test on about:blank with an empty network log; yield the URLs requested since."""
    driver.get("about:blank")
    driver.get_log("performance")  # reading a log empties it
    driver.get_log("browser")
    seen: list[str] = []
    yield seen


def requested(driver: Any, seen: list[str]) -> list[str]:
    """Add the URLs requested since the last call (DevTools Network events) to *seen*."""
    for item in driver.get_log("performance"):
        message = json.loads(item["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            seen.append(message["params"]["request"]["url"])
    return seen


def assert_all_local(driver: Any, seen: list[str], base_url: str) -> None:
    """Every request the pages made went to the test server (data: and blob: stay in the page).

    A request to elsewhere that the pages' Content-Security-Policy stopped never reaches the
    network log, so the console must not report one either.
    """
    urls = requested(driver, seen)
    assert urls, "no request was recorded"
    outside = [u for u in urls if not (u.startswith(base_url + "/") or u.startswith(LOCAL_SCHEMES))]
    assert outside == [], f"requests left the test server: {outside}"
    refused = [e["message"] for e in driver.get_log("browser") if "Refused to" in e["message"]]
    assert refused == [], f"the pages tried to reach elsewhere: {refused}"


def _wait(driver: Any, condition: Any, timeout: float = 20) -> Any:
    """Wait for *condition*(driver) to be truthy."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _rendered(driver: Any, state: str) -> None:
    """Wait until the explorer has drawn the answer for query string *state*."""
    from selenium.webdriver.common.by import By

    _wait(
        driver,
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-rendered") == state,
    )


def _table(driver: Any) -> set[str]:
    """Return the data-paper IRIs of the paper table."""
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "#papers tbody tr")
    return {r.get_attribute("data-paper") for r in rows}


def _shot(driver: Any, name: str) -> None:
    """Keep a screenshot when GENRL_KG_SCREENSHOTS is set."""
    if SCREENSHOT_DIR:
        driver.save_screenshot(str(SCREENSHOT_DIR / f"{name}.png"))


# ------------------------------------------------------------------------------- the explorer


def test_tree_and_code_facet_match_the_sparql_query(
    explorer: tuple[str, Path], driver: Any, requests: list[str]
) -> None:
    """Choose Diffusion Policy in the tree, tick 'code available': the SPARQL query's rows."""
    from selenium.webdriver.common.by import By

    base_url, store = explorer
    driver.get(base_url + "/")
    _rendered(driver, "")
    driver.find_element(
        By.CSS_SELECTOR, '#tree button.node[data-kind="category"][data-slug="diffusion-policy"]'
    ).click()
    _rendered(driver, "category=diffusion-policy")
    assert _table(driver) == {PAPER[n] for n in DIFFUSION_POLICY}
    driver.find_element(By.ID, "facet-code-available").click()
    _rendered(driver, "category=diffusion-policy&code=available")
    expected = sparql_papers(
        store,
        "?paper a genrl:Paper ; dcterms:subject/skos:broader* "
        "<https://w3id.org/genrl-kg/taxonomy/diffusion-policy> ; "
        "genrl:codeAvailability <https://w3id.org/genrl-kg/code-availability/available> .",
    )
    assert _table(driver) == expected == {PAPER[n] for n in DIFFUSION_POLICY & WITH_CODE}
    shared = driver.current_url
    assert shared == base_url + "/?category=diffusion-policy&code=available"
    _shot(driver, "explorer")
    driver.switch_to.new_window("tab")
    try:
        driver.get(shared)
        _rendered(driver, "category=diffusion-policy&code=available")
        assert _table(driver) == expected
        node = driver.find_element(
            By.CSS_SELECTOR, '#tree button.node[data-slug="diffusion-policy"]'
        )
        assert node.get_attribute("aria-pressed") == "true"
        assert driver.find_element(By.ID, "facet-code-available").is_selected()
        assert_all_local(driver, requests, base_url)
    finally:
        driver.close()
        driver.switch_to.window(driver.window_handles[0])


def test_matrix_cell_applies_its_filter(
    explorer: tuple[str, Path], driver: Any, requests: list[str]
) -> None:
    """Clicking a cell of the base model x RL task matrix shows the papers of that cell."""
    from selenium.webdriver.common.by import By

    base_url, store = explorer
    driver.get(base_url + "/")
    _wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-charts"))
    cell = driver.find_element(
        By.CSS_SELECTOR,
        '#matrix a.cell[data-task="policy-pre-training"][data-base-model="diffusion-model"]',
    )
    shown = int(cell.get_attribute("aria-label").rsplit(": ", 1)[1].split()[0])
    cell.click()
    _rendered(driver, "baseModel=diffusion-model&task=policy-pre-training")
    expected = sparql_papers(
        store,
        "?paper a genrl:Paper ; dcterms:subject/genrl:aboutRLTask "
        "<https://w3id.org/genrl-kg/rl-task/policy-pre-training> ; "
        "genrl:baseModel <https://w3id.org/genrl-kg/base-model/diffusion-model> .",
    )
    assert _table(driver) == expected == {PAPER[n] for n in DIFFUSION_POLICY}
    assert shown == len(expected)
    assert_all_local(driver, requests, base_url)


def test_bibtex_download_has_one_entry_per_row(
    explorer: tuple[str, Path], driver: Any, downloads: Path, requests: list[str]
) -> None:
    """The BibTeX link downloads the selection; bibtexparser reads as many entries as rows."""
    from selenium.webdriver.common.by import By

    base_url, _ = explorer
    driver.get(base_url + "/?category=diffusion-policy")
    _rendered(driver, "category=diffusion-policy")
    rows = _table(driver)
    driver.find_element(By.ID, "bib-link").click()
    target = downloads / "genrl-kg-papers.bib"
    _wait(driver, lambda d: target.is_file() and target.stat().st_size > 0)
    time.sleep(0.2)  # the file is complete once chromium renames it from .crdownload
    library = bibtexparser.parse_string(target.read_text("utf-8"))
    assert not library.failed_blocks
    assert len(library.entries) == len(rows) == 4
    assert {e["eprint"] for e in library.entries} == {p.rsplit("/", 1)[1] for p in rows}
    assert_all_local(driver, requests, base_url)


def test_paper_page_has_authors_and_breadcrumb(
    explorer: tuple[str, Path], driver: Any, requests: list[str]
) -> None:
    """From a row to the paper's page: ordered authors, abstract, breadcrumb, BibTeX."""
    from selenium.webdriver.common.by import By

    base_url, _ = explorer
    driver.get(base_url + "/?q=visuoflow")
    _rendered(driver, "q=visuoflow")
    driver.find_element(
        By.CSS_SELECTOR, f'#papers tr[data-paper="{PAPER["visuoflow"]}"] td a'
    ).click()
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "ol.authors"))
    authors = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "ol.authors li")]
    assert authors == ["Cheng Chi", "Siyuan Feng", "Shuran Song"]
    crumbs = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav.breadcrumbs ol a")]
    assert crumbs == ["RL for Generative Policies", "RL Pre-Training", "Diffusion Policy"]
    assert "visuomotor control" in driver.find_element(By.CSS_SELECTOR, "p.abstract").text
    assert "@misc{chi2024visuoflow," in driver.find_element(By.CSS_SELECTOR, "pre.bibtex").text
    _shot(driver, "paper")
    assert_all_local(driver, requests, base_url)


def _tab_to(driver: Any, css: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches *css*; fail after *limit* presses."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        if driver.execute_script(f"return document.activeElement.matches({css!r})"):
            return
        ActionChains(driver).send_keys(Keys.TAB).perform()
    raise AssertionError(f"{css} was not reached with the Tab key")


def test_tree_and_facets_work_from_the_keyboard(
    explorer: tuple[str, Path], driver: Any, requests: list[str]
) -> None:
    """Tab reaches the tree and the facets; Enter and Space apply them; every control is labelled."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base_url, _ = explorer
    driver.get(base_url + "/")
    _rendered(driver, "")
    _tab_to(driver, '#tree button.node[data-slug="diffusion-policy"]')
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    _rendered(driver, "category=diffusion-policy")
    _tab_to(driver, "#facet-code-available")
    ActionChains(driver).send_keys(Keys.SPACE).perform()
    _rendered(driver, "category=diffusion-policy&code=available")
    for control in driver.find_elements(By.CSS_SELECTOR, "#facets input, #facets select, #q"):
        control_id = control.get_attribute("id")
        labels = driver.find_elements(By.CSS_SELECTOR, f'label[for="{control_id}"]')
        assert labels and labels[0].text.strip(), f"#{control_id} has no label"
    for node in driver.find_elements(By.CSS_SELECTOR, "#tree button.node"):
        assert node.get_attribute("aria-pressed") in ("true", "false")
        assert node.get_attribute("aria-label")
    toggles = driver.find_elements(By.CSS_SELECTOR, "#tree button.toggle")
    assert toggles and all(t.get_attribute("aria-expanded") in ("true", "false") for t in toggles)
    assert_all_local(driver, requests, base_url)


# ------------------------------------------------------------------------------- the editor


def test_yasgui_runs_a_saved_query_offline(
    explorer: tuple[str, Path], driver: Any, requests: list[str]
) -> None:
    """/sparql for a browser is YASGUI; a saved query's tab runs and shows its rows."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    if not has_yasgui(VENDOR_DIR):
        pytest.skip("YASGUI is not installed in genrl_kg/server/static/vendor (run make setup)")
    base_url, store = explorer
    query = load_saved_queries()["papers-in-category"]
    expected = len(
        list(run_query(open_store(store.parent.parent), query, bind_parameters(query, {})))
    )
    driver.get(base_url + "/sparql")
    _wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    first = driver.execute_script("return genrlYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>" in first
    # ask for completions where YASGUI's stock completers would call prefix.cc or Linked Open
    # Vocabularies: a prefix, a class, a property (what Ctrl+Space does)
    foaf = "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT * WHERE { ?x "
    for typed in ("PREFIX sc", foaf + "a foaf:Pers", foaf + "foaf:nam"):
        driver.execute_script(COMPLETE, typed)
        time.sleep(0.7)
    Select(driver.find_element(By.ID, "examples")).select_by_value("papers-in-category")
    _wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-tab"))
    text = driver.execute_script("return genrlYasgui.getTab().getYasqe().getValue()")
    assert "VALUES (?category)" in text
    driver.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton").click()
    rows = ".tabPanel.active .yasr tbody tr"
    _wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, rows)) == expected)
    assert expected == len(DIFFUSION_POLICY)
    _shot(driver, "yasgui")
    assert_all_local(driver, requests, base_url)


def test_plain_editor_without_yasgui(
    explorer: tuple[str, Path], driver: Any, tmp_path: Path, requests: list[str]
) -> None:
    """Without YASGUI's files /sparql says how to add them and its plain editor runs queries."""
    from selenium.webdriver.common.by import By

    _, store = explorer
    with live_server(store, timeout=10.0, workers=1, vendor_dir=tmp_path) as base_url:
        driver.get(base_url + "/sparql")
        notice = driver.find_element(By.CSS_SELECTOR, ".notice").text
        assert "make setup" in notice
        _wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
        driver.find_element(By.ID, "run").click()
        _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#results-table tbody tr"))
        assert len(_rows(driver)) == 7
        assert_all_local(driver, requests, base_url)


# ------------------------------------------------------------------------------- plain query page


def _rows(driver: Any) -> list[list[str]]:
    """Return the rendered results table as text cells."""
    from selenium.webdriver.common.by import By

    table = driver.find_element(By.ID, "results-table")
    return [
        [c.text for c in r.find_elements(By.TAG_NAME, "td")]
        for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]


def _run_own_query(driver: Any, url: str, text: str) -> Any:
    """Open the plain query page, type *text* as a query of one's own, run it; return the waiter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver.get(url + "/query")
    wait = WebDriverWait(driver, 20)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    Select(driver.find_element(By.ID, "saved")).select_by_value("")
    box = driver.find_element(By.ID, "query")
    box.clear()
    box.send_keys(text)
    driver.find_element(By.ID, "run").click()
    return wait


def test_run_saved_query_with_parameter(url: str, driver: Any, requests: list[str]) -> None:
    """Pick a saved query, fill its parameter, run it, and read the rendered table."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver.get(url + "/query")
    wait = WebDriverWait(driver, 20)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    Select(driver.find_element(By.ID, "saved")).select_by_value("paper-by-arxiv-id")
    field = driver.find_element(By.ID, "param-arxivId")
    field.clear()
    field.send_keys("2303.00004")
    driver.find_element(By.ID, "run").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results-table tbody tr"))
    rows = _rows(driver)
    assert len(rows) == 1
    assert rows[0][0] == "2303.00004" and rows[0][2] == "Paper number 4"
    link = driver.find_element(By.CSS_SELECTOR, "#results-table tbody a")
    assert link.get_attribute("href").endswith("/resource/paper/arxiv/2303.00004")
    downloads = driver.find_elements(By.CSS_SELECTOR, "#downloads a.download")
    assert [d.get_attribute("data-format") for d in downloads] == ["json", "xml", "csv", "tsv"]
    _shot(driver, "query-saved")
    assert_all_local(driver, requests, url)


def test_table_sorts_on_header_click(url: str, driver: Any) -> None:
    """Clicking a header sorts the rows; clicking again reverses them."""
    from selenium.webdriver.common.by import By

    wait = _run_own_query(
        driver, url, "SELECT ?t WHERE { ?p <http://purl.org/dc/terms/title> ?t } LIMIT 5"
    )
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results-table tbody tr")) == 5)
    driver.find_element(By.CSS_SELECTOR, "#results-table th").click()
    ascending = [r[0] for r in _rows(driver)]
    assert ascending == sorted(ascending)
    driver.find_element(By.CSS_SELECTOR, "#results-table th").click()
    assert [r[0] for r in _rows(driver)] == sorted(ascending, reverse=True)


def test_prefixed_iris_and_clear_errors(url: str, driver: Any) -> None:
    """IRIs render as prefixed names (full IRI in the title); a parser error is shown plainly."""
    from selenium.webdriver.common.by import By

    wait = _run_own_query(driver, url, "SELECT DISTINCT ?type WHERE { ?s a ?type } ORDER BY ?type")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results-table tbody a"))
    links = driver.find_elements(By.CSS_SELECTOR, "#results-table tbody a")
    assert "genrl:Paper" in [a.text for a in links]
    paper = next(a for a in links if a.text == "genrl:Paper")
    assert paper.get_attribute("title") == "https://w3id.org/genrl-kg/ontology#Paper"
    box = driver.find_element(By.ID, "query")
    box.clear()
    box.send_keys("SELECT ?x WHERE { ?x ")
    driver.find_element(By.ID, "run").click()
    wait.until(lambda d: d.find_element(By.ID, "error").is_displayed())
    message = driver.find_element(By.ID, "error").text
    assert message.startswith("400 Bad request") and "malformed query" in message
    _shot(driver, "query-error")
