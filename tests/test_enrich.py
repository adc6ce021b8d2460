"""The arXiv stage end to end: fixture list, a local fake arXiv API, a real store, saved queries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import fake_servers
import pyoxigraph as ox
import pytest
from fake_servers import FakeResponse, FakeServer, RecordedRequest, closed_port_url
from test_arxiv import entry, error_feed, feed
from test_queries import FIXTURE_LIST, rows

from genrl_kg import settings
from genrl_kg.build import ArxivOptions, BuildOptions, BuildReport, run_build
from genrl_kg.sources.arxiv import ArxivCache, fetch_records
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import open_store

fake_server = fake_servers.fake_server  # the fixture

API = "/api/query"
BASE = "https://w3id.org/genrl-kg/"
IDS = ("2301.00001", "2403.00003", "2502.00002")  # Paper A, Paper F, Paper D
KEY = {"A": "arxiv/2301.00001", "F": "arxiv/2403.00003", "D": "arxiv/2502.00002"}
PAPER = {name: f"{BASE}paper/{key}" for name, key in KEY.items()}
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"

# Alice Smith leads A and D; Bob Jones is on all three and leads F; David Smith and Erin Smith
# share Alice's surname and must stay separate people. A's arXiv title differs from the list's
# 'Paper A' only by case and punctuation (a match); D's is another paper's title (a mismatch).
# A was first published in 2023 and updated in 2024: its year must come from the first version.
ENTRIES = {
    "2301.00001": entry(
        "2301.00001",
        title="PAPER-A!",
        authors=[("Alice Smith", ["MIT"]), ("Bob Jones", ()), ("Carol White", ())],
        published="2023-12-30T10:00:00Z",
        updated="2024-01-05T10:00:00Z",
        primary="cs.LG",
        categories=["cs.LG", "cs.AI"],
    ),
    "2502.00002": entry(
        "2502.00002",
        version=2,
        title="Something Else Entirely",
        authors=[("Alice Smith", ()), ("David Smith", ()), ("Bob Jones", ())],
        published="2025-02-03T10:00:00Z",
        updated="2025-03-01T10:00:00Z",
        primary="cs.RO",
        categories=["cs.RO", "cs.LG"],
        doi="10.1234/abc.5678",
    ),
    "2403.00003": entry(
        "2403.00003",
        title="Paper F",
        authors=[("Bob Jones", ()), ("Erin Smith", ())],
        published="2024-03-04T10:00:00Z",
        primary="cs.RO",
        categories=["cs.RO"],
    ),
}


class FakeArxiv:
    """Answer id_list queries from ENTRIES, leaving out the ids in *omit* (a partial answer)."""

    def __init__(self, omit: tuple[str, ...] = ()) -> None:
        self.omit = omit

    def __call__(self, request: RecordedRequest) -> FakeResponse:
        ids = request.query.get("id_list", [""])[0].split(",")
        found = [ENTRIES[i] for i in ids if i in ENTRIES and i not in self.omit]
        return FakeResponse(body=feed(found), content_type="application/atom+xml")


def make_source(root: Path) -> Path:
    """Write the fixture list into *root*/source and return that directory."""
    source = root / "source"
    source.mkdir(parents=True, exist_ok=True)
    (source / "README.md").write_text(FIXTURE_LIST, encoding="utf-8")
    return source


def build(root: Path, url: str, **options: bool) -> BuildReport:
    """Build the fixture list from *root* with enrichment from *url* (cache in *root*/cache)."""
    arxiv = ArxivOptions(base_url=url, min_interval=0.01, **options)
    options_ = BuildOptions(cache_dir=root / "cache", arxiv=arxiv)
    return run_build(local_source(make_source(root)), root / "store", options_)


def query(root: Path, name: str, **params: str) -> list[dict[str, str]]:
    """Run saved query *name* on the store in *root* (opened afresh) with short taxonomy IRIs."""
    return rows(open_store(root / "store"), name, **params)


def select(root: Path, text: str) -> list[tuple[str, ...]]:
    """Run a SELECT over the union graph of the store in *root*; return rows of values."""
    prefixes = (
        "PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX schema: <https://schema.org/>\n"
    )
    results = open_store(root / "store").query(prefixes + text, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    return [tuple(t.value if t is not None else "" for t in s) for s in results]


def cached_ids(root: Path) -> list[str]:
    """Return the ids the arXiv cache holds a record for."""
    return ArxivCache(root / "cache" / "arxiv").ids()


def not_enriched(root: Path) -> list[str]:
    """Return the papers with genrl:enriched false in the store."""
    return [r[0] for r in select(root, "SELECT ?p WHERE { ?p genrl:enriched false } ORDER BY ?p")]


@pytest.fixture
def api(fake_server: FakeServer) -> FakeServer:
    """Return the fake server answering the query endpoint from ENTRIES."""
    fake_server.route(API, FakeArxiv())
    return fake_server


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the fixture list with every arXiv id answered; return the build's root."""
    root = tmp_path_factory.mktemp("enriched")
    with FakeServer() as server:
        server.route(API, FakeArxiv())
        report = build(root, server.url_for(API))
    assert report.arxiv.not_enriched == []
    return root


