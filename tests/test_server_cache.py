"""The response cache of the read-only endpoint: hits skip the worker, keys, errors, LRU bound."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from w3c_protocol.harness import (
    BASE,
    build_store,
    live_server,
    sample_quads,
    wait_for_workers,
)

from genrl_kg.errors import StoreError
from genrl_kg.server import ServerSettings, run_server
from genrl_kg.server.cache import CachedResponse, ResponseCache, make_cache

GENRL = "https://w3id.org/genrl-kg/ontology#"
PAPERS = f"SELECT ?p ?t WHERE {{ ?p a <{GENRL}Paper> ; <http://purl.org/dc/terms/title> ?t }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample store."""
    return build_store(tmp_path_factory.mktemp("cache") / "store", sample_quads(30))


@pytest.fixture(scope="module")
def url(store: Path) -> Iterator[str]:
    """A read-only server with the cache on and a short deadline."""
    with live_server(store, timeout=1.0, workers=2, cache_mb=4) as base_url:
        yield base_url


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    """An HTTP client with a timeout."""
    with httpx.Client(timeout=30) as http:
        yield http


def _status(client: httpx.Client, url: str) -> dict[str, Any]:
    """Return this (single-process) server's /status document (jobs, cache counters)."""
    document: dict[str, Any] = client.get(url + "/status").json()
    return document


def _get(client: httpx.Client, url: str, query: str, **options: Any) -> httpx.Response:
    """GET /sparql with *query* and extra parameters; headers via the 'headers' option."""
    headers = options.pop("headers", {"Accept": JSON})
    return client.get(url + "/sparql", params={"query": query, **options}, headers=headers)


def test_second_identical_request_is_a_hit_and_skips_the_worker(
    url: str, client: httpx.Client
) -> None:
    """The repeat is answered from the cache: same bytes and headers, no job sent to a worker."""
    query = PAPERS + " LIMIT 4"
    before = _status(client, url)
    first = _get(client, url, query)
    middle = _status(client, url)
    second = _get(client, url, query)
    after = _status(client, url)
    assert first.status_code == second.status_code == 200
    assert first.headers["x-cache"] == "miss" and second.headers["x-cache"] == "hit"
    assert first.content == second.content and len(first.json()["results"]["bindings"]) == 4
    for name in ("content-type", "vary", "x-content-type-options", "content-security-policy"):
        assert first.headers[name] == second.headers[name]
    assert middle["jobs"] == before["jobs"] + 1
    assert after["jobs"] == middle["jobs"]
    assert after["cache"]["hits"] == middle["cache"]["hits"] + 1


def test_a_hit_answers_while_every_worker_is_frozen(tmp_path: Path) -> None:
    """With the workers stopped (SIGSTOP) a cached query still answers; a new one times out."""
    store = build_store(tmp_path / "frozen", sample_quads(30))
    with live_server(store, timeout=1.0, workers=2) as base, httpx.Client(timeout=30) as client:
        assert _get(client, base, COUNT).headers["x-cache"] == "miss"
        pids = wait_for_workers(store, 2)
        assert len(pids) == 2
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            cached = _get(client, base, COUNT)
            assert cached.status_code == 200 and cached.headers["x-cache"] == "hit"
            assert time.monotonic() - started < 0.9
            fresh = _get(client, base, COUNT + " LIMIT 1")
            assert fresh.status_code == 503 and "x-cache" not in fresh.headers
        finally:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)


