"""The explorer's API against a graph built from a fixture list, workbook and stand-in arXiv."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
import httpx
import pyoxigraph as ox
import pytest
from fake_servers import FakeResponse, FakeServer, RecordedRequest
from test_arxiv import entry, feed
from w3c_protocol.harness import live_server
from xlsx_fixtures import write_workbook

from genrl_kg.build import ArxivOptions, BuildOptions, run_build
from genrl_kg.queries import bind_parameters, load_saved_queries, run_query
from genrl_kg.server.editor import fill_parameters
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import database_path, open_store

BASE = "https://w3id.org/genrl-kg/"
API = "/api/query"
PREFIXES = """PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# The survey's real headings (so sections map to the ontology's concepts); invented papers.
LIST = """\
# Fixture survey for the explorer

## Generative Tools for RL

### Task

#### Reward Signal

##### 1.Learning reward functions with LLMs
- Rewardsmith: Language Models Write Dense Rewards [[paper]](https://arxiv.org/abs/2310.20001)

#### Planning & Exploration

##### 4.Diffusion models for planning and exploration
- Plannerdiff: Diffusion Planning for Long Horizons [[paper]](https://arxiv.org/abs/2205.20002)

## RL for Generative Policies

### RL Pre-Training

#### 1.Transformer Policy
- Gatotron: A Transformer Controller for Many Robots [[paper]](https://arxiv.org/abs/2205.20003)

#### 2.Diffusion Policy
- (2025)! Visuoflow: Visuomotor Policy Learning via Action Diffusion [[paper]](https://arxiv.org/abs/2403.20004)
- (2024)! Graspdiff: Diffusion Policies for Dexterous Grasping [[paper]](https://arxiv.org/abs/2402.20005)
- Slowdiff: Offline Diffusion Policies Without Released Code [[paper]](https://arxiv.org/abs/2306.20006)
- Quietdiff: A Diffusion Policy No Table Mentions [[paper]](https://arxiv.org/abs/2307.20007)
"""
ARXIV = {
    "rewardsmith": "2310.20001",
    "plannerdiff": "2205.20002",
    "gatotron": "2205.20003",
    "visuoflow": "2403.20004",
    "graspdiff": "2402.20005",
    "slowdiff": "2306.20006",
    "quietdiff": "2307.20007",
}
PAPER = {name: f"{BASE}paper/arxiv/{arxiv_id}" for name, arxiv_id in ARXIV.items()}
# name -> (title, authors in order, first version, abstract)
ARXIV_RECORDS = {
    "rewardsmith": (
        "Rewardsmith: Language Models Write Dense Rewards",
        ["Rhea Smith", "Omar Khan"],
        "2023-10-05T10:00:00Z",
        "Large language models write reward code for robots.",
    ),
    "plannerdiff": (
        "Plannerdiff: Diffusion Planning for Long Horizons",
        ["Paula Janner", "Yi Du"],
        "2022-05-20T10:00:00Z",
        "Planning by denoising whole trajectories.",
    ),
    "gatotron": (
        "Gatotron: A Transformer Controller for Many Robots",
        ["Sam Reed"],
        "2022-05-12T10:00:00Z",
        "One transformer controls many robots.",
    ),
    "visuoflow": (
        "Visuoflow: Visuomotor Policy Learning via Action Diffusion",
        ["Cheng Chi", "Siyuan Feng", "Shuran Song"],
        "2024-03-07T10:00:00Z",
        "Action diffusion for visuomotor control on real robots.",
    ),
    "graspdiff": (
        "Graspdiff: Diffusion Policies for Dexterous Grasping",
        ["Ana Lopez", "Ben Ito"],
        "2024-02-10T10:00:00Z",
        "A dexterous hand learns to grasp an octopus toy with a diffusion policy.",
    ),
    "slowdiff": (
        "Slowdiff: Offline Diffusion Policies Without Released Code",
        ["Zhen Wang"],
        "2023-06-15T10:00:00Z",
        "Offline reinforcement learning with diffusion policies.",
    ),
    "quietdiff": (
        "Quietdiff: A Diffusion Policy No Table Mentions",
        ["Mia Quiet"],
        "2023-07-01T10:00:00Z",
        "A diffusion policy that no table of the survey describes.",
    ),
}
HEADER = [
    "Name",
    "Framework",
    "Taxonomy",
    "Code Available",
    "Dataset",
    "Modules",
    "Simulation or Real Exp",
]
WORKBOOKS: dict[str, list[list[Any]]] = {
    "Diffusion_Models_for_RL_Table": [
        HEADER,
        [
            "janner2022plannerdiff",
            "Plannerdiff",
            "Diffusion Model",
            "Yes",
            "D4RL",
            "Planning",
            "Simulation",
        ],
        ["chi2024visuoflow", "Visuoflow", "Diffusion Model", "Yes", "Robomimic", "Policy", "Both"],
        [
            "lopez2024graspdiff",
            "Graspdiff",
            "Diffusion Model",
            "Yes",
            "D4RL, Robomimic",
            "Grasping",
            "Real",
        ],
        [
            "wang2023slowdiff",
            "Slowdiff",
            "Diffusion Model",
            "No",
            "D4RL",
            "Offline RL",
            "Simulation",
        ],
    ],
    "Large_Language_Models_for_RL_Table": [
        [
            "Name",
            "Framework",
            " Taxonomy",
            "Base Model",
            "Code Availabale ",
            "Dataset",
            "Modules",
            "Simulation or Real Exp",
        ],
        [
            "smith2023rewardsmith",
            "Rewardsmith",
            "LLM",
            "GPT-4",
            "Yes",
            "Isaac Gym",
            "Rewards",
            "Simulation",
        ],
    ],
}
# what the fixture says, counted by hand
DIFFUSION_POLICY = {"visuoflow", "graspdiff", "slowdiff", "quietdiff"}
WITH_CODE = {"visuoflow", "graspdiff", "plannerdiff", "rewardsmith"}