# --------------------------------------------------------------------------- requests and cache


def test_cold_warm_and_refresh_builds_count_requests(api: FakeServer, tmp_path: Path) -> None:
    url = api.url_for(API)
    cold = build(tmp_path, url)
    assert len(api.requests) == 1
    assert api.requests[0].query["id_list"] == [",".join(IDS)]
    assert api.requests[0].headers["user-agent"] == settings.USER_AGENT
    assert (cold.arxiv.requests, cold.arxiv.fetched, cold.arxiv.from_cache) == (1, 3, 0)
    assert cold.arxiv.not_enriched == [] and not cold.arxiv.went_offline
    assert cached_ids(tmp_path) == list(IDS)

    api.clear()
    warm = build(tmp_path, url)
    assert api.requests == []
    assert (warm.arxiv.requests, warm.arxiv.fetched, warm.arxiv.from_cache) == (0, 0, 3)

    refreshed = build(tmp_path, url, refresh=True)
    assert len(api.requests) == 1
    assert api.requests[0].query["id_list"] == [",".join(IDS)]
    assert (refreshed.arxiv.requests, refreshed.arxiv.fetched) == (1, 3)
    assert not_enriched(tmp_path) == []


def test_server_down_on_refresh_keeps_the_cached_records(api: FakeServer, tmp_path: Path) -> None:
    build(tmp_path, api.url_for(API))
    before = query(tmp_path, "papers-per-arxiv-year")
    report = build(tmp_path, closed_port_url(API), refresh=True)
    assert report.arxiv.went_offline
    assert report.arxiv.not_enriched == []
    assert report.arxiv.from_cache == 3
    assert query(tmp_path, "papers-per-arxiv-year") == before
    assert not_enriched(tmp_path) == []
    assert cached_ids(tmp_path) == list(IDS)


def test_offline_build_makes_no_request_and_marks_uncached_papers(
    api: FakeServer, tmp_path: Path
) -> None:
    report = build(tmp_path, api.url_for(API), offline=True)
    assert api.requests == []
    assert report.arxiv.requests == 0
    assert report.arxiv.not_enriched == sorted(KEY.values())
    assert not_enriched(tmp_path) == sorted(PAPER.values())


BAD_ANSWERS = {
    "error entry": error_feed("2403.00003"),
    "empty feed": feed([]),
    "rate exceeded": b"Rate exceeded.",
    "html page": b"<!DOCTYPE html><html><body><h1>Service busy</h1></body></html>",
}


