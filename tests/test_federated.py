"""Federated saved queries: SERVICE to allow-listed endpoints only, run in a child killed at the deadline."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fake_servers
import pytest
import requests
from fake_servers import FakeResponse, FakeServer
from test_remote import start_oxigraph
from test_wikibase import (
    FEDERATED_EXTRA,
    WIKIDATA_PREFIXES,
    WIKIDATA_STATEMENTS,
    build_enriched_store,
)

from genrl_kg.errors import QueryError
from genrl_kg.queries import bind_parameters, get_saved_query, load_saved_queries
from genrl_kg.remote import (
    WIKIDATA_ENDPOINTS,
    check_service_targets,
    make_allowlist,
    redirect_services,
    run_query_with_deadline,
    uses_service,
)
from genrl_kg.sparql.hosts import Allowlist

fake_server = fake_servers.fake_server
FEDERATED = ("wikidata-author-affiliations", "wikidata-citation-counts", "wikidata-main-subjects")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The enriched fixture store (papers linked to Q1001, Q1002, and ambiguously Q1003/Q1004)."""
    return build_enriched_store(tmp_path_factory.mktemp("federated"))


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local `oxigraph serve` standing in for Wikidata's query services."""
    with start_oxigraph(tmp_path_factory.mktemp("wd")) as url:
        body = (WIKIDATA_PREFIXES + WIKIDATA_STATEMENTS + FEDERATED_EXTRA).encode()
        response = requests.put(
            f"{url}/store?default", data=body, headers={"Content-Type": "text/turtle"}, timeout=10
        )
        assert response.status_code in (200, 201, 204)
        yield f"{url}/query"


def _run(store_dir: Path, wikidata: str, name: str, **params: str) -> list[dict[str, str]]:
    saved = get_saved_query(name)
    text = redirect_services(saved.text, dict.fromkeys(WIKIDATA_ENDPOINTS, wikidata))
    allowed = make_allowlist([wikidata], allow_private=True)
    data = run_query_with_deadline(
        store_dir,
        text,
        bind_parameters(saved, params),
        fmt="json",
        timeout=60,
        allowed_remote=allowed,
    )
    rows = json.loads(data)["results"]["bindings"]
    return [{k: v["value"].rsplit("/", 1)[-1] for k, v in row.items()} for row in rows]


def test_author_affiliations_join_our_links_with_wikidata(store_dir: Path, wikidata: str) -> None:
    rows = _run(store_dir, wikidata, "wikidata-author-affiliations")
    got = [
        (r["title"], r["ordinal"], r["authorLabel"], r["organisationLabel"], r.get("countryLabel"))
        for r in rows
    ]
    assert got == [
        ("Paper A", "1", "Ada Lovelace", "Analytical Engine Lab", "United Kingdom"),
        ("Paper D", "1", "Alan Turing", "Bletchley Park", None),
    ]


def test_citation_counts_and_their_threshold(store_dir: Path, wikidata: str) -> None:
    rows = _run(store_dir, wikidata, "wikidata-citation-counts")
    assert [(r["title"], r["item"], r["citations"]) for r in rows] == [
        ("Paper A", "Q1001", "2"),
        ("Paper D", "Q1002", "1"),
        ("Paper F", "Q1003", "0"),
        ("Paper F", "Q1004", "0"),
    ]
    rows = _run(store_dir, wikidata, "wikidata-citation-counts", minCitations="2")
    assert [r["item"] for r in rows] == ["Q1001"]


def test_main_subjects_beside_our_categories(store_dir: Path, wikidata: str) -> None:
    rows = _run(store_dir, wikidata, "wikidata-main-subjects")
    assert [(r["title"], r["topic"], r["topicLabel"]) for r in rows] == [
        ("Paper A", "Q2001", "reward learning"),
        ("Paper D", "Q2002", "diffusion policy"),
    ]
    assert "Diffusion Policy" in rows[1]["categories"]


