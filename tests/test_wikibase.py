"""QuickStatements and Wikibase-model export on the fixture list, enriched with arXiv-shaped facts and links."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from test_queries import FIXTURE_LIST

from genrl_kg.build import run_build
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import open_store
from genrl_kg.wikibase import SparqlExisting, StoreExisting, export_quickstatements, export_wikibase

BASE = "https://w3id.org/genrl-kg/"
WD = "http://www.wikidata.org/entity/"
PAPER_A = BASE + "paper/arxiv/2301.00001"
PAPER_D = BASE + "paper/arxiv/2502.00002"
PAPER_F = BASE + "paper/arxiv/2403.00003"
ARXIV_TTL = f"""
@prefix genrl: <https://w3id.org/genrl-kg/ontology#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix schema: <https://schema.org/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{PAPER_A}> dcterms:issued "2023-01-02"^^xsd:date ; wdt:P356 "10.1234/ABC.DEF" ;
  genrl:primaryCategory <{BASE}arxiv-category/cs.RO> ;
  genrl:authorship <{BASE}authorship/arxiv/2301.00001/1>, <{BASE}authorship/arxiv/2301.00001/2> .
<{BASE}authorship/arxiv/2301.00001/1> genrl:author <{BASE}person/ada-lovelace> ; genrl:position 1 .
<{BASE}authorship/arxiv/2301.00001/2> genrl:author <{BASE}person/alan-turing> ; genrl:position 2 .
<{PAPER_D}> dcterms:issued "2025-02-03"^^xsd:date ; genrl:primaryCategory <{BASE}arxiv-category/cs.LG> ;
  genrl:authorship <{BASE}authorship/arxiv/2502.00002/1>, <{BASE}authorship/arxiv/2502.00002/2> .