@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_bad_answer_marks_papers_not_enriched_and_next_build_asks_only_for_them(
    api: FakeServer, tmp_path: Path, case: str
) -> None:
    url = api.url_for(API)
    cache = ArxivCache(tmp_path / "cache" / "arxiv")
    fetch_records(["2301.00001"], base_url=url, cache=cache, min_interval=0.0)
    api.clear()
    api.queue(FakeResponse(body=BAD_ANSWERS[case]), path=API)
    report = build(tmp_path, url)
    assert api.requests[0].query["id_list"] == ["2403.00003,2502.00002"]
    assert report.arxiv.not_enriched == [KEY["F"], KEY["D"]]
    assert any(KEY["F"] in w and KEY["D"] in w for w in report.warnings)
    assert not_enriched(tmp_path) == [PAPER["F"], PAPER["D"]]
    listed = query(tmp_path, "papers-not-enriched")
    assert [(r["arxivId"], r["title"]) for r in listed] == [
        ("2403.00003", "Paper F"),
        ("2502.00002", "Paper D"),
    ]
    assert cached_ids(tmp_path) == ["2301.00001"]  # nothing cached for the failed ids
    # A by arXiv's date; F and D by their identifiers; B by its (2025)! marker.
    assert query(tmp_path, "papers-per-arxiv-year") == [
        {"year": "2023", "papers": "1"},
        {"year": "2024", "papers": "1"},
        {"year": "2025", "papers": "2"},
    ]

    api.clear()  # healthy again
    healed = build(tmp_path, url)
    assert [r.query["id_list"] for r in api.requests] == [["2403.00003,2502.00002"]]
    assert healed.arxiv.not_enriched == [] and healed.arxiv.from_cache == 1
    assert query(tmp_path, "papers-not-enriched") == []
    assert cached_ids(tmp_path) == list(IDS)


def test_partial_answer_enriches_the_others(fake_server: FakeServer, tmp_path: Path) -> None:
    url = fake_server.url_for(API)
    fake_server.route(API, FakeArxiv(omit=("2403.00003",)))
    report = build(tmp_path, url)
    assert report.arxiv.not_enriched == [KEY["F"]]
    assert "2403.00003" in report.arxiv.failed
    assert not_enriched(tmp_path) == [PAPER["F"]]
    enriched = select(tmp_path, "SELECT ?p WHERE { ?p genrl:enriched true } ORDER BY ?p")
    assert enriched == [(PAPER["A"],), (PAPER["D"],)]
    assert cached_ids(tmp_path) == ["2301.00001", "2502.00002"]
    fake_server.route(API, FakeArxiv())
    fake_server.clear()
    build(tmp_path, url)
    assert [r.query["id_list"] for r in fake_server.requests] == [["2403.00003"]]
    assert not_enriched(tmp_path) == []


# --------------------------------------------------------------------------- saved queries

LEAVES = {
    "diffusion-policy": "Diffusion Policy",
    "plan": "Diffusion models for planning and exploration",
    "llm": "Learning reward functions with LLMs",
    "policy-safety": "Policy Safety",
    "vlm": "VLMs for reward learning",
}
LEAF_IRI = {
    "diffusion-policy": "diffusion-policy",
    "plan": "diffusion-models-for-planning-and-exploration",
    "llm": "learning-reward-functions-with-llms",
    "policy-safety": "policy-safety",
    "vlm": "vlms-for-reward-learning",
}
# Leaves in the query's order (by label, code point order: 'Diffusion P' < 'Diffusion m').
LEAF_ORDER = ["diffusion-policy", "plan", "llm", "policy-safety", "vlm"]
# The one arXiv paper of each leaf: A in the LLM and VLM reward leaves, D in planning and
# diffusion policy, F in policy safety (so it is also each leaf's newest).
IN_LEAF = {"diffusion-policy": "D", "plan": "D", "llm": "A", "policy-safety": "F", "vlm": "A"}
ISSUED = {"A": "2023-12-30", "D": "2025-02-03", "F": "2024-03-04"}
TITLE = {"A": "Paper A", "D": "Paper D", "F": "Paper F"}
FIRST = {"A": "Alice Smith", "D": "Alice Smith", "F": "Bob Jones"}
BM = "https://w3id.org/genrl-kg/base-model/"
CAT = "https://w3id.org/genrl-kg/arxiv-category/"