def test_federated_queries_have_headers_and_only_allow_listed_targets() -> None:
    queries = load_saved_queries()
    for name in FEDERATED:
        saved = queries[name]
        assert saved.summary and saved.description and saved.tags and uses_service(saved.text)
        check_service_targets(saved.text)  # Wikidata's endpoints are on the default allow-list
        with pytest.raises(QueryError, match="not on the allow-list"):
            check_service_targets(saved.text, Allowlist())


@pytest.fixture()
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record every name resolution (and answer none), so a test can prove there were none."""
    calls: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        raise socket.gaierror(socket.EAI_NONAME, "lookups are refused in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return calls


def test_allow_list_is_checked_by_name_without_dns(lookups: list[Any]) -> None:
    for url in (
        "http://127.0.0.1:7878/query",
        "http://[::1]/sparql",
        "http://[::ffff:10.0.0.1]/sparql",
        "http://localhost/sparql",
        "http://wiki.localhost/sparql",
        "http://printer.local/sparql",
        "http://db.internal/sparql",
        "http://intranet/sparql",
        "http://10.1.2.3/sparql",
        "file:///etc",
        "https://:443/sparql",
    ):
        with pytest.raises(QueryError, match="allow-list"):
            make_allowlist([url])
    allowed = make_allowlist(["https://query.wikidata.org/sparql", *WIKIDATA_ENDPOINTS])
    assert allowed == Allowlist(tuple(sorted(WIKIDATA_ENDPOINTS)))
    assert lookups == []  # names were compared, never resolved


def _variants(url: str) -> list[str]:
    host = url.rsplit("/", 1)[0]
    return [
        f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * {{ sErViCe   silent\n\t<{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{host}/> SELECT * {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{host}/> SELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "SELECT * { SERVICE <https://example.org/sparql> { ?s ?p ?o } }",
        f"SELECT * {{ ?s ?p ?o }} # harmless comment\n; LOAD <{url}>",
    ]


def test_non_allow_listed_targets_are_refused_and_the_canary_hears_nothing(
    fake_server: FakeServer, store_dir: Path
) -> None:
    canary = fake_server.url_for("/sparql")
    fake_server.route(
        "/sparql", FakeResponse(body=b"{}", content_type="application/sparql-results+json")
    )
    for text in _variants(canary):
        with pytest.raises(QueryError, match="refused"):
            run_query_with_deadline(store_dir, text, fmt="json", timeout=20)
    assert fake_server.requests == []


@pytest.mark.slow
def test_a_hanging_service_is_stopped_at_the_deadline(
    fake_server: FakeServer, store_dir: Path
) -> None:
    url = fake_server.url_for("/slow")
    fake_server.route(
        "/slow", FakeResponse(body=b"{}", delay=30, content_type="application/sparql-results+json")
    )
    text = f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    start = time.monotonic()
    allowed = make_allowlist([url], allow_private=True)
    with pytest.raises(QueryError, match="no result within 4 s"):
        run_query_with_deadline(store_dir, text, fmt="json", timeout=4, allowed_remote=allowed)
    assert time.monotonic() - start < 10
    assert len(fake_server.requests_to("/slow")) == 1  # the call was made, and then cut off


def test_linked_items_are_sent_along_inside_the_service_call(
    fake_server: FakeServer, store_dir: Path
) -> None:
    url = fake_server.url_for("/sparql")
    empty = b'{"head":{"vars":["item","o"]},"results":{"bindings":[]}}'
    fake_server.route(
        "/sparql", FakeResponse(body=empty, content_type="application/sparql-results+json")
    )
    text = (
        "SELECT ?paper ?o { ?paper <http://www.w3.org/2002/07/owl#sameAs> ?item . "
        f"SERVICE <{url}> {{ ?item <http://www.wikidata.org/prop/direct/P921> ?o }} }}"
    )
    run_query_with_deadline(
        store_dir,
        text,
        fmt="json",
        timeout=20,
        allowed_remote=make_allowlist([url], allow_private=True),
    )
    sent = fake_server.requests_to("/sparql")[0].body.decode()
    assert "VALUES" in sent.split("?item <http://www.wikidata.org/prop/direct/P921>")[0]
    assert all(f"<http://www.wikidata.org/entity/Q{n}>" in sent for n in (1001, 1002, 1003, 1004))
