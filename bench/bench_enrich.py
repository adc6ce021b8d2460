"""The arXiv stage on the real list: requests made cold and warm, and warm-build time.

A local server on 127.0.0.1 answers id_list queries with recorded-format Atom feeds (the
tests' feed builder), so nothing leaves the machine. Compares, in one process:

* a build without enrichment (the baseline),
* a cold build (empty cache; real 3 s interval between requests),
* warm builds (cache filled: zero requests).

Run: python bench/bench_enrich.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
UPSTREAM = PROJECT_ROOT.parent / "shared" / "upstream" / "3a091cc571bb16dd9e20809563b2fb788c90ed79"
sys.path.insert(0, str(PROJECT_ROOT / "tests"))

from fake_servers import FakeResponse, FakeServer, RecordedRequest  # noqa: E402
from test_arxiv import entry, feed  # noqa: E402

from genrl_kg.build import ArxivOptions, BuildOptions, run_build  # noqa: E402
from genrl_kg.build.arxiv import ArxivReport  # noqa: E402
from genrl_kg.sources.upstream import local_source  # noqa: E402

API = "/api/query"


def _answer(request: RecordedRequest) -> FakeResponse:
    ids = request.query.get("id_list", [""])[0].split(",")
    body = feed([entry(i, title=f"Paper {i}", authors=(("Ada Lovelace", ()),)) for i in ids if i])
    return FakeResponse(body=body, content_type="application/atom+xml")


def _timed_build(store: Path, options: BuildOptions) -> tuple[float, ArxivReport]:
    sources = local_source(UPSTREAM)
    start = time.perf_counter()
    report = run_build(sources, store, options)
    return time.perf_counter() - start, report.arxiv


def main() -> None:
    """Print request counts and the warm-build time relative to a build without enrichment."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not (UPSTREAM / "README.md").is_file():
        sys.exit(f"no upstream snapshot at {UPSTREAM}")
    work = Path(tempfile.mkdtemp(prefix="bench-enrich-"))
    with FakeServer() as server:
        server.route(API, _answer)
        arxiv_options = ArxivOptions(base_url=server.url_for(API))
        options = BuildOptions(cache_dir=work / "cache", arxiv=arxiv_options)
        cold, arxiv = _timed_build(work / "store", options)
        cold_requests = len(server.requests)
        print(f"cold: {cold_requests} requests for {arxiv.with_arxiv_id} ids, {cold:.2f} s")
        baseline, warm = [], []
        for _ in range(args.repeats):
            baseline.append(_timed_build(work / "store", BuildOptions(cache_dir=work / "cache"))[0])
            server.clear()
            seconds, arxiv = _timed_build(work / "store", options)
            warm.append(seconds)
            assert not server.requests, "a warm build asked the server"
        b, w = statistics.median(baseline), statistics.median(warm)
        print(f"warm: 0 requests, enriched {arxiv.enriched}; median of {args.repeats}")
        print(f"build without enrichment {b:.3f} s, warm build {w:.3f} s, ratio {w / b:.2f}x")


if __name__ == "__main__":
    main()
