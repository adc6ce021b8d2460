"""Safety: SERVICE/LOAD refused whatever their spelling, caps, deadlines, memory, isolation."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from w3c_protocol.harness import Canary, build_store, canary, live_server, sample_quads

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
SORT_BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l"
TOKEN = "safety-token"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample store."""
    return build_store(tmp_path_factory.mktemp("safety") / "store", sample_quads(30))


@pytest.fixture(scope="module")
def url(store: Path) -> Iterator[str]:
    """A server with a short deadline and a tight memory limit."""
    with live_server(
        store,
        timeout=1.5,
        workers=2,
        max_query_chars=5000,
        max_body_bytes=8000,
        memory_limit_mb=900,
    ) as base_url:
        yield base_url


def _service_variants(target: str) -> list[str]:
    """Return SERVICE spellings that all name *target*."""
    host = target.removeprefix("http://").rstrip("/")
    escaped = "".join(f"\\u{ord(c):04x}" for c in "http") + target[4:]
    return [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SeRvIcE\t\n  # comment\n <{target}>{{ ?s ?p ?o }} }}",
        f"PREFIX c: <http://{host}/> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
        f"BASE <http://{host}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{escaped}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{target}> {{ }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o SERVICE<{target}>{{}} }}",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    ]


def test_canary_detects_a_call_out() -> None:
    """Sanity check: the engine itself does call SERVICE targets, so the canary can see it."""
    own = Canary()
    store = ox.Store()
    with contextlib.suppress(RuntimeError, OSError):
        list(store.query(f"SELECT * WHERE {{ SERVICE <{own.url}> {{ ?s ?p ?o }} }}"))
    assert own.hits, "the canary saw no request"
    own.httpd.shutdown()


@pytest.mark.parametrize("index", range(10))
def test_service_refused(url: str, index: int) -> None:
    """Every SERVICE spelling is refused with 403 and the canary stays silent."""
    query = _service_variants(canary().url)[index]
    before = len(canary().hits)
    response = httpx.get(url + "/sparql", params={"query": query}, timeout=30)
    assert response.status_code in (400, 403), response.text
    assert "SERVICE" in response.text or "undeclared" in response.text or "target" in response.text
    assert canary().hits[before:] == []


def test_service_in_string_or_name_is_fine(url: str) -> None:
    """The word service inside literals, variables and prefixed names is not a SERVICE call."""
    query = (
        'PREFIX ex: <http://example.org/> SELECT ?service WHERE { BIND("SERVICE <http://x>" AS ?service) '
        "OPTIONAL { ?service ex:service ?o } }"
    )
    assert httpx.get(url + "/sparql", params={"query": query}, timeout=30).status_code == 200


def test_deep_nesting_refused_and_server_alive(url: str) -> None:
    """A query nested 3000 braces deep (which would crash the engine) gets a 400."""
    query = "SELECT * WHERE " + "{" * 3000 + "?s ?p ?o" + "}" * 3000
    response = httpx.post(url + "/sparql", data={"query": query}, timeout=30)
    assert response.status_code in (400, 413)
    nested = "SELECT * WHERE " + "{" * 1000 + "}" * 1000
    assert httpx.post(url + "/sparql", data={"query": nested}, timeout=30).status_code in (400, 413)
    deep_parens = "SELECT * WHERE { FILTER(" + "(" * 200 + "1" + ")" * 200 + ") }"
    assert httpx.get(url + "/sparql", params={"query": deep_parens}, timeout=30).status_code == 400
    assert httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200


def test_size_caps(url: str) -> None:
    """Query text and request body have size caps."""
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 6000
    assert httpx.get(url + "/sparql", params={"query": long_query}, timeout=30).status_code == 413
    body = "ASK {}" + " " * 9000
    response = httpx.post(
        url + "/sparql",
        content=body,
        timeout=30,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <a:b> <a:c> <a:d> }",
        "DROP ALL",
        f"LOAD <{'http://127.0.0.1:9/x'}>",
        "PREFIX x: <http://x/> delete where { ?s ?p ?o }",
    ],
)
def test_updates_refused_read_only(url: str, text: str) -> None:
    """Updates are refused on the read-only endpoint, as query or as update."""
    as_query = httpx.get(url + "/sparql", params={"query": text}, timeout=30)
    assert as_query.status_code == 403
    as_update = httpx.post(
        url + "/sparql",
        content=text,
        timeout=30,
        headers={"Content-Type": "application/sparql-update"},
    )
    assert as_update.status_code == 403


def test_runaway_stopped_while_others_are_served(url: str) -> None:
    """A cartesian COUNT gets a 503 by its deadline; another client is served meanwhile."""
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        response = httpx.get(url + "/sparql", params={"query": RUNAWAY}, timeout=30)
        outcome["status"], outcome["text"] = response.status_code, response.text
        outcome["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.2)
    latencies = []
    while thread.is_alive():
        started = time.monotonic()
        response = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        latencies.append(time.monotonic() - started)
        assert response.status_code == 200
    thread.join()
    assert outcome["status"] == 503 and "1.5 s" in str(outcome["text"])
    assert float(outcome["elapsed"]) < 4.0  # type: ignore[arg-type]
    assert latencies and max(latencies) < 1.0
    health = httpx.get(url + "/health", timeout=30).json()
    assert health["killed"] >= 1


def test_memory_limit_answers_with_an_error(url: str) -> None:
    """A query that outgrows the worker's memory limit is answered with an error."""
    response = httpx.get(url + "/sparql", params={"query": SORT_BOMB}, timeout=30)
    assert response.status_code == 503
    assert httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200


def test_workers_have_a_memory_limit(url: str) -> None:
    """Worker processes run under RLIMIT_AS (read from /proc)."""
    pids = httpx.get(url + "/health", timeout=30).json()["pids"]
    assert pids
    for pid in pids:
        limits = Path(f"/proc/{pid}/limits").read_text()
        line = next(x for x in limits.splitlines() if x.startswith("Max address space"))
        assert str(900 * 1024 * 1024) in line


def test_load_refused_with_updates_enabled(store: Path, tmp_path: Path) -> None:
    """With updates on, LOAD of a local address is still refused; the canary stays silent."""
    copy = build_store(tmp_path / "rw", sample_quads(2))
    with live_server(copy, allow_update=True, update_token=TOKEN) as base_url:
        for text in (
            f"LOAD <{canary().url}>",
            f"load silent <{canary().url}data> INTO GRAPH <urn:g>",
        ):
            response = httpx.post(
                base_url + "/sparql",
                content=text,
                timeout=30,
                headers={
                    "Content-Type": "application/sparql-update",
                    "Authorization": f"Bearer {TOKEN}",
                },
            )
            assert response.status_code == 403, response.text
