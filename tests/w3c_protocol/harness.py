"""Test helpers for the server: small stores, a canary HTTP server, a live server in a thread."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from genrl_kg.server import ServerSettings, serve_in_background

BASE = "https://w3id.org/genrl-kg/"
GENRL = "https://w3id.org/genrl-kg/ontology#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def build_store(path: Path, quads: Iterable[ox.Quad]) -> Path:
    """Create an on-disk Oxigraph store at *path* holding *quads*."""
    store = ox.Store(str(path))
    store.extend(quads)
    store.flush()
    del store
    return path


def sample_quads(papers: int = 30) -> list[ox.Quad]:
    """Return a tiny genrl-kg-shaped graph: papers, two categories, one Wikidata link."""
    n, lit = ox.NamedNode, ox.Literal
    lst, onto = n(BASE + "graph/list"), n(BASE + "graph/ontology")
    quads = []
    categories = [n(BASE + "taxonomy/diffusion-policy"), n(BASE + "taxonomy/world-models")]
    for index, category in enumerate(categories):
        quads += [
            ox.Quad(category, n(RDF_TYPE), n(GENRL + "TaxonomyLeaf"), onto),
            ox.Quad(
                category,
                n(SKOS + "prefLabel"),
                lit(["Diffusion Policy", "World Models"][index]),
                onto,
            ),
            ox.Quad(category, n(SKOS + "notation"), lit(f"1.{index + 1}"), onto),
        ]
    for i in range(papers):
        paper = n(f"{BASE}paper/arxiv/2303.{i:05d}")
        quads += [
            ox.Quad(paper, n(RDF_TYPE), n(GENRL + "Paper"), lst),
            ox.Quad(paper, n(DCT + "title"), lit(f"Paper number {i}"), lst),
            ox.Quad(paper, n(GENRL + "arxivId"), lit(f"2303.{i:05d}"), lst),
            ox.Quad(paper, n(DCT + "subject"), categories[i % 2], lst),
        ]
    quads.append(
        ox.Quad(
            n(f"{BASE}paper/arxiv/2303.00000"),
            n("http://www.w3.org/2002/07/owl#sameAs"),
            n("http://www.wikidata.org/entity/Q42"),
            n(BASE + "graph/links"),
        )
    )
    return quads


class Canary:
    """An HTTP server on 127.0.0.1 counting every request; the server must never call it."""

    def __init__(self) -> None:
        """Start the canary on a free port."""
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def _hit(self) -> None:
                hits.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

            do_GET = do_POST = do_PUT = do_DELETE = _hit

            def log_message(self, *args: object) -> None:
                return

        self.hits = hits
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


_CANARY: Canary | None = None


def canary() -> Canary:
    """Return the process-wide canary, started on first use."""
    global _CANARY
    if _CANARY is None:
        _CANARY = Canary()
    return _CANARY


@contextlib.contextmanager
def live_server(store_dir: Path, **options: object) -> Iterator[str]:
    """Serve *store_dir* on a free port; yield the base URL; check the canary stayed silent."""
    settings = ServerSettings(store_dir=store_dir, **options)
    before = len(canary().hits)
    with serve_in_background(settings) as url:
        yield url
    assert canary().hits[before:] == [], f"the server called out: {canary().hits[before:]}"


def worker_pids(store_dir: Path) -> list[int]:
    """Return the query worker processes of this test process serving *store_dir* (from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            args = (entry / "cmdline").read_bytes().split(b"\0")
            if (
                parent == os.getpid()
                and any(b"genrl_kg.sparql.worker" in a for a in args)
                and str(store_dir).encode() in args
            ):
                pids.append(int(entry.name))
    return sorted(pids)


def wait_for_workers(store_dir: Path, count: int, timeout: float = 30.0) -> list[int]:
    """Wait until *count* workers serve *store_dir* (replacements start in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        pids = worker_pids(store_dir)
        if len(pids) >= count or time.monotonic() > deadline:
            return pids
        time.sleep(0.05)


def raw_get(base_url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET *path* exactly as written (no dot-segment clean-up, unlike httpx); return status, body."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def server_status(base_url: str) -> dict[str, Any]:
    """Return the /status document of a (single-process) server."""
    status, body = raw_get(base_url, "/status")
    assert status == 200, body
    document: dict[str, Any] = json.loads(body)
    return document
