"""`genrl-kg query` checks every query before the engine sees it (FACTS: SERVICE calls any URL).

It makes no DNS lookup unless a federated query really runs, and then it fails closed. The
lookups are counted in the real CLI process by a sitecustomize module on PYTHONPATH that wraps
``socket.getaddrinfo`` (it records each call, then refuses it or answers a private address).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import fake_servers
import pyoxigraph as ox
import pytest
from conftest import PROJECT_ROOT
from fake_servers import FakeResponse, FakeServer
from test_queries import FIXTURE_LIST

from genrl_kg.build import run_build
from genrl_kg.sources.upstream import local_source

fake_server = fake_servers.fake_server  # the fixture


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the fixture list into a store."""
    root = tmp_path_factory.mktemp("guard")
    (root / "src").mkdir()
    (root / "src" / "README.md").write_text(FIXTURE_LIST, encoding="utf-8")
    run_build(local_source(root / "src"), root / "store")
    return root / "store"


DNS_HOOK = textwrap.dedent(
    """
    import os, socket

    _LOG, _MODE = os.environ["DNS_HOOK_LOG"], os.environ["DNS_HOOK_MODE"]

    def _getaddrinfo(host, port, *args, **kwargs):
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{host}\\n")
        if _MODE == "private":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port or 0))]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    socket.getaddrinfo = _getaddrinfo
    """
)


def _query(
    store: Path, path: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "genrl_kg.cli", "query", str(path), "--store", str(store), *extra],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def _with_dns_hook(tmp_path: Path, mode: str) -> tuple[dict[str, str], Path]:
    """Return the environment that loads the DNS hook in *mode*, and the file it logs to."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(DNS_HOOK, encoding="utf-8")
    log = tmp_path / "lookups.txt"
    log.write_text("", encoding="utf-8")
    path = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path, "DNS_HOOK_LOG": str(log), "DNS_HOOK_MODE": mode}, log


def test_dns_hook_sees_a_lookup(tmp_path: Path) -> None:
    """Sanity check of the probe: a lookup in a child with the hook is recorded and refused."""
    env, log = _with_dns_hook(tmp_path, "refuse")
    code = "import socket\ntry:\n    socket.getaddrinfo('example.org', 443)\nexcept OSError:\n    print('refused')"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}
    )
    assert proc.stdout.strip() == "refused"
    assert log.read_text(encoding="utf-8").splitlines() == ["example.org"]


def test_local_query_makes_no_dns_lookup(store_dir: Path, tmp_path: Path) -> None:
    """A local query (Wikidata and one more host allow-listed) succeeds with zero lookups."""
    env, log = _with_dns_hook(tmp_path, "refuse")
    query = tmp_path / "count.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n", encoding="utf-8")
    extra = ("--format", "csv", "--allow-service", "https://sparql.example.org/sparql")
    proc = _query(store_dir, query, *extra, env=env)
    assert proc.returncode == 0, proc.stderr
    store = ox.Store.read_only(str(store_dir / "current" / "db"))
    quads = sum(1 for _ in store.quads_for_pattern(None, None, None, None))
    assert proc.stdout.splitlines() == ["n", str(quads)]
    assert log.read_text(encoding="utf-8") == ""  # zero lookups


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("refuse", "cannot resolve sparql.example.org (["),
        ("private", "sparql.example.org resolves to 10.0.0.7, a local or private address"),
    ],
)
def test_federated_query_fails_closed_on_resolution(
    store_dir: Path, tmp_path: Path, mode: str, expected: str
) -> None:
    """A federated query resolves its SERVICE host once, and stops when that fails or is private."""
    env, log = _with_dns_hook(tmp_path, mode)
    query = tmp_path / "federated.rq"
    query.write_text(
        "SELECT * WHERE { SERVICE <https://sparql.example.org/sparql> { ?s ?p ?o } }\n",
        encoding="utf-8",
    )
    proc = _query(store_dir, query, "--allow-service", "https://sparql.example.org/sparql", env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: federated: SERVICE <https://sparql")
    assert expected in lines[0] and lines[0].endswith("the query was not run")
    assert log.read_text(encoding="utf-8").splitlines() == ["sparql.example.org"]


@pytest.mark.slow
def test_long_operator_chain_runs_locally_without_a_crash(store_dir: Path, tmp_path: Path) -> None:
    """The 14 KB `1+1+...+1` (it overflows an 8 MB stack) is answered by a local query."""
    query = tmp_path / "chain.rq"
    query.write_text("SELECT (" + "+".join(["1"] * 7000) + " AS ?x) WHERE {}\n", encoding="utf-8")
    proc = _query(store_dir, query, "--format", "csv")
    assert proc.returncode == 0, proc.stderr[-300:]
    assert proc.stdout.splitlines() == ["x", "7000"]


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "select * where {{ service   <{url}>{{?s ?p ?o}} }}",
        "PREFIX c: <{base}> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
    ],
)
def test_service_to_a_local_address_is_refused(
    store_dir: Path, tmp_path: Path, fake_server: FakeServer, template: str
) -> None:
    fake_server.route("/sparql", FakeResponse(body=b"{}", content_type="application/json"))
    query = tmp_path / "evil.rq"
    query.write_text(
        template.format(url=fake_server.url_for("/sparql"), base=fake_server.url_for("/")),
        encoding="utf-8",
    )
    proc = _query(store_dir, query)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("error: query refused") and "Traceback" not in proc.stderr
    assert fake_server.requests == [], "the query called out"


def test_deeply_nested_query_is_refused_not_a_crash(store_dir: Path, tmp_path: Path) -> None:
    query = tmp_path / "deep.rq"
    query.write_text("SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000, encoding="utf-8")
    proc = _query(store_dir, query)
    assert proc.returncode == 1, proc.stderr  # a segfault would be negative
    assert "error: query refused" in proc.stderr and "nest" in proc.stderr.lower()