def test_formats_are_separate_entries_keyed_after_negotiation(
    url: str, client: httpx.Client
) -> None:
    """JSON, CSV and ?format=xml are three entries; another Accept naming CSV hits the CSV one."""
    query = PAPERS + " LIMIT 2"
    as_json = _get(client, url, query)
    as_csv = _get(client, url, query, headers={"Accept": "text/csv"})
    as_xml = _get(client, url, query, format="xml")
    assert [r.headers["x-cache"] for r in (as_json, as_csv, as_xml)] == ["miss"] * 3
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_xml.headers["content-type"].startswith("application/sparql-results+xml")
    other_csv = _get(client, url, query, headers={"Accept": "image/png;q=0.9, text/csv;q=0.5"})
    assert other_csv.headers["x-cache"] == "hit" and other_csv.content == as_csv.content
    again_json = _get(client, url, query, headers={"Accept": "*/*"})
    assert again_json.headers["x-cache"] == "hit" and again_json.content == as_json.content


def test_dataset_parameters_are_separate_entries(url: str, client: httpx.Client) -> None:
    """default-graph-uri / named-graph-uri change the answer, so they change the key."""
    union = _get(client, url, COUNT + " # dataset")
    only_list = _get(
        client, url, COUNT + " # dataset", **{"default-graph-uri": BASE + "graph/list"}
    )
    only_links = _get(
        client, url, COUNT + " # dataset", **{"default-graph-uri": BASE + "graph/links"}
    )
    named = _get(client, url, COUNT + " # dataset", **{"named-graph-uri": BASE + "graph/list"})
    responses = (union, only_list, only_links, named)
    assert [r.headers["x-cache"] for r in responses] == ["miss"] * 4
    counts = [int(r.json()["results"]["bindings"][0]["n"]["value"]) for r in responses]
    assert counts == [len(sample_quads(30)), 120, 1, 0]
    repeat = _get(client, url, COUNT + " # dataset", **{"default-graph-uri": BASE + "graph/links"})
    assert repeat.headers["x-cache"] == "hit" and repeat.content == only_links.content


def test_base_iri_is_part_of_the_key(url: str, client: httpx.Client) -> None:
    """A relative IRI resolves against the endpoint URL, so another Host is another entry."""
    query = "SELECT (<x> AS ?i) {}"
    here = _get(client, url, query)
    there = _get(client, url, query, headers={"Accept": JSON, "Host": "example.org"})
    assert here.headers["x-cache"] == there.headers["x-cache"] == "miss"
    assert there.json()["results"]["bindings"][0]["i"]["value"] == "http://example.org/x"
    assert here.json() != there.json()


def test_errors_are_never_cached(url: str, client: httpx.Client) -> None:
    """A malformed query (400) and a timeout (503) reach a worker every time."""
    for query, status in (("SELECT * WHERE { ?s ?p }", 400), (RUNAWAY, 503)):
        for _ in range(2):
            before = _status(client, url)
            response = _get(client, url, query)
            after = _status(client, url)
            assert response.status_code == status and "x-cache" not in response.headers
            assert after["jobs"] == before["jobs"] + 1
            assert after["cache"]["entries"] == before["cache"]["entries"]


def test_post_shares_the_entries(url: str, client: httpx.Client) -> None:
    """A form POST and a direct POST are answered from the entry a GET made."""
    query = PAPERS + " LIMIT 5"
    assert _get(client, url, query).headers["x-cache"] == "miss"
    form = client.post(url + "/sparql", data={"query": query}, headers={"Accept": JSON})
    direct = client.post(
        url + "/sparql",
        content=query,
        headers={"Accept": JSON, "Content-Type": "application/sparql-query"},
    )
    assert form.status_code == direct.status_code == 200
    assert form.headers["x-cache"] == direct.headers["x-cache"] == "hit"
    assert form.headers["vary"] == "Accept"


