"""The OpenAlex stage in full builds against stand-in arXiv and OpenAlex servers on 127.0.0.1.

The fixture list has four arXiv papers, one DOI paper and one paper with neither. The stand-in
OpenAlex answers in the documented works layout from the table WORKS below; every expected
figure in this file is counted by hand from that table (see the comments), never read back from
the code under test.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fake_servers import FakeResponse, FakeServer, RecordedRequest, closed_port_url
from test_arxiv import API, FakeArxiv, entry
from test_linking import EXPECTED

from genrl_kg.build import ArxivOptions, BuildOptions, BuildReport, OpenAlexOptions, run_build
from genrl_kg.build.openalex import OpenAlexReport
from genrl_kg.citation_plot import CitationNode, plot_citations
from genrl_kg.errors import GenrlKgError
from genrl_kg.queries import bind_parameters, get_saved_query, run_query
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import open_store

BASE = "https://w3id.org/genrl-kg/"
PAPER = BASE + "paper/"
P1, P2, P3, P4 = (PAPER + f"arxiv/2301.0000{n}" for n in range(1, 5))
P5 = PAPER + "doi/10.1109/icra.2024.5"
WORKS_PATH = "/works"
FIXTURE_LIST = """\
# Fixture list

## Generative Tools for RL

### Task

#### Reward Signal

