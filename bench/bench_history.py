"""Benchmark reading, parsing and tracking the list's whole git history (the upstream bundle).

Run from the project root with the venv active::

    python bench/bench_history.py              # 5 runs, median per step
    python bench/bench_history.py --runs 3 --json

Needs ../shared/upstream/history.bundle (exits with a note when absent). The bundle is cloned once
into a temporary cache (timed on its own); each run then reads the clone with git, parses every
README version (``parse_list``, then ``merge_entries``, timed apart) and tracks the papers.

Then the whole ``genrl-kg build --history`` (no arXiv) is timed: in process with its split
(read, parse, track, checkout, then every build stage and the load), and once through the
command line as a user runs it (process start included). The issue's budget is 30 s.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from genrl_kg.build import STAGES, BuildOptions, run_build
from genrl_kg.build.history import HistoryReport, bind_history, load_history, newest_source
from genrl_kg.papers import merge_entries
from genrl_kg.sources.awesome_list import parse_list
from genrl_kg.sources.history import (
    ParsedVersion,
    VersionRef,
    checkout_version,
    diff_versions,
    read_history,
    track_papers,
)
from genrl_kg.sources.history.tracking import PARSER_LOGGERS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLE = PROJECT_ROOT.parent / "shared" / "upstream" / "history.bundle"


def _run(repo: Path) -> tuple[dict[str, float], dict[str, Any]]:
    """Read, parse, merge and track the history once; return step timings and facts."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    history = read_history(repo)
    times["read (git log + cat-file)"] = time.perf_counter() - start
    start = time.perf_counter()
    parses = [parse_list(v.readme or "") for v in history.list_versions]
    times["parse_list x versions"] = time.perf_counter() - start
    start = time.perf_counter()
    merged = [merge_entries(p.entries).papers for p in parses]
    times["merge_entries x versions"] = time.perf_counter() - start
    start = time.perf_counter()
    parsed = [
        ParsedVersion(VersionRef(v.commit, v.upstream_commit, v.date, len(p.entries), len(m)), p, m)
        for v, p, m in zip(history.list_versions, parses, merged, strict=True)
    ]
    timeline = track_papers(parsed)
    times["track (union-find + events)"] = time.perf_counter() - start
    start = time.perf_counter()
    diff_versions(parsed[-2], parsed[-1])
    times["diff newest vs previous"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        checkout_version(history, history.newest.commit, Path(tmp) / "v")
        times["checkout newest (README + tables)"] = time.perf_counter() - start
    facts = {
        "commits read": len(history.versions),
        "README versions": len(history.list_versions),
        "versions with no entries": sum(1 for p in parses if not p.entries),
        "versions with parse problems": sum(1 for p in parses if p.problems),
        "current papers": len(timeline.current),
        "delisted papers": len(timeline.delisted),
        "delisted with an arXiv key": sorted(
            p.key for p in timeline.delisted if p.key.startswith("arxiv/")
        ),
        "first listed per year": timeline.first_listed_per_year(),
        "moves": sum(len(p.moves) for p in timeline.papers),
        "retitles": sum(len(p.retitles) for p in timeline.papers),
        "key changes": sum(len(p.rekeys) for p in timeline.papers),
        "relisted papers": sum(1 for p in timeline.papers if p.relisted),
        "delisted titles": Counter(p.title for p in timeline.delisted).most_common(8),
    }
    return times, facts


def _build(repo: Path, root: Path) -> dict[str, float]:
    """Run the whole ``build --history`` once in process; return its split (seconds)."""
    start = time.perf_counter()
    loaded = load_history(repo)
    split = {f"history {k}": v for k, v in loaded.timings.items()}
    mark = time.perf_counter()
    sources = newest_source(loaded, root / "newest")
    split["checkout newest"] = time.perf_counter() - mark
    options = BuildOptions(cache_dir=root / "cache", history_dir=loaded.history.repository)
    report = run_build(sources, root / "store", options, stages=bind_history(STAGES, loaded))
    split.update({f"stage {k}": v for k, v in report.timings.items()})
    split["history convert"] = report.section(HistoryReport).timings["convert"]
    split["total (in process)"] = time.perf_counter() - start
    return split


def _cli_build(repo: Path, root: Path) -> float:
    """Run ``genrl-kg build --history`` as a user does; return its wall time."""
    command = [sys.executable, "-m", "genrl_kg.cli", "build", "--history", str(repo)]
    command += ["--store", str(root / "cli-store"), "--cache", str(root / "cache"), "--no-enrich"]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=PROJECT_ROOT)
    return time.perf_counter() - start


def main() -> int:
    """Clone the bundle, run the history steps several times and print medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--build-runs", type=int, default=3, help="runs of the whole build")
    args = parser.parse_args()
    if not BUNDLE.is_file():
        print(f"skipped: {BUNDLE} not found (needs ../shared/upstream/history.bundle)")
        return 0
    for name in PARSER_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        repo = read_history(BUNDLE, cache_dir=Path(cache)).repository
        clone = time.perf_counter() - start
        runs = [_run(repo) for _ in range(args.runs)]
        builds = []
        for index in range(args.build_runs):
            with tempfile.TemporaryDirectory() as work:
                builds.append(_build(repo, Path(work) / str(index)))
        with tempfile.TemporaryDirectory() as work:
            cli = _cli_build(repo, Path(work))
    medians = {k: statistics.median(r[0][k] for r in runs) for k in runs[0][0]}
    core = [k for k in medians if k.split()[0] in ("read", "parse_list", "merge_entries", "track")]
    total = sum(medians[k] for k in core)
    facts = runs[0][1]
    build = {k: statistics.median(b[k] for b in builds) for k in builds[0]} if builds else {}
    if args.json:
        out = {
            "clone_s": clone,
            "median_s": medians,
            "read_parse_track_s": total,
            "build_history_median_s": build,
            "cli_build_history_s": cli,
            "facts": facts,
        }
        print(json.dumps(out, indent=2, default=str))
        return 0
    print(f"clone of the bundle into the cache (once): {clone:.2f} s")
    print(f"median of {args.runs} runs:")
    for key, value in medians.items():
        print(f"  {key:<36} {value:6.3f} s")
    print(f"  {'read + parse + merge + track':<36} {total:6.3f} s")
    print(f"whole build --history, median of {args.build_runs} runs (no arXiv):")
    for key, value in build.items():
        print(f"  {key:<36} {value:6.3f} s")
    print(f"  {'genrl-kg build --history (CLI, once)':<36} {cli:6.3f} s")
    for key, value in facts.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