<{BASE}authorship/arxiv/2502.00002/1> genrl:author <{BASE}person/alan-turing> ; genrl:position 1 .
<{BASE}authorship/arxiv/2502.00002/2> genrl:author <{BASE}person/grace-hopper> ; genrl:position 2 .
<{BASE}person/ada-lovelace> schema:name "Ada Lovelace" .
<{BASE}person/alan-turing> schema:name "Alan Turing" .
<{BASE}person/grace-hopper> schema:name "Grace \\"Amazing\\" Hopper" .
<{BASE}arxiv-category/cs.RO> a skos:Concept ; skos:notation "cs.RO" .
<{BASE}arxiv-category/cs.LG> a skos:Concept ; skos:notation "cs.LG" .
"""
# What Wikidata already says about Q1001 (the same shape in the links graph and on the test server).
WIKIDATA_STATEMENTS = """
wd:Q1001 wdt:P31 wd:Q13442814 ; wdt:P818 "2301.00001" ; wdt:P921 wd:Q2001 ; p:P50 wds:s1 .
wds:s1 ps:P50 wd:Q3001 ; pq:P1545 "1" .
wd:Q1002 wdt:P31 wd:Q13442814 ; wdt:P921 wd:Q2002 ; p:P50 wds:s2 .
wds:s2 ps:P50 wd:Q3002 ; pq:P1545 "1" .
"""
WIKIDATA_PREFIXES = """
@prefix wd: <http://www.wikidata.org/entity/> . @prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix p: <http://www.wikidata.org/prop/> . @prefix ps: <http://www.wikidata.org/prop/statement/> .
@prefix pq: <http://www.wikidata.org/prop/qualifier/> . @prefix wds: <http://www.wikidata.org/entity/statement/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
LINKS_TTL = f"""{WIKIDATA_PREFIXES}
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{PAPER_A}> owl:sameAs wd:Q1001 .
<{PAPER_D}> owl:sameAs wd:Q1002 .
<{PAPER_F}> owl:sameAs wd:Q1003, wd:Q1004 .
<https://w3id.org/genrl-kg/taxonomy/learning-reward-functions-with-llms> skos:exactMatch wd:Q2001 .
<https://w3id.org/genrl-kg/taxonomy/diffusion-policy> skos:exactMatch wd:Q2002 .
{WIKIDATA_STATEMENTS}
"""
# A local copy's reference is the list's repository: its commit is unknown, so no blob URL.
REFERENCE = '\tS854\t"https://github.com/clmoro/awesome-robotics-genai-reinforcement-learning-integration"\tS813\t+2025-06-01T00:00:00Z/11'
OPENALEX_A = '\tS854\t"https://openalex.org/W1001"\tS813\t+2025-06-01T00:00:00Z/11'
OPENALEX_D = '\tS854\t"https://openalex.org/W1002"\tS813\t+2025-06-01T00:00:00Z/11'
# OpenAlex-shaped facts: ids, and in-list citations A -> D, A -> F (F is linked to two items, so
# no P2860 for it), D -> A.
OPENALEX_TTL = f"""
@prefix wdt: <http://www.wikidata.org/prop/direct/> . @prefix cito: <http://purl.org/spar/cito/> .
<{PAPER_A}> wdt:P10283 "W1001" ; cito:cites <{PAPER_D}>, <{PAPER_F}> .
<{PAPER_D}> wdt:P10283 "W1002" ; cito:cites <{PAPER_A}> .
"""
# What Wikidata says besides WIKIDATA_STATEMENTS: Q1002 already cites Q1001 and has another OpenAlex ID.
OPENALEX_STATEMENTS = """
wd:Q1002 wdt:P2860 wd:Q1001 ; wdt:P10283 "W9999" .
"""
# Main subjects: the sections aligned in LINKS_TTL (Q2001, Q2002) and the base models of the
# curated alignment file (exactMatch): Paper A sits in "Learning reward functions with LLMs"
# (about basemodel:llm = Q115305900) and "VLMs for reward learning" (basemodel:vlm, unaligned);
# Paper D in two sections about basemodel:diffusion-model (= Q114617315).
EXPECTED_ALL = [  # sorted by item, property number, value
    'Q1001\tP356\t"10.1234/ABC.DEF"' + REFERENCE,
    "Q1001\tP577\t+2023-01-02T00:00:00Z/11" + REFERENCE,
    'Q1001\tP818\t"2301.00001"\tP820\t"cs.RO"' + REFERENCE,
    "Q1001\tP921\tQ115305900" + REFERENCE,
    "Q1001\tP921\tQ2001" + REFERENCE,
    'Q1001\tP2093\t"Ada Lovelace"\tP1545\t"1"' + REFERENCE,
    'Q1001\tP2093\t"Alan Turing"\tP1545\t"2"' + REFERENCE,
    "Q1001\tP2860\tQ1002" + OPENALEX_A,
    'Q1001\tP10283\t"W1001"' + OPENALEX_A,
    "Q1002\tP577\t+2025-02-03T00:00:00Z/11" + REFERENCE,
    'Q1002\tP818\t"2502.00002"\tP820\t"cs.LG"' + REFERENCE,
    "Q1002\tP921\tQ114617315" + REFERENCE,
    "Q1002\tP921\tQ2002" + REFERENCE,
    'Q1002\tP2093\t"Alan Turing"\tP1545\t"1"' + REFERENCE,
    'Q1002\tP2093\t"Grace "Amazing" Hopper"\tP1545\t"2"' + REFERENCE,
    "Q1002\tP2860\tQ1001" + OPENALEX_D,
    'Q1002\tP10283\t"W1002"' + OPENALEX_D,
]
# What Wikidata lacks: not Q1001's P921 Q2001 / P818, not Q1002's P921 Q2002, not the first
# author of either item, not Q1002's P2860 Q1001, and no second OpenAlex ID for Q1002.
EXPECTED_NEW = [
    'Q1001\tP356\t"10.1234/ABC.DEF"' + REFERENCE,
    "Q1001\tP577\t+2023-01-02T00:00:00Z/11" + REFERENCE,
    "Q1001\tP921\tQ115305900" + REFERENCE,
    'Q1001\tP2093\t"Alan Turing"\tP1545\t"2"' + REFERENCE,
    "Q1001\tP2860\tQ1002" + OPENALEX_A,
    'Q1001\tP10283\t"W1001"' + OPENALEX_A,
    "Q1002\tP577\t+2025-02-03T00:00:00Z/11" + REFERENCE,
    'Q1002\tP818\t"2502.00002"\tP820\t"cs.LG"' + REFERENCE,
    "Q1002\tP921\tQ114617315" + REFERENCE,
    'Q1002\tP2093\t"Grace "Amazing" Hopper"\tP1545\t"2"' + REFERENCE,
]
RETRIEVED = date(2025, 6, 1)


def _quads(turtle: str, graph: str) -> list[ox.Quad]:
    name = ox.NamedNode(graph)
    return [
        ox.Quad(t.subject, t.predicate, t.object, name)
        for t in ox.parse(turtle, ox.RdfFormat.TURTLE)
    ]