def arxiv_answer(request: RecordedRequest) -> FakeResponse:
    """Answer an id_list query from ARXIV_RECORDS, as the arXiv API does."""
    by_id = {arxiv_id: name for name, arxiv_id in ARXIV.items()}
    entries = []
    for arxiv_id in request.query.get("id_list", [""])[0].split(","):
        if arxiv_id in by_id:
            title, authors, published, abstract = ARXIV_RECORDS[by_id[arxiv_id]]
            entries.append(
                entry(
                    arxiv_id,
                    title=title,
                    authors=[(a, ()) for a in authors],
                    published=published,
                    summary=abstract,
                    primary="cs.RO",
                )
            )
    return FakeResponse(body=feed(entries), content_type="application/atom+xml")


def build_explorer_store(root: Path) -> Path:
    """Build the fixture into *root*/store (arXiv from a local stand-in); return the database."""
    source = root / "source"
    source.mkdir(parents=True, exist_ok=True)
    (source / "README.md").write_text(LIST, encoding="utf-8")
    for stem, rows in WORKBOOKS.items():
        write_workbook(source / f"{stem}.xlsx", rows)
    with FakeServer() as server:
        server.route(API, arxiv_answer)
        arxiv = ArxivOptions(base_url=server.url_for(API), min_interval=0.01)
        options = BuildOptions(cache_dir=root / "cache", arxiv=arxiv)
        report = run_build(local_source(source), root / "store", options)
    assert report.arxiv.not_enriched == []
    return database_path(root / "store")


def sparql_papers(store_dir: Path, where: str) -> set[str]:
    """Return the papers matching *where* (an independent query on the store)."""
    store = ox.Store.read_only(str(store_dir))
    results = store.query(
        PREFIXES + f"SELECT DISTINCT ?paper WHERE {{ {where} }}", use_default_graph_as_union=True
    )
    assert isinstance(results, ox.QuerySolutions)
    return {s["paper"].value for s in results}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture graph's database."""
    return build_explorer_store(tmp_path_factory.mktemp("explorer"))


@pytest.fixture(scope="module")
def url(store_dir: Path) -> Iterator[str]:
    """Serve the fixture graph."""
    with live_server(store_dir, timeout=10.0, workers=2) as base_url:
        yield base_url


def explore(url: str, **params: str) -> dict[str, Any]:
    """Return /api/explore's JSON for *params*."""
    response = httpx.get(url + "/api/explore", params=params, timeout=30)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def papers(document: dict[str, Any]) -> set[str]:
    """Return the paper IRIs of an /api/explore answer."""
    return {row["paper"] for row in document["rows"]}


def test_category_and_code_equal_the_sparql_query(url: str, store_dir: Path) -> None:
    """category=diffusion-policy&code=available: the papers the equivalent SPARQL returns."""
    found = papers(explore(url, category="diffusion-policy", code="available"))
    expected = sparql_papers(
        store_dir,
        "?paper a genrl:Paper ; dcterms:subject/skos:broader* "
        "<https://w3id.org/genrl-kg/taxonomy/diffusion-policy> ; "
        "genrl:codeAvailability <https://w3id.org/genrl-kg/code-availability/available> .",
    )
    assert found == expected == {PAPER[n] for n in DIFFUSION_POLICY & WITH_CODE}


