"""Linked-data HTML pages for people: authors in order, prefixed predicates, facts, neighbours."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import bibtexparser
import httpx
import pyoxigraph as ox
import pytest
from w3c_protocol.harness import BASE, DCT, GENRL, RDF_TYPE, build_store, live_server, sample_quads

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SCHEMA_NAME = "https://schema.org/name"
PAPER = BASE + "paper/arxiv/2303.00001"
PAPER_2, PAPER_3 = BASE + "paper/arxiv/2303.00002", BASE + "paper/arxiv/2303.00003"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
CITO = "http://purl.org/spar/cito/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _rich_quads() -> list[ox.Quad]:
    """The sample graph plus authors (listed out of order), table facts and ontology labels."""
    n, lit = ox.NamedNode, ox.Literal
    arxiv, tables, onto, facts, history, openalex = (
        n(BASE + f"graph/{name}")
        for name in ("arxiv", "tables", "ontology", "facts", "history", "openalex")
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
        ox.Quad(code, n(SKOS + "prefLabel"), lit("Open source"), onto),
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
        ox.Quad(
            n(BASE + "table-row/rl/5"), n(GENRL + "citationKey"), lit("first2023paper"), tables
        ),
        ox.Quad(paper, n(DCT + "abstract"), lit("We teach robots <fast> & well."), arxiv),
        ox.Quad(paper, n(DCT + "issued"), lit("2023-03-07", datatype=n(XSD + "date")), arxiv),
        ox.Quad(paper, n(SCHEMA + "codeRepository"), n("https://github.com/first/paper"), facts),
        ox.Quad(
            paper,
            n(GENRL + "firstListed"),
            lit("2024-08-27T15:16:13+02:00", datatype=n(XSD + "dateTime")),
            history,
        ),
        ox.Quad(paper, n(CITO + "cites"), n(PAPER_2), openalex),
        ox.Quad(n(PAPER_3), n(CITO + "cites"), paper, openalex),
    ]
    # the taxonomy: World Models under a primary dimension, both in the taxonomy's scheme
    dimension, leaf = (
        n(BASE + "taxonomy/generative-tools-for-rl"),
        n(BASE + "taxonomy/world-models"),
    )
    quads += [
        ox.Quad(dimension, n(SKOS + "prefLabel"), lit("Generative Tools for RL"), onto),
        ox.Quad(dimension, n(SKOS + "inScheme"), n(BASE + "taxonomy"), onto),
        ox.Quad(leaf, n(SKOS + "inScheme"), n(BASE + "taxonomy"), onto),
        ox.Quad(leaf, n(SKOS + "broader"), dimension, onto),
    ]
    return quads


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the rich graph."""
    store = build_store(tmp_path_factory.mktemp("resource") / "store", _rich_quads())
    with live_server(store, timeout=5.0, workers=1) as base_url:
        yield base_url


def _html(url: str, path: str) -> str:
    """Return the HTML page at *path*."""
    response = httpx.get(url + path, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200
    return response.text


@pytest.fixture(scope="module")
def page(url: str) -> str:
    """The HTML page of the paper."""
    return _html(url, "/resource/paper/arxiv/2303.00001")


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


def test_breadcrumb_walks_up_to_the_primary_dimension(page: str) -> None:
    """Each category is a trail from its primary dimension down, each step filtering the explorer."""
    nav = page.split('<nav class="breadcrumbs" aria-label="Categories">', 1)[1].split("</nav>", 1)[
        0
    ]
    trail = re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)
    assert trail == [
        ("/?category=generative-tools-for-rl", "Generative Tools for RL"),
        ("/?category=world-models", "World Models"),
    ]


def test_abstract_listing_and_facts_in_words(page: str) -> None:
    """The abstract (escaped), the date first listed, and the tables' facts as sentences."""
    assert '<p class="abstract">We teach robots &lt;fast&gt; &amp; well.</p>' in page
    assert '<p class="listed">First listed on 2024-08-27.</p>' in page
    words = page.split('<ul class="table-facts">', 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", words)
    assert items[0].startswith('Code: <a href="/?code=open">Open source</a> (')
    assert 'href="https://github.com/first/paper"' in items[0]
    assert items[1] == 'Datasets and benchmarks: <a href="/?dataset=d4rl">D4RL</a>.'


def test_citations_in_the_list_both_ways(page: str) -> None:
    """cito:cites out of the paper and into it, each a link to the other paper's page."""
    cites = page.split('<ul class="cites">', 1)[1].split("</ul>", 1)[0]
    cited_by = page.split('<ul class="cited-by">', 1)[1].split("</ul>", 1)[0]
    assert ">Paper number 2</a>" in cites and 'href="/resource/paper/arxiv/2303.00002"' in cites
    assert ">Paper number 3</a>" in cited_by and "Paper number 2" not in cited_by


def test_bibtex_block_uses_the_table_key(page: str) -> None:
    """The BibTeX block reads back as one entry: the table's key, authors in order, eprint."""
    block = html.unescape(
        page.split('<pre class="bibtex"', 1)[1].split(">", 1)[1].split("</pre>")[0]
    )
    library = bibtexparser.parse_string(block)
    assert [e.key for e in library.entries] == ["first2023paper"]
    entry = library.entries[0]
    assert entry["author"] == "Alice First and Bob Second and Carol Third"
    assert (entry["year"], entry["month"]) == ("2023", "mar")


def test_other_resources_keep_the_property_table(url: str) -> None:
    """A person's page is today's page: the property table, no paper sections."""
    person = _html(url, "/resource/person/alice-first")
    assert '<table class="properties">' in person and "Alice First" in person
    assert 'class="bibtex"' not in person and "all-properties" not in person
