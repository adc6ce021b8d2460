"""Benchmark SHACL validation: the build's engine (genrl_kg.shacl), pyrudof and pyshacl, side by side.

Run from the project root with the venv active::

    python bench/bench_shacl.py                        # the real list and 10k synthetic papers
    python bench/bench_shacl.py --sizes 10000 100000   # add 100k (pyshacl skipped above 10k)
    python bench/bench_shacl.py --keep /tmp/shacl      # keep (and reuse) the built N-Triples

Each graph is built offline and exported the way the README shows (``genrl-kg build --offline``,
then ``genrl-kg export --format nt``). Every measurement runs in its own child process, watched
from here: its peak RSS is its own, and a child above ``--rss-cap-mb`` is killed (pyrudof aborts
the whole process when an allocation fails, it raises nothing). Times are wall-clock seconds;
ratios are to pyoxigraph parsing the same N-Triples.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
UPSTREAM = PROJECT_ROOT.parent / "shared" / "upstream" / "3a091cc571bb16dd9e20809563b2fb788c90ed79"
sys.path.insert(0, str(BENCH_DIR))

import synthetic  # noqa: E402

# child kind -> what it measures
KINDS = {
    "oxigraph": "pyoxigraph parses the N-Triples (baseline)",
    "rudof-str": "pyrudof reads the data given as str (decode + read_data)",
    "rudof-file": "pyrudof reads the data from a file (write + read_data)",
    "rudof-whole": "pyrudof reads and validates the whole graph in one pass",
    "engine": "genrl_kg.shacl.find_violations: the build's engine, from N-Triples bytes",
    "module": "genrl_kg.shacl.rudof.find_violations (pyrudof, chunks of CHUNK_SUBJECTS subjects)",
    "pyshacl": "rdflib parses the N-Triples, pyshacl validates",
}


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rudof(shapes: Path) -> Any:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_shacl(shapes, pyrudof.ShaclFormat.Turtle, reader_mode=pyrudof.ReaderMode.Strict)
    return rudof


def child(kind: str, path: Path) -> dict[str, Any]:
    """Run one measurement on the N-Triples at *path*; return its stage times and counts."""
    from importlib.resources import as_file

    from genrl_kg import settings

    data = path.read_bytes()
    times: dict[str, float] = {}
    results = triples = -1
    start = time.perf_counter()
    with as_file(settings.SHAPES_FILE) as shapes:
        if kind == "oxigraph":
            import pyoxigraph as ox

            triples = sum(1 for _ in ox.parse(data, ox.RdfFormat.N_TRIPLES))
            times["parse"] = time.perf_counter() - start
        elif kind in ("rudof-str", "rudof-file", "rudof-whole"):
            import pyrudof

            rudof, strict = _rudof(Path(shapes)), pyrudof.ReaderMode.Strict
            mark = time.perf_counter()
            times["shapes"] = mark - start
            if kind == "rudof-str":
                text = data.decode("utf-8")
                times["decode"] = time.perf_counter() - mark
                mark = time.perf_counter()
                rudof.read_data(text, pyrudof.RDFFormat.NTriples, reader_mode=strict)
            else:
                with tempfile.TemporaryDirectory() as tmp:
                    (Path(tmp) / "d.nt").write_bytes(data)
                    times["write"] = time.perf_counter() - mark
                    mark = time.perf_counter()
                    rudof.read_data(
                        Path(tmp) / "d.nt", pyrudof.RDFFormat.NTriples, reader_mode=strict
                    )
            times["read"] = time.perf_counter() - mark
            if kind == "rudof-whole":
                mark = time.perf_counter()
                results = len(rudof.validate_shacl())
                times["validate"] = time.perf_counter() - mark
        elif kind == "engine":
            from genrl_kg.shacl import find_violations as engine_violations

            results = len(engine_violations(data, Path(shapes)))
            times["find_violations"] = time.perf_counter() - start
        elif kind == "module":
            from genrl_kg.shacl.rudof import find_violations

            results = len(find_violations(data, Path(shapes)))
            times["find_violations"] = time.perf_counter() - start
        elif kind == "pyshacl":
            import pyshacl
            from rdflib import Graph

            graph = Graph().parse(data=data, format="nt")
            times["parse"] = time.perf_counter() - start
            mark = time.perf_counter()
            ok, report, _ = pyshacl.validate(
                graph, shacl_graph=str(shapes), inference="none", allow_warnings=True
            )
            from rdflib.namespace import SH

            results = 0 if ok else len(set(report.objects(None, SH.result)))
            times["validate"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - start
    if kind == "oxigraph":
        return {"times": times, "triples": triples, "peak_rss_mb": _rss_mb()}
    return {"times": times, "results": results, "peak_rss_mb": _rss_mb()}


def run_child(kind: str, path: Path, cap_mb: float, timeout: float) -> dict[str, Any]:
    """Run *kind* in a child process, polling its RSS; kill it above *cap_mb* or *timeout*."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(path)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=PROJECT_ROOT)
    peak, why = 0.0, ""
    while proc.poll() is None:
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
            rss = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
            peak = max(peak, int(rss.split()[1]) / 1024)
        except (OSError, StopIteration):
            pass
        elapsed = time.perf_counter() - start
        if peak > cap_mb or elapsed > timeout:
            proc.kill()
            why = f"killed at {peak:,.0f} MB" if peak > cap_mb else f"killed at {timeout:.0f} s"
            break
        time.sleep(0.1)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if why or proc.returncode != 0:
        reason = why or f"exit {proc.returncode}: {err.decode(errors='replace').strip()[-200:]}"
        return {"failed": f"{reason} after {wall:.1f} s", "peak_rss_mb": peak}
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


