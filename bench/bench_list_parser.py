"""Benchmark the awesome-list parser: speed, hostile inputs, and the upstream history.

Usage::

    python bench/bench_list_parser.py                    # all three parts
    python bench/bench_list_parser.py --part speed       # or: hostile | history
    python bench/bench_list_parser.py --parser MODULE    # measure another parse_list (MODULE
                                                         # on PYTHONPATH, e.g. an older copy)

- **speed**: ``parse_list`` on a 10,000-entry list from bench/synthetic.py (median of 5 runs),
  against markdown-it's token pass over the same text (``MarkdownIt("commonmark")
  .enable("table").parse``), which the markdown-it based parser ran before reading a single
  entry, so the ratio is a lower bound of the gain over that parser.
- **hostile**: each generated input is parsed in its own child process; the table gives the
  parse's wall time, the child's peak RSS (``ru_maxrss``, the input text included), the
  entries kept against the entries the input holds, and the problems reported.
- **history**: every README version of ``../shared/upstream/history.bundle`` (skipped without
  it or without git): versions parsed without an exception, entries, placeholders, unparsed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic

BUNDLE = Path(__file__).resolve().parents[1].parent / "shared" / "upstream" / "history.bundle"
BASE_PAPERS = 221
MB = 1024 * 1024


def _base() -> str:
    """Return a list in the real format with BASE_PAPERS entries."""
    return synthetic.generate_list(BASE_PAPERS)


def _insert(text: str, lines: list[str], before: str = "## RL for Generative Policies") -> str:
    """Insert *lines* before the heading *before*."""
    head, sep, tail = text.partition(before)
    return head + "\n".join(lines) + "\n\n" + sep + tail


def _entry(i: int, indent: str = "") -> str:
    return f"{indent}- Hostile paper {i} [[paper]](https://arxiv.org/abs/2301.{i:05d})"


def _fill(line: str, size: int) -> list[str]:
    """Return copies of *line* that make about *size* bytes."""
    return [line] * (size // (len(line) + 1))


def _entries_to(size: int) -> str:
    """Return a list of real-format entries of about *size* bytes."""
    one = synthetic.generate_list(10_000)
    return (one * (size // len(one) + 1))[: size - 100]


CASES: dict[str, tuple[Callable[[], str], int]] = {
    # name: (input generator, entries the input holds)
    "nested markers (11 levels)": (
        lambda: _insert(_base(), ["- - - - - - - - - - - Deep " + _entry(1)[2:]]),
        BASE_PAPERS + 1,
    ),
    "list indented 1,000 levels": (
        lambda: _insert(_base(), [_entry(i, "  " * i) for i in range(1000)]),
        BASE_PAPERS + 1000,
    ),
    "one 4 MB line (links)": (
        lambda: _insert(
            _base(), ["- Long " + "[[paper]](https://arxiv.org/abs/2303.04137) " * (4 * MB // 44)]
        ),
        BASE_PAPERS,
    ),
    "one 4 MB line ('[')": (lambda: _insert(_base(), ["- " + "[" * 4 * MB]), BASE_PAPERS),
    "fullwidth / Arabic-Indic digits": (
        lambda: _insert(
            _base(),
            [
                "- Fullwidth [[paper]](https://arxiv.org/abs/1706.\uff10\uff13\uff17\uff16\uff12)",
                "- Arabic [[paper]](https://arxiv.org/abs/1706.\u0660\u0663\u0667\u0666\u0662)",
            ],
        ),
        BASE_PAPERS + 2,
    ),
    "data: / mailto: / ftp: links": (
        lambda: _insert(
            _base(),
            [
                "- Schemes [a](data:image/png;base64,iVBO) [b](mailto:a@b.org) [c](ftp://127.0.0.1/x)"
            ],
        ),
        BASE_PAPERS + 1,
    ),
    "ESC in a title": (
        lambda: _insert(_base(), ["- Es\x1b[31mc " + _entry(2)[2:]]),
        BASE_PAPERS + 1,
    ),
    "20 MB of entries": (lambda: _entries_to(20 * MB), 0),
    "20 MB of prose, 221 entries": (
        lambda: _insert(_base(), _fill("Lorem ipsum dolor sit amet. " * 36, 20 * MB)),
        BASE_PAPERS,
    ),
    "20 MB of 3-byte lines": (lambda: _insert(_base(), _fill("ab", 20 * MB)), BASE_PAPERS),
}


def _load(module: str) -> Callable[..., Any]:
    """Return the parse_list of *module*."""
    parse: Callable[..., Any] = importlib.import_module(module).parse_list
    return parse


def child(case: str, module: str) -> None:
    """Parse one hostile case and print its figures as JSON (runs in a child process)."""
    import logging

    logging.disable(logging.WARNING)
    make, expected = CASES[case]
    text = make()
    parse_list = _load(module)
    start = time.perf_counter()
    parsed = parse_list(text, "README.md")
    seconds = time.perf_counter() - start
    arxiv_bad = sum(
        1
        for e in parsed.entries
        for link in e.links
        if not link.url.isascii() or not link.url.startswith("http")
    )
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "entries": len(parsed.entries),
                "expected": expected or len(re.findall(r"(?m)^[ \t]*[-*+] ", text)),
                "problems": len(parsed.problems),
                "bad_links_kept": arxiv_bad,
                "stopped_at": getattr(parsed, "stopped_at", 0),
            }
        )
    )


def bench_hostile(module: str, timeout: float) -> str:
    """Run every hostile case in its own process; return a Markdown table."""
    rows = [
        "| input | parse s | peak RSS MB | entries kept / held | problems | bad links kept | note |",
        "|---|---:|---:|---|---:|---:|---|",
    ]
    for case in CASES:
        cmd = [sys.executable, __file__, "--child", case, "--parser", module]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            rows.append(f"| {case} | > {timeout:.0f} (killed) | - | - | - | - | |")
            continue
        if out.returncode != 0:
            last = (out.stderr.strip().splitlines() or ["?"])[-1][:80]
            rows.append(f"| {case} | - | - | - | - | - | exit {out.returncode}: {last} |")
            continue
        d = json.loads(out.stdout)
        note = f"stopped at line {d['stopped_at']}" if d["stopped_at"] else ""
        rows.append(
            f"| {case} | {d['seconds']:.2f} | {d['rss_mb']:.0f} | {d['entries']:,} / "
            f"{d['expected']:,} | {d['problems']:,} | {d['bad_links_kept']} | {note} |"
        )
    return "\n".join(rows)


def bench_speed(module: str, baseline: str | None, repeats: int = 5) -> str:
    """Time parse_list on a 10,000-entry list against markdown-it's token pass."""
    from markdown_it import MarkdownIt

    text = synthetic.generate_list(10_000)
    parse_list = _load(module)

    def median(fn: Callable[[], object]) -> float:
        fn()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    ours = median(lambda: parse_list(text))
    tokens = median(lambda: MarkdownIt("commonmark").enable("table").parse(text))
    lines = [
        f"10,000 entries ({len(text):,} bytes), median of {repeats}:",
        f"  parse_list ({module}): {ours:.3f} s",
        f"  markdown-it token pass alone: {tokens:.3f} s  (ratio {tokens / ours:.1f}x)",
    ]
    if baseline:
        other = median(lambda: _load(baseline)(text))
        lines.append(f"  parse_list ({baseline}): {other:.3f} s  (ratio {other / ours:.1f}x)")
    return "\n".join(lines)


