"""Benchmark the build: the real list by stage, synthetic sizes, the load stage vs pyoxigraph.

Run from the project root with the venv active::

    python bench/bench_build.py                       # everything (sizes 1k, 10k, 100k)
    python bench/bench_build.py --sizes 1000 10000    # skip the slow 100k list
    python bench/bench_build.py --part real           # one part: real | sizes | load

Part 1 needs ../shared/upstream/<commit> (skipped with a note when absent). Builds run without the
arXiv stage (``--no-enrich``): there is no arXiv cache to make warm offline. Each synthetic size
builds in its own subprocess, so its peak RSS (``ru_maxrss``) is its own.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
UPSTREAM = PROJECT_ROOT.parent / "shared" / "upstream" / "3a091cc571bb16dd9e20809563b2fb788c90ed79"
STAGE_LABELS = {
    "ontology": "ontology (load genrl.ttl)",
    "tables": "tables (xlsx read + link + RDF)",
    "load": "load (bulk load + atomic swap)",
}
sys.path.insert(0, str(BENCH_DIR))

import synthetic  # noqa: E402


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _run_child(args: list[str], timeout: float) -> dict[str, Any]:
    """Run this script as a child with *args* and return the JSON it prints."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT_ROOT,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed: {proc.stderr.strip()[-500:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


# --------------------------------------------------------------------------- part 1: the real list


def child_build(source: str, store: str) -> dict[str, Any]:
    """Build *source* once, then bulk-load the same quads with plain pyoxigraph, same process.

    Returns import and build times, the build's peak RSS (read before the baseline runs) and
    the plain on-disk bulk load's time: the baseline the build is held to.
    """
    start = time.perf_counter()
    import pyoxigraph as ox

    from genrl_kg.build import run_build
    from genrl_kg.sources.upstream import local_source
    from genrl_kg.store import open_store

    imported = time.perf_counter()
    report = run_build(local_source(Path(source)), Path(store))
    done = time.perf_counter()
    peak = _high_water_mb()
    quads = list(open_store(Path(store)))
    gc.collect()
    mark = time.perf_counter()
    plain = ox.Store(str(Path(store).parent / (Path(store).name + "-plain")))
    plain.bulk_extend(quads)
    plain.flush()
    del plain
    bulk = time.perf_counter() - mark
    return {
        "import_s": imported - start,
        "build_s": done - imported,
        "bulk_s": bulk,
        "timings": report.timings,
        "entries": report.entries_read,
        "papers": report.unique_papers,
        "triples": sum(report.triples.values()),
        "peak_rss_mb": peak,
    }


def _high_water_mb() -> float:
    """Return this process's peak RSS in MB (VmHWM: unlike ru_maxrss, it starts anew at exec,
    so a child does not inherit the peak of the process it was forked from)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cli_peak_rss(args: list[str]) -> float:
    """Return the peak RSS in MB of one CLI run (measured in a wrapper process of its own)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "-m", "genrl_kg.cli", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    return float(proc.stdout.strip())


def bench_real(repeats: int) -> str:
    """Time the real list's build by stage (in-process, warm) and end to end via the CLI."""
    if not (UPSTREAM / "README.md").is_file():
        return f"part 1 skipped: {UPSTREAM} not found"
    from genrl_kg.build import run_build
    from genrl_kg.sources.awesome_list import read_list
    from genrl_kg.sources.upstream import local_source

    sources = local_source(UPSTREAM)
    work = Path(tempfile.mkdtemp(prefix="bench-real-"))
    try:
        reports = []
        for i in range(repeats + 1):  # the first run warms the caches and is dropped
            start = time.perf_counter()
            report = run_build(sources, work / f"store-{i}")  # fresh store: no same-second reuse
            elapsed = time.perf_counter() - start
            if i:
                reports.append((report, elapsed))
        parse = []
        for _ in range(repeats):
            start = time.perf_counter()
            read_list(sources.list_path)
            parse.append(time.perf_counter() - start)
        names = list(dict.fromkeys(k for r, _ in reports for k in r.timings))
        stage = {s: _median([r.timings.get(s, 0.0) for r, _ in reports]) for s in names}
        total = _median([e for _, e in reports])
        cli, bare = [], []
        for i in range(repeats):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            bare.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "genrl_kg.cli",
                    "build",
                    "--source",
                    str(UPSTREAM),
                    "--store",
                    str(work / f"cli-{i}"),
                    "--offline",
                    "--cache",
                    str(work / "cache"),
                ],
                check=True,
                capture_output=True,
            )
            cli.append(time.perf_counter() - start)
        child = _run_child(["--child", str(UPSTREAM), str(work / "child")], timeout=300)
        args = ["build", "--source", str(UPSTREAM), "--offline", "--cache", str(work / "cache")]
        cli_rss = cli_peak_rss([*args, "--store", str(work / "cli-rss")])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = reports[-1][0]
    md = _median(parse)
    rows = []
    for name, seconds in stage.items():
        if name == "list":
            rows.append(["list: Markdown parse", f"{md:.3f}"])
            rows.append(["list: merge + RDF", f"{seconds - md:.3f}"])
        else:
            rows.append([STAGE_LABELS.get(name, name), f"{seconds:.3f}"])
    rows += [
        ["sum of stages", f"{sum(stage.values()):.3f}"],
        ["**run_build total (in-process)**", f"{total:.3f}"],
        ["imports (genrl_kg.build, child)", f"{child['import_s']:.3f}"],
        ["CLI build --offline wall - bare `python -c pass`", f"{_median(cli) - _median(bare):.3f}"],
        ["CLI build --offline peak RSS (MB)", f"{cli_rss:.0f}"],
    ]
    head = (
        f"Real list: {report.entries_read} entries, {report.unique_papers} papers, "
        f"{sum(report.triples.values())} triples; median of {repeats} warm runs (s), "
        f"peak RSS of a one-build process {child['peak_rss_mb']:.0f} MB"
    )
    return head + "\n\n" + _table(["stage", "seconds"], rows)


