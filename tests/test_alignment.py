"""The curated Wikidata alignment, its triples, label drift, and links rebuilt from the cache."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import fake_servers
import pyoxigraph as ox
import pytest
from conftest import PROJECT_ROOT
from fake_servers import FakeResponse, FakeServer, RecordedRequest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from genrl_kg.build import BuildContext, BuildOptions, build_graphs
from genrl_kg.build.links import add_links
from genrl_kg.build.wikidata import link_wikidata
from genrl_kg.cli.link import format_link_report
from genrl_kg.errors import InputError
from genrl_kg.namespace import bind_prefixes
from genrl_kg.rdf import QuadSet
from genrl_kg.rdf import terms as t
from genrl_kg.rdf.links import add_alignment
from genrl_kg.settings import ONTOLOGY_FILE
from genrl_kg.sources.upstream import SourceSet, local_source
from genrl_kg.sources.wikidata import (
    ALIGNMENT_FILE,
    SparqlClient,
    WikidataCache,
    make_http,
    read_alignment,
    verify_alignment,
)
from genrl_kg.store import write_store
from genrl_kg.taxonomy import load_taxonomy

fake_server = fake_servers.fake_server

BASE = "https://example.org/kg/"
WD = "http://www.wikidata.org/entity/"
HEADER = "concept,relation,item,label,checked,checked_where\n"


def test_curated_file_is_valid_and_names_known_concepts() -> None:
    """Every row parses, names a concept of the ontology and says where it was checked."""
    rows = read_alignment(ALIGNMENT_FILE)
    assert len(rows) >= 5
    ontology = Graph().parse(ONTOLOGY_FILE)
    subjects = {str(s) for s in ontology.subjects()}
    for row in rows:
        if row.concept.split(":")[0] in ("tax", "basemodel"):
            assert row.concept_iri(BASE) in subjects, row.concept
        assert row.checked_where and row.label
    assert {r.item for r in rows} >= {"Q830687", "Q115305900", "Q114617315", "Q116709136"}


def test_every_row_is_an_item_of_the_checked_list() -> None:
    """Each (Q-id, label) of the file is one the shared list of checked items pairs (no guesses)."""
    path = PROJECT_ROOT.parent / "shared" / "wikidata" / "qids.csv"
    if not path.is_file():
        pytest.skip(f"the shared list of checked Q-ids is not at {path}")
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    checked = {(row["qid"], row["label"]) for row in csv.DictReader(lines)}
    rows = read_alignment(ALIGNMENT_FILE)
    assert {(r.item, r.label) for r in rows} <= checked
    exact = {r.item for r in rows if r.relation == "exactMatch"}
    assert exact == {"Q115305900", "Q114617315", "Q116709136", "Q123688361", "Q95726734"}


@pytest.mark.slow
def test_base_rows_name_nodes_the_real_tables_make(upstream_dir: Path) -> None:
    """Every base: row (foundation models, datasets) names a node the real list's tables make."""
    quads, _report = build_graphs(local_source(upstream_dir), BuildOptions(base=BASE))
    subjects = {
        q.subject.value for q in quads.quads(("tables",)) if isinstance(q.subject, ox.NamedNode)
    }
    base_rows = [r for r in read_alignment(ALIGNMENT_FILE) if r.concept.startswith("base:")]
    assert len(base_rows) == 7
    assert (
        sorted(r.concept_iri(BASE) for r in base_rows if r.concept_iri(BASE) not in subjects) == []
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("nope:x,exactMatch,Q1,x,2025-01-01,here", "unknown concept"),
        ("tax:a,sameAs,Q1,x,2025-01-01,here", "relation must be"),
        ("tax:a,exactMatch,P31,x,2025-01-01,here", "Q-id"),
        ("tax:a,exactMatch,Q1,,2025-01-01,here", "label"),
        ("tax:a,exactMatch,Q1,x,yesterday,here", "date"),
        ("tax:a,exactMatch,Q1,x,2025-01-01,", "checked_where"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    """A malformed row raises InputError with the file, the line and the problem."""
    path = tmp_path / "a.csv"
    path.write_text(
        "# comment\n" + HEADER + "tax:ok,exactMatch,Q2,ok,2025-01-01,here\n" + row + "\n"
    )
    with pytest.raises(InputError, match=rf"a\.csv:4: .*{message}"):
        read_alignment(path)


def test_alignment_triples_are_deterministic(tmp_path: Path) -> None:
    """Alignment triples carry the mapping and the checked label; Turtle is stable, no blank nodes."""
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "base:dataset/mujoco,closeMatch,Q5,MuJoCo,2025-01-01,somewhere\n")
    outputs = []
    for _ in range(2):
        quads = QuadSet(BASE, ("links",))
        add_alignment(quads["links"], BASE, read_alignment(path))
        data = ox.serialize([q.triple for q in quads.quads()], format=ox.RdfFormat.N_TRIPLES)
        g = bind_prefixes(Graph().parse(data=data, format="nt"))
        assert not any(isinstance(term, BNode) for triple in g for term in triple)
        outputs.append(g.serialize(format="turtle"))
    assert outputs[0] == outputs[1]
    assert (URIRef(BASE + "dataset/mujoco"), SKOS.closeMatch, URIRef(WD + "Q5")) in g
    assert (URIRef(WD + "Q5"), RDFS.label, Literal("MuJoCo", lang="en")) in g


def _labels_responder(labels: dict[str, str]) -> fake_servers.Responder:
    """Answer label queries with *labels* and any other query with no rows."""

    def answer(request: RecordedRequest) -> FakeResponse:
        query = parse_qs(request.body.decode())["query"][0]
        rows = []
        if "?item rdfs:label ?name ." in query:
            rows = [
                {
                    "item": {"type": "uri", "value": WD + q},
                    "name": {"type": "literal", "value": v, "xml:lang": "en"},
                }
                for q, v in labels.items()
                if f"wd:{q} " in query + " "
            ]
        body = json.dumps({"head": {"vars": ["item", "name"]}, "results": {"bindings": rows}})
        return FakeResponse(body=body, content_type="application/sparql-results+json")

    return answer


def test_verify_reports_drift(fake_server: FakeServer, tmp_path: Path) -> None:
    """A changed or missing label is drift; an unchanged one is not."""
    path = tmp_path / "a.csv"
    path.write_text(
        HEADER
        + "tax:a,exactMatch,Q1,robotics,2025-01-01,x\n"
        + "tax:b,exactMatch,Q2,world model,2025-01-01,x\n"
        + "tax:c,exactMatch,Q3,gone,2025-01-01,x\n"
    )
    fake_server.route("/q", _labels_responder({"Q1": "robotics", "Q2": "world models"}))
    client = SparqlClient(make_http(timeout=5, max_retries=0))
    drift = verify_alignment(fake_server.url_for("/q"), client=client, path=path)
    assert [(d.concept, d.found) for d in drift] == [("tax:b", ("world models",)), ("tax:c", ())]
    assert len(fake_server.requests) == 1


def _graphs() -> QuadSet:
    """Return graphs with one paper (arXiv id) and two authors."""
    graphs = QuadSet(BASE)
    paper = graphs.iri("paper", "arxiv", "2303.04137")
    graphs["list"].add(paper, t.RDF.type, t.GENRL.Paper)
    graphs["list"].add(paper, t.WDT.P818, t.text("2303.04137"))
    for position, (slug, name) in enumerate(
        (("cheng-chi", "Cheng Chi"), ("y-du", "Y. Du")), start=1
    ):
        person, authorship = (
            graphs.iri("person", slug),
            graphs.iri("authorship", "arxiv", "2303.04137", str(position)),
        )
        graphs["arxiv"].add(person, t.SCHEMA.name, t.text(name))
        graphs["arxiv"].add(paper, t.GENRL.authorship, authorship)
        graphs["arxiv"].add(authorship, t.GENRL.author, person)
        graphs["arxiv"].add(authorship, t.GENRL.position, t.integer(position))
    return graphs


def _fill_cache(directory: Path, endpoint: str) -> None:
    """Cache answers as a link run against *endpoint* would have."""
    cache, when = WikidataCache(directory / "wikidata"), datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    cache.store("arxiv", "2303.04137", endpoint, ["Q1"], when)
    statements = [{"author": "Q10", "ordinal": "1"}, {"author": "Q11", "ordinal": "2"}]
    cache.store("authors", "Q1", endpoint, statements, when)
    cache.store("names", "Q10", endpoint, ["Cheng Chi"], when)
    cache.store("names", "Q11", endpoint, ["Yilun Du"], when)


def test_links_from_cache_in_the_build(tmp_path: Path) -> None:
    """The build rebuilds the links graph from the cache alone, with the retrieval time."""
    _fill_cache(tmp_path, "https://query.example.org/sparql")
    graphs = _graphs()
    sources = SourceSet(tmp_path, "local copy", tmp_path / "README.md", ())
    options = BuildOptions(base=BASE, cache_dir=tmp_path)
    report = add_links(BuildContext(sources, options, graphs, load_taxonomy()))
    links = graphs["links"]
    same_as = t.OWL.sameAs
    assert (t.iri(BASE + "paper/arxiv/2303.04137"), same_as, t.iri(WD + "Q1")) in links
    assert (t.iri(BASE + "person/y-du"), same_as, t.iri(WD + "Q11")) in links
    record = t.iri(BASE + "wikidata-link/arxiv/2303.04137")
    when = t.datetime("2025-01-02T03:04:05+00:00")
    assert (record, t.PROV.generatedAtTime, when) in links
    assert (report.papers_linked, report.authors_linked, report.requests) == (1, 2, 0)
    assert report.alignments == len(read_alignment())
    assert "1 linked" in format_link_report(report)


def test_link_with_verify(fake_server: FakeServer, tmp_path: Path) -> None:
    """--verify adds the drift to the report; the links graph holds the alignment."""
    graphs = _graphs()
    write_store(tmp_path / "store", graphs.quads())
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "tax:a,exactMatch,Q1,robotics,2025-01-01,x\n")
    fake_server.route("/q", _labels_responder({"Q1": "robotic arts"}))
    report = link_wikidata(
        tmp_path / "store",
        endpoint=fake_server.url_for("/q"),
        cache_dir=tmp_path / "c",
        verify=True,
        base=BASE,
        alignment_path=path,
        http=make_http(timeout=5, max_retries=0),
    )
    assert report.verified and report.drift == [
        {"concept": "tax:a", "item": "Q1", "expected": "robotics", "found": ("robotic arts",)}
    ]
    assert (
        "1 drifted" in format_link_report(report)
        and report.alignments == 1
        and report.store_changed
    )