def bench_history(module: str) -> str:
    """Parse every README version of the history bundle; return the totals."""
    if not BUNDLE.is_file() or shutil.which("git") is None:
        return f"history skipped: {BUNDLE} or git not found"
    parse_list = _load(module)
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "upstream"
        subprocess.run(["git", "clone", "-q", "-b", "main", str(BUNDLE), str(repo)], check=True)
        log = subprocess.run(
            ["git", "-C", str(repo), "log", "--format=%H", "--", "README.md"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        texts = [
            subprocess.run(
                ["git", "-C", str(repo), "show", f"{c}:README.md"],
                capture_output=True,
                check=True,
            ).stdout.decode()
            for c in log
        ]
    ok = entries = placeholders = unparsed = with_entries = 0
    failures: list[str] = []
    start = time.perf_counter()
    for commit, text in zip(log, texts, strict=True):
        try:
            parsed = parse_list(text, "README.md")
        except Exception as exc:
            failures.append(f"{commit[:7]}: {type(exc).__name__}")
            continue
        ok += 1
        entries += len(parsed.entries)
        with_entries += bool(parsed.entries)
        placeholders += len(getattr(parsed, "placeholders", ()))
        unparsed += len(getattr(parsed, "unparsed", ()))
    seconds = time.perf_counter() - start
    return (
        f"{len(texts)} versions: {ok} parsed without an exception ({with_entries} with entries), "
        f"{entries:,} entries, {placeholders} placeholders, {unparsed} unparsed, "
        f"{seconds:.2f} s" + (f"; failures: {failures}" if failures else "")
    )


def main() -> None:
    """Run the parts asked for and print their figures."""
    import logging

    logging.disable(logging.WARNING)  # the parsers' own warnings are not figures
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["speed", "hostile", "history"], action="append")
    parser.add_argument("--parser", default="genrl_kg.sources.awesome_list")
    parser.add_argument("--baseline", help="another module with parse_list to compare speed")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per hostile case")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.parser)
        return
    parts = args.part or ["speed", "hostile", "history"]
    if "speed" in parts:
        print(bench_speed(args.parser, args.baseline), end="\n\n")
    if "hostile" in parts:
        print(bench_hostile(args.parser, args.timeout), end="\n\n")
    if "history" in parts:
        print(bench_history(args.parser))


if __name__ == "__main__":
    main()
