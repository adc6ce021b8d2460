"""`genrl-kg serve` end to end: the real command, several HTTP processes, real sockets."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_ROOT
from test_queries import FIXTURE_LIST

from genrl_kg.build import run_build
from genrl_kg.sources.upstream import local_source

LOOKUP = (
    "PREFIX genrl: <https://w3id.org/genrl-kg/ontology#> "
    "PREFIX dcterms: <http://purl.org/dc/terms/> "
    'SELECT ?title WHERE { ?p genrl:arxivId "2301.00001" ; dcterms:title ?title }'
)
PROCESSES = 2
Served = tuple[str, subprocess.Popen[bytes]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, accept: str = "application/sparql-results+json") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "genrl_kg.cli", *args]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GENRL_KG_")}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the fixture list into a store."""
    root = tmp_path_factory.mktemp("serve")
    (root / "source").mkdir()
    (root / "source" / "README.md").write_text(FIXTURE_LIST, encoding="utf-8")
    run_build(local_source(root / "source"), root / "store")
    return root / "store"


def _start(store: Path) -> Served:
    """Run `genrl-kg serve --processes 2` on a free port; return its URL once /health is ok."""
    port = _free_port()
    args = ("serve", "--store", str(store), "--port", str(port), "--processes", str(PROCESSES))
    proc = subprocess.Popen(
        _cli(*args, "--timeout", "5"),
        cwd=PROJECT_ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _get(base + "/health") == (200, b'{"status":"ok"}'):
                return base, proc
        except OSError:
            pass
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail("genrl-kg serve did not answer /health within 60 s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


@pytest.fixture(scope="module")
def served(store: Path) -> Iterator[Served]:
    """A server the read-only tests share (none of them stops it)."""
    base, proc = _start(store)
    yield base, proc
    _stop(proc)


def _statuses(base: str) -> dict[str, dict[str, Any]]:
    """Return the /status of every HTTP process, by instance (the kernel picks one per connection)."""
    seen: dict[str, dict[str, Any]] = {}
    for _ in range(200):
        status, body = _get(base + "/status", "application/json")
        assert status == 200
        document = json.loads(body)
        seen[document["instance"]] = document
        if len(seen) == PROCESSES:
            return seen
    pytest.fail(f"reached {len(seen)} of {PROCESSES} HTTP processes in 200 connections")


def test_lookup_over_the_fast_path(served: Served) -> None:
    """20 plain GET lookups: right answers, every one counted by the fast path of its process."""
    base, _ = served
    before = _statuses(base)
    for _ in range(20):
        status, body = _get(base + "/sparql?" + urllib.parse.urlencode({"query": LOOKUP}))
        assert status == 200
        rows = json.loads(body)["results"]["bindings"]
        assert [r["title"]["value"] for r in rows] == ["Paper A"]
    after = _statuses(base)
    assert set(after) == set(before)
    done = sum(after[i]["fast_path_requests"] - before[i]["fast_path_requests"] for i in after)
    assert done == 20


def test_repeated_query_is_answered_from_the_cache(served: Served) -> None:
    """Six requests over two processes: a hit at least once, every answer the same bytes."""
    base, _ = served
    request = urllib.request.Request(
        base + "/api/queries/entries-per-year", headers={"Accept": "text/csv"}
    )
    answers = []
    for _ in range(6):  # two processes, six requests: one process answers twice or more
        with urllib.request.urlopen(request, timeout=10) as response:
            answers.append((response.headers.get("X-Cache"), response.read()))
    states = [state for state, _ in answers]
    assert set(states) <= {"hit", "miss"} and "hit" in states
    assert states.count("miss") <= PROCESSES  # at most one miss per process, whatever ran before
    assert len({body for _, body in answers}) == 1  # a hit answers exactly what the miss did
    assert answers[0][1].decode().splitlines()[1:] == ["2024,1", "2025,2", "unmarked,3"]


def test_fresh_query_misses_then_hits(served: Served) -> None:
    """A query text no test sent before: the first answer is a miss, a later one a hit."""
    base, _ = served
    text = LOOKUP + f" # {uuid.uuid4()}"
    url = base + "/sparql?" + urllib.parse.urlencode({"query": text})
    states = []
    for _ in range(6):
        with urllib.request.urlopen(url, timeout=10) as response:
            states.append(response.headers.get("X-Cache"))
    assert states[0] == "miss" and "hit" in states


def test_saved_query_api_and_errors(served: Served) -> None:
    base, _ = served
    status, body = _get(base + "/api/queries/papers-per-category", "text/csv")
    assert status == 200
    lines = body.decode().strip().splitlines()
    assert lines[0].startswith("category,") and len(lines) == 1 + 5
    status, body = _get(base + "/sparql?query=SELEC")
    assert status == 400 and b"1:" in body  # the parser's position


@pytest.mark.slow
def test_sigterm_stops_every_process(store: Path) -> None:
    """SIGTERM stops the parent, both HTTP processes and all their workers (its own server)."""
    base, proc = _start(store)
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        with pytest.raises(OSError):
            _get(base + "/health")
        deadline = time.monotonic() + 15  # workers and the resource tracker exit just after
        while time.monotonic() < deadline:
            leftovers = subprocess.run(
                ["pgrep", "-s", str(proc.pid)], capture_output=True, text=True
            )
            if not leftovers.stdout.strip():
                break
            time.sleep(0.2)
        assert leftovers.stdout.strip() == "", "server or worker processes outlived SIGTERM"
    finally:
        _stop(proc)


def _serve_fails(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _cli("serve", *args),
        cwd=PROJECT_ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_allow_update_is_gone(store: Path) -> None:
    """The read-write mode was removed: the flag is an unknown option; help says read-only."""
    from click.testing import CliRunner

    from genrl_kg.cli import cli

    refused = CliRunner().invoke(cli, ["serve", "--store", str(store), "--allow-update"])
    assert refused.exit_code == 2 and "No such option '--allow-update'" in refused.output
    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "read-only" in help_text and "--allow-update" not in help_text


@pytest.mark.slow
def test_port_in_use_is_one_line(store: Path) -> None:
    """A taken port (even by a socket that allows sharing) is one line, no traceback."""
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for processes in ("1", "2"):
            proc = _serve_fails(
                "--store", str(store), "--port", str(port), "--processes", processes
            )
            assert proc.returncode == 1
            assert proc.stderr.splitlines()[-1] == (
                f"error: cannot listen on 127.0.0.1:{port} (Address already in use)"
            )
            assert "Traceback" not in proc.stderr


def test_unreadable_store_is_one_line(tmp_path: Path) -> None:
    """A folder that is not an Oxigraph database stops serve at once with one line."""
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "CURRENT").write_text("not a database\n", encoding="utf-8")
    proc = _serve_fails("--store", str(tmp_path / "junk"), "--port", str(_free_port()))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    last = proc.stderr.splitlines()[-1]
    assert last.startswith(f"error: {tmp_path / 'junk'}: cannot open the store (")
