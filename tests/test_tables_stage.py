"""The tables stage on the real snapshot: one node per row, original cells, provenance, links."""

from __future__ import annotations

import os
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import openpyxl
import pyoxigraph as ox
import pytest
from conftest import UPSTREAM_COMMIT
from test_linking import EXPECTED, NEEDS_YEAR, SAME_PAPER, UNRESOLVABLE
from test_queries import FIXTURE_LIST
from test_tables import _count_rows_independently
from xlsx_fixtures import HEADER, made_up_rows, write_rows

from genrl_kg.build import BuildOptions, BuildReport, run_build
from genrl_kg.build.tables import CURATED_LINKS
from genrl_kg.errors import InputError
from genrl_kg.linking import load_curated_links
from genrl_kg.sources.tables import MAX_ROWS
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import current_path, open_store

pytestmark = pytest.mark.upstream

BASE = "https://w3id.org/genrl-kg/"
TABLES_GRAPH = f"{BASE}graph/tables"
PREFIXES = (
    "PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
)
BROKEN = "Broken_Policy_Table.xlsx"


def select(store: ox.Store, text: str, graph: str | None = None) -> list[tuple[str, ...]]:
    """Run a SELECT (over the tables graph, or the union when *graph* is None); rows of values."""
    if graph:
        results = store.query(PREFIXES + text, default_graph=ox.NamedNode(graph))
    else:
        results = store.query(PREFIXES + text, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    return [tuple(t.value if t is not None else "" for t in s) for s in results]


def _text(value: Any) -> str | None:
    """Cell value as the tables show it; None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if text.strip() else None


def sheet_rows(path: Path) -> dict[int, set[tuple[str, int, str]]]:
    """Read one sheet with openpyxl alone: {row number: {(header, column, text)}}, key rows only."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    header = grid[0]
    found = {}
    for number, values in enumerate(grid[1:], start=2):
        if _text(values[0]) is None:
            continue
        found[number] = {
            (str(header[i]), i + 1, text)
            for i, value in enumerate(values)
            if (text := _text(value)) is not None
        }
    return found


@pytest.fixture(scope="module")
def real_build(
    upstream_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ox.Store, BuildReport]:
    """Build the real snapshot without arXiv; return the opened store and the report."""
    store_dir = tmp_path_factory.mktemp("real") / "store"
    report = run_build(local_source(upstream_dir), store_dir)
    return open_store(store_dir), report


def test_one_table_row_node_per_real_row(
    upstream_dir: Path, real_build: tuple[ox.Store, BuildReport]
) -> None:
    store, report = real_build
    counts: dict[str, str] = dict(
        select(  # type: ignore[arg-type]
            store,
            "SELECT ?file (COUNT(?row) AS ?n) WHERE { ?row a genrl:TableRow ;"
            " genrl:sourceFile ?file } GROUP BY ?file",
            TABLES_GRAPH,
        )
    )
    expected = {
        p.name: str(_count_rows_independently(p)) for p in sorted(upstream_dir.glob("*.xlsx"))
    }
    assert counts == expected
    assert sum(int(n) for n in counts.values()) == 93
    assert report.tables.files == 6 and report.tables.rows == 93
    assert report.tables.linked + len(report.tables.unresolved) == report.tables.rows
    assert report.tables.errors == []
    linked = select(
        store, "SELECT (COUNT(?r) AS ?n) WHERE { ?r genrl:describesPaper ?p }", TABLES_GRAPH
    )
    assert linked == [(str(report.tables.linked),)]
    # Floor from the hand mapping (tests/test_linking.py): curated rows link by the curated
    # file, every other row by evidence, except the rows needing the key's year against their
    # paper's and a rival title's: without arXiv the build knows the year of arXiv papers only.
    unresolved = {entry.split("(")[-1].rstrip(")") for entry in report.tables.unresolved}
    assert unresolved <= NEEDS_YEAR | UNRESOLVABLE
    assert report.tables.linked >= len(EXPECTED) - len(NEEDS_YEAR | UNRESOLVABLE)  # 88 of 93


def test_rows_keep_original_cells_and_provenance(
    upstream_dir: Path, real_build: tuple[ox.Store, BuildReport]
) -> None:
    store, _ = real_build
    provenance = select(
        store,
        "SELECT ?row ?file ?sheet ?number ?commit WHERE { ?row a genrl:TableRow ;"
        " genrl:sourceFile ?file ; genrl:sheet ?sheet ; genrl:rowNumber ?number ;"
        " genrl:upstreamCommit ?commit }",
        TABLES_GRAPH,
    )
    assert len(provenance) == 93
    by_place = {(file, int(number)): row for row, file, sheet, number, commit in provenance}
    assert len(by_place) == 93
    assert {(sheet, commit) for _, _, sheet, _, commit in provenance} == {
        ("Sheet1", UPSTREAM_COMMIT)
    }
    cells: dict[str, set[tuple[str, int, str]]] = defaultdict(set)
    for row, column, index, value in select(
        store,
        "SELECT ?row ?column ?index ?value WHERE { ?row genrl:cellText ?cell . ?cell a genrl:Cell ;"
        " genrl:column ?column ; genrl:columnIndex ?index ; rdf:value ?value }",
        TABLES_GRAPH,
    ):
        cells[row].add((column, int(index), value))
    paths = sorted(upstream_dir.glob("*.xlsx"))
    assert sum(len(sheet_rows(path)) for path in paths) == 93
    for path in paths:
        for number, expected in sheet_rows(path).items():
            row = by_place[(path.name, number)]
            assert row == f"{BASE}table-row/{path.stem.lower().replace('_', '-')}/{number}"
            assert cells[row] == expected, (path.name, number)


def test_no_row_links_to_a_wrong_paper(real_build: tuple[ox.Store, BuildReport]) -> None:
    store, report = real_build
    links = select(
        store,
        "SELECT ?key ?paper (GROUP_CONCAT(?title; separator='\\n') AS ?titles) WHERE {"
        " ?row genrl:citationKey ?key ; genrl:describesPaper ?paper . ?paper dcterms:title ?title }"
        " GROUP BY ?key ?paper",
    )
    assert len(links) == report.tables.linked

    def accepts(key: str, paper: str, titles: list[str]) -> bool:
        for want in (EXPECTED[key], *([SAME_PAPER[key]] if key in SAME_PAPER else [])):
            if want.startswith("title:") and want.removeprefix("title:") in titles:
                return True
            if paper == f"{BASE}paper/{want}":
                return True
        return False

    wrong = [
        (key, paper) for key, paper, titles in links if not accepts(key, paper, titles.split("\n"))
    ]
    assert wrong == []
    by_key = {key: paper for key, paper, _ in links}
    # a few by hand (tests/test_linking.py EXPECTED): framework in the title, key word, DOI twin
    assert by_key["chi2023diffusion"] == f"{BASE}paper/arxiv/2303.04137"
    assert by_key["ma2023eureka"] == f"{BASE}paper/arxiv/2310.12931"
    assert by_key["bruce2024genie"] == f"{BASE}paper/arxiv/2402.15391"
    unresolved = {entry.split("(")[-1].rstrip(")") for entry in report.tables.unresolved}
    assert unresolved.isdisjoint(by_key) and unresolved | set(by_key) == set(EXPECTED)


def test_curated_links_carry_method_and_full_confidence(
    real_build: tuple[ox.Store, BuildReport],
) -> None:
    store, report = real_build
    curated = load_curated_links(CURATED_LINKS)
    found = {
        key: (method, confidence, datatype, paper)
        for key, method, confidence, datatype, paper in select(
            store,
            "SELECT ?key ?method ?c (STR(DATATYPE(?c)) AS ?dt) ?paper WHERE {"
            " ?row genrl:citationKey ?key ; genrl:linkMethod ?method ; genrl:linkConfidence ?c"
            " OPTIONAL { ?row genrl:describesPaper ?paper } }",
            TABLES_GRAPH,
        )
    }
    assert len(found) == 93
    assert report.tables.curated == len(curated) == 6
    assert {key for key, v in found.items() if v[0] == "curated"} == set(curated)
    for key, paper_key in curated.items():
        method, confidence, datatype, paper = found[key]
        assert float(confidence) == 1.0 and datatype.endswith("#decimal")
        assert paper == f"{BASE}paper/{paper_key}"
    for method, confidence, _, paper in found.values():
        assert method in {"curated", "resolved", "unresolved"}
        assert (method == "unresolved") == (paper == "")
        assert 0.0 <= float(confidence) <= 1.0


def _copy_with_broken_table(upstream_dir: Path, target: Path) -> Path:
    """Copy the snapshot's files (writable) into *target*/<commit> and add a file that is no zip."""
    source = target / UPSTREAM_COMMIT
    source.mkdir(parents=True)
    for path in upstream_dir.iterdir():
        shutil.copyfile(path, source / path.name)
    (source / BROKEN).write_bytes(b"this is a plain text file, not a workbook\n")
    return source


@pytest.mark.slow
def test_corrupt_table_lenient_then_strict(upstream_dir: Path, tmp_path: Path) -> None:
    source = _copy_with_broken_table(upstream_dir, tmp_path)
    store_dir = tmp_path / "store"
    report = run_build(local_source(source), store_dir)
    assert [w for w in report.warnings if BROKEN in w], report.warnings
    assert len(report.tables.errors) == 1 and BROKEN in report.tables.errors[0]
    assert report.tables.files == 6 and report.tables.rows == 93
    live = os.readlink(current_path(store_dir))
    count = "SELECT (COUNT(?r) AS ?n) WHERE { ?r a genrl:TableRow }"
    before = select(open_store(store_dir), count)
    assert before == [("93",)]

    with pytest.raises(InputError, match=BROKEN) as caught:
        run_build(local_source(source), store_dir, BuildOptions(strict=True))
    assert "\n" not in str(caught.value)
    assert os.readlink(current_path(store_dir)) == live
    assert select(open_store(store_dir), count) == before


def test_the_row_cap_holds_for_all_tables_together(tmp_path: Path) -> None:
    """Tables under the cap one by one, but over it together: the one past it is skipped."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "README.md").write_text(FIXTURE_LIST, encoding="utf-8")
    first = MAX_ROWS * 3 // 5
    write_rows(source / "A_Table.xlsx", [HEADER, *made_up_rows(first, seed=1)])
    write_rows(source / "B_Table.xlsx", [HEADER, *made_up_rows(first, seed=2)])
    report = run_build(local_source(source), tmp_path / "store")
    assert report.tables.rows == first  # A read whole, B refused: A and B would pass the cap
    assert len(report.tables.errors) == 1 and "B_Table.xlsx" in report.tables.errors[0]
    assert any("B_Table.xlsx" in w for w in report.warnings)
