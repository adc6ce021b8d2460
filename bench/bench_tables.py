"""Time and peak memory of the table reader and the row linker on hostile and real-size tables.

Every table is generated here (tests/xlsx_fixtures.py writes them) into a temp dir; each case
then runs in a fresh child process under a small wrapper that reports the child's peak RSS
(RUSAGE_CHILDREN) and kills it at the time limit. The child reads the table with
``read_table`` and, when it is read, links its rows with ``link_rows`` against the papers of
the pinned list (with the curated file), as the tables stage does.

Cases: the six real tables; 5,000 made-up rows; the row cap with short and with longest
cells; one million one-cell rows; a lying dimension tag; one huge cell. Then the linker alone,
time per row at the real size (93 rows) against the row cap, and against ten times the papers.

Usage::

    python bench/bench_tables.py                    # every case (a minute or two)
    python bench/bench_tables.py --case table-1m --json out.json --timeout 120

Needs ../shared/upstream/<commit> beside the project (stops with a message when absent).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT / "tests"))

from xlsx_fixtures import (  # noqa: E402
    HEADER,
    lie_about_dimension,
    made_up_rows,
    write_one_cell_rows,
    write_rows,
    write_workbook,
)

__all__ = ["CASES", "main"]

COMMIT = "3a091cc571bb16dd9e20809563b2fb788c90ed79"
UPSTREAM = PROJECT_ROOT.parent / "shared" / "upstream" / COMMIT
CAP_ROWS = 1_000  # the row cap (genrl_kg.sources.tables.MAX_ROWS); fixed so old code runs too
CAP_CELL = 500  # the cell cap (genrl_kg.sources.tables.MAX_CELL_CHARS)
WRAPPER = """
import json, resource, subprocess, sys
report, limit, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
child = subprocess.Popen(cmd)
try:
    code = child.wait(timeout=limit)
except subprocess.TimeoutExpired:
    child.kill()
    child.wait()
    code = None
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(report, "w") as out:
    json.dump({"exit": code, "peak_kb": peak}, out)
"""


@dataclass(frozen=True)
class Result:
    """One case: what happened, wall time and peak RSS of its child, the child's own figures."""

    case: str
    outcome: str
    wall_s: float
    peak_mb: float | None
    figures: dict[str, Any]


# --- the child -----------------------------------------------------------------------------


def _candidates(scale: int = 1) -> list[Any]:
    """The pinned list's papers as link candidates (times *scale*, with shuffled titles)."""
    import pyoxigraph as ox

    from genrl_kg.build.context import PaperNode
    from genrl_kg.build.tables import make_candidates
    from genrl_kg.linking import PaperCandidate
    from genrl_kg.papers import merge_entries
    from genrl_kg.sources.awesome_list import read_list

    merged = merge_entries(read_list(UPSTREAM / "README.md").entries)
    node = ox.NamedNode("urn:bench")
    cands = make_candidates([PaperNode(p, node) for p in merged.papers], {})
    rng = random.Random(5)
    for copy in range(1, scale):
        for c in list(cands[: len(merged.papers)]):
            words = " ".join(c.titles).split()
            rng.shuffle(words)
            cands.append(PaperCandidate(f"{c.key}/{copy}", (" ".join(words[:12]),), c.year))
    return cands


