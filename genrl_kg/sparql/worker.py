"""The query worker process: holds one read-only Store, runs jobs, answers with bytes or an error.

A worker talks over a stream socket in length-prefixed pickled messages: it sends
:class:`Ready` (or a :class:`Failure` when the store cannot be opened), then answers each
:class:`Job` with an :class:`Answer`, :class:`Rows` or :class:`Failure`. It runs under an
address-space limit; the parent kills it at the deadline (pyoxigraph has no timeout).
"""

from __future__ import annotations

import logging
import os
import pickle
import resource
import socket
import struct
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from genrl_kg.errors import GenrlKgError
from genrl_kg.results import render_results
from genrl_kg.sparql import formats

__all__ = [
    "Answer",
    "Channel",
    "Failure",
    "Job",
    "Ready",
    "Reply",
    "Rows",
    "Term",
    "frame",
    "main",
    "run_job",
    "serve_jobs",
    "unframe",
]

logger = logging.getLogger(__name__)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_HEADER = struct.Struct("!I")


@dataclass(frozen=True, slots=True)
class Job:
    """One query for a worker: its text and dataset, how to answer, and the result caps.

    *op* is ``query`` (serialise in the negotiated wire format), ``rows`` (send the terms back)
    or ``render`` (a command-line format of :func:`genrl_kg.results.render_results`).
    A cap of None means no cap.
    """

    text: str
    op: str = "query"
    row_cap: int | None = 10_000
    triple_cap: int | None = None
    base_iri: str | None = None
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    accept: str | None = None
    format: str | None = None
    substitutions: Mapping[str, Term] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete answer: the format key and the serialised body."""

    key: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Rows:
    """Solutions as terms (for the server's own pages)."""

    variables: tuple[str, ...]
    rows: list[list[Term | None]]


@dataclass(frozen=True, slots=True)
class Failure:
    """A refused or failed job: an HTTP status and a one-line message."""

    status: int
    message: str


@dataclass(frozen=True, slots=True)
class Ready:
    """The worker holds the store and waits for jobs."""

    pid: int


Reply = Answer | Rows | Failure


def frame(message: object) -> bytes:
    """Return *message* pickled behind a 4-byte length, ready for one sendall.

    >>> frame(Ready(1))[:4] == len(pickle.dumps(Ready(1), 5)).to_bytes(4, "big")
    True
    """
    payload = pickle.dumps(message, protocol=5)
    return _HEADER.pack(len(payload)) + payload


def unframe(buffer: bytearray) -> list[Any]:
    """Remove every complete message from the front of *buffer* and return them.

    >>> data = bytearray(frame(1) + frame("two") + frame(3)[:5])
    >>> unframe(data), len(data)
    ([1, 'two'], 5)
    """
    messages, start = [], 0
    while len(buffer) - start >= 4:
        (size,) = _HEADER.unpack_from(buffer, start)
        if len(buffer) - start - 4 < size:
            break
        messages.append(pickle.loads(buffer[start + 4 : start + 4 + size]))
        start += 4 + size
    del buffer[:start]
    return messages


class Channel:
    """A blocking, framed message channel over a stream socket (the worker's side)."""

    def __init__(self, sock: socket.socket) -> None:
        """Use *sock*."""
        self.sock = sock
        self.buffer = bytearray()
        self.pending: list[Any] = []

    def send(self, message: object) -> None:
        """Send one message."""
        self.sock.sendall(frame(message))

    def recv(self) -> Any:
        """Return the next message; raise EOFError when the peer closed."""
        while not self.pending:
            data = self.sock.recv(1 << 16)
            if not data:
                raise EOFError
            self.buffer += data
            self.pending = unframe(self.buffer)
        return self.pending.pop(0)


def _limit_memory(memory_limit_mb: int) -> None:
    """Cap the address space of this process (0: no cap) and switch off core dumps."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_limit_mb > 0:
        limit = memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def serve_jobs(conn: Channel, store_dir: str, memory_limit_mb: int) -> None:
    """Open the store read-only, then answer jobs from *conn* until it closes."""
    try:
        # Open first, then cap the address space: RocksDB reserves much virtual memory while
        # opening, and a cap set before made the open fail now and then under a low limit.
        store = ox.Store.read_only(store_dir)
        _limit_memory(memory_limit_mb)
    except Exception as error:  # reported to the parent, which refuses to start
        conn.send(Failure(503, f"cannot open the store {store_dir}: {error}"))
        return
    conn.send(Ready(os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_answer(store, job, memory_limit_mb))


def _answer(store: ox.Store, job: Job, memory_limit_mb: int) -> Reply:
    """Run *job*; turn every expected failure into a Failure with a one-line message."""
    try:
        return run_job(store, job)
    except MemoryError:
        return Failure(503, f"the query exceeded the memory limit of {memory_limit_mb} MB")
    except SyntaxError as error:
        return Failure(400, "malformed query: " + " ".join(str(error).split()))
    except formats.NotAcceptable as error:
        return Failure(406, str(error))
    except (ValueError, TypeError, GenrlKgError) as error:
        return Failure(400, "the query cannot be evaluated: " + " ".join(str(error).split()))
    except Exception as error:
        return Failure(500, "the query failed: " + " ".join(str(error).split()))


def _dataset_kwargs(job: Job) -> dict[str, Any]:
    """Translate the protocol dataset of *job* into Store.query keyword arguments."""
    if job.default_graph is None and job.named_graphs is None:
        return {"use_default_graph_as_union": True}
    return {
        "default_graph": [ox.NamedNode(g) for g in job.default_graph or ()],
        "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()],
    }


def run_job(store: ox.Store, job: Job) -> Reply:
    """Run one job on *store*; return its Answer or Rows, or a Failure over a cap."""
    answer = store.query(
        job.text,
        base_iri=job.base_iri,
        substitutions={ox.Variable(k): v for k, v in job.substitutions.items()},
        **_dataset_kwargs(job),
    )
    if job.op == "render":
        fmt = job.format or "table"
        return Answer(fmt, render_results(answer, fmt))
    if isinstance(answer, ox.QueryBoolean):
        key = formats.negotiate("boolean", job.accept, job.format)
        return Answer(key, formats.serialize_boolean(bool(answer), key))
    if isinstance(answer, ox.QuerySolutions):
        variables = tuple(v.value for v in answer.variables)
        rows: list[list[Term | None]] = []
        for solution in answer:
            if job.row_cap is not None and len(rows) >= job.row_cap:
                return _too_many(job.row_cap, "rows")
            rows.append([solution[v] for v in variables])
        if job.op == "rows":
            return Rows(variables, rows)
        key = formats.negotiate("select", job.accept, job.format)
        return Answer(key, formats.serialize_solutions(variables, rows, key))
    cap = job.row_cap if job.triple_cap is None else job.triple_cap
    triples: list[ox.Triple] = []
    for triple in answer:
        if cap is not None and len(triples) >= cap:
            return _too_many(cap, "triples")
        triples.append(triple)
    if job.op == "rows":
        return Rows(("s", "p", "o"), [[t.subject, t.predicate, t.object] for t in triples])
    key = formats.negotiate("graph", job.accept, job.format)
    return Answer(key, formats.serialize_triples(triples, key))


def _too_many(cap: int, what: str) -> Failure:
    """Return the error sent when a result exceeds its cap (before any status goes out)."""
    return Failure(
        422, f"the result has more than {cap} {what}, the server's cap; add LIMIT/OFFSET to page it"
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point of a worker process; arguments: FD STORE MEMORY_MB (0: no limit)."""
    fd, store_dir, memory = sys.argv[1:] if argv is None else argv
    sock = socket.socket(fileno=int(fd))
    serve_jobs(Channel(sock), store_dir, int(memory))
