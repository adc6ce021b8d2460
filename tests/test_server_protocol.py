"""The SPARQL endpoint over real sockets: protocol details, conneg, SD, VoID, GSP, API, headers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from w3c_protocol.harness import BASE, build_store, live_server, raw_get, sample_quads

from genrl_kg.settings import QUERIES_DIR

PAPER_QUERY = "SELECT ?p ?t WHERE { ?p a <https://w3id.org/genrl-kg/ontology#Paper> ; <http://purl.org/dc/terms/title> ?t }"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the sample graph with a small row cap."""
    store = build_store(tmp_path_factory.mktemp("proto") / "store", sample_quads(30))
    with live_server(store, timeout=5.0, row_cap=25, workers=2) as base_url:
        yield base_url


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    """An HTTP client with a timeout."""
    with httpx.Client(timeout=30) as http:
        yield http


def test_default_graph_is_union(url: str, client: httpx.Client) -> None:
    """Triples from several named graphs are visible without GRAPH."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    data = client.get(url + "/sparql", params={"query": query}).json()
    assert data["results"]["bindings"][0]["n"]["value"] == str(len(sample_quads(30)))


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_select_conneg(url: str, client: httpx.Client, accept: str, media: str) -> None:
    """Each results format is served on request, and parses back to the same rows."""
    response = client.get(
        url + "/sparql", params={"query": PAPER_QUERY + " LIMIT 3"}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    if media != "text/csv":
        parsed = ox.parse_query_results(
            response.content,
            format={
                "application/sparql-results+json": ox.QueryResultsFormat.JSON,
                "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                "text/tab-separated-values": ox.QueryResultsFormat.TSV,
            }[media],
        )
        assert isinstance(parsed, ox.QuerySolutions) and len(list(parsed)) == 3


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "rdfxml"])
def test_construct_formats(url: str, client: httpx.Client, fmt: str) -> None:
    """CONSTRUCT answers parse back in every graph format chosen with ?format=."""
    query = f"CONSTRUCT {{ ?p ?x ?t }} WHERE {{ {PAPER_QUERY[PAPER_QUERY.index('{') + 1 : -1]} BIND(<urn:x> AS ?x) }} LIMIT 20"
    response = client.get(url + "/sparql", params={"query": query, "format": fmt})
    assert response.status_code == 200, response.text
    rdf_format = {
        "turtle": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD,
        "rdfxml": ox.RdfFormat.RDF_XML,
    }[fmt]
    assert len(list(ox.parse(response.content, format=rdf_format))) == 20


def test_not_acceptable(url: str, client: httpx.Client) -> None:
    """406 when the client accepts nothing we can produce."""
    response = client.get(
        url + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    response = client.get(url + "/sparql", params={"query": "ASK {}", "format": "csv"})
    assert response.status_code == 406


def test_form_post_merges_url_and_body(url: str, client: httpx.Client) -> None:
    """URL parameters and form-body parameters are merged."""
    response = client.post(
        url + "/sparql?format=csv",
        data={"query": "SELECT (1 AS ?one) {}"},
    )
    assert response.status_code == 200
    assert response.text.splitlines() == ["one", "1"]


def test_syntax_error_has_position(url: str, client: httpx.Client) -> None:
    """A malformed query is a 400 naming the parser's position."""
    response = client.get(url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "1:" in response.text and "malformed query" in response.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_methods(url: str, client: httpx.Client, method: str) -> None:
    """Other methods get 405 with an Allow header."""
    response = client.request(method, url + "/sparql", params={"query": "ASK {}"})
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


def test_query_in_url_and_direct_body(url: str, client: httpx.Client) -> None:
    """A direct POST whose URL also names a query is refused."""
    response = client.post(
        url + "/sparql?query=ASK%7B%7D",
        content="ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400


def test_row_cap_is_an_error_before_the_status(url: str, client: httpx.Client) -> None:
    """Over the row cap: a complete error response, never a 200 with a cut body."""
    response = client.get(url + "/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 422
    assert "25 rows" in response.text
    ok = client.get(url + "/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 25"})
    assert len(ok.json()["results"]["bindings"]) == 25


def test_service_description(url: str, client: httpx.Client) -> None:
    """GET /sparql without a query describes the service and its union default graph."""
    response = client.get(url + "/sparql", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    objects = {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
    assert "http://www.w3.org/ns/sparql-service-description#UnionDefaultGraph" in objects
    assert BASE + "graph/list" in objects


def test_void_counts(url: str, client: httpx.Client) -> None:
    """VoID gives the store's real triple counts, per graph too."""
    response = client.get(url + "/.well-known/void", params={"format": "nt"})
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    counts = {
        t.subject.value: int(t.object.value)
        for t in triples
        if t.predicate.value.endswith("#triples")
    }
    assert counts[BASE + "dataset"] == len(sample_quads(30))
    assert counts[BASE + "graph/links"] == 1


def test_graph_store_read(url: str, client: httpx.Client) -> None:
    """GSP: ?graph= returns that graph; unknown graphs are 404; both/neither are 400."""
    response = client.get(
        url + "/graph-store",
        params={"graph": BASE + "graph/links"},
        headers={"Accept": "application/n-triples"},
    )
    assert response.status_code == 200
    assert len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))) == 1
    assert (
        client.get(url + "/graph-store", params={"graph": BASE + "graph/none"}).status_code == 404
    )
    assert client.get(url + "/graph-store").status_code == 400


def test_security_headers(url: str, client: httpx.Client) -> None:
    """Security headers on every response, the fast path's and the full stack's alike."""
    for response in (
        client.get(url + "/sparql", params={"query": "ASK {}"}),
        client.get(url + "/health"),
        client.get(url + "/resource/paper/none"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


READ_ROUTES = [
    ("/sparql", {"query": "ASK {}"}),
    ("/sparql", {}),
    ("/api/queries", {}),
    ("/api/openapi.json", {}),
    ("/api/queries/paper-by-arxiv-id", {"arxivId": "2303.00004"}),
    ("/resource/paper/arxiv/2303.00000", {"format": "turtle"}),
    ("/resource/paper/none", {}),
    ("/.well-known/void", {}),
    ("/graph-store", {"graph": BASE + "graph/links"}),
]


@pytest.mark.parametrize(("path", "params"), READ_ROUTES)
def test_cross_origin_reads_on_read_routes(
    url: str, client: httpx.Client, path: str, params: dict[str, str]
) -> None:
    """GET on a read route is readable from any origin, with or without an Origin header."""
    for headers in ({"Origin": "https://example.org"}, {}):
        response = client.get(url + path, params=params, headers=headers)
        assert response.headers.get("access-control-allow-origin") == "*", (path, headers)
        assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize("path", ["/health", "/status", "/", "/static/app.js"])
def test_no_cors_outside_the_read_routes(url: str, client: httpx.Client, path: str) -> None:
    """/health, /status and the query page carry no CORS header; their preflight is refused."""
    response = client.get(url + path, headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert not any(name.startswith("access-control-") for name in response.headers)
    preflight = client.options(
        url + path,
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 403
    assert not any(name.startswith("access-control-") for name in preflight.headers)


def test_health_is_only_what_a_load_balancer_needs(url: str, client: httpx.Client) -> None:
    """/health answers {"status": "ok"} and nothing else: no PIDs, no counters."""
    response = client.get(url + "/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_status_has_counters_but_no_pids(url: str, client: httpx.Client) -> None:
    """/status (no CORS) gives this process's counters, never a process id."""
    document = client.get(url + "/status").json()
    assert set(document) == {
        "instance",
        "workers",
        "jobs",
        "worker_deaths",
        "fast_path_requests",
        "cache",
    }
    assert document["workers"] == 2 and "pid" not in json.dumps(document)


@pytest.mark.parametrize(
    ("method", "request_headers"),
    [("POST", "content-type"), ("POST", ""), ("PUT", ""), ("GET", "authorization")],
)
def test_preflight_refused_for_anything_but_a_plain_read(
    url: str, client: httpx.Client, method: str, request_headers: str
) -> None:
    """No preflight approval for POST /sparql, other methods, or non-safelisted headers."""
    headers = {"Origin": "https://example.org", "Access-Control-Request-Method": method}
    if request_headers:
        headers["Access-Control-Request-Headers"] = request_headers
    preflight = client.options(url + "/sparql", headers=headers)
    assert preflight.status_code == 403
    assert not any(name.startswith("access-control-") for name in preflight.headers)


def test_preflight_approved_for_a_read(url: str, client: httpx.Client) -> None:
    """A preflight for GET with an Accept header on a read route is approved, GET/HEAD only."""
    preflight = client.options(
        url + "/api/queries/paper-by-arxiv-id",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD"


def test_cross_origin_post_is_not_readable(url: str, client: httpx.Client) -> None:
    """A POST query is answered, but without CORS headers: a browser page cannot read it."""
    response = client.post(
        url + "/sparql",
        data={"query": "ASK {}"},
        headers={"Origin": "https://example.org", "Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200 and response.json()["boolean"] is True
    assert "access-control-allow-origin" not in response.headers


def test_updates_are_refused_read_only(url: str, client: httpx.Client) -> None:
    """The endpoint takes no update, in any form: 403 naming the read-only policy."""
    for content, ctype in (
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"),
        ("update=CLEAR+ALL", "application/x-www-form-urlencoded"),
    ):
        response = client.post(url + "/sparql", content=content, headers={"Content-Type": ctype})
        assert response.status_code == 403 and "read-only" in response.text
    response = client.get(url + "/sparql", params={"update": "CLEAR ALL"})
    assert response.status_code == 405 and response.headers["allow"] == "POST"


def test_saved_queries_api(url: str, client: httpx.Client) -> None:
    """The saved queries are listed with parameters and run with typed bindings."""
    listing = client.get(url + "/api/queries").json()["queries"]
    by_name = {q["name"]: q for q in listing}
    assert by_name["paper-by-arxiv-id"]["parameters"][0]["name"] == "arxivId"
    response = client.get(url + "/api/queries/paper-by-arxiv-id", params={"arxivId": "2303.00004"})
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert [r["title"]["value"] for r in rows] == ["Paper number 4"]
    csv = client.get(
        url + "/api/queries/paper-by-arxiv-id", params={"arxivId": "2303.00004", "format": "csv"}
    )
    assert csv.headers["content-type"].startswith("text/csv") and "Paper number 4" in csv.text


def test_saved_query_injection_is_inert(url: str, client: httpx.Client) -> None:
    """A parameter value is bound as a literal, never pasted into the text."""
    evil = '2303.00004" } UNION { ?paper ?x ?title } #'
    response = client.get(url + "/api/queries/paper-by-arxiv-id", params={"arxivId": evil})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/queries/no-such-query", {}, 404),
        ("/api/queries/..%2F..%2Fetc%2Fpasswd", {}, 404),
        ("/api/queries/papers-in-category", {"category": "not an iri"}, 400),
        ("/api/queries/paper-by-arxiv-id", {"bogus": "1"}, 400),
    ],
)
def test_saved_query_errors(
    url: str, client: httpx.Client, path: str, params: dict[str, str], status: int
) -> None:
    """Unknown queries, escaping names and ill-typed or unknown parameters are refused."""
    assert client.get(url + path, params=params).status_code == status


def _declared_parameters(text: str) -> list[str]:
    """Return the parameter names a .rq header declares, read with a regex of our own."""
    return re.findall(r"^#\+\s*param:\s*([A-Za-z_]\w*)\s*\|", text, re.MULTILINE)


def test_openapi_document(url: str, client: httpx.Client) -> None:
    """The listing plus one operation per .rq file shipped, with the parameters it declares."""
    doc = client.get(url + "/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    files = {
        p.name[:-3]: p.read_text(encoding="utf-8")
        for p in QUERIES_DIR.iterdir()
        if p.name.endswith(".rq")
    }
    assert len(files) > 10
    assert set(doc["paths"]) == {"/api/queries"} | {f"/api/queries/{name}" for name in files}
    for name, text in files.items():
        operation = doc["paths"][f"/api/queries/{name}"]["get"]
        names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
        assert [n for n in names if n != "format"] == _declared_parameters(text), name


def test_linked_data_html_and_rdf(url: str, client: httpx.Client) -> None:
    """A paper IRI resolves to HTML for people and Turtle/JSON-LD for machines."""
    path = url + "/resource/paper/arxiv/2303.00000"
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<title>Paper number 0</title>" in page.text
    assert 'href="/resource/taxonomy/diffusion-policy"' in page.text
    assert 'href="http://www.wikidata.org/entity/Q42"' in page.text
    assert "https://arxiv.org/abs/2303.00000" in page.text
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
    assert any(t.object == ox.Literal("Paper number 0") for t in triples)
    jsonld = client.get(path, params={"format": "jsonld"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")


UNKNOWN = "/resource/paper/arxiv/0000.00000"


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/html", None),
        ("text/turtle", None),
        ("application/ld+json", None),
        ("application/n-triples", None),
        ("application/rdf+xml", None),
        ("*/*", None),
        (None, "jsonld"),
    ],
)
def test_unknown_resource_is_404_in_every_format(
    url: str, client: httpx.Client, accept: str | None, fmt: str | None
) -> None:
    """An IRI nothing mentions is a 404 naming it, whatever format was asked for."""
    headers = {"Accept": accept} if accept else {}
    params = {"format": fmt} if fmt else {}
    response = client.get(url + UNKNOWN, headers=headers, params=params)
    assert response.status_code == 404
    assert response.text == f"nothing is known about <{BASE}paper/arxiv/0000.00000>\n"


@pytest.mark.parametrize(
    "path", ["/resource/../sparql", "/resource/a/%2E%2E/b", "/resource/a/./b", "/resource/a//b"]
)
def test_resource_paths_cannot_escape_the_base(url: str, path: str) -> None:
    """Dot segments, sent as written (httpx would clean them up), never leave /resource/."""
    for accept in ("text/html", "text/turtle"):
        status, body = raw_get(url, path, {"Accept": accept})
        assert (status, body) == (404, b"no such resource\n"), path
