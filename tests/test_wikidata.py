"""Reconciling papers and people with Wikidata: a real `oxigraph serve` and a fake server."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import fake_servers
import pyoxigraph as ox
import pytest
import requests
from fake_servers import FakeResponse, FakeServer, closed_port_url

from genrl_kg import settings
from genrl_kg.build.wikidata import link_wikidata
from genrl_kg.cli.link import format_link_report
from genrl_kg.errors import SourceError
from genrl_kg.rdf import QuadSet
from genrl_kg.rdf import terms as t
from genrl_kg.sources.wikidata import SparqlClient, WikidataCache, make_http
from genrl_kg.sources.wikidata.client import parse_results
from genrl_kg.store import open_store, write_store

fake_server = fake_servers.fake_server

BASE = "https://example.org/kg/"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
WIKIDATA_TTL = """
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix p: <http://www.wikidata.org/prop/> .
@prefix ps: <http://www.wikidata.org/prop/statement/> .
@prefix pq: <http://www.wikidata.org/prop/qualifier/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix s: <http://www.wikidata.org/entity/statement/> .

wd:Q1 wdt:P31 wd:Q13442814 ; wdt:P818 "2303.04137" ; rdfs:label "Diffusion Policy"@en ;
  p:P50 s:a1 , s:a2 .
s:a1 ps:P50 wd:Q101 ; pq:P1545 "1" .
s:a2 ps:P50 wd:Q102 ; pq:P1545 "2" .
wd:Q101 wdt:P31 wd:Q5 ; rdfs:label "Cheng Chi"@en .
wd:Q102 wdt:P31 wd:Q5 ; rdfs:label "Siyuan Feng"@en .

wd:Q2 wdt:P31 wd:Q13442814 ; wdt:P356 "10.1109/ICRA.2024.1" ; p:P50 s:b1 , s:b2 .
s:b1 ps:P50 wd:Q103 ; pq:P1545 "1" .
s:b2 ps:P50 wd:Q104 ; pq:P1545 "2" .
wd:Q103 wdt:P31 wd:Q5 ; rdfs:label "John Smith"@en .
wd:Q104 wdt:P31 wd:Q5 ; rdfs:label "Alice Smith"@en ; skos:altLabel "A. Smith"@en .

