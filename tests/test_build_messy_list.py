"""A messy list end to end: bad links, an unknown section, renamed headings; the export survives."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from genrl_kg.build import BuildReport, run_build
from genrl_kg.export import export_store
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import open_store

MESSY = """\
# Messy list

## Generative Tools for RL

### Task

#### Reward Signal

##### 1.Learning reward functions with LLMs
- Good Paper [[paper]](https://arxiv.org/abs/2301.00001)
- Broken Angle Paper [[paper]](https://example.org/a>b) [[code]](https://github.com/x/broken)
- Spaced Paper [[paper]](https://example.org/a b)

##### 5.Reward models from haptics (new!)
- Haptic Paper [[paper]](https://arxiv.org/abs/2301.00002)
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """Build the messy list into a real store."""
    root = tmp_path_factory.mktemp("messy")
    (root / "src").mkdir()
    (root / "src" / "README.md").write_text(MESSY, encoding="utf-8")
    report = run_build(local_source(root / "src"), root / "store")
    return root / "store", report


def _line(needle: str) -> int:
    return next(i for i, line in enumerate(MESSY.splitlines(), 1) if needle in line)


def test_bad_links_are_reported_with_their_lines(built: tuple[Path, BuildReport]) -> None:
    _, report = built
    lines = sorted(p.line for p in report.list_report.problems)
    assert lines == sorted({_line("Broken Angle"), _line("Spaced Paper")})
    assert any(f"README.md:{_line('Broken Angle')}:" in w for w in report.warnings)


def test_every_entry_is_still_a_paper(built: tuple[Path, BuildReport]) -> None:
    store_dir, report = built
    assert report.entries_read == 4 and report.unique_papers == 4
    titles = {
        s["t"].value
        for s in open_store(store_dir).query(
            "SELECT ?t WHERE { ?p a <https://w3id.org/genrl-kg/ontology#Paper> ; "
            "<http://purl.org/dc/terms/title> ?t }",
            use_default_graph_as_union=True,
        )
    }
    assert {"Good Paper", "Broken Angle Paper", "Haptic Paper"} <= titles


def test_unknown_section_becomes_a_concept_under_its_parent(
    built: tuple[Path, BuildReport],
) -> None:
    store_dir, report = built
    assert report.list_report.new_sections == [
        "Generative Tools for RL / Task / Reward Signal / Reward models from haptics"
    ]
    rows = list(
        open_store(store_dir).query(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            'SELECT ?c ?parent WHERE { ?c skos:prefLabel "Reward models from haptics"@en ; '
            "skos:broader ?parent . ?parent skos:narrower ?c }",
            use_default_graph_as_union=True,
        )
    )
    assert len(rows) == 1
    assert rows[0]["parent"].value == "https://w3id.org/genrl-kg/taxonomy/reward-signal"


def test_turtle_export_parses_with_two_parsers(built: tuple[Path, BuildReport]) -> None:
    store_dir, _ = built
    out = io.BytesIO()
    export_store(open_store(store_dir), "turtle", out)
    data = out.getvalue()
    assert b"<https://example.org/a>b>" not in data and b"<https://example.org/a b>" not in data
    triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    assert len(Graph().parse(data=data, format="turtle")) == len(triples) > 0