EXPECTED: dict[str, tuple[dict[str, str], list[tuple[str, ...]]]] = {
    # (parameters, rows); columns are those of the query's SELECT, in order.
    # A, F, D by arXiv's date; B (no arXiv id) by its (2025)! marker.
    "papers-per-arxiv-year": ({}, [("2023", "1"), ("2024", "1"), ("2025", "2")]),
    "papers-per-year-and-base-model": (
        {},
        [
            ("2023", BM + "llm", "Large language model", "1"),  # A (LLM leaf)
            ("2023", BM + "vlm", "Vision-language model", "1"),  # A (VLM leaf)
            # F sits in policy safety, about two base models, and its title names none: no
            # base model of its own, so it is not counted.
            ("2025", BM + "diffusion-model", "Diffusion model", "1"),  # D (two leaves, once)
            ("2025", BM + "llm", "Large language model", "1"),  # B (LLM leaf, (2025)! marker)
        ],
    ),
    "top-authors": (
        {"minPapers": "2"},
        [
            (BASE + "person/bob-jones", "Bob Jones", "2", "3", "1"),
            (BASE + "person/alice-smith", "Alice Smith", "2", "2", "2"),
        ],
    ),
    "papers-per-primary-category": (
        {},
        [(CAT + "cs.RO", "cs.RO", "2"), (CAT + "cs.LG", "cs.LG", "1")],
    ),
    "first-authors-per-leaf": (
        {},
        [(LEAF_IRI[leaf], LEAVES[leaf], FIRST[IN_LEAF[leaf]], "1") for leaf in LEAF_ORDER],
    ),
    "newest-papers-per-leaf": (
        {},
        [
            (LEAF_IRI[leaf], LEAVES[leaf], PAPER[p], TITLE[p], ISSUED[p])
            for leaf, p in ((leaf, IN_LEAF[leaf]) for leaf in LEAF_ORDER)
        ],
    ),
    "title-mismatches": ({}, [(PAPER["D"], "mismatch", "Paper D", "Something Else Entirely")]),
    "papers-not-enriched": ({}, []),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_arxiv_saved_query_rows(enriched: Path, name: str) -> None:
    params, expected = EXPECTED[name]
    result = query(enriched, name, **params)
    assert [tuple(r.values()) for r in result] == expected


def test_top_authors_keeps_people_sharing_a_surname_apart(enriched: Path) -> None:
    everyone = query(enriched, "top-authors", minPapers="1")
    names = [(r["name"], r["papers"], r["firstAuthor"]) for r in everyone]
    assert names == [
        ("Bob Jones", "3", "1"),
        ("Alice Smith", "2", "2"),
        ("Carol White", "1", "0"),
        ("David Smith", "1", "0"),
        ("Erin Smith", "1", "0"),
    ]
    assert len({r["person"] for r in everyone}) == 5


def test_one_person_node_per_normalised_name(fake_server: FakeServer, tmp_path: Path) -> None:
    # BUG (reported): the merged person gets both spellings as schema:name, and top-authors
    # (GROUP BY ?person ?name) then lists the same person twice.
    a = entry("2301.00001", title="Paper A", authors=[("José Müller", ())])
    d = entry("2502.00002", title="Paper D", authors=[("Jose Muller", ())])
    answer = FakeResponse(body=feed([a, d]), content_type="application/atom+xml")
    fake_server.route(API, answer)
    build(tmp_path, fake_server.url_for(API))
    people = select(tmp_path, "SELECT DISTINCT ?p WHERE { ?p a genrl:Person }")
    assert people == [(BASE + "person/jose-muller",)]
    top = query(tmp_path, "top-authors", minPapers="1")
    assert [(r["papers"], r["firstAuthor"]) for r in top] == [("2", "2")]


def test_ordered_authorship_typed_dates_and_doi(enriched: Path) -> None:
    authors = select(
        enriched,
        f"SELECT ?pos ?name WHERE {{ <{PAPER['D']}> genrl:authorship ?a . "
        "?a genrl:position ?pos ; genrl:author/schema:name ?name } ORDER BY ?pos",
    )
    assert authors == [("1", "Alice Smith"), ("2", "David Smith"), ("3", "Bob Jones")]
    iris = select(
        enriched,
        f"SELECT ?a WHERE {{ <{PAPER['D']}> genrl:authorship ?a }} ORDER BY ?a",
    )
    assert [r[0] for r in iris] == [f"{BASE}authorship/{KEY['D']}/{n}" for n in (1, 2, 3)]
    dates = select(
        enriched,
        "SELECT ?p (STR(?i) AS ?issued) (DATATYPE(?i) AS ?t) (DATATYPE(?m) AS ?mt) "
        "WHERE { ?p dcterms:issued ?i ; dcterms:modified ?m } ORDER BY ?p",
    )
    assert dates == [
        (PAPER["A"], "2023-12-30", XSD_DATE, XSD_DATE),
        (PAPER["F"], "2024-03-04", XSD_DATE, XSD_DATE),
        (PAPER["D"], "2025-02-03", XSD_DATE, XSD_DATE),
    ]
    wdt_doi = "<http://www.wikidata.org/prop/direct/P356>"
    dois = select(enriched, f"SELECT ?p ?doi WHERE {{ ?p {wdt_doi} ?doi }}")
    assert dois == [(PAPER["D"], "10.1234/ABC.5678")]
    checks = select(enriched, "SELECT ?p ?c WHERE { ?p genrl:titleCheck ?c } ORDER BY ?p")
    assert checks == [(PAPER["A"], "match"), (PAPER["F"], "match"), (PAPER["D"], "mismatch")]
    versions = select(enriched, "SELECT ?v WHERE { ?p genrl:arxivVersion ?v } ORDER BY ?v")
    assert versions == [("1",), ("1",), ("2",)]


# --------------------------------------------------------------------------- command line


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m genrl_kg.cli`` with *args*; return the finished process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENRL_KG_")}
    return subprocess.run(
        [sys.executable, "-m", "genrl_kg.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.mark.slow
def test_cli_build_with_arxiv_url_then_offline(api: FakeServer, tmp_path: Path) -> None:
    source = make_source(tmp_path)
    common = ["--source", str(source), "--store", str(tmp_path / "store")]
    common += ["--cache", str(tmp_path / "cache"), "--arxiv-url", api.url_for(API)]
    first = run_cli("build", *common)
    assert first.returncode == 0, first.stderr
    assert len(api.requests) == 1
    assert api.requests[0].headers["user-agent"] == settings.USER_AGENT
    assert "3 fetched, 0 from cache, 0 failed" in first.stderr
    assert cached_ids(tmp_path) == list(IDS)
    assert query(tmp_path, "papers-per-arxiv-year")[0] == {"year": "2023", "papers": "1"}

    api.clear()
    (tmp_path / "cache" / "arxiv" / "2403.00003.json").unlink()
    offline = run_cli("build", *common, "--offline")
    assert offline.returncode == 0, offline.stderr
    assert api.requests == []
    assert "2 from cache, 1 failed" in offline.stderr
    assert KEY["F"] in offline.stderr
    assert not_enriched(tmp_path) == [PAPER["F"]]


# --------------------------------------------------------------------------- rebuilds


def test_rebuild_within_one_second_replaces_the_graph(tmp_path: Path) -> None:
    # BUG (reported): write_store names a build by the second and the pid, so a second build in
    # the same second reopens the live database and adds to it instead of replacing it.
    from genrl_kg.store import write_store

    def quad(value: str) -> ox.Quad:
        return ox.Quad(
            ox.NamedNode("https://example.org/s"),
            ox.NamedNode("https://example.org/p"),
            ox.Literal(value),
            ox.NamedNode("https://example.org/g"),
        )

    write_store(tmp_path / "store", [quad("old")])
    write_store(tmp_path / "store", [quad("new")])
    assert [q.object.value for q in open_store(tmp_path / "store")] == ["new"]
