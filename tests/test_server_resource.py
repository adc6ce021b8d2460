"""Linked-data HTML pages for people: authors in order, prefixed predicates, facts, neighbours."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from w3c_protocol.harness import BASE, DCT, GENRL, RDF_TYPE, build_store, live_server, sample_quads

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SCHEMA_NAME = "https://schema.org/name"
PAPER = BASE + "paper/arxiv/2303.00001"


def _rich_quads() -> list[ox.Quad]:
    """The sample graph plus authors (listed out of order), table facts and ontology labels."""
    n, lit = ox.NamedNode, ox.Literal
    arxiv, tables, onto = (
        n(BASE + "graph/arxiv"),
        n(BASE + "graph/tables"),
        n(BASE + "graph/ontology"),
    )
    paper = n(PAPER)
    quads = sample_quads(4)
    for position, name in ((3, "Carol Third"), (1, "Alice First"), (2, "Bob Second")):
        person = n(BASE + "person/" + name.lower().replace(" ", "-"))
        link = n(f"{BASE}authorship/arxiv/2303.00001/{position}")
        quads += [
            ox.Quad(paper, n(GENRL + "authorship"), link, arxiv),
            ox.Quad(link, n(GENRL + "author"), person, arxiv),
            ox.Quad(
                link,
                n(GENRL + "position"),
                lit(str(position), datatype=n("http://www.w3.org/2001/XMLSchema#integer")),
                arxiv,
            ),
            ox.Quad(person, n(SCHEMA_NAME), lit(name), arxiv),
            ox.Quad(paper, n(DCT + "creator"), person, arxiv),
        ]
    code, dataset = n(BASE + "code-availability/open"), n(BASE + "dataset/d4rl")
    quads += [
        ox.Quad(paper, n(GENRL + "codeAvailability"), code, tables),
        ox.Quad(code, n("http://www.w3.org/2004/02/skos/core#prefLabel"), lit("Open source"), onto),
        ox.Quad(paper, n(GENRL + "usesDataset"), dataset, tables),
        ox.Quad(dataset, n(SCHEMA_NAME), lit("D4RL"), tables),
        ox.Quad(n(GENRL + "usesDataset"), n(RDFS_LABEL), lit("uses dataset", language="en"), onto),
        ox.Quad(n(GENRL + "authorship"), n(RDFS_LABEL), lit("authorship", language="en"), onto),
        ox.Quad(
            paper,
            n("http://www.w3.org/2002/07/owl#sameAs"),
            n("http://www.wikidata.org/entity/Q7"),
            n(BASE + "graph/links"),
        ),
        ox.Quad(n(BASE + "table-row/rl/5"), n(GENRL + "describesPaper"), paper, tables),
        ox.Quad(n(BASE + "table-row/rl/5"), n(RDF_TYPE), n(GENRL + "TableRow"), tables),
    ]
    return quads


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the rich graph; return the HTML page of the paper."""
    store = build_store(tmp_path_factory.mktemp("resource") / "store", _rich_quads())
    with live_server(store, timeout=5.0, workers=1) as base_url:
        response = httpx.get(
            base_url + "/resource/paper/arxiv/2303.00001",
            headers={"Accept": "text/html"},
            timeout=30,
        )
        assert response.status_code == 200
        yield response.text


def test_title_is_the_heading(page: str) -> None:
    """The paper's title is the page heading."""
    assert "<h1>Paper number 1</h1>" in page


def test_authors_in_order_with_links(page: str) -> None:
    """Authors are listed by genrl:position, each linking to the person's page."""
    block = page.split('<ol class="authors">', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r">([A-Z][a-z]+ [A-Z][a-z]+)</a>", block) == [
        "Alice First",
        "Bob Second",
        "Carol Third",
    ]
    assert 'href="/resource/person/alice-first"' in block


def test_predicates_prefixed_labelled_and_grouped(page: str) -> None:
    """Predicates appear as prefixed names with ontology labels, sorted, one row each."""
    table = page.split('<table class="properties">', 1)[1].split("</table>", 1)[0]
    names = re.findall(r"<code>([a-z]+:[A-Za-z]+)</code>", table)
    assert names == sorted(names, key=str.lower) and len(names) == len(set(names))
    assert "dcterms:creator" in names and "genrl:authorship" in names
    assert '<code>genrl:usesDataset</code> <span class="label">uses dataset</span>' in table


def test_facts_categories_and_wikidata(page: str) -> None:
    """Table facts by label, categories by label, Wikidata as an external link."""
    facts = page.split('<table class="facts">', 1)[1].split("</table>", 1)[0]
    assert "Open source" in facts and ">D4RL</a>" in facts and "Uses dataset" in facts
    assert 'class="external wikidata" href="http://www.wikidata.org/entity/Q7"' in facts
    assert "https://arxiv.org/abs/2303.00001" in facts
    categories = page.split('<ul class="categories">', 1)[1].split("</ul>", 1)[0]
    assert ">World Models</a>" in categories


def test_incoming_neighbours_linked(page: str) -> None:
    """Resources pointing at the paper are linked under their predicate."""
    incoming = page.split('<table class="incoming">', 1)[1].split("</table>", 1)[0]
    assert "<code>genrl:describesPaper</code>" in incoming
    assert 'href="/resource/table-row/rl/5"' in incoming
