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
from collections.abc import Iterator

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


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Build the fixture list and run `genrl-kg serve --processes 2` on a free port."""
    root = tmp_path_factory.mktemp("serve")
    (root / "source").mkdir()
    (root / "source" / "README.md").write_text(FIXTURE_LIST, encoding="utf-8")
    run_build(local_source(root / "source"), root / "store")
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "genrl_kg.cli",
        "serve",
        "--store",
        str(root / "store"),
        "--port",
        str(port),
        "--processes",
        "2",
        "--timeout",
        "5",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENRL_KG_")}
    proc = subprocess.Popen(
        cmd,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _get(base + "/health")[0] == 200:
                break
        except OSError:
            pass
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        time.sleep(0.1)
    else:
        pytest.fail("genrl-kg serve did not answer /health within 60 s")
    yield base, proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def test_lookup_over_the_fast_path(served: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _ = served
    for _ in range(20):  # enough requests to reach both HTTP processes
        status, body = _get(base + "/sparql?" + urllib.parse.urlencode({"query": LOOKUP}))
        assert status == 200
        rows = json.loads(body)["results"]["bindings"]
        assert [r["title"]["value"] for r in rows] == ["Paper A"]


def test_repeated_query_is_answered_from_the_cache(
    served: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, _ = served
    request = urllib.request.Request(
        base + "/api/queries/entries-per-year", headers={"Accept": "text/csv"}
    )
    answers = []
    for _ in range(6):  # the kernel spreads connections over both HTTP processes
        with urllib.request.urlopen(request, timeout=10) as response:
            answers.append((response.headers.get("X-Cache"), response.read()))
    assert answers[0][0] == "miss" and any(state == "hit" for state, _ in answers)
    assert len({body for _, body in answers}) == 1  # a hit answers exactly what the miss did
    assert answers[0][1].decode().splitlines()[1:] == ["2024,1", "2025,2", "unmarked,3"]


def test_saved_query_api_and_errors(served: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _ = served
    status, body = _get(base + "/api/queries/papers-per-category", "text/csv")
    assert status == 200
    lines = body.decode().strip().splitlines()
    assert lines[0].startswith("category,") and len(lines) == 1 + 5
    status, body = _get(base + "/sparql?query=SELEC")
    assert status == 400 and b"1:" in body  # the parser's position


def test_sigterm_stops_every_process(served: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, proc = served
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    with pytest.raises(OSError):
        _get(base + "/health")
    deadline = time.monotonic() + 15  # workers and the resource tracker exit just after
    while time.monotonic() < deadline:
        leftovers = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True)
        if not leftovers.stdout.strip():
            break
        time.sleep(0.2)
    assert leftovers.stdout.strip() == "", "server or worker processes outlived SIGTERM"
