"""`genrl-kg query` checks every query before the engine sees it (FACTS: SERVICE calls any URL)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import fake_servers
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


def _query(store: Path, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "genrl_kg.cli", "query", str(path), "--store", str(store)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )


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