def build_enriched_store(root: Path) -> Path:
    """Build the fixture list into root/store and add arXiv-shaped facts and Wikidata links."""
    source = root / "source"
    source.mkdir(parents=True)
    (source / "README.md").write_text(FIXTURE_LIST, encoding="utf-8")
    run_build(local_source(source), root / "store")
    store = open_store(root / "store", read_only=False)
    store.extend(_quads(ARXIV_TTL, BASE + "graph/arxiv"))
    store.extend(_quads(LINKS_TTL, BASE + "graph/links"))
    store.flush()
    del store
    return root / "store"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The enriched fixture store, with OpenAlex-shaped facts and more of Wikidata's statements."""
    path = build_enriched_store(tmp_path_factory.mktemp("wikibase"))
    store = open_store(path, read_only=False)
    store.extend(_quads(OPENALEX_TTL, BASE + "graph/openalex"))
    store.extend(_quads(WIKIDATA_PREFIXES + OPENALEX_STATEMENTS, BASE + "graph/links"))
    store.flush()
    del store
    return path


@pytest.fixture(scope="module")
def store(store_dir: Path) -> ox.Store:
    """The enriched fixture store, read-only."""
    return open_store(store_dir)


def _qs(store: ox.Store, existing: object = None) -> tuple[list[str], dict[str, int]]:
    out = io.StringIO()
    counts = export_quickstatements(store, out, retrieved=RETRIEVED, existing=existing)  # type: ignore[arg-type]
    return out.getvalue().splitlines(), counts


def test_quickstatements_without_existing_proposes_everything_with_references(
    store: ox.Store,
) -> None:
    lines, counts = _qs(store)
    assert lines == EXPECTED_ALL
    assert counts["ambiguous"] == 1 and counts["papers"] == 2 and counts["statements"] == 17
    assert counts["P921"] == 4 and counts["P2093"] == 4
    assert counts["P2860"] == 2 and counts["P10283"] == 2


def test_quickstatements_skip_what_the_links_graph_says_wikidata_has(store: ox.Store) -> None:
    lines, counts = _qs(store, StoreExisting(store))
    assert lines == EXPECTED_NEW
    assert counts["existing"] == 7 and counts["statements"] == 10


def test_quickstatements_output_is_deterministic(store: ox.Store, tmp_path: Path) -> None:
    export_quickstatements(
        store, tmp_path / "a.qs", retrieved=RETRIEVED, existing=StoreExisting(store)
    )
    export_quickstatements(
        store, tmp_path / "b.qs", retrieved=RETRIEVED, existing=StoreExisting(store)
    )
    assert (tmp_path / "a.qs").read_bytes() == (tmp_path / "b.qs").read_bytes()
    assert all(
        len(line.split("\t")) % 2 == 1 for line in (tmp_path / "a.qs").read_text().splitlines()
    )


@pytest.fixture(scope="module")
def wikidata_server(tmp_path_factory: pytest.TempPathFactory) -> object:
    """A real `oxigraph serve` holding a small Wikidata-shaped graph in its default graph."""
    from test_remote import start_oxigraph

    with start_oxigraph(tmp_path_factory.mktemp("wd")) as url:
        body = (
            WIKIDATA_PREFIXES + WIKIDATA_STATEMENTS + OPENALEX_STATEMENTS + FEDERATED_EXTRA
        ).encode()
        response = requests.put(
            f"{url}/store?default", data=body, headers={"Content-Type": "text/turtle"}, timeout=10
        )
        assert response.status_code in (200, 201, 204), response.text
        yield url


FEDERATED_EXTRA = """
wd:Q3001 rdfs:label "Ada Lovelace"@en ; wdt:P1416 wd:Q4001 .
wd:Q3002 rdfs:label "Alan Turing"@en ; wdt:P108 wd:Q4002 .
wd:Q4001 rdfs:label "Analytical Engine Lab"@en ; wdt:P17 wd:Q145 .
wd:Q4002 rdfs:label "Bletchley Park"@en .
wd:Q145 rdfs:label "United Kingdom"@en .
wd:Q2001 rdfs:label "reward learning"@en .
wd:Q2002 rdfs:label "diffusion policy"@en, "Diffusionspolitik"@de .
wd:Q5001 wdt:P2860 wd:Q1001 . wd:Q5002 wdt:P2860 wd:Q1001 . wd:Q5003 wdt:P2860 wd:Q1002 .
"""