##### 1.Learning reward functions with LLMs
- Paper Two [[paper]](https://arxiv.org/abs/2301.00002)
- Paper Three [[paper]](https://arxiv.org/abs/2301.00003)

## RL for Generative Policies

### RL Pre-Training

#### 2.Diffusion Policy
- Paper One [[paper]](https://arxiv.org/abs/2301.00001)
- Paper Four [[paper]](https://arxiv.org/abs/2301.00004)
- Paper Five [[paper]](https://doi.org/10.1109/ICRA.2024.5)
- Paper Six [[paper]](https://robot-six.github.io/)
"""
ARXIV_AUTHORS = {
    "2301.00001": ["Ada Lovelace", "Grace Hopper", "Jane Smith", "Alan Turing"],
    "2301.00002": ["Ada Lovelace", "Edsger Dijkstra", "Grace Hopper"],
    "2301.00003": ["Barbara Liskov", "Donald Knuth", "Grace Hopper"],
    "2301.00004": ["Ken Thompson"],
}
STANFORD = ("I97018004", "Stanford University", "00f54p054", "US")
ETH = ("I35440088", "ETH Zurich", "05a28rw58", "CH")
NO_ROR = ("I555", "Lab Without ROR", None, "FR")
NO_ID = (None, "Unidentified Lab", None, None)
TOKYO = ("I74801974", "University of Tokyo", "057zh3y96", "JP")
O1, O2, O4, O5, O6, O7, O8 = (
    "0000-0001-0000-0009",
    "0000-0001-0000-0017",
    "0000-0001-0000-0025",
    "0000-0001-0000-0033",
    "0000-0001-0000-0041",
    "0000-0001-0000-005X",
    "0000-0001-0000-0068",
)
RSS_DOI = "10.15607/RSS.2023.XIX.026"


@dataclass(frozen=True)
class Author:
    """One authorship of the table: display name, ORCID, institutions."""

    name: str
    orcid: str | None = None
    institutions: tuple[tuple[str | None, str, str | None, str | None], ...] = ()


# doi -> (work number, cited_by_count, referenced work numbers, authors, venue?, oa url)
WORKS: dict[str, tuple[int, int, list[int], list[Author], bool, str | None]] = {
    "10.48550/arxiv.2301.00001": (
        101,
        50,
        [102, 103, 999, 105],  # 3 in the list (999 is not)
        [
            Author("Ada Lovelace", O1, (STANFORD,)),  # joined
            Author("G. Hopper", O2, (STANFORD, NO_ID)),  # joined (initial), NO_ID skipped
            Author("John Smith", "0000-0001-0000-0076"),  # not joined: Jane Smith at 3
            Author("Alan M. Turing", O4),  # joined
            Author("Extra Person"),  # not joined: arXiv has 4 authors
        ],
        True,
        "https://arxiv.org/pdf/2301.00001",
    ),
    "10.48550/arxiv.2301.00002": (
        102,
        10,
        [101],
        [
            Author("Ada Lovelace", O1, (STANFORD,)),
            Author("Edsger W. Dijkstra", None, (ETH,)),
            Author("Grace Hopper"),
        ],
        False,
        None,
    ),
    "10.48550/arxiv.2301.00003": (
        103,
        3,
        [101, 102],
        [
            Author("Barbara Liskov", O5, (NO_ROR,)),
            Author("D. Knuth", O6),
            Author("Grace Hopper", O8),  # a second ORCID for person/grace-hopper: conflict
        ],
        False,
        "https://example.org/p3.pdf",
    ),
    "10.1109/icra.2024.5": (
        105,
        7,
        [101],
        [Author("Some Author", O7, (TOKYO,))],  # no arXiv authors: nothing joined
        False,
        None,
    ),
}
# In-list citations from WORKS: 101->102, 101->103, 101->105, 102->101, 103->101, 103->102,
# 105->101: seven edges.
EDGES = {(P1, P2), (P1, P3), (P1, P5), (P2, P1), (P3, P1), (P3, P2), (P5, P1)}
# ORCIDs kept: ada-lovelace O1, alan-turing O4, barbara-liskov O5, donald-knuth O6 (grace-hopper
# has O2 and O8, so none; O7 is on a paper without arXiv authors; John Smith is not joined).
ORCIDS = {"ada-lovelace": O1, "alan-turing": O4, "barbara-liskov": O5, "donald-knuth": O6}
# Institutions of joined authorships: Stanford (P1 x2, P2), ETH (P2), Lab Without ROR (P3).
# Joined authorships: P1 3 of 5, P2 3 of 3, P3 3 of 3 -> 9 joined; unjoined 2 + 1 (P5) = 3.


def _institution(inst: tuple[str | None, str, str | None, str | None]) -> dict[str, Any]:
    """Return one institution in the documented layout."""
    oid, name, ror, country = inst
    return {
        "id": f"https://openalex.org/{oid}" if oid else None,
        "display_name": name,
        "ror": f"https://ror.org/{ror}" if ror else None,
        "country_code": country,
        "type": "education",
        "lineage": [],
    }


def work_json(doi: str) -> dict[str, Any]:
    """Return the work of *doi* from WORKS in the documented OpenAlex layout (extra fields too)."""
    number, cited, refs, authors, venue, oa_url = WORKS[doi]
    repository = {
        "is_oa": True,
        "landing_page_url": f"https://arxiv.org/abs/{doi.rsplit('.', 2)[-2]}",
        "source": {"display_name": "arXiv (Cornell University)", "type": "repository"},
        "version": "submittedVersion",
    }
    published = {
        "is_oa": False,
        "landing_page_url": f"https://doi.org/{RSS_DOI}",
        "source": {"display_name": "Robotics: Science and Systems", "type": "conference"},
        "version": "publishedVersion",
    }
    return {
        "id": f"https://openalex.org/W{number}",
        "doi": f"https://doi.org/{doi}",
        "title": f"Work {number}",
        "publication_year": 2023,
        "cited_by_count": cited,
        "referenced_works": [f"https://openalex.org/W{r}" for r in refs],
        "authorships": [
            {
                "author_position": "middle",
                "author": {
                    "id": f"https://openalex.org/A{number}{i}",
                    "display_name": a.name,
                    "orcid": f"https://orcid.org/{a.orcid}" if a.orcid else None,
                },
                "institutions": [_institution(i) for i in a.institutions],
                "raw_author_name": a.name,
            }
            for i, a in enumerate(authors, start=1)
        ],
        "primary_location": repository,
        "locations": [repository, published] if venue else [repository],
        "open_access": {"is_oa": oa_url is not None, "oa_status": "green", "oa_url": oa_url},
    }


def answer(request: RecordedRequest) -> FakeResponse:
    """Answer ``/works?filter=doi:a|b`` from WORKS, as OpenAlex would (unknown DOIs omitted)."""
    asked = request.query["filter"][0].removeprefix("doi:").split("|")
    results = [work_json(d.lower()) for d in asked if d.lower() in WORKS]
    body = {"meta": {"count": len(results), "per_page": 100}, "results": results}
    return FakeResponse(body=json.dumps(body), content_type="application/json")


@dataclass
class Run:
    """One build: its report, its store and the requests the stand-in OpenAlex saw."""

    report: BuildReport
    store_dir: Path
    requests: list[RecordedRequest]

    @property
    def section(self) -> OpenAlexReport:
        """Return the OpenAlex section of the report."""
        return self.report.section(OpenAlexReport)


@dataclass
class Servers:
    """The stand-in arXiv and OpenAlex servers."""

    arxiv: FakeServer
    openalex: FakeServer


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    """Start the stand-in servers once for the module."""
    papers = {
        i: entry(i, title=f"Paper {i}", authors=[(n, ()) for n in a])
        for i, a in ARXIV_AUTHORS.items()
    }
    with FakeServer() as arxiv, FakeServer() as openalex:
        arxiv.route(API, FakeArxiv(papers, synthetic=False))
        openalex.route(WORKS_PATH, answer)
        yield Servers(arxiv, openalex)


def build(
    root: Path, servers: Servers, openalex: OpenAlexOptions | None, name: str = "store"
) -> Run:
    """Build the fixture list under *root* (caches in root/cache) and return the run."""
    source = root / "source"
    if not source.exists():
        source.mkdir(parents=True)
        (source / "README.md").write_text(FIXTURE_LIST, encoding="utf-8")
    arxiv = ArxivOptions(base_url=servers.arxiv.url_for(API), min_interval=0.0, timeout=5.0)
    options = BuildOptions(cache_dir=root / "cache", arxiv=arxiv, openalex=openalex)
    before = len(servers.openalex.requests_to(WORKS_PATH))
    report = run_build(local_source(source), root / name, options)
    return Run(report, root / name, servers.openalex.requests_to(WORKS_PATH)[before:])


def online(servers: Servers, **changes: Any) -> OpenAlexOptions:
    """Return options that ask the stand-in OpenAlex."""
    return OpenAlexOptions(base_url=servers.openalex.url, mailto="kg@example.org", **changes)


@pytest.fixture(scope="module")
def cold(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The first build: empty caches."""
    return build(tmp_path_factory.mktemp("openalex"), servers, online(servers))


@pytest.fixture(scope="module")
def store(cold: Run) -> ox.Store:
    """The cold build's store, read-only."""
    return open_store(cold.store_dir)


def select(store: ox.Store, query: str) -> set[tuple[str, ...]]:
    """Return the rows of *query* (plain SPARQL over the union) as tuples of lexical values."""
    prefixes = (
        "PREFIX genrl: <https://w3id.org/genrl-kg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "PREFIX wdt: <http://www.wikidata.org/prop/direct/> PREFIX cito: <http://purl.org/spar/cito/> "
        "PREFIX schema: <https://schema.org/> PREFIX dcterms: <http://purl.org/dc/terms/> "
    )
    results = store.query(prefixes + query, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    return {tuple(s[v].value for v in results.variables if s[v] is not None) for s in results}


def saved(store: ox.Store, name: str, **params: str) -> list[dict[str, str]]:
    """Run saved query *name*; return rows as {variable: lexical value}."""
    query = get_saved_query(name)
    results = run_query(store, query, bind_parameters(query, params))
    return [{v.value: s[v].value for v in results.variables if s[v] is not None} for s in results]


# --------------------------------------------------------------------------- the stage


def test_cold_build_asks_the_right_dois_once_with_mailto(cold: Run) -> None:
    (request,) = cold.requests
    asked = request.query["filter"][0].removeprefix("doi:").split("|")
    assert sorted(asked) == sorted(
        [f"10.48550/arxiv.2301.0000{n}" for n in range(1, 5)] + ["10.1109/icra.2024.5"]
    )
    assert request.query["mailto"] == ["kg@example.org"]
    assert request.headers["user-agent"].startswith("genrl-kg/")


def test_stage_report_counts(cold: Run) -> None:
    section = cold.section
    assert (section.asked, section.without_doi, section.requests) == (5, 1, 1)
    assert (section.fetched, section.from_cache, section.not_found, section.failed) == (4, 0, 1, 0)
    assert section.not_found_papers == ["arxiv/2301.00004"]
    assert (section.papers_with_work, section.citation_edges) == (4, len(EDGES))
    assert (section.authors_with_orcid, section.institutions) == (len(ORCIDS), 3)
    assert (section.authorships_joined, section.authorships_unjoined) == (9, 3)
    assert section.papers_without_arxiv_authors == 1
    assert section.orcid_conflicts == [f"{BASE}person/grace-hopper: {O2}, {O8}"]
    assert (section.published_versions, section.open_access) == (1, 2)
    assert cold.report.to_dict()["openalex"]["citation_edges"] == 7


def test_citations_ids_and_counts_in_the_openalex_graph(store: ox.Store) -> None:
    graph = f"<{BASE}graph/openalex>"
    assert select(store, f"SELECT ?a ?b {{ GRAPH {graph} {{ ?a cito:cites ?b }} }}") == EDGES
    assert select(store, "SELECT ?p ?w { ?p wdt:P10283 ?w }") == {
        (P1, "W101"),
        (P2, "W102"),
        (P3, "W103"),
        (P5, "W105"),
    }
    counts = select(store, "SELECT ?p ?n (DATATYPE(?n) AS ?t) { ?p genrl:citedByCount ?n }")
    integer = "http://www.w3.org/2001/XMLSchema#integer"
    assert counts == {
        (P1, "50", integer),
        (P2, "10", integer),
        (P3, "3", integer),
        (P5, "7", integer),
    }
    dates = select(store, "SELECT ?p (DATATYPE(?d) AS ?t) { ?p genrl:citedByCountDate ?d }")
    assert {t for _, t in dates} == {"http://www.w3.org/2001/XMLSchema#date"} and len(dates) == 4
    assert select(store, "SELECT ?p ?u { ?p genrl:openAccessUrl ?u }") == {
        (P1, "https://arxiv.org/pdf/2301.00001"),
        (P3, "https://example.org/p3.pdf"),
    }


def test_published_version_venue_and_provenance(store: ox.Store) -> None:
    rows = select(
        store,
        "SELECT ?p ?name ?doi ?from { ?p genrl:publishedVersion ?v . ?v a genrl:PublishedVersion ;"
        " genrl:venue ?venue ; dcterms:identifier ?doi ; prov:wasDerivedFrom ?from ."
        " ?venue a genrl:Venue ; schema:name ?name }",
    )
    assert rows == {
        (P1, "Robotics: Science and Systems", RSS_DOI.lower(), "https://openalex.org/W101")
    }
    records = select(
        store,
        "SELECT ?p ?w { ?r a prov:Entity ; dcterms:subject ?p ; prov:wasDerivedFrom ?w ;"
        " prov:generatedAtTime ?t ; dcterms:license ?l }",
    )
    assert records == {
        (P1, "https://openalex.org/W101"),
        (P2, "https://openalex.org/W102"),
        (P3, "https://openalex.org/W103"),
        (P5, "https://openalex.org/W105"),
    }


def test_orcid_joined_by_position_and_compatible_name_only(store: ox.Store) -> None:
    found = select(store, "SELECT ?person ?orcid { ?person a genrl:Person ; wdt:P496 ?orcid }")
    assert found == {(f"{BASE}person/{slug}", orcid) for slug, orcid in ORCIDS.items()}
    # John Smith's ORCID is not given to Jane Smith; the DOI paper's author is never made a person.
    assert not select(store, 'SELECT ?p { ?p wdt:P496 "0000-0001-0000-0076" }')
    assert not select(store, f'SELECT ?p {{ ?p wdt:P496 "{O7}" }}')
    assert not select(store, f"SELECT ?a {{ <{P5}> genrl:authorship ?a }}")


def test_institutions_with_ror_country_and_affiliation(store: ox.Store) -> None:
    rows = select(
        store,
        "SELECT ?i ?name ?country { ?i a genrl:Institution ; schema:name ?name ;"
        " schema:addressCountry ?country }",
    )
    assert rows == {
        (f"{BASE}institution/ror/00f54p054", "Stanford University", "US"),
        (f"{BASE}institution/ror/05a28rw58", "ETH Zurich", "CH"),
        (f"{BASE}institution/openalex/I555", "Lab Without ROR", "FR"),
    }
    assert select(store, "SELECT ?i ?r { ?i wdt:P6782 ?r }") == {
        (f"{BASE}institution/ror/00f54p054", "00f54p054"),
        (f"{BASE}institution/ror/05a28rw58", "05a28rw58"),
    }
    affiliations = select(store, "SELECT ?a ?i { ?a genrl:affiliation ?i }")
    assert (
        f"{BASE}authorship/arxiv/2301.00001/2",
        f"{BASE}institution/ror/00f54p054",
    ) in affiliations
    assert len(affiliations) == 5  # P1 pos 1 and 2, P2 pos 1 and 2, P3 pos 1


def test_warm_build_asks_nothing_and_makes_the_same_graph(
    cold: Run, servers: Servers, store: ox.Store
) -> None:
    warm = build(cold.store_dir.parent, servers, online(servers), name="warm")
    assert warm.requests == [] and warm.section.requests == 0
    assert (warm.section.from_cache, warm.section.fetched) == (5, 0)
    graph = ox.NamedNode(BASE + "graph/openalex")
    again = open_store(warm.store_dir)
    assert set(again.quads_for_pattern(None, None, None, graph)) == set(
        store.quads_for_pattern(None, None, None, graph)
    )
    assert warm.report.warnings == cold.report.warnings  # only the ORCID conflict, no fetch fault
    assert [w for w in cold.report.warnings if w.startswith("OpenAlex")] == [
        "OpenAlex: 1 person(s) with several ORCID iDs left without one"
    ]


def test_offline_without_cache_warns_once_and_builds(
    servers: Servers, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    run = build(tmp_path, servers, online(servers, offline=True))
    assert run.requests == []
    assert (run.section.failed, run.section.papers_with_work) == (5, 0)
    assert len([w for w in run.report.warnings if w.startswith("OpenAlex")]) == 1
    assert run.report.triples["openalex"] == 0


def test_unreachable_openalex_warns_once_and_builds(servers: Servers, tmp_path: Path) -> None:
    options = OpenAlexOptions(base_url=closed_port_url().rstrip("/"))
    run = build(tmp_path, servers, options)
    assert run.section.went_offline and run.section.failed == 5
    assert len([w for w in run.report.warnings if w.startswith("OpenAlex")]) == 1
    assert run.report.triples["openalex"] == 0 and run.report.triples["list"] > 0


def test_not_asked_without_options(servers: Servers, tmp_path: Path) -> None:
    run = build(tmp_path, servers, None)
    assert "openalex" not in run.report.sections and run.report.triples["openalex"] == 0


# --------------------------------------------------------------------------- saved queries


def test_papers_citing(store: ox.Store) -> None:
    rows = saved(store, "papers-citing", paper=P1)
    assert [(r["citing"], r["citedByCount"]) for r in rows] == [(P2, "10"), (P5, "7"), (P3, "3")]


def test_cited_by_list_papers(store: ox.Store) -> None:
    rows = saved(store, "cited-by-list-papers", paper=P3)
    assert [(r["cited"], r["citedByCount"]) for r in rows] == [(P1, "50"), (P2, "10")]


def test_most_cited_within_list(store: ox.Store) -> None:
    rows = saved(store, "most-cited-within-list")
    # cited by: P1 <- P2, P3, P5; P2 <- P1, P3; P5 <- P1; P3 <- P1 (ties by OpenAlex's total)
    assert [(r["paper"], r["inListCitations"], r["citedByCount"]) for r in rows] == [
        (P1, "3", "50"),
        (P2, "2", "10"),
        (P5, "1", "7"),
        (P3, "1", "3"),
    ]


def test_citation_edges(store: ox.Store) -> None:
    rows = saved(store, "citation-edges")
    assert [(r["source"], r["target"]) for r in rows] == sorted(EDGES)
    assert {r["type"] for r in rows} == {"Directed"} and rows[0]["sourceTitle"] == "Paper One"


def test_institutions(store: ox.Store) -> None:
    rows = saved(store, "institutions")
    assert [
        (r["name"], r.get("country"), r.get("ror"), r["papers"], r["authors"]) for r in rows
    ] == [
        ("Stanford University", "US", "00f54p054", "2", "2"),  # P1 (Ada, Grace), P2 (Ada)
        ("ETH Zurich", "CH", "05a28rw58", "1", "1"),
        ("Lab Without ROR", "FR", None, "1", "1"),
    ]


def test_coauthor_pairs(store: ox.Store) -> None:
    # P1: Ada, Grace, Jane, Alan (6 pairs); P2: Ada, Edsger, Grace (3); P3: Barbara, Donald,
    # Grace (3); only Ada and Grace share two papers; 11 distinct pairs in all.
    rows = saved(store, "coauthor-pairs")
    assert [(r["name1"], r["name2"], r["papers"]) for r in rows] == [
        ("Ada Lovelace", "Grace Hopper", "2")
    ]
    assert len(saved(store, "coauthor-pairs", minPapers="1")) == 11


# --------------------------------------------------------------------------- the plot


def test_plot_citations_is_deterministic(store: ox.Store, tmp_path: Path) -> None:
    rows = plot_citations(store, tmp_path / "a.svg")
    plot_citations(store, tmp_path / "b.svg")
    first = (tmp_path / "a.svg").read_bytes()
    assert first == (tmp_path / "b.svg").read_bytes()
    assert b"<svg" in first and b"Paper One" in first
    generative, policies = "Generative Tools for RL", "RL for Generative Policies"
    assert sorted(rows) == sorted(
        [
            CitationNode(P1, "Paper One", policies, 3),
            CitationNode(P2, "Paper Two", generative, 2),
            CitationNode(P3, "Paper Three", generative, 1),
            CitationNode(P5, "Paper Five", policies, 1),
        ]
    )


def test_plot_citations_without_edges_says_so(tmp_path: Path, servers: Servers) -> None:
    run = build(tmp_path, servers, None)
    with pytest.raises(GenrlKgError, match="no citations"):
        plot_citations(open_store(run.store_dir), tmp_path / "c.svg")


def test_quiet_logs_no_warning_on_a_warm_complete_run(
    cold: Run, servers: Servers, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="genrl_kg.sources.openalex"):
        build(cold.store_dir.parent, servers, online(servers), name="quiet")
    assert not [r for r in caplog.records if r.name.startswith("genrl_kg.sources.openalex")]


# First authors as the two papers themselves name them (read from the papers, not from code).
FIRST_AUTHORS = {"2302.06692": "Yuqing Du", "2205.14953": "Muning Wen"}


def _real_list_answer(request: RecordedRequest) -> FakeResponse:
    """Answer with a work for the two papers only, each with its real first author."""
    asked = request.query["filter"][0].removeprefix("doi:").split("|")
    results = []
    for number, doi in enumerate(sorted(d.lower() for d in asked), start=1):
        arxiv_id = doi.removeprefix("10.48550/arxiv.")
        if arxiv_id in FIRST_AUTHORS:
            author = {"id": f"https://openalex.org/A{number}", "display_name": "", "orcid": None}
            author["display_name"] = FIRST_AUTHORS[arxiv_id]
            authorship = {"author_position": "first", "author": author, "institutions": []}
            results.append(
                {
                    "id": f"https://openalex.org/W{number}",
                    "doi": f"https://doi.org/{doi}",
                    "title": f"Work {number}",
                    "publication_year": int("20" + arxiv_id[:2]),
                    "cited_by_count": 0,
                    "referenced_works": [],
                    "authorships": [authorship],
                }
            )
    body = {"meta": {"count": len(results), "per_page": 100}, "results": results}
    return FakeResponse(body=json.dumps(body), content_type="application/json")


@pytest.mark.upstream
def test_first_authors_from_openalex_resolve_the_rows_left_open_offline(
    upstream_dir: Path, tmp_path: Path
) -> None:
    """du2023guiding and wen2022multi stay unresolved with no first author; OpenAlex's
    first authors resolve them, to the papers the hand-checked mapping names."""
    arxiv = ArxivOptions(offline=True)
    before = run_build(
        local_source(upstream_dir), tmp_path / "a", BuildOptions(cache_dir=tmp_path, arxiv=arxiv)
    )
    keys = {"du2023guiding", "wen2022multi"}
    assert keys <= {row.rsplit("(", 1)[1].rstrip(")") for row in before.tables.unresolved}
    with FakeServer() as openalex:
        openalex.route(WORKS_PATH, _real_list_answer)
        options = BuildOptions(
            cache_dir=tmp_path,
            arxiv=arxiv,
            openalex=OpenAlexOptions(base_url=openalex.url_for(""), mailto="t@example.org"),
        )
        after = run_build(local_source(upstream_dir), tmp_path / "b", options)
    still = {row.rsplit("(", 1)[1].rstrip(")") for row in after.tables.unresolved}
    assert not keys & still
    assert after.tables.linked == before.tables.linked + 2
    rows = select(
        open_store(tmp_path / "b"),
        "SELECT ?key ?paper WHERE { ?row genrl:citationKey ?key ; genrl:describesPaper ?paper }",
    )
    for key in keys:
        assert (key, PAPER + EXPECTED[key]) in rows
