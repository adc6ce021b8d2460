"""End-to-end tests of ``genrl-kg build | stats | query`` through the real command line."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from genrl_kg.queries import get_saved_query, run_query
from genrl_kg.results import render_results
from genrl_kg.store import open_store

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BULLET_RE = re.compile(r"^\s*[-*+]\s+.*\[\[paper\]\]\(")
PAPER_LINK_RE = re.compile(r"\[\[paper\]\]\(([^)\s]+)\)")
ARXIV_RE = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|doi\.org/10\.48550/arxiv\.)"
    r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?",
    re.IGNORECASE,
)


def load_synthetic() -> ModuleType:
    """Import bench/synthetic.py (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "synthetic", PROJECT_ROOT / "bench" / "synthetic.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synthetic = load_synthetic()


def run_cli(*args: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m genrl_kg.cli ARGS`` in a subprocess, offline, and capture its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENRL_KG_")}
    return subprocess.run(
        [sys.executable, "-m", "genrl_kg.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=PROJECT_ROOT,
    )


def build(source: Path, store: Path) -> subprocess.CompletedProcess[str]:
    """Build *source* into *store* without the arXiv stage."""
    return run_cli(
        "build",
        "--source",
        source,
        "--store",
        store,
        "--cache",
        store.parent / "cache",
        "--no-enrich",
    )


def assert_one_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Assert a non-zero exit with exactly one ``error:`` line on stderr and no traceback."""
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    assert proc.stderr.rstrip("\n").splitlines()[-1] == errors[0], "error: must be the last line"
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def snapshot(store: Path) -> tuple[str, str, bytes, int]:
    """Return what a reader sees: the live build, build.json, a saved query's result, quad count."""
    db = open_store(store)
    try:
        result = render_results(run_query(db, get_saved_query("papers-per-category")), "json")
        quads = len(db)
    finally:
        del db
    assert quads > 0
    return os.readlink(store / "current"), (store / "build.json").read_text(), result, quads


# --------------------------------------------------------------------------- real snapshot


def count_real_list(readme: Path) -> tuple[int, int]:
    """Count entry bullets and distinct papers (arXiv ids + other links), independently."""
    bullets = [
        line for line in readme.read_text(encoding="utf-8").splitlines() if BULLET_RE.match(line)
    ]
    arxiv_ids: set[str] = set()
    others: set[str] = set()
    for line in bullets:
        for url in PAPER_LINK_RE.findall(line):
            match = ARXIV_RE.search(url)
            if match:
                arxiv_ids.add(match.group(1).lower())
            else:
                others.add(url)
    return len(bullets), len(arxiv_ids) + len(others) - _curated_pairs_present(arxiv_ids, others)


def _curated_pairs_present(arxiv_ids: set[str], others: set[str]) -> int:
    """Count data/same-papers.csv pairs (one paper under two identifiers) found in the list."""

    def present(key: str) -> bool:
        kind, _, value = key.partition("/")
        if kind == "arxiv":
            return value.lower() in arxiv_ids
        return any(url.lower().endswith(value.lower()) for url in others)

    with (PROJECT_ROOT / "data" / "same-papers.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return sum(1 for row in rows if present(row["key_a"]) and present(row["key_b"]))


@pytest.mark.upstream
@pytest.mark.slow
def test_real_snapshot_counts_add_up(upstream_dir: Path, tmp_path: Path) -> None:
    """The real list builds and stats account for every entry, matching independent counts."""
    entries, papers = count_real_list(upstream_dir / "README.md")
    assert entries > 200 and papers > 200  # the test's own counting found the list
    store = tmp_path / "store"
    proc = build(upstream_dir, store)
    assert proc.returncode == 0, proc.stderr
    assert f"built {papers} papers from {entries} entries" in proc.stdout
    stats = run_cli("stats", "--store", store, "--json")
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    report = data["build"]
    assert report["entries_read"] == entries
    assert report["unique_papers"] == papers
    assert report["unique_papers"] + report["entries_merged"] == report["entries_read"]
    assert report["problems"] == []
    assert report["commit"] == upstream_dir.name
    merged_away = sum(len(m["lines"]) - 1 for m in report["merges"])
    assert merged_away == report["entries_merged"]
    assert data["live"] == {"papers": papers, "list_entries": entries}
    for graph in ("ontology", "list", "build"):
        assert data["graphs"][graph] > 0, graph
    assert sum(data["graphs"].values()) == sum(report["triples"].values())
    text = run_cli("stats", "--store", store)
    # The pinned list has no placeholder and no unreadable bullet: every bullet is an entry.
    assert (
        f"{papers} papers + {report['entries_merged']} merged + 0 placeholders + 0 unparsed "
        f"= {entries} of {entries} bullets: ok" in text.stdout
    )


# --------------------------------------------------------------------------- bad input


@pytest.fixture(scope="module")
def good_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a store built once from a small synthetic list (copy it before changing it)."""
    root = tmp_path_factory.mktemp("good")
    synthetic.write_list(root / "src", 30, duplicates=3)
    proc = build(root / "src", root / "store")
    assert proc.returncode == 0, proc.stderr
    assert "built 30 papers from 33 entries" in proc.stdout
    return root / "store"


@pytest.fixture
def store_copy(good_store: Path, tmp_path: Path) -> Path:
    """Return a private copy of the good store (the symlink stays relative)."""
    target = tmp_path / "store"
    shutil.copytree(good_store, target, symlinks=True)
    return target


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 64)


def _no_headings(path: Path) -> None:
    path.write_text("Just prose.\n\n- A paper [[paper]](https://arxiv.org/abs/2303.04137)\n")


def _huge(path: Path) -> None:
    line = b"- (2025)! A Paper About Robots [[paper]](https://arxiv.org/abs/2303.04137)\n"
    path.write_bytes(b"# List\n\n## Section\n\n" + line * (50 * 1024 * 1024 // len(line) + 1))


def _not_utf8(path: Path) -> None:
    path.write_bytes(
        "## Section\n- Caf\xe9 [[paper]](https://arxiv.org/abs/2303.04137)\n".encode("latin-1")
    )


def _headings_only(path: Path) -> None:
    path.write_text("# Title\n\n## Section\n\nSome prose, no entries.\n")


BAD_SOURCES = {
    "empty": (_empty, "empty"),
    "binary": (_binary, "binary"),
    "no-headings": (_no_headings, "no Markdown headings"),
    "50MB": (_huge, "limit"),
    "not-utf8": (_not_utf8, "UTF-8"),
    "no-entries": (_headings_only, "no list entries"),
}


@pytest.mark.parametrize("case", sorted(BAD_SOURCES))
def test_bad_list_fails_cleanly_and_keeps_store(
    case: str, store_copy: Path, tmp_path: Path
) -> None:
    """A bad list gives one error line naming the file; readers see the store as it was."""
    make, needle = BAD_SOURCES[case]
    source = tmp_path / "bad"
    source.mkdir()
    make(source / "README.md")
    before = snapshot(store_copy)
    builds_before = sorted(p.name for p in (store_copy / "builds").iterdir())
    proc = build(source, store_copy)
    assert_one_error(proc, str(source / "README.md"), needle)
    assert snapshot(store_copy) == before
    assert sorted(p.name for p in (store_copy / "builds").iterdir()) == builds_before


def test_missing_source_dir_fails_cleanly(store_copy: Path, tmp_path: Path) -> None:
    """A --source that does not exist is named in a one-line error; the store is untouched."""
    before = snapshot(store_copy)
    proc = build(tmp_path / "no-such-dir", store_copy)
    assert_one_error(proc, str(tmp_path / "no-such-dir"), "does not exist")
    assert snapshot(store_copy) == before


def test_source_dir_without_list_fails_cleanly(tmp_path: Path) -> None:
    """A --source with no Markdown list is refused before anything is written."""
    (tmp_path / "src").mkdir()
    proc = build(tmp_path / "src", tmp_path / "store")
    assert_one_error(proc, str(tmp_path / "src"), "README.md")
    assert not (tmp_path / "store" / "current").exists()


# --------------------------------------------------------------------------- query errors


def test_module_entry_point_runs() -> None:
    """``python -m genrl_kg.cli --help`` works and lists the commands."""
    proc = run_cli("--help")
    assert proc.returncode == 0
    for command in ("build", "stats", "query", "queries", "export"):
        assert command in proc.stdout


def test_query_with_parameter_returns_the_paper(good_store: Path) -> None:
    """A saved query with a bound parameter finds the one paper it names."""
    proc = run_cli(
        "query",
        "paper-by-arxiv-id",
        "-p",
        f"arxivId={synthetic.arxiv_id(4)}",
        "--store",
        good_store,
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["results"]["bindings"]
    assert [row["title"]["value"] for row in rows] == [synthetic.paper_title(4)]


def test_queries_lists_saved_queries() -> None:
    """``genrl-kg queries`` names each saved query file."""
    proc = run_cli("queries")
    assert proc.returncode == 0
    names = {line.split()[0] for line in proc.stdout.splitlines() if line.strip()}
    assert names == {p.stem for p in (PROJECT_ROOT / "queries").glob("*.rq")}


QUERY_ERRORS = {
    "unknown-name": (("query", "no-such-query"), ("unknown saved query", "no-such-query")),
    "param-no-equals": (("query", "papers-per-category", "-p", "oops"), ("--param", "oops")),
    "unknown-param": (("query", "papers-per-category", "-p", "x=1"), ("unknown parameter", "x")),
    "bad-iri": (("query", "papers-in-category", "-p", "category=not an iri"), ("category", "IRI")),
}


@pytest.mark.parametrize("case", sorted(QUERY_ERRORS))
def test_query_errors_are_one_line(case: str, good_store: Path) -> None:
    """Unknown names and bad parameters give one error line and a non-zero exit."""
    args, needles = QUERY_ERRORS[case]
    proc = run_cli(*args, "--store", good_store)
    assert_one_error(proc, *needles)
    assert proc.stdout == ""


def test_malformed_query_file_is_one_line(good_store: Path, tmp_path: Path) -> None:
    """A .rq file with a SPARQL syntax error gives one error line naming the file."""
    path = tmp_path / "broken.rq"
    path.write_text("#+ summary: broken\nSELECT * WHERE { ?s ?p \n")
    proc = run_cli("query", path, "--store", good_store)
    assert_one_error(proc, "broken", "syntax error")


def test_query_without_store_is_one_line(tmp_path: Path) -> None:
    """Querying a directory with no store says so in one line."""
    proc = run_cli("query", "papers-per-category", "--store", tmp_path / "none")
    assert_one_error(proc, str(tmp_path / "none"), "no store")
    assert_one_error(run_cli("stats", "--store", tmp_path / "none"), "no store")