def test_facet_counts_leave_out_their_own_filter(url: str) -> None:
    """Each facet counts the papers the other filters keep; values of no paper count 0."""
    document = explore(url, category="diffusion-policy", code="available")
    code = {c["value"]: c["count"] for c in document["facets"]["code"]}
    assert code["available"] == 2 and code["not-available"] == 1
    settings = {c["value"]: c["count"] for c in document["facets"]["setting"]}
    assert settings == {"simulation": 0, "real-world": 1, "both": 1}
    datasets = {c["value"]: c["count"] for c in document["facets"]["dataset"]}
    assert datasets == {"robomimic": 2, "d4rl": 1}


def test_tree_counts_equal_the_saved_taxonomy_query(url: str, store_dir: Path) -> None:
    """With no filter, every taxonomy node counts what the saved query taxonomy-tree says."""
    query = load_saved_queries()["taxonomy-tree"]
    saved = {
        s["concept"].value.rsplit("/", 1)[1]: int(s["papers"].value)
        for s in run_query(open_store(store_dir.parent.parent), query)
    }
    tree = {n["slug"]: n["count"] for n in explore(url)["tree"] if n["kind"] == "category"}
    assert tree == saved
    assert tree["diffusion-policy"] == len(DIFFUSION_POLICY)


def test_branch_nodes_filter_what_they_count(url: str) -> None:
    """A base-model node under Base Model keeps as many papers as it shows."""
    tree = explore(url)["tree"]
    node = next(n for n in tree if n["kind"] == "baseModel" and n["slug"] == "diffusion-model")
    document = explore(url, category=node["parent"], baseModel="diffusion-model")
    assert (
        document["total"] == node["count"] == 1
    )  # Plannerdiff is the one under 'Generative Tools'


def test_every_matrix_cell_filters_to_its_count(url: str) -> None:
    """task=T&baseModel=B keeps exactly the papers the survey matrix counts in that cell."""
    cells = httpx.get(url + "/api/charts", timeout=30).json()["matrix"]["rows"]
    assert cells
    for cell in cells:
        document = explore(url, task=cell["task"], baseModel=cell["baseModel"])
        assert document["total"] == cell["papers"], cell


def test_text_search_reads_titles_and_abstracts(url: str) -> None:
    """q matches a word of an abstract and a word of a title, case-insensitively."""
    assert papers(explore(url, q="OCTOPUS")) == {PAPER["graspdiff"]}
    assert papers(explore(url, q="visuoflow")) == {PAPER["visuoflow"]}


def test_values_are_bound_never_pasted(url: str) -> None:
    """A search text that would close the query is matched as text: nothing, and no error."""
    document = explore(url, q='") } } SELECT * WHERE { ?s ?p ?o } #')
    assert document["total"] == 0


def test_since_keeps_papers_added_from_that_year(url: str) -> None:
    """since=2025 keeps the papers whose (YYYY)! marker is 2025 or later."""
    assert papers(explore(url, since="2025")) == {PAPER["visuoflow"]}
    assert papers(explore(url, since="2024")) == {PAPER["visuoflow"], PAPER["graspdiff"]}


def test_rows_sorted_by_title_year_and_listed(url: str) -> None:
    """The table sorts by title (A-Z) by default and by year (newest first) on request."""
    titles = [r["title"] for r in explore(url)["rows"]]
    assert titles == sorted(titles, key=str.casefold)
    years = [r["year"] for r in explore(url, sort="year")["rows"]]
    assert years == sorted(years, reverse=True) and years[0] == 2024


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"colour": "red"}, "unknown parameter 'colour'"),
        ({"category": "no-such-thing"}, "category='no-such-thing': no such category"),
        ({"since": "20x4"}, "since='20x4': give a year as YYYY"),
        ({"sort": "random"}, "sort='random': use one of title, year, listed"),
    ],
)
def test_bad_parameters_are_400_naming_them(url: str, params: dict[str, str], message: str) -> None:
    """An unusable parameter is a 400 whose one line names it."""
    response = httpx.get(url + "/api/explore", params=params, timeout=30)
    assert response.status_code == 400
    assert message in response.text and response.text.count("\n") == 1


