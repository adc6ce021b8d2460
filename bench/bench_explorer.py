"""Measure the explorer at `/` on the real pinned list: bytes transferred and first render.

Builds the pinned upstream list offline (with its history when the bundle is there), serves it,
and opens `/` in headless chromium with the browser cache off, several times: each load counts
the bytes transferred (Resource Timing ``transferSize`` of the page, its files and its API calls,
YASGUI not involved) and the time from navigation start to the first drawn table (the page's
``explorer-rendered`` performance mark). The first load meets a fresh server (no response
cache); the others are answered from its cache. Also times /api/explore for a few selections
straight over HTTP, with the response cache off.

Usage::

    python bench/bench_explorer.py                 # build into a temp dir, 5 loads
    python bench/bench_explorer.py --store DIR --loads 10
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from genrl_kg.server import ServerSettings, serve_in_background
from genrl_kg.server.running import resolve_database

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = ROOT.parent / "shared" / "upstream"
COMMIT = "3a091cc571bb16dd9e20809563b2fb788c90ed79"
SELECTIONS = (
    "",
    "category=diffusion-policy&code=available",
    "baseModel=llm&task=reward-signal",
    "since=2025",
    "q=diffusion",
)
BUDGET_BYTES = 300 * 1024
BUDGET_MS = 1000.0
MEASURE = """
const nav = performance.getEntriesByType('navigation')[0];
const res = performance.getEntriesByType('resource');
const mark = performance.getEntriesByName('explorer-rendered')[0];
return {
  bytes: nav.transferSize + res.reduce((a, r) => a + r.transferSize, 0),
  decoded: nav.decodedBodySize + res.reduce((a, r) => a + r.decodedBodySize, 0),
  files: [nav.name].concat(res.map((r) => r.name)),
  rendered: mark ? mark.startTime : null,
  loaded: nav.loadEventEnd,
};
"""


def build_store(work: Path) -> Path:
    """Build the pinned list offline into *work* (with history when the bundle is there)."""
    source = UPSTREAM / COMMIT
    if not (source / "README.md").is_file():
        raise SystemExit(f"the pinned upstream snapshot is not at {source}")
    store = work / "store"
    bundle = UPSTREAM / "history.bundle"
    if bundle.is_file():
        clone = work / "history"
        subprocess.run(["git", "clone", "-q", "-b", "main", str(bundle), str(clone)], check=True)
        args = ["--history", str(clone)]
    else:
        args = ["--source", str(source)]
    subprocess.run(["genrl-kg", "build", *args, "--offline", "--store", str(store)], check=True)
    return store


def open_browser() -> Any:
    """Return a headless chromium (fresh profile, no background networking, cache off)."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={tempfile.mkdtemp(prefix='bench-explorer-')}",
    ):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
    browser = webdriver.Chrome(options=options, service=service)
    browser.set_window_size(1280, 1000)
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    return browser


def load_once(browser: Any, url: str) -> dict[str, Any]:
    """Open the explorer at *url* and return the page's own measurements."""
    browser.get("about:blank")
    browser.get(url)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = browser.execute_script(MEASURE)
        charts = browser.execute_script("return document.body.dataset.charts")
        if found["rendered"] is not None and charts:
            return dict(found)
        time.sleep(0.05)
    raise SystemExit("the explorer did not render within 30 s")


def api_latency(url: str, rounds: int) -> dict[str, float]:
    """Return the median milliseconds of /api/explore per selection (response cache off)."""
    timings: dict[str, float] = {}
    with httpx.Client(timeout=60) as client:
        for selection in SELECTIONS:
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                response = client.get(f"{url}/api/explore?{selection}")
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
            timings[selection or "(none)"] = statistics.median(samples)
    return timings


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build the pinned list)")
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-explorer-") as tmp:
        store = args.store or build_store(Path(tmp))
        database = resolve_database(store)
        browser = open_browser()
        try:
            with serve_in_background(ServerSettings(store_dir=database)) as url:
                loads = [load_once(browser, url + "/") for _ in range(args.loads)]
            with serve_in_background(ServerSettings(store_dir=database, cache_mb=0)) as url:
                latency = api_latency(url, 5)
        finally:
            browser.quit()
    print(f"files of one load: {', '.join(Path(f).name or f for f in loads[0]['files'])}")
    for i, load in enumerate(loads):
        kind = "fresh server" if i == 0 else "cached answers"
        print(
            f"load {i + 1} ({kind}): {load['bytes'] / 1024:.1f} KB transferred "
            f"({load['decoded'] / 1024:.1f} KB decoded), first render {load['rendered']:.0f} ms, "
            f"load event {load['loaded']:.0f} ms"
        )
    worst_bytes = max(load["bytes"] for load in loads)
    worst_ms = max(load["rendered"] for load in loads)
    print(
        f"worst: {worst_bytes / 1024:.1f} KB (budget {BUDGET_BYTES // 1024} KB), "
        f"{worst_ms:.0f} ms to first render (budget {BUDGET_MS:.0f} ms)"
    )
    for selection, ms in latency.items():
        print(f"/api/explore?{selection}: median {ms:.0f} ms (cache off)")
    if worst_bytes > BUDGET_BYTES or worst_ms > BUDGET_MS:
        raise SystemExit("over budget")


if __name__ == "__main__":
    main()