def child(case: str, path: Path) -> dict[str, Any]:
    """Run one case in this process; return its figures."""
    from genrl_kg.build.tables import CURATED_LINKS
    from genrl_kg.errors import InputError
    from genrl_kg.linking import link_rows, load_curated_links
    from genrl_kg.sources.tables import read_table

    curated = load_curated_links(CURATED_LINKS)
    start = time.perf_counter()
    rows: list[Any] = []
    if case.startswith("link-"):
        _, repeat, scale = case.split("-")
        real = [r for p in sorted(UPSTREAM.glob("*.xlsx")) for r in read_table(p).rows]
        rows = (real * (int(repeat) // len(real) + 1))[: int(repeat)]
        cands = _candidates(int(scale))
    else:
        try:
            paths = sorted(UPSTREAM.glob("*.xlsx")) if case == "real" else [path]
            rows = [r for p in paths for r in read_table(p).rows]
        except InputError as exc:
            message = str(exc).replace(str(path.parent) + "/", "")
            return {
                "outcome": f"refused: {message}",
                "read_s": round(time.perf_counter() - start, 3),
            }
        cands = _candidates()
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    links = link_rows(rows, cands, curated)
    link_s = time.perf_counter() - start
    return {
        "outcome": f"{len(rows)} rows, {sum(1 for x in links if x.paper_key)} linked",
        "read_s": round(read_s, 3),
        "link_s": round(link_s, 3),
        "papers": len({c.key for c in cands}),
        "link_ms_per_row": round(1000 * link_s / max(len(rows), 1), 3),
    }


# --- the cases -----------------------------------------------------------------------------


def _long_rows(count: int, width: int) -> list[list[str]]:
    """Rows whose every cell is *width* characters of words from the list's titles."""
    words = (UPSTREAM / "README.md").read_text(encoding="utf-8").split()
    words = [w for w in words if w.isalpha()]
    rng = random.Random(3)
    rows = [list(HEADER)]
    for i in range(count):
        cells = [(" ".join(rng.choices(words, k=width // 3)))[:width] for _ in HEADER[1:]]
        rows.append([f"{rng.choice(words).lower()}{2018 + i % 8}{rng.choice(words)}", *cells])
    return rows


def _huge_cell(path: Path) -> None:
    """One data cell of about 24 MB of random words (compresses about 3:1)."""
    rng = random.Random(7)
    words = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9))) for _ in range(4000)
    ]
    text = " ".join(rng.choices(words, k=4_000_000))[: 24 * 10**6]
    write_rows(path, [HEADER, ["huge2024cell", text]])


WRITERS: dict[str, Callable[[Path], object] | None] = {
    "real": None,
    "table-5000": lambda p: write_rows(p, [HEADER, *made_up_rows(5000)]),
    "table-cap": lambda p: write_rows(p, [HEADER, *made_up_rows(CAP_ROWS)]),
    "table-cap-long": lambda p: write_rows(p, _long_rows(CAP_ROWS, CAP_CELL)),
    "table-1m": lambda p: write_one_cell_rows(p, 1_000_000),
    "dimension": lambda p: lie_about_dimension(
        write_workbook(p, [HEADER, *made_up_rows(300)]), "A1:B2"
    ),
    "huge-cell": _huge_cell,
    "link-93-1": None,
    f"link-{CAP_ROWS}-1": None,
    "link-93-10": None,
    f"link-{CAP_ROWS}-10": None,
}
CASES = tuple(WRITERS)


def run_case(case: str, workdir: Path, timeout: float) -> Result:
    """Write the case's table, run its child under the wrapper, collect the figures."""
    path = workdir / f"{case}.xlsx"
    writer = WRITERS[case]
    if writer is not None:
        writer(path)
    report, out = workdir / f"{case}.report.json", workdir / f"{case}.out.json"
    cmd = [sys.executable, __file__, "--child", case, "--path", str(path), "--out", str(out)]
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", WRAPPER, str(report), str(timeout), *cmd], check=False)
    wall = time.monotonic() - start
    status = json.loads(report.read_text())
    figures = json.loads(out.read_text()) if out.exists() else {}
    if status["exit"] is None:
        outcome = f"killed at the {timeout:.0f} s limit"
    else:
        outcome = figures.pop("outcome", f"exit {status['exit']}")
    if path.exists():
        figures["file_mb"] = round(path.stat().st_size / 1e6, 2)
    return Result(case, outcome, round(wall, 2), round(status["peak_kb"] / 1024, 1), figures)


def format_results(results: list[Result]) -> str:
    """Return the results as a Markdown table, then the linker's per-row ratios."""
    lines = ["| case | outcome | wall s | peak MB | read s | link s | ms/row |", "|---" * 7 + "|"]
    for r in results:
        f = r.figures
        lines.append(
            f"| {r.case} | {r.outcome} | {r.wall_s} | {r.peak_mb} | {f.get('read_s', '')} |"
            f" {f.get('link_s', '')} | {f.get('link_ms_per_row', '')} |"
        )
    per_row = {r.case: r.figures.get("link_ms_per_row") for r in results}
    base = per_row.get("link-93-1")
    if base:
        for case in (f"link-{CAP_ROWS}-1", "link-93-10", f"link-{CAP_ROWS}-10"):
            if per_row.get(case):
                lines.append(f"\nper-row time {case} / link-93-1: {per_row[case] / base:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the selected cases (or one child) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", choices=CASES, default=[])
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.out.write_text(json.dumps(child(args.child, args.path)))
        return 0
    if not (UPSTREAM / "README.md").is_file():
        print(f"needs the pinned upstream snapshot at {UPSTREAM}", file=sys.stderr)
        return 1
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-tables-") as tmp:
        for case in args.case or CASES:
            results.append(run_case(case, Path(tmp), args.timeout))
            print(f"{case}: {results[-1].outcome} ({results[-1].wall_s} s)", file=sys.stderr)
    print(format_results(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
