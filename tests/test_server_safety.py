"""Safety: SERVICE/LOAD refused whatever their spelling, caps, deadlines, memory, isolation."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from w3c_protocol.harness import (
    Canary,
    build_store,
    canary,
    live_server,
    sample_quads,
    server_status,
    wait_for_workers,
)

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
SORT_BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l"
CHAIN = "SELECT (" + "+".join(["1"] * 7000) + " AS ?x) WHERE {}"  # 14 KB: overflows the parser
MEMORY_MB = 600


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


@pytest.fixture(scope="module")
def roomy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """One worker with a long deadline, so a query dies of its own cause, not of the clock."""
    store = build_store(tmp_path_factory.mktemp("roomy") / "store", sample_quads(30))
    with live_server(store, timeout=30.0, workers=1, memory_limit_mb=MEMORY_MB) as base_url:
        yield base_url, store


def _deaths(records: list[logging.LogRecord]) -> list[str]:
    """Return the messages logged about worker deaths and kills."""
    return [
        r.getMessage()
        for r in records
        if r.name.startswith("genrl_kg") and re.search(r"worker \d+ (died|killed)", r.getMessage())
    ]


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
        answer = store.query(f"SELECT * WHERE {{ SERVICE <{own.url}> {{ ?s ?p ?o }} }}")
        assert isinstance(answer, ox.QuerySolutions)
        list(answer)
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


def test_runaway_stopped_while_others_are_served(
    url: str, store: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A cartesian COUNT gets a 503 by its deadline, logged; another client is served meanwhile."""
    caplog.set_level(logging.WARNING, logger="genrl_kg")
    before = server_status(url)["worker_deaths"].get("deadline", 0)
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
    assert server_status(url)["worker_deaths"]["deadline"] == before + 1
    deaths = _deaths(caplog.records)
    assert len(deaths) == 1 and "killed at the 1.5 s deadline" in deaths[0]
    assert "SELECT (COUNT(*) AS ?n)" in deaths[0]


def test_memory_limit_is_the_cause_named(
    roomy: tuple[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """A sort that outgrows the worker's memory: a 503 naming the memory limit, not the clock."""
    caplog.set_level(logging.WARNING, logger="genrl_kg")
    url, _ = roomy
    before = server_status(url)["worker_deaths"].get("memory", 0)
    started = time.monotonic()
    response = httpx.get(url + "/sparql", params={"query": SORT_BOMB}, timeout=60)
    assert time.monotonic() - started < 30  # it died of memory well before the 30 s deadline
    assert response.status_code == 503
    assert f"memory limit of {MEMORY_MB} MB" in response.text
    assert "within" not in response.text  # not the deadline's message
    assert server_status(url)["worker_deaths"]["memory"] == before + 1
    deaths = _deaths(caplog.records)
    assert len(deaths) == 1 and f"hit the memory limit of {MEMORY_MB} MB" in deaths[0]
    assert httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200


def test_worker_crash_on_a_long_operator_chain_is_logged(
    roomy: tuple[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """The 14 KB `1+1+...+1` crashes its worker: a 503, a log line with the signal, recovery."""
    caplog.set_level(logging.WARNING, logger="genrl_kg")
    url, store = roomy
    assert len(CHAIN) > 14_000
    before = server_status(url)["worker_deaths"].get("crash", 0)
    pids_before = wait_for_workers(store, 1)
    response = httpx.post(
        url + "/sparql",
        content=CHAIN,
        timeout=60,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 503
    assert re.search(r"crashed its worker: crashed with signal \d+ \(SIG[A-Z]+\)", response.text)
    deaths = _deaths(caplog.records)
    assert len(deaths) == 1
    dead = int(re.search(r"worker (\d+) died", deaths[0]).group(1))  # type: ignore[union-attr]
    assert dead in pids_before
    assert re.search(r"died: crashed with signal \d+ \(SIG[A-Z]+\)", deaths[0])
    assert "(14023 characters)" in deaths[0]
    assert server_status(url)["worker_deaths"]["crash"] == before + 1
    assert httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
    assert dead not in wait_for_workers(store, 1)


def test_workers_have_a_memory_limit(url: str, store: Path) -> None:
    """Worker processes run under RLIMIT_AS (read from /proc)."""
    pids = wait_for_workers(store, 2)
    assert len(pids) >= 2
    for pid in pids:
        limits = Path(f"/proc/{pid}/limits").read_text()
        line = next(x for x in limits.splitlines() if x.startswith("Max address space"))
        assert str(900 * 1024 * 1024) in line


ALLOWED = "https://sparql.example.org/sparql"


@pytest.mark.parametrize(
    ("answer", "status", "message"),
    [
        (None, 502, "cannot resolve sparql.example.org"),
        ("10.0.0.7", 403, "sparql.example.org resolves to 10.0.0.7, a local or private address"),
    ],
)
def test_allowed_service_host_is_resolved_only_when_used_and_fails_closed(
    store: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: str | None,
    status: int,
    message: str,
) -> None:
    """An allow-listed name costs no lookup until a query calls it; then a bad answer stops it."""
    lookups: list[str] = []
    real = socket.getaddrinfo

    def resolve(host: str, port: object, *args: object, **kwargs: object) -> object:
        if host == "127.0.0.1":  # the test's own connections: a literal, no lookup
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        lookups.append(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, 443))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with live_server(store, allowed_remote=(ALLOWED,), workers=1) as url:
        local = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert local.status_code == 200 and lookups == []
        query = f"SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}"
        response = httpx.get(url + "/sparql", params={"query": query}, timeout=30)
        assert response.status_code == status and message in response.text
        assert "the query was not run" in response.text
        assert lookups == ["sparql.example.org"]


def test_idle_worker_killed_from_outside_is_logged_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """SIGKILL to an idle worker (as the OOM killer would): logged with its cause, replaced."""
    caplog.set_level(logging.WARNING, logger="genrl_kg")
    store = build_store(tmp_path / "store", sample_quads(3))
    with live_server(store, workers=1) as url:
        (victim,) = wait_for_workers(store, 1)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while server_status(url)["worker_deaths"].get("lost", 0) == 0:
            assert time.monotonic() < deadline, "the death was never noticed"
            time.sleep(0.05)
        deaths = _deaths(caplog.records)
        assert deaths == [
            f"idle query worker {victim} died: killed by signal 9 (SIGKILL) from outside, "
            "e.g. the kernel's OOM killer"
        ]
        response = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert response.status_code == 200 and response.json()["boolean"] is True
        assert victim not in wait_for_workers(store, 1)
