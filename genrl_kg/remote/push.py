"""Graph Store Protocol pushes: replace each named graph on a server, then check the counts.

:func:`push_graphs` replaces each named graph of the store on a server through the SPARQL 1.1
Graph Store HTTP Protocol (streamed N-Triples), then checks the triple counts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests

from genrl_kg.errors import SourceError
from genrl_kg.http import make_session
from genrl_kg.remote.query import Solutions, run_remote_query
from genrl_kg.remote.transport import (
    check_endpoint_url,
    check_status,
    describe_endpoint,
    send_request,
)
from genrl_kg.store import open_store

__all__ = [
    "CHUNK_TRIPLES",
    "Auth",
    "GraphPush",
    "PushReport",
    "count_remote_triples",
    "derive_query_endpoint",
    "push_graphs",
    "stream_ntriples",
]

log = logging.getLogger(__name__)

CHUNK_TRIPLES = 5_000

Auth = tuple[str, str] | str | None
_QUERY_BESIDE_GSP = (  # Graph Store path -> query path: Oxigraph, Fuseki, GraphDB/RDF4J, Virtuoso
    ("/store", "/query"),
    ("/data", "/query"),
    ("/rdf-graphs/service", ""),
    ("/sparql-graph-crud-auth", "/sparql"),
    ("/sparql-graph-crud", "/sparql"),
)


@dataclass(frozen=True)
class GraphPush:
    """One named graph pushed: its IRI, local and remote triple counts, bytes sent, seconds."""

    graph: str
    local: int
    remote: int
    bytes_sent: int
    seconds: float


@dataclass(frozen=True)
class PushReport:
    """What :func:`push_graphs` did, per graph."""

    endpoint: str
    query_endpoint: str
    graphs: tuple[GraphPush, ...]

    @property
    def triples(self) -> int:
        """Return the number of triples pushed."""
        return sum(g.local for g in self.graphs)


def derive_query_endpoint(gsp_endpoint: str) -> str:
    """Guess the query endpoint beside a Graph Store endpoint (Oxigraph ``/store``, Fuseki ``/data``).

    >>> derive_query_endpoint("http://127.0.0.1:7878/store")
    'http://127.0.0.1:7878/query'
    >>> derive_query_endpoint("http://h/ds/data")
    'http://h/ds/query'
    >>> derive_query_endpoint("http://h/repositories/kg/rdf-graphs/service")
    'http://h/repositories/kg'
    """
    parts = urlsplit(gsp_endpoint)
    path = parts.path.rstrip("/")
    for tail, replacement in _QUERY_BESIDE_GSP:
        if path.endswith(tail):
            new = path[: -len(tail)] + replacement
            return urlunsplit((parts.scheme, parts.netloc, new, "", ""))
    raise SourceError(f"{gsp_endpoint}: cannot guess the query endpoint; pass it explicitly")


def stream_ntriples(store: ox.Store, graph: ox.NamedNode, counter: list[int]) -> Iterator[bytes]:
    """Yield the triples of *graph* as N-Triples, a few thousand at a time (no full copy)."""
    batch: list[ox.Triple] = []
    for quad in store.quads_for_pattern(None, None, None, graph):
        batch.append(ox.Triple(quad.subject, quad.predicate, quad.object))
        if len(batch) >= CHUNK_TRIPLES:
            data = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b""
            counter[0] += len(data)
            yield data
            batch.clear()
    if batch:
        data = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b""
        counter[0] += len(data)
        yield data


def _auth(session: requests.Session, auth: Auth) -> None:
    if isinstance(auth, tuple):
        session.auth = auth
    elif isinstance(auth, str):
        session.headers["Authorization"] = f"Bearer {auth}"


def count_remote_triples(
    query_endpoint: str, graph: str, *, timeout: float, session: requests.Session
) -> int:
    """Return the number of triples the server holds in *graph*."""
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
    result = run_remote_query(query_endpoint, text, fmt="json", timeout=timeout, session=session)
    parsed = result.parsed()
    value = None
    if isinstance(parsed, Solutions) and parsed.rows and "n" in parsed.variables:
        value = parsed.rows[0][parsed.variables.index("n")]
    if not isinstance(value, ox.Literal) or not value.value.isdigit():
        raise SourceError(f"{describe_endpoint(query_endpoint)}: COUNT of {graph} gave no number")
    return int(value.value)


def push_graphs(
    store_dir: Path,
    endpoint: str,
    *,
    graph: str | None = None,
    auth: Auth = None,
    timeout: float = 300.0,
    query_endpoint: str | None = None,
) -> PushReport:
    """Replace each named graph (or only *graph*) on a Graph Store endpoint, then check the counts."""
    check_endpoint_url(endpoint, "Graph Store endpoint")
    if query_endpoint is not None:
        check_endpoint_url(query_endpoint, "query endpoint")
    store = open_store(store_dir, read_only=True)
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    if graph is not None:
        if graph not in names:
            raise SourceError(
                f"{store_dir}: no named graph {graph} in the store (have: {', '.join(names)})"
            )
        names = [graph]
    query_endpoint = query_endpoint or derive_query_endpoint(endpoint)
    pushed = []
    with make_session() as session:
        _auth(session, auth)
        for name in names:
            node = ox.NamedNode(name)
            local = sum(1 for _ in store.quads_for_pattern(None, None, None, node))
            counter = [0]
            start = time.monotonic()
            response = send_request(
                session,
                "PUT",
                endpoint,
                timeout=timeout,
                params={"graph": name},
                headers={"Content-Type": "application/n-triples"},
                data=stream_ntriples(store, node, counter),
            )
            check_status(response, endpoint, "Graph Store push")
            seconds = time.monotonic() - start
            remote = count_remote_triples(query_endpoint, name, timeout=timeout, session=session)
            log.info("pushed %s: %d triples, %d bytes in %.2f s", name, local, counter[0], seconds)
            if remote != local:
                raise SourceError(
                    f"{describe_endpoint(endpoint)}: graph {name} holds {remote} triples after the push, not {local}"
                )
            pushed.append(GraphPush(name, local, remote, counter[0], seconds))
    return PushReport(endpoint, query_endpoint, tuple(pushed))