def test_repeated_parameter_is_400(url: str) -> None:
    """A filter given twice is refused."""
    response = httpx.get(url + "/api/explore?code=available&code=not-available", timeout=30)
    assert response.status_code == 400 and "given more than once" in response.text


def test_bibtex_of_the_selection(url: str) -> None:
    """/api/papers.bib: one entry per row, table keys, arXiv eprint fields, ordered authors."""
    response = httpx.get(
        url + "/api/papers.bib", params={"category": "diffusion-policy"}, timeout=30
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-bibtex")
    assert "attachment" in response.headers["content-disposition"]
    library = bibtexparser.parse_string(response.text)
    assert not library.failed_blocks
    entries = {e.key: e for e in library.entries}
    assert set(entries) == {
        "chi2024visuoflow",
        "lopez2024graspdiff",
        "wang2023slowdiff",
        "quiet2023quietdiff",  # no table row: surname, year, first title word
    }
    visuo = entries["chi2024visuoflow"]
    assert visuo["author"] == "Cheng Chi and Siyuan Feng and Shuran Song"
    assert (visuo["eprint"], visuo["archivePrefix"], visuo["primaryClass"]) == (
        "2403.20004",
        "arXiv",
        "cs.RO",
    )
    assert visuo["url"] == "https://arxiv.org/abs/2403.20004" and visuo["year"] == "2024"


def test_csv_of_the_table(url: str) -> None:
    """/api/papers.csv: a header and one line per row of the table."""
    response = httpx.get(url + "/api/papers.csv", params={"code": "available"}, timeout=30)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["paper"] for r in rows} == {PAPER[n] for n in WITH_CODE}
    assert {r["code"] for r in rows} == {"available"}


def test_feed_is_served_and_linked(url: str) -> None:
    """/feed.atom is Atom on a CORS read route, and the explorer links it as an alternate."""
    response = httpx.get(url + "/feed.atom", headers={"Origin": "https://example.org"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.text.startswith("<?xml") and "<feed" in response.text
    page = httpx.get(url + "/", timeout=30).text
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml"[^>]*href="/feed.atom"', page
    )


def test_explorer_data_on_cors_read_routes_page_not(url: str) -> None:
    """The explorer's JSON is readable cross-origin; the page itself carries no CORS header."""
    api = httpx.get(url + "/api/explore", headers={"Origin": "https://example.org"}, timeout=30)
    assert api.headers.get("access-control-allow-origin") == "*"
    page = httpx.get(url + "/", headers={"Origin": "https://example.org"}, timeout=30)
    assert not any(name.startswith("access-control-") for name in page.headers)


def test_sparql_html_gives_the_editor_other_accepts_the_description(url: str) -> None:
    """GET /sparql with no query: the editor to text/html, the Service Description otherwise."""
    page = httpx.get(url + "/sparql", headers={"Accept": "text/html"}, timeout=30)
    assert page.headers["content-type"].startswith("text/html")
    plain, yasgui = '<textarea id="query"' in page.text, "/static/vendor/yasgui/" in page.text
    assert plain != yasgui  # one editor or the other: YASGUI when installed, else the plain one
    for accept in ("*/*", "text/turtle", "application/ld+json"):
        description = httpx.get(url + "/sparql", headers={"Accept": accept}, timeout=30)
        assert not description.headers["content-type"].startswith("text/html"), accept
        assert "sparql-service-description#" in description.text, accept


def test_editor_falls_back_without_the_assets(store_dir: Path, tmp_path: Path) -> None:
    """Without YASGUI's files the editor page says how to add them and shows the plain editor."""
    with live_server(store_dir, timeout=10.0, workers=1, vendor_dir=tmp_path) as base_url:
        page = httpx.get(base_url + "/sparql", headers={"Accept": "text/html"}, timeout=30).text
    assert "The YASGUI editor is not installed" in page and "make setup" in page
    assert '<textarea id="query"' in page and "/static/app.js" in page
    assert "vendor/yasgui" not in page


def test_filled_saved_queries_answer_as_the_bound_ones(store_dir: Path) -> None:
    """Each saved query with its defaults filled into its text answers as with bound parameters."""
    store = open_store(store_dir.parent.parent)
    checked = 0
    for query in load_saved_queries().values():
        if not query.parameters or "SERVICE" in query.text:
            continue
        bound = [list(s) for s in run_query(store, query, bind_parameters(query, {}))]
        filled = [list(s) for s in run_query(store, fill_parameters(query))]
        assert filled == bound, query.name
        assert "VALUES (" in fill_parameters(query)
        checked += 1
    assert checked >= 8