# --------------------------------------------------------------------------- part 2: sizes


def bench_sizes(sizes: list[int], timeout: float) -> str:
    """Build synthetic lists of each size in a subprocess; report time and peak memory."""
    rows = []
    work = Path(tempfile.mkdtemp(prefix="bench-sizes-"))
    try:
        for size in sizes:
            source = work / f"list-{size}"
            synthetic.write_list(source, size)
            try:
                data = _run_child(["--child", str(source), str(work / f"store-{size}")], timeout)
            except subprocess.TimeoutExpired:
                rows.append([f"{size:,}", "-", f"> {timeout:.0f} (timed out)", *["-"] * 5])
                continue
            finally:
                shutil.rmtree(work / f"store-{size}", ignore_errors=True)
            t = data["timings"]
            total = sum(t.values())
            shares = ", ".join(
                f"{k} {100 * v / total:.0f}%" for k, v in sorted(t.items(), key=lambda x: -x[1])
            )
            rows.append(
                [
                    f"{size:,}",
                    f"{data['triples']:,}",
                    f"{data['build_s']:.1f}",
                    f"{data['bulk_s']:.2f}",
                    f"{data['build_s'] / data['bulk_s']:.2f}x",
                    f"{t['load'] / data['bulk_s']:.2f}x",
                    f"{data['peak_rss_mb']:,.0f}",
                    shares,
                ]
            )
            print(f"  size {size}: {rows[-1]}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    headers = [
        "papers",
        "quads",
        "build s",
        "plain bulk load s",
        "build / bulk",
        "load stage / bulk",
        "build peak RSS MB",
        "stage shares",
    ]
    return (
        "Synthetic lists, one build per subprocess (no arXiv), then a plain pyoxigraph on-disk "
        "bulk load of the same quads in that process\n\n" + _table(headers, rows)
    )


# --------------------------------------------------------------------------- part 3: load vs plain


def bench_load(sizes: list[int], repeats: int) -> str:
    """Time the load stage against a plain pyoxigraph bulk load of the same quads, side by side."""
    import pyoxigraph as ox

    from genrl_kg.build import build_graphs
    from genrl_kg.sources.upstream import local_source
    from genrl_kg.store import write_store

    rows = []
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        inputs: list[tuple[str, Path]] = []
        if (UPSTREAM / "README.md").is_file():
            inputs.append(("real", UPSTREAM))
        for size in sizes:
            synthetic.write_list(work / f"list-{size}", size)
            inputs.append((f"{size:,}", work / f"list-{size}"))
        for label, source in inputs:
            graphs, _ = build_graphs(local_source(source))
            quads = list(graphs.quads())
            stage, stage_pre, plain = [], [], []
            for i in range(repeats):
                gc.collect()
                start = time.perf_counter()
                write_store(work / f"s-{label}-{i}", graphs.quads())  # the load stage as built
                stage.append(time.perf_counter() - start)
                gc.collect()
                start = time.perf_counter()
                write_store(work / f"p-{label}-{i}", quads)  # the same, from a list
                stage_pre.append(time.perf_counter() - start)
                gc.collect()
                start = time.perf_counter()
                store = ox.Store(str(work / f"ox-{label}-{i}"))
                store.bulk_extend(quads)
                store.flush()
                del store
                plain.append(time.perf_counter() - start)
            s, sp, p = _median(stage), _median(stage_pre), _median(plain)
            rows.append(
                [
                    label,
                    f"{len(quads):,}",
                    f"{s:.3f}",
                    f"{sp:.3f}",
                    f"{p:.3f}",
                    f"{s / p:.2f}x",
                    f"{sp / p:.2f}x",
                ]
            )
            print(f"  load {label}: {rows[-1]}", file=sys.stderr)
            del graphs, quads
    finally:
        shutil.rmtree(work, ignore_errors=True)
    headers = [
        "input",
        "quads",
        "load stage s",
        "load stage from a list s",
        "plain bulk_extend s",
        "load stage / plain",
        "from a list / plain",
    ]
    return (
        f"Load stage vs plain pyoxigraph on-disk bulk load, same process, median of {repeats}\n\n"
        + _table(headers, rows)
    )


def main() -> None:
    """Run the selected parts and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["real", "sizes", "load", "all"], default="all")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--load-sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per synthetic size")
    parser.add_argument("--child", nargs=2, metavar=("SOURCE", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_build(*args.child)))
        return
    parts = []
    if args.part in ("real", "all"):
        parts.append(bench_real(args.repeats))
    if args.part in ("load", "all"):
        parts.append(bench_load(args.load_sizes, min(args.repeats, 3)))
    if args.part in ("sizes", "all"):
        parts.append(bench_sizes(args.sizes, args.timeout))
    print("\n\n".join(parts))


if __name__ == "__main__":
    main()