def build_nt(name: str, source: Path, work: Path) -> Path:
    """Build *source* offline into a store under *work* and export it as N-Triples (reused)."""
    out = work / f"{name}.nt"
    if out.is_file():
        return out
    cli = [sys.executable, "-m", "genrl_kg.cli"]
    store, cache = work / f"store-{name}", work / "cache"
    build = ["build", "--source", str(source), "--offline", "--store", str(store)]
    subprocess.run([*cli, *build, "--cache", str(cache)], check=True, capture_output=True)
    export = ["export", "--store", str(store), "--format", "nt", "-o", str(out)]
    subprocess.run([*cli, *export], check=True, capture_output=True)
    return out


def graphs(sizes: list[int], work: Path) -> list[tuple[str, int, Path]]:
    """Return (name, papers, N-Triples path) for the real list and each synthetic size."""
    found = []
    if (UPSTREAM / "README.md").is_file():
        found.append(("real", 0, build_nt("real", UPSTREAM, work)))
    else:
        print(f"real list skipped: {UPSTREAM} not found")
    for size in sizes:
        synthetic.write_list(work / f"list-{size}", size)
        found.append(
            (f"{size // 1000}k", size, build_nt(f"{size // 1000}k", work / f"list-{size}", work))
        )
    return found


def _fmt(result: dict[str, Any], base: float) -> tuple[str, str, str, str]:
    if "failed" in result:
        return ("-", "-", f"{result['peak_rss_mb']:,.0f}+", result["failed"])
    times = result["times"]
    parts = ", ".join(f"{k} {v:.2f}" for k, v in times.items() if k != "total")
    ratio = f"{times['total'] / base:.1f}x" if base else "-"
    return (f"{times['total']:.2f}", ratio, f"{result['peak_rss_mb']:,.0f}", parts)


def main() -> None:
    """Build the graphs, run every kind on each, print one table per graph."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--keep", type=Path, help="work directory to keep and reuse")
    parser.add_argument("--pyshacl-max", type=int, default=10_000, help="largest size for pyshacl")
    parser.add_argument("--rss-cap-mb", type=float, default=8_000)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "NT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-shacl-"))
    work.mkdir(parents=True, exist_ok=True)
    import pyrudof
    import pyshacl

    print(f"pyrudof {pyrudof.__version__}, pyshacl {pyshacl.__version__}, work dir {work}\n")
    for name, papers, path in graphs(args.sizes, work):
        lines = path.read_bytes().count(b"\n")
        print(f"## {name}: {lines:,} triples, {path.stat().st_size / 1e6:.1f} MB of N-Triples\n")
        print("| what | s | vs oxigraph parse | peak RSS MB | stages (s) |")
        print("|---|---|---|---|---|")
        base = 0.0
        for kind, label in KINDS.items():
            if kind == "pyshacl" and papers > args.pyshacl_max:
                print(f"| {label} | skipped above {args.pyshacl_max:,} papers | | | |")
                continue
            result = run_child(kind, path, args.rss_cap_mb, args.timeout)
            if kind == "oxigraph" and "times" in result:
                base = result["times"]["total"]
            cells = _fmt(result, base)
            found = f"; {result['results']} results" if result.get("results", -1) >= 0 else ""
            print(
                f"| {label} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]}{found} |",
                flush=True,
            )
        print()


if __name__ == "__main__":
    main()