def test_sparql_existing_provider_asks_the_endpoint_in_batches(
    store: ox.Store, wikidata_server: str
) -> None:
    provider = SparqlExisting(f"{wikidata_server}/query", batch_size=1)
    lines, _counts = _qs(store, provider)
    assert lines == EXPECTED_NEW
    assert provider.requests == 2  # two items, one per batch


def test_wikibase_export_answers_wikidata_style_queries(store: ox.Store, tmp_path: Path) -> None:
    path = tmp_path / "wb.ttl"
    count = export_wikibase(store, path)
    graph = ox.Store()
    graph.load(path=str(path), format=ox.RdfFormat.TURTLE)
    assert len(graph) == count
    prefixes = WIKIDATA_PREFIXES.replace("@prefix", "PREFIX").replace(" .", "")
    prefixes += "PREFIX pr: <http://www.wikidata.org/prop/reference/>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"
    prefixes += (
        "PREFIX schema: <http://schema.org/>\nPREFIX wikibase: <http://wikiba.se/ontology#>\n"
    )

    def ask(text: str) -> list[tuple[str, ...]]:
        results = graph.query(prefixes + text)
        return sorted(
            tuple(s[v].value if s[v] is not None else None for v in results.variables)
            for s in results
        )  # type: ignore[misc]

    assert ask("SELECT ?item ?arxiv { ?item wdt:P818 ?arxiv }") == [
        (PAPER_A, "2301.00001"),
        (PAPER_F, "2403.00003"),
        (PAPER_D, "2502.00002"),
    ]
    assert ask(f"SELECT ?a ?ord {{ <{PAPER_D}> p:P50 [ ps:P50 ?a ; pq:P1545 ?ord ] }}") == [
        (BASE + "person/alan-turing", "1"),
        (BASE + "person/grace-hopper", "2"),
    ]
    assert ask("SELECT ?item { ?item wdt:P921 wd:Q2002 ; wdt:P31 wd:Q13442814 }") == [
        (PAPER_D,),
        (BASE + "paper/web/robot-e.github.io",),
    ]
    assert ask("SELECT ?item { ?item wdt:P921 wd:Q114617315 }") == [  # base model diffusion-model
        (PAPER_D,),
        (BASE + "paper/web/robot-e.github.io",),
    ]
    assert ask("SELECT ?a ?b { ?a wdt:P2860 ?b }") == [
        (PAPER_A, PAPER_F),
        (PAPER_A, PAPER_D),
        (PAPER_D, PAPER_A),
    ]
    assert ask(
        f"SELECT ?id ?url {{ <{PAPER_D}> p:P10283 [ ps:P10283 ?id ; prov:wasDerivedFrom ?r ] . ?r pr:P854 ?url }}"
    ) == [("W1002", "https://openalex.org/W1002")]
    assert ask(f"SELECT ?cat {{ <{PAPER_A}> p:P818 [ ps:P818 ?id ; pq:P820 ?cat ] }}") == [
        ("cs.RO",)
    ]
    urls = ask(
        "SELECT DISTINCT ?url ?day { ?item p:P577 ?st . "
        "?st prov:wasDerivedFrom ?ref . ?ref pr:P854 ?url OPTIONAL { ?ref pr:P813 ?day } }"
    )
    assert urls == [(REFERENCE.split('"')[1], None)]  # a local copy: no retrieval date invented
    assert ask(f'SELECT ?l {{ <{PAPER_A}> rdfs:label ?l FILTER(LANG(?l) = "en") }}') == [
        ("Paper A",)
    ]
    assert ask(f"SELECT ?d {{ <{PAPER_A}> schema:description ?d }}") == [
        ("scholarly article listed in genrl-kg",)
    ]
    assert ask("SELECT ?t { wd:P50 wikibase:directClaim ?t }") == [
        ("http://www.wikidata.org/prop/direct/P50",)
    ]
    unaligned = ask(
        "SELECT ?label { ?p wdt:P921 ?t . ?t a wikibase:Item ; rdfs:label ?label } ORDER BY ?label"
    )
    assert ("VLMs for reward learning",) in unaligned


def test_wikibase_export_is_byte_identical(store: ox.Store, tmp_path: Path) -> None:
    first, second = io.BytesIO(), io.BytesIO()
    export_wikibase(store, first)
    export_wikibase(store, second)
    assert first.getvalue() == second.getvalue() and b"wikibase:Item" in first.getvalue()
