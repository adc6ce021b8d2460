"""Remote query (SPARQL 1.1 Protocol) and Graph Store push against a real `oxigraph serve` process."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import fake_servers
import pyoxigraph as ox
import pytest
import requests
from conftest import PROJECT_ROOT
from fake_servers import FakeResponse, FakeServer, closed_port_url
from test_wikibase import BASE, build_enriched_store

from genrl_kg import remote
from genrl_kg.errors import GenrlKgError, QueryError, SourceError
from genrl_kg.queries import bind_parameters, get_saved_query, run_query
from genrl_kg.remote import (
    Solutions,
    bind_values,
    push_graphs,
    render_remote_query,
    run_remote_query,
)
from genrl_kg.results import render_results
from genrl_kg.store import open_store

fake_server = fake_servers.fake_server
LINKS = BASE + "graph/links"


def oxigraph_binary() -> str:
    """Return the `oxigraph` executable of this venv (or PATH), or skip."""
    local = Path(sys.executable).parent / "oxigraph"
    found = str(local) if local.is_file() else shutil.which("oxigraph")
    if not found:
        pytest.skip("the oxigraph server binary is absent (PyPI package 'oxigraph')")
    return found


@contextlib.contextmanager
def start_oxigraph(location: Path, *extra: str) -> Iterator[str]:
    """Run `oxigraph serve` on a free 127.0.0.1 port; yield its base URL; kill it afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        oxigraph_binary(),
        "serve",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        *extra,
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(requests.ConnectionError):
                requests.get(f"{url}/query?query=ASK%7B%7D", timeout=1)
                break
            if process.poll() is not None:
                pytest.fail(
                    f"oxigraph serve exited: {process.stderr.read().decode()[:300] if process.stderr else ''}"
                )
            time.sleep(0.05)
        yield url
    finally:
        process.kill()
        process.wait(10)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The enriched fixture store."""
    return build_enriched_store(tmp_path_factory.mktemp("remote"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, store_dir: Path) -> Iterator[str]:
    """An `oxigraph serve` (union default graph) holding the pushed fixture store."""
    with start_oxigraph(tmp_path_factory.mktemp("oxi"), "--union-default-graph") as url:
        push_graphs(store_dir, f"{url}/store")
        yield url


def _remote_count(url: str, graph: str) -> int:
    text = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    parsed = run_remote_query(f"{url}/query", text).parsed()
    assert isinstance(parsed, Solutions) and parsed.variables == ("n",)
    return int(parsed.rows[0][0].value)  # type: ignore[union-attr]


def test_push_counts_match_and_repush_is_idempotent(server: str, store_dir: Path) -> None:
    store = open_store(store_dir)
    local = {
        g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
        for g in store.named_graphs()
    }
    report = push_graphs(store_dir, f"{server}/store")
    assert {g.graph: g.remote for g in report.graphs} == local
    assert report.query_endpoint == f"{server}/query" and report.triples == sum(local.values())
    assert all(_remote_count(server, g) == n for g, n in local.items())


def test_push_single_graph_leaves_the_others_alone(tmp_path: Path, store_dir: Path) -> None:
    with start_oxigraph(tmp_path / "one") as url:
        report = push_graphs(store_dir, f"{url}/store", graph=LINKS)
        assert [g.graph for g in report.graphs] == [LINKS] and report.graphs[0].local > 10
        graphs = run_remote_query(
            f"{url}/query", "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"
        ).parsed()
        assert isinstance(graphs, Solutions)
        assert [row[0].value for row in graphs.rows] == [LINKS]  # type: ignore[union-attr]
    with pytest.raises(SourceError, match="no named graph"):
        push_graphs(store_dir, "http://127.0.0.1:1/store", graph=BASE + "graph/nope")


def test_push_streams_the_body_in_chunks(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote.push, "CHUNK_TRIPLES", 100)
    store = open_store(store_dir)
    graph = ox.NamedNode(BASE + "graph/ontology")
    counter = [0]
    chunks = remote.push.stream_ntriples(store, graph, counter)
    assert not isinstance(chunks, list | bytes)  # a generator: nothing is serialised up front
    parts = list(chunks)
    triples = {t for part in parts for t in ox.parse(part, ox.RdfFormat.N_TRIPLES)}
    assert len(parts) > 5 and counter[0] == sum(map(len, parts))
    assert len(triples) == sum(1 for _ in store.quads_for_pattern(None, None, None, graph))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("papers-per-category", {}),
        ("papers-in-category", {}),
        ("top-authors", {"minPapers": "1"}),
        ("paper-by-arxiv-id", {"arxivId": "2301.00001"}),
        ("taxonomy-tree", {}),
    ],
)
def test_remote_query_returns_the_same_rows_as_the_local_store(
    server: str, store_dir: Path, name: str, params: dict[str, str]
) -> None:
    saved = get_saved_query(name)
    bindings = bind_parameters(saved, params)
    local = render_results(run_query(open_store(store_dir), saved, bindings), "table")
    remote_table = render_remote_query(f"{server}/query", saved, bindings, "table")
    assert remote_table == local and not local.endswith(b"(0 rows)\n")
    via_get = render_remote_query(f"{server}/query", saved, bindings, "table", method="GET")
    assert via_get == local


def test_remote_query_negotiates_every_result_format(server: str) -> None:
    saved = get_saved_query("papers-per-category")
    csv = render_remote_query(f"{server}/query", saved, {}, "csv")
    tsv = render_remote_query(f"{server}/query", saved, {}, "tsv")
    xml = render_remote_query(f"{server}/query", saved, {}, "xml")
    json = render_remote_query(f"{server}/query", saved, {}, "json")
    assert csv.startswith(b"category,") and tsv.startswith(b"?category\t")
    assert b"<sparql" in xml and b'"bindings"' in json


def test_parameters_are_bound_as_terms_never_pasted(server: str) -> None:
    saved = get_saved_query("paper-by-arxiv-id")
    hostile = '2301.00001" } } DROP ALL ; SELECT * { "'
    text = bind_values(saved.text, bind_parameters(saved, {"arxivId": hostile}), saved.form)
    assert 'VALUES ?arxivId { "2301.00001\\" } } DROP ALL' in text
    table = render_remote_query(
        f"{server}/query", saved, bind_parameters(saved, {"arxivId": hostile}), "table"
    )
    assert table.endswith(b"(0 rows)\n")


def _one_line(exc: GenrlKgError) -> str:
    message = str(exc)
    assert "\n" not in message and len(message) < 300
    return message


def test_closed_port_is_a_one_line_source_error() -> None:
    with pytest.raises(SourceError) as info:
        run_remote_query(closed_port_url("/sparql"), "ASK {}", timeout=5)
    assert "cannot reach" in _one_line(info.value)


def test_http_errors_timeouts_and_garbage(fake_server: FakeServer) -> None:
    url = fake_server.url_for("/sparql")
    fake_server.queue(FakeResponse(status=400, body="Parse error: unexpected '}' at line 1\nmore"))
    with pytest.raises(QueryError, match="HTTP 400: Parse error: unexpected") as info:
        run_remote_query(url, "ASK {}")
    _one_line(info.value)
    fake_server.queue(FakeResponse(status=500, body="boom"))
    with pytest.raises(SourceError, match="server error HTTP 500") as failed:
        run_remote_query(url, "ASK {}")
    _one_line(failed.value)
    fake_server.queue(
        FakeResponse(
            body=b"<html>not results</html>", content_type="application/sparql-results+json"
        )
    )
    with pytest.raises(SourceError, match="not valid json") as garbage:
        render_remote_query(url, "SELECT * { ?s ?p ?o }", {}, "table")
    _one_line(garbage.value)
    fake_server.queue(FakeResponse(body=b"<html/>", content_type="text/html"))
    with pytest.raises(SourceError, match="answered text/html"):
        run_remote_query(url, "ASK {}")
    fake_server.queue(
        FakeResponse(body=b"{}", delay=2.0, content_type="application/sparql-results+json")
    )
    start = time.monotonic()
    with pytest.raises(SourceError, match=r"no answer within 0\.5 s"):
        run_remote_query(url, "ASK {}", timeout=0.5)
    assert time.monotonic() - start < 1.9
    assert all(r.headers["user-agent"].startswith("genrl-kg/") for r in fake_server.requests)
    assert fake_server.requests[0].headers["accept"] == "application/sparql-results+json"


MALFORMED_JSON = {
    "truncated": b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}',
    "vars-not-a-list": b'{"head":{"vars":"n"},"results":{"bindings":{"n":1}}}',
    "bogus-term-type": b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"bogus"}}]}}',
    "no-value": b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal"}}]}}',
    "bad-iri": b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"uri","value":"a b"}}]}}',
    "deep": b'{"head":{"vars":["n"]},"results":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "not-utf8": b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"\xff"}}]}}',
    "empty": b"",
    "html": b"<html><body>Service unavailable</body></html>",
}


@pytest.mark.parametrize("kind", sorted(MALFORMED_JSON))
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_malformed_sparql_json_is_one_line(fake_server: FakeServer, kind: str, fmt: str) -> None:
    """Whatever broken SPARQL JSON the endpoint sends, the caller gets one SourceError line."""
    url = fake_server.url_for("/sparql")
    fake_server.route(
        "/sparql",
        FakeResponse(body=MALFORMED_JSON[kind], content_type="application/sparql-results+json"),
    )
    with pytest.raises(
        SourceError,
        match=r"^the answer of the endpoint \(application/sparql-results\+json\) is not valid json: ",
    ) as info:
        render_remote_query(url, "SELECT ?n WHERE { ?s ?p ?n }", {}, fmt)
    _one_line(info.value)


@pytest.mark.parametrize("kind", ["truncated", "bogus-term-type"])  # the two that gave tracebacks
def test_query_endpoint_cli_malformed_json_is_one_line(
    fake_server: FakeServer, tmp_path: Path, kind: str
) -> None:
    """`genrl-kg query --endpoint URL` on a malformed answer: exit 1, one line, no traceback."""
    fake_server.route(
        "/sparql",
        FakeResponse(body=MALFORMED_JSON[kind], content_type="application/sparql-results+json"),
    )
    query = tmp_path / "count.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n", encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "genrl_kg.cli",
            "query",
            str(query),
            "--endpoint",
            fake_server.url_for("/sparql"),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(
        "error: the answer of the endpoint (application/sparql-results+json) is not valid json: "
    )


def test_push_auth_and_status_errors(fake_server: FakeServer, store_dir: Path) -> None:
    handler = fake_server._httpd.RequestHandlerClass  # fake_servers answers GET/POST/HEAD only
    handler.do_PUT = handler._serve  # type: ignore[attr-defined]
    url = fake_server.url_for("/store")
    fake_server.queue(FakeResponse(status=401, body="auth required"))
    with pytest.raises(SourceError, match=r"HTTP 401 \(check the credentials"):
        push_graphs(store_dir, url, graph=LINKS, auth=("ann", "secret"))
    assert fake_server.requests[-1].headers["authorization"].startswith("Basic ")
    fake_server.queue(FakeResponse(status=403, body="forbidden"))
    with pytest.raises(SourceError, match="HTTP 403"):
        push_graphs(store_dir, url, graph=LINKS, auth="tok123")
    assert fake_server.requests[-1].headers["authorization"] == "Bearer tok123"
    assert fake_server.requests[-1].method == "PUT" and fake_server.requests[-1].query == {
        "graph": [LINKS]
    }
    fake_server.queue(FakeResponse(status=404, body="not here"))
    with pytest.raises(SourceError, match=r"no Graph Store push endpoint here \(HTTP 404"):
        push_graphs(store_dir, url, graph=LINKS)
    fake_server.queue(FakeResponse(status=503, body="busy"))
    with pytest.raises(SourceError, match="server error HTTP 503"):
        push_graphs(store_dir, url, graph=LINKS)
    with pytest.raises(SourceError, match="cannot guess the query endpoint"):
        push_graphs(store_dir, fake_server.url_for("/gsp"), graph=LINKS)
