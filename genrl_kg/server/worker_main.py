"""The query worker process: holds one Store, runs jobs, answers with bytes or an error."""

from __future__ import annotations

import logging
import os
import pickle
import resource
import socket
import struct
from typing import Any

import pyoxigraph as ox

from genrl_kg.server import results

logger = logging.getLogger(__name__)

Reply = tuple[Any, ...]
_HEADER = struct.Struct("!I")


def frame(message: object) -> bytes:
    """Return *message* pickled behind a 4-byte length, ready for one sendall.

    >>> frame(("ready", 1))[:4] == len(pickle.dumps(("ready", 1), 5)).to_bytes(4, "big")
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
    """Cap the address space of this process and switch off core dumps."""
    limit = memory_limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def worker_main(conn: Channel, store_dir: str, memory_limit_mb: int, writable: bool) -> None:
    """Serve jobs from *conn* until it closes."""
    try:
        # Open first, then cap the address space: RocksDB reserves much virtual memory while
        # opening, and a cap set before made the open fail now and then under a low limit.
        store = ox.Store(store_dir) if writable else ox.Store.read_only(store_dir)
        _limit_memory(memory_limit_mb)
    except Exception as error:  # reported to the parent, which refuses to start
        conn.send(("failed", f"cannot open the store {store_dir}: {error}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = run_job(store, job)
        except MemoryError:
            reply = ("error", 503, f"the query exceeded the memory limit of {memory_limit_mb} MB")
        except SyntaxError as error:
            reply = ("error", 400, "malformed query: " + " ".join(str(error).split()))
        except results.NotAcceptable as error:
            reply = ("error", 406, str(error))
        except (ValueError, TypeError) as error:
            reply = ("error", 400, f"the query cannot be evaluated: {error}")
        except Exception as error:
            reply = ("error", 500, f"the query failed: {error}")
        conn.send(reply)


def _dataset_kwargs(job: dict[str, Any]) -> dict[str, Any]:
    """Translate the protocol dataset of *job* into Store.query keyword arguments."""
    default = job.get("default_graph")
    named = job.get("named_graphs")
    if default is None and named is None:
        return {"use_default_graph_as_union": job.get("union", True)}
    return {
        "default_graph": [ox.NamedNode(g) for g in default or []],
        "named_graphs": [ox.NamedNode(g) for g in named or []],
    }


def run_job(store: ox.Store, job: dict[str, Any]) -> Reply:
    """Run one job; return ('ok', key, bytes), ('rows', vars, rows) or ('error', status, msg)."""
    if job["op"] == "update":
        store.update(job["text"], base_iri=job.get("base_iri"))
        store.flush()
        return ("ok", None, b"")
    answer = store.query(
        job["text"],
        base_iri=job.get("base_iri"),
        substitutions={ox.Variable(k): v for k, v in job.get("substitutions", {}).items()},
        **_dataset_kwargs(job),
    )
    cap = job["row_cap"]
    if isinstance(answer, ox.QueryBoolean):
        key = results.negotiate("boolean", job.get("accept"), job.get("format"))
        return ("ok", key, results.serialize_boolean(bool(answer), key))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        kind = "select"
        rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]] = []
        for solution in answer:
            if len(rows) >= cap:
                return _too_many(cap, "rows")
            rows.append([solution[v] for v in variables])
        if job["op"] == "rows":
            return ("rows", variables, rows)
        key = results.negotiate(kind, job.get("accept"), job.get("format"))
        return ("ok", key, results.serialize_solutions(variables, rows, key))
    cap = job.get("triple_cap", cap)
    triples: list[ox.Triple] = []
    for triple in answer:
        if len(triples) >= cap:
            return _too_many(cap, "triples")
        triples.append(triple)
    if job["op"] == "rows":
        return ("rows", ["s", "p", "o"], [[t.subject, t.predicate, t.object] for t in triples])
    key = results.negotiate("graph", job.get("accept"), job.get("format"))
    return ("ok", key, results.serialize_triples(triples, key))


def _too_many(cap: int, what: str) -> Reply:
    """Return the error sent when a result exceeds its cap (before any status goes out)."""
    return (
        "error",
        422,
        f"the result has more than {cap} {what}, the server's cap; add LIMIT/OFFSET to page it",
    )


def main(argv: list[str]) -> None:
    """Entry point of a worker process; arguments: FD STORE MEMORY_MB ro|rw."""
    fd, store_dir, memory, mode = argv
    sock = socket.socket(fileno=int(fd))
    worker_main(Channel(sock), store_dir, int(memory), mode == "rw")
