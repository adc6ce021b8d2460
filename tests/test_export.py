"""Exports are deterministic across builds and processes and parse back in every format."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_build_cli import assert_one_error, build, run_cli, synthetic

from genrl_kg.export import EXTENSIONS, FORMATS, export_store
from genrl_kg.store import open_store

RAPPER = shutil.which("rapper")
RAPPER_SYNTAX = {
    "turtle": "turtle",
    "nt": "ntriples",
    "nq": "nquads",
    "trig": "trig",
    "rdfxml": "rdfxml",
}


@dataclass(frozen=True)
class Exports:
    """Two stores built from the same input in two processes, and their exports."""

    stores: tuple[Path, Path]
    files: dict[str, tuple[Path, Path]]  # format -> (export of store 1, export of store 2)
    triples: frozenset[ox.Triple]
    quads: frozenset[ox.Quad]


def _make_exports(source: Path, root: Path) -> Exports:
    stores = (root / "store-one", root / "store-two")
    for store in stores:
        proc = build(source, store)
        assert proc.returncode == 0, proc.stderr
    files: dict[str, tuple[Path, Path]] = {}
    for fmt in FORMATS:
        pair = []
        for index, store in enumerate(stores):
            path = root / f"export-{index}.{EXTENSIONS[fmt]}"
            if fmt in {"turtle", "nq"}:  # through the CLI, each in its own process
                proc = run_cli("export", "--store", store, "--format", fmt, "-o", path)
                assert proc.returncode == 0, proc.stderr
            else:
                db = open_store(store)
                export_store(db, fmt, path)
                del db
            pair.append(path)
        files[fmt] = (pair[0], pair[1])
    db = open_store(stores[0])
    quads = frozenset(db)
    del db
    triples = frozenset(ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    return Exports(stores, files, triples, quads)


@pytest.fixture(scope="module")
def synthetic_exports(tmp_path_factory: pytest.TempPathFactory) -> Exports:
    """Build a synthetic list twice and export both stores in every format."""
    root = tmp_path_factory.mktemp("export-synthetic")
    synthetic.write_list(root / "src", 120, duplicates=10)
    return _make_exports(root / "src", root)


@pytest.fixture(scope="module")
def real_exports(upstream_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Exports:
    """Build the real snapshot twice and export both stores in every format."""
    return _make_exports(upstream_dir, tmp_path_factory.mktemp("export-real"))


@pytest.fixture(params=["synthetic", pytest.param("real", marks=pytest.mark.slow)])
def exports(request: pytest.FixtureRequest) -> Exports:
    """The exports of the synthetic list and of the real snapshot (slow; skipped when absent)."""
    return request.getfixturevalue(f"{request.param}_exports")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_two_builds_export_byte_identical(exports: Exports, fmt: str) -> None:
    """The same input exports byte-identical files from two builds in two processes."""
    one, two = exports.files[fmt]
    assert one.read_bytes() == two.read_bytes()
    assert one.stat().st_size > 1000


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_parses_back_to_the_store(exports: Exports, fmt: str) -> None:
    """pyoxigraph parses each export back to exactly the store's triples (or quads)."""
    rdf_format, is_quads = FORMATS[fmt]
    parsed = list(ox.parse(path=str(exports.files[fmt][0]), format=rdf_format))
    if is_quads:
        assert len(parsed) == len(exports.quads)
        assert set(parsed) == exports.quads
    else:
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in parsed}
        assert len(parsed) == len(exports.triples)
        assert triples == exports.triples


def test_nt_line_count_is_the_triple_count(exports: Exports) -> None:
    """N-Triples has one line per distinct triple of the union graph, sorted."""
    lines = exports.files["nt"][0].read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(exports.triples)
    assert len(set(lines)) == len(lines)
    assert all(line.endswith(" .") for line in lines)


def test_turtle_uses_the_declared_prefixes(exports: Exports) -> None:
    """Turtle declares the project prefixes and does not repeat full ontology IRIs."""
    text = exports.files["turtle"][0].read_text(encoding="utf-8")
    assert re.search(r"^@prefix genrl: <https://w3id\.org/genrl-kg/ontology#> \.$", text, re.M)
    assert "<https://w3id.org/genrl-kg/ontology#Paper>" not in text


@pytest.mark.parametrize("fmt", sorted(RAPPER_SYNTAX))
def test_rapper_parses_exports(exports: Exports, fmt: str) -> None:
    """Debian's raptor (rapper) reads each export and counts the same number of statements."""
    if RAPPER is None:
        pytest.skip("rapper not installed (apt-get install raptor2-utils)")
    proc = subprocess.run(
        [RAPPER, "-q", "-c", "-i", RAPPER_SYNTAX[fmt], str(exports.files[fmt][0])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    match = re.search(r"returned (\d+) (?:triples|statements)", proc.stderr + proc.stdout)
    if match is None:  # -q silences the summary on some versions: count without -q
        proc = subprocess.run(
            [RAPPER, "-c", "-i", RAPPER_SYNTAX[fmt], str(exports.files[fmt][0])],
            capture_output=True,
            text=True,
            timeout=120,
        )
        match = re.search(r"returned (\d+) (?:triples|statements)", proc.stderr)
    assert match, proc.stderr
    expected = len(exports.quads) if FORMATS[fmt][1] else len(exports.triples)
    assert int(match.group(1)) == expected


def test_export_to_unwritable_path_is_one_line(synthetic_exports: Exports, tmp_path: Path) -> None:
    """Exporting into a missing directory fails in one line and leaves no temporary file."""
    target = tmp_path / "missing" / "out.ttl"
    proc = run_cli(
        "export", "--store", synthetic_exports.stores[0], "--format", "turtle", "-o", target
    )
    assert_one_error(proc, str(target), "cannot write")
    assert not (tmp_path / "missing").exists()


def test_export_to_stdout_matches_file(synthetic_exports: Exports) -> None:
    """``export`` without -o writes the same bytes to standard output."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "genrl_kg.cli",
            "export",
            "--store",
            str(synthetic_exports.stores[1]),
            "--format",
            "nt",
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == synthetic_exports.files["nt"][0].read_bytes()


def test_export_of_missing_store_is_one_line(tmp_path: Path) -> None:
    """Exporting a directory with no store says so in one line."""
    assert_one_error(run_cli("export", "--store", tmp_path), "no store")