wd:Q3 wdt:P31 wd:Q13442814 ; wdt:P818 "2402.00002" .
wd:Q5 wdt:P31 wd:Q13442814 ; wdt:P10283 "W4321" .
wd:Q4 wdt:P31 wd:Q13442814 ; wdt:P818 "2402.00002" .
"""


def _oxigraph() -> str | None:
    """Return the oxigraph binary of the venv or PATH, or None."""
    local = PROJECT_ROOT / ".venv" / "bin" / "oxigraph"
    return str(local) if local.is_file() else shutil.which("oxigraph")


def _free_port() -> int:
    """Return a port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve a small Wikidata-shaped graph with `oxigraph serve`; yield its query URL."""
    binary = _oxigraph()
    if binary is None:
        pytest.skip("the oxigraph binary (PyPI package 'oxigraph') is not installed")
    root = tmp_path_factory.mktemp("wikidata")
    data = root / "wikidata.ttl"
    data.write_text(WIKIDATA_TTL, encoding="utf-8")
    subprocess.run(
        [binary, "load", "--location", str(root / "db"), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    process = subprocess.Popen(
        [binary, "serve-read-only", "--location", str(root / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(200):
            try:
                requests.get(url, params={"query": "ASK {}"}, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _paper(
    graphs: QuadSet,
    key: str,
    arxiv: str | None = None,
    doi: str | None = None,
    openalex: str | None = None,
) -> ox.NamedNode:
    """Add a paper with its identifiers to the list graph."""
    node = graphs.iri("paper", key)
    g = graphs["list"]
    g.add(node, t.RDF.type, t.GENRL.Paper)
    if arxiv:
        g.add(node, t.WDT.P818, t.text(arxiv))
    if doi:
        g.add(node, t.GENRL.doi, t.text(doi))
    if openalex:  # as the OpenAlex stage states it, in its own graph
        graphs["openalex"].add(node, t.WDT.P10283, t.text(openalex))
    return node


def _author(
    graphs: QuadSet, paper: ox.NamedNode, key: str, slug: str, name: str, position: int
) -> ox.NamedNode:
    """Add an authorship (person, name, position) to the arxiv graph."""
    g = graphs["arxiv"]
    person = graphs.iri("person", slug)
    authorship = graphs.iri("authorship", key, str(position))
    g.add(person, t.RDF.type, t.GENRL.Person)
    g.add(person, t.SCHEMA.name, t.text(name))
    g.add(paper, t.GENRL.authorship, authorship)
    g.add(authorship, t.GENRL.author, person)
    g.add(authorship, t.GENRL.position, t.integer(position))
    return person


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """Write a store with six papers and their authors; return its directory."""
    graphs = QuadSet(BASE)
    a = _paper(graphs, "arxiv/2303.04137", arxiv="2303.04137")
    _author(graphs, a, "arxiv/2303.04137", "c-chi", "C. Chi", 1)
    _author(graphs, a, "arxiv/2303.04137", "sam-feng", "Sam Feng", 2)
    b = _paper(graphs, "doi/10.1109/icra.2024.1", doi="10.1109/icra.2024.1")
    _author(graphs, b, "doi/10.1109/icra.2024.1", "jane-smith", "Jane Smith", 1)
    _author(graphs, b, "doi/10.1109/icra.2024.1", "alice-smith", "Alice Smith", 2)
    _paper(graphs, "arxiv/2401.00001", arxiv="2401.00001")
    _paper(graphs, "arxiv/2402.00002", arxiv="2402.00002")
    _paper(graphs, "title/no-identifier")
    _paper(graphs, "web/example.org/only-openalex", openalex="W4321")
    directory = tmp_path / "store"
    write_store(directory, graphs.quads())
    return directory


def _ask(store_dir: Path, query: str) -> bool:
    """Run an ASK query on the live store (union default graph)."""
    return bool(open_store(store_dir).query(query, use_default_graph_as_union=True))


def _links(store_dir: Path) -> set[tuple[str, str]]:
    """Return the owl:sameAs pairs in the links graph."""
    query = f"SELECT ?s ?o WHERE {{ GRAPH <{BASE}graph/links> {{ ?s <http://www.w3.org/2002/07/owl#sameAs> ?o }} }}"
    return {(r["s"].value, r["o"].value) for r in open_store(store_dir).query(query)}  # type: ignore[union-attr]


def test_link_papers_and_people(wikidata: str, store_dir: Path, tmp_path: Path) -> None:
    """arXiv and DOI matches link, a two-item paper is ambiguous, people need ordinal and name."""
    report = link_wikidata(store_dir, endpoint=wikidata, cache_dir=tmp_path / "cache", base=BASE)
    wd = "http://www.wikidata.org/entity/"
    assert _links(store_dir) == {
        (BASE + "paper/arxiv/2303.04137", wd + "Q1"),
        (BASE + "paper/doi/10.1109/icra.2024.1", wd + "Q2"),
        (BASE + "paper/web/example.org/only-openalex", wd + "Q5"),  # by OpenAlex id, P10283
        (BASE + "person/c-chi", wd + "Q101"),
        (BASE + "person/alice-smith", wd + "Q104"),
    }
    assert (
        report.papers,
        report.papers_linked,
        report.papers_unlinked,
        report.papers_ambiguous,
    ) == (5, 3, 1, 1)
    assert report.ambiguous[0]["items"] == ["Q3", "Q4"]
    assert (report.authors_linked, report.authors_unlinked) == (2, 2)
    assert report.store_changed and not report.offline
    assert _ask(
        store_dir,
        f"""ASK {{ <{BASE}wikidata-link/arxiv/2303.04137>
              <http://purl.org/dc/terms/identifier> "2303.04137" ;
              <https://schema.org/propertyID> <http://www.wikidata.org/prop/direct/P818> ;
              <http://www.w3.org/ns/prov#wasDerivedFrom> <{wikidata}> ;
              <http://www.w3.org/ns/prov#generatedAtTime> ?t }}""",
    )
    assert _ask(
        store_dir, f"ASK {{ <{BASE}paper/doi/10.1109/icra.2024.1> <https://schema.org/sameAs> ?x }}"
    )
    assert "3 linked, 1 unlinked, 1 ambiguous" in format_link_report(report)
    negative = WikidataCache(tmp_path / "cache" / "wikidata").load("arxiv", "2401.00001", wikidata)
    assert negative is not None and negative.value == [] and negative.retrieved


def _proxy(fake_server: FakeServer, upstream: str) -> str:
    """Forward every request to /query on *fake_server* to *upstream*; return the proxy's URL."""

    def forward(request: fake_servers.RecordedRequest) -> FakeResponse:
        answer = requests.post(
            upstream,
            data=request.body,
            headers={"Content-Type": request.headers["content-type"]},
            timeout=10,
        )
        return FakeResponse(
            status=answer.status_code,
            body=answer.content,
            content_type=answer.headers["Content-Type"],
        )

    fake_server.route("/query", forward)
    return fake_server.url_for("/query")


def test_second_run_makes_no_request(
    wikidata: str, fake_server: FakeServer, store_dir: Path, tmp_path: Path
) -> None:
    """A second run answers from the cache: the server in front of the endpoint sees nothing."""
    url = _proxy(fake_server, wikidata)
    first = link_wikidata(store_dir, endpoint=url, cache_dir=tmp_path / "cache", base=BASE)
    assert len(fake_server.requests) == first.requests >= 4
    before = _links(store_dir)
    fake_server.clear()
    second = link_wikidata(store_dir, endpoint=url, cache_dir=tmp_path / "cache", base=BASE)
    assert fake_server.requests == [] and second.requests == 0
    assert second.papers_linked == 3 and _links(store_dir) == before


def test_offline_changes_nothing(wikidata: str, store_dir: Path, tmp_path: Path) -> None:
    """--offline and an unreachable endpoint both leave the store exactly as it was."""
    target = os.readlink(store_dir / "current")
    report = link_wikidata(
        store_dir, endpoint=wikidata, cache_dir=tmp_path / "c", offline=True, base=BASE
    )
    assert report.offline and report.requests == 0 and not report.store_changed
    report = link_wikidata(
        store_dir, endpoint=closed_port_url("/q"), cache_dir=tmp_path / "c", base=BASE
    )
    assert report.offline and "connection refused" in report.offline_reason
    assert "nothing was changed" in format_link_report(report)
    assert os.readlink(store_dir / "current") == target
    assert _links(store_dir) == set()
    link_wikidata(store_dir, endpoint=wikidata, cache_dir=tmp_path / "c", base=BASE)
    linked = _links(store_dir)
    report = link_wikidata(
        store_dir, endpoint=wikidata, cache_dir=tmp_path / "c", offline=True, base=BASE
    )
    assert report.papers_linked == 3  # counted from the cache
    assert _links(store_dir) == linked


def test_refresh_asks_again(wikidata: str, store_dir: Path, tmp_path: Path) -> None:
    """--refresh ignores the cache and asks the endpoint again."""
    first = link_wikidata(store_dir, endpoint=wikidata, cache_dir=tmp_path / "c", base=BASE)
    again = link_wikidata(
        store_dir, endpoint=wikidata, cache_dir=tmp_path / "c", refresh=True, base=BASE
    )
    assert again.requests == first.requests > 0


def _results(*rows: dict[str, str]) -> FakeResponse:
    """Return a SPARQL JSON results answer with *rows* of URI/literal bindings."""
    import json

    bindings = [
        {
            k: {"type": "uri" if v.startswith("http") else "literal", "value": v}
            for k, v in row.items()
        }
        for row in rows
    ]
    body = json.dumps({"head": {"vars": ["item", "id"]}, "results": {"bindings": bindings}})
    return FakeResponse(body=body, content_type="application/sparql-results+json")


def _client(**kwargs: float) -> SparqlClient:
    """Return a client with fast retries for tests."""
    return SparqlClient(
        make_http(timeout=kwargs.get("timeout", 5.0), max_retries=2, backoff=0.01, max_wait=5)
    )


def test_batched_form_post_with_user_agent(fake_server: FakeServer) -> None:
    """Identifiers go in VALUES batches, POSTed as a form, with our User-Agent."""
    fake_server.route("/sparql", _results({"item": "http://www.wikidata.org/entity/Q7", "id": "1"}))
    client = _client()
    found = client.items_by_identifier(fake_server.url_for("/sparql"), "P818", ["1", "2"])
    assert found == {"1": ["Q7"], "2": []}
    (request,) = fake_server.requests
    assert request.method == "POST"
    assert request.headers["user-agent"] == settings.USER_AGENT
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "application/sparql-results+json" in request.headers["accept"]
    query = parse_qs(request.body.decode())["query"][0]
    assert 'VALUES ?id { "1" "2" }' in query and "wdt:P818" in query


def test_batches_split(wikidata: str, store_dir: Path, tmp_path: Path) -> None:
    """With batch size 2, three arXiv ids, three linked papers (authors) and four author items
    each take one query more."""
    report = link_wikidata(
        store_dir, endpoint=wikidata, cache_dir=tmp_path / "c", base=BASE, batch_size=2
    )
    wide = link_wikidata(
        store_dir, endpoint=wikidata, cache_dir=tmp_path / "d", base=BASE, batch_size=200
    )
    assert report.requests == wide.requests + 3


def test_429_retry_after_is_honoured(fake_server: FakeServer) -> None:
    """A 429 with Retry-After: 1 is retried after about a second."""
    fake_server.queue(FakeResponse(status=429, headers={"Retry-After": "1"}))
    fake_server.route("/sparql", _results())
    assert _client().items_by_identifier(fake_server.url_for("/sparql"), "P818", ["1"]) == {"1": []}
    first, second = fake_server.requests
    assert second.time - first.time >= 0.9


@pytest.mark.parametrize(
    "answer",
    [
        FakeResponse(status=503),
        FakeResponse(body="<html><body>Service busy</body></html>", content_type="text/html"),
        FakeResponse(body='{"unexpected": true}', content_type="application/json"),
        FakeResponse(body="not json at all", content_type="application/sparql-results+json"),
        FakeResponse(status=400, body="bad query"),
    ],
    ids=["503", "html", "json-not-results", "garbage", "400"],
)
def test_bad_answers_raise_and_are_never_cached(
    fake_server: FakeServer, answer: FakeResponse, store_dir: Path, tmp_path: Path
) -> None:
    """A 5xx, HTML, non-results JSON or garbage answer is an error; nothing is cached or stored."""
    fake_server.route("/sparql", answer)
    target = os.readlink(store_dir / "current")
    with pytest.raises(SourceError):
        link_wikidata(
            store_dir,
            endpoint=fake_server.url_for("/sparql"),
            cache_dir=tmp_path / "c",
            base=BASE,
            http=make_http(timeout=5, max_retries=1, backoff=0.01),
        )
    assert not list((tmp_path / "c").rglob("*.json"))
    assert os.readlink(store_dir / "current") == target


def test_timeout_is_an_error(fake_server: FakeServer) -> None:
    """An endpoint slower than the timeout fails after the retries."""
    fake_server.route("/sparql", FakeResponse(delay=1.0))
    client = SparqlClient(make_http(timeout=0.2, max_retries=1, backoff=0.01))
    with pytest.raises(SourceError, match="timeout"):
        client.items_by_identifier(fake_server.url_for("/sparql"), "P818", ["1"])
    assert len(fake_server.requests) == 2


def test_two_endpoints_are_both_asked(
    wikidata: str, fake_server: FakeServer, store_dir: Path, tmp_path: Path
) -> None:
    """Papers are looked up in the scholarly and the main graph; names come from the main one."""
    fake_server.route("/sparql", _results())
    report = link_wikidata(
        store_dir,
        endpoint=wikidata,
        scholarly_endpoint=fake_server.url_for("/sparql"),
        cache_dir=tmp_path / "c",
        base=BASE,
    )
    assert report.papers_linked == 3
    assert fake_server.requests  # the scholarly endpoint was asked too
    assert report.endpoints == [fake_server.url_for("/sparql"), wikidata]


# --------------------------------------------------------------------------- cache and answers


def _sealed_checksum(payload: dict[str, object]) -> str:
    """Return the documented checksum (sha256 of sorted, compact, ASCII JSON), independently."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


KIND_CASES = {
    "authors: author not a Q-id": ("authors", "Q1", [{"author": "Q1x", "ordinal": "1"}]),
    "authors: control in ordinal": ("authors", "Q1", [{"author": "Q7", "ordinal": "1\x07"}]),
    "authors: extra key": ("authors", "Q1", [{"author": "Q7", "ordinal": "1", "x": "y"}]),
    "authors: ordinal a number": ("authors", "Q1", [{"author": "Q7", "ordinal": 1}]),
    "names: lone surrogate": ("names", "Q7", ["Ada \ud800 Lovelace"]),
    "names: empty": ("names", "Q7", [" "]),
    "names: not a list": ("names", "Q7", "Ada Lovelace"),
    "doi: a name for a Q-id": ("doi", "10.1/X", ["Ada"]),
}


@pytest.mark.parametrize("case", sorted(KIND_CASES))
def test_cached_answers_of_every_kind_are_checked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    """A well-sealed file whose answer breaks its kind's schema is dropped with one warning."""
    kind, key, bad = KIND_CASES[case]
    cache = WikidataCache(tmp_path)
    good = [{"author": "Q7", "ordinal": "1"}] if kind == "authors" else ["Q7"]
    good = ["Ada Lovelace"] if kind == "names" else good
    path = cache.store(kind, key, "https://query.wikidata.org/sparql", good, datetime.now(UTC))
    assert cache.load_all(kind, key)["https://query.wikidata.org/sparql"].value == good
    content = json.loads(path.read_bytes())
    content["payload"]["answers"]["https://query.wikidata.org/sparql"]["value"] = bad
    content["sha256"] = _sealed_checksum(content["payload"])
    path.write_text(json.dumps(content), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert WikidataCache(tmp_path).load_all(kind, key) == {}
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.startswith(f"Wikidata cache: dropped {path} (")


def test_a_bad_answer_is_never_written(tmp_path: Path) -> None:
    """store() refuses an answer that would not pass its own check on read."""
    cache = WikidataCache(tmp_path)
    with pytest.raises(SourceError, match="not cached"):
        cache.store("names", "Q7", "https://q.example/sparql", ["A\x00B"], datetime.now(UTC))
    with pytest.raises(SourceError, match="not cached"):
        cache.store("arxiv", "2303.04137", "https://q.example/spa rql", ["Q1"], datetime.now(UTC))
    assert list(tmp_path.rglob("*")) == []


def _results_body(value: object) -> bytes:
    """Return a SPARQL JSON results document with one row binding ?name to *value*."""
    row = {"name": {"type": "literal", "value": value}}
    return json.dumps({"head": {"vars": ["name"]}, "results": {"bindings": [row]}}).encode()


def test_answers_nested_too_deep_or_of_the_wrong_shape_are_refused() -> None:
    """A deeply nested or wrongly typed answer is a one-line SourceError, not a traceback."""
    deep = b'{"head": {"vars": []}, "results": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(SourceError, match="nested deeper"):
        parse_results(deep, "http://q.example/sparql")
    with pytest.raises(SourceError, match="not a string"):
        parse_results(_results_body(7), "http://q.example/sparql")
    with pytest.raises(SourceError, match="not SPARQL JSON results"):
        parse_results(b'{"head": {"vars": []}, "results": {"bindings": ["Q1"]}}', "u")


def test_answer_rows_with_control_characters_are_dropped(caplog: pytest.LogCaptureFixture) -> None:
    body = json.loads(_results_body("Ada Lovelace"))
    body["results"]["bindings"].append({"name": {"type": "literal", "value": "Ada\x1b[2J"}})
    with caplog.at_level(logging.WARNING):
        rows = parse_results(json.dumps(body).encode(), "http://q.example/sparql")
    assert rows == [{"name": "Ada Lovelace"}]
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "dropped 1 result rows" in warning