def test_saved_query_api_is_cached_per_parameters_and_format(
    url: str, client: httpx.Client
) -> None:
    """/api/queries/NAME is keyed on the name, the bound parameters and the format."""
    path = url + "/api/queries/paper-by-arxiv-id"
    calls = [
        {"arxivId": "2303.00004"},
        {"arxivId": "2303.00004"},
        {"arxivId": "2303.00005"},
        {"arxivId": "2303.00004", "format": "csv"},
        {"format": "csv", "arxivId": "2303.00004"},
    ]
    responses = [client.get(path, params=params) for params in calls]
    assert [r.status_code for r in responses] == [200] * 5
    assert [r.headers["x-cache"] for r in responses] == ["miss", "hit", "miss", "miss", "hit"]
    assert "2303.00004" in responses[1].text and "2303.00005" in responses[2].text
    assert responses[3].headers["content-type"].startswith("text/csv")
    bad = client.get(path, params={"arxivId": "2303.00004", "bogus": "1"})
    assert bad.status_code == 400 and "x-cache" not in bad.headers


def test_lru_evicts_the_least_recently_used_by_bytes() -> None:
    """The byte bound drops the oldest unused entries first; an oversized entry is refused."""
    cache = ResponseCache(max_bytes=3000, max_entry_bytes=1500)
    entry = CachedResponse(b"x" * 500, "text/csv; charset=utf-8")
    for name in ("a", "b", "c"):
        assert cache.store_query(name, "select", "csv", None, None, "http://h/", entry)
    assert len(cache) == 3 and cache.bytes <= 3000
    assert cache.lookup_query("a", "text/csv", None, None, None, "http://h/") == entry
    assert cache.store_query("d", "select", "csv", None, None, "http://h/", entry)
    assert cache.lookup_query("b", "text/csv", None, None, None, "http://h/") is None
    assert cache.lookup_query("a", "text/csv", None, None, None, "http://h/") == entry
    assert cache.evictions == 1 and cache.bytes <= 3000
    assert not cache.put(("api", "big"), CachedResponse(b"y" * 1500, "text/csv"))
    assert cache.stats()["entries"] == 3


def test_lru_bound_on_a_live_server(store: Path) -> None:
    """With a 12 KB cache, ~3 KB answers evict the oldest; the newest are still hits."""
    with (
        live_server(store, workers=2, cache_mb=12 / 1024) as base,
        httpx.Client(timeout=30) as client,
    ):
        queries = [f"{PAPERS} LIMIT {20 + i}" for i in range(6)]
        for query in queries:
            assert len(_get(client, base, query).content) > 2500
        stats = _status(client, base)["cache"]
        assert stats["bytes"] <= stats["max_bytes"] == 12 * 1024
        assert stats["evictions"] >= 2 and stats["entries"] <= 4
        assert _get(client, base, queries[-1]).headers["x-cache"] == "hit"
        assert _get(client, base, queries[0]).headers["x-cache"] == "miss"


def test_cache_off(store: Path) -> None:
    """cache_mb=0: every request reaches a worker; no X-Cache header."""
    with live_server(store, workers=2, cache_mb=0) as base, httpx.Client(timeout=30) as client:
        first = _get(client, base, COUNT)
        before = _status(client, base)
        second = _get(client, base, COUNT)
        after = _status(client, base)
        assert first.status_code == second.status_code == 200
        assert "x-cache" not in first.headers and "x-cache" not in second.headers
        assert after["jobs"] == before["jobs"] + 1 and after["cache"] is None


@pytest.mark.parametrize("value", [-1, float("nan"), "64", True, 10**6])
def test_cache_mb_is_validated(tmp_path: Path, value: object) -> None:
    """A bad cache_mb is refused by the settings and by run_server, naming the option."""
    with pytest.raises(ValueError, match="cache_mb"):
        ServerSettings(store_dir=tmp_path, cache_mb=value)
    store = build_store(tmp_path / "store", sample_quads(1))
    with pytest.raises(StoreError, match="cache_mb"):
        run_server(store, port=1, cache_mb=value)


def test_make_cache_sizes() -> None:
    """The cache is sized from cache_mb and absent when off."""
    settings = ServerSettings(store_dir=Path("."), cache_mb=0.5)
    cache = make_cache(settings)
    assert cache is not None and cache.max_bytes == 512 * 1024
    assert make_cache(ServerSettings(store_dir=Path("."), cache_mb=0)) is None
