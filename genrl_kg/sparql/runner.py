"""The one killable query runner: worker processes, their deadline, and why each one died.

pyoxigraph has no timeout and no cancel, so a query runs in a worker process
(:mod:`genrl_kg.sparql.worker`) that is killed at its deadline. The server keeps a pool of them
(``genrl_kg.server.workers``); :func:`run_in_worker` runs one job in a fresh worker for the
command line. Every worker death is logged with its cause.
"""

from __future__ import annotations

import contextlib
import logging
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from genrl_kg.sparql.worker import Answer, Failure, Job, Ready, Reply, Rows, frame, unframe

__all__ = [
    "DIED",
    "SPAWN_TIMEOUT",
    "WorkerProcess",
    "describe_exit",
    "describe_query",
    "run_in_worker",
    "start_worker",
]

logger = logging.getLogger(__name__)

SPAWN_TIMEOUT = 60.0
STDERR_TAIL = 4096
DIED = Failure(503, "the worker closed its channel")  # what a reader sees at end of stream
_MEMORY_MARKERS = ("memory allocation of", "MemoryError", "Cannot allocate memory")
_BOOT = "import sys; from genrl_kg.sparql.worker import main; main(sys.argv[1:])"


def describe_exit(returncode: int | None, stderr_tail: str, memory_limit_mb: int) -> str:
    """Return why a worker ended, from its exit status and the end of its stderr.

    >>> describe_exit(-11, "", 900)
    'crashed with signal 11 (SIGSEGV)'
    >>> describe_exit(-6, "memory allocation of 480 bytes failed", 900)
    'hit the memory limit of 900 MB, signal 6 (SIGABRT): memory allocation of 480 bytes failed'
    >>> describe_exit(2, "boom", 0)
    'exited with code 2: boom'
    """
    lines = [line.strip() for line in stderr_tail.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    memory = next((line for line in lines if any(m in line for m in _MEMORY_MARKERS)), "")
    if returncode is None:
        return "did not exit"
    how = _signal_name(-returncode) if returncode < 0 else f"exit code {returncode}"
    if memory and memory_limit_mb > 0:
        return f"hit the memory limit of {memory_limit_mb} MB, {how}: {memory}"
    if returncode == -signal.SIGKILL:
        return f"killed by {how} from outside, e.g. the kernel's OOM killer"
    if returncode < 0:
        return f"crashed with {how}" + (f": {last}" if last else "")
    return f"exited with code {returncode}" + (f": {last}" if last else "")


def _signal_name(number: int) -> str:
    """Return 'signal N (NAME)' for a signal number.

    >>> _signal_name(9)
    'signal 9 (SIGKILL)'
    """
    try:
        return f"signal {number} ({signal.Signals(number).name})"
    except ValueError:
        return f"signal {number}"


def describe_query(text: str, limit: int = 60) -> str:
    """Return a short one-line form of a query text for log lines.

    >>> describe_query("SELECT *\\n WHERE { ?s ?p ?o }")
    "'SELECT * WHERE { ?s ?p ?o }'"
    >>> describe_query("ASK {" + "1+" * 50 + "1 }", limit=10)
    "'ASK {1+1+1…' (108 characters)"
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return repr(flat)
    return f"{flat[:limit]!r}"[:-1] + "…' " + f"({len(text)} characters)"


@dataclass(eq=False)
class WorkerProcess:
    """A started worker: its process, our end of its socket, and its captured stderr."""

    process: subprocess.Popen[bytes]
    sock: socket.socket
    stderr: IO[bytes]
    memory_limit_mb: int
    buffer: bytearray = field(default_factory=bytearray)
    killed: bool = False

    @property
    def pid(self) -> int:
        """Return the process id."""
        return self.process.pid

    def kill(self) -> None:
        """Kill the process at once (it is reaped later, see :meth:`reap`) and close the socket."""
        self.killed = True
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.sock.close()

    def reap(self, timeout: float = 5.0) -> int | None:
        """Wait up to *timeout* s for the process to exit; return its exit status."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)
        return self.process.returncode

    def stderr_tail(self) -> str:
        """Return the end of what the worker wrote to stderr."""
        try:
            self.stderr.seek(0, 2)
            size = self.stderr.tell()
            self.stderr.seek(max(size - STDERR_TAIL, 0))
            return self.stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def exit_cause(self) -> str:
        """Return why the process ended (call after :meth:`reap`)."""
        return describe_exit(self.process.returncode, self.stderr_tail(), self.memory_limit_mb)

    def close(self) -> None:
        """Release the socket and the stderr file (the process must be gone or killed)."""
        self.sock.close()
        with contextlib.suppress(OSError):
            self.stderr.close()


def start_worker(store_dir: Path, memory_limit_mb: int) -> WorkerProcess:
    """Start a worker process on the Oxigraph database *store_dir* (it sends Ready when open)."""
    parent, child = socket.socketpair()
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the worker
    command = [
        sys.executable,
        "-c",
        _BOOT,
        str(child.fileno()),
        str(store_dir),
        str(memory_limit_mb),
    ]
    try:
        process = subprocess.Popen(
            command, pass_fds=[child.fileno()], stdin=subprocess.DEVNULL, stderr=stderr
        )
    except OSError:
        parent.close()
        stderr.close()
        raise
    finally:
        child.close()
    return WorkerProcess(process, parent, stderr, memory_limit_mb)


def _receive(worker: WorkerProcess, deadline: float) -> object | None:
    """Block for the next message until *deadline* (monotonic); None on timeout, DIED at EOF."""
    while True:
        messages = unframe(worker.buffer)
        if messages:
            if len(messages) > 1:
                logger.warning(
                    "dropped %d extra messages from worker %d", len(messages) - 1, worker.pid
                )
            return messages[0]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        readable, _, _ = select.select([worker.sock], [], [], remaining)
        if not readable:
            return None
        data = worker.sock.recv(1 << 16)
        if not data:
            return DIED
        worker.buffer += data


def run_in_worker(store_dir: Path, job: Job, *, timeout: float, memory_limit_mb: int = 0) -> Reply:
    """Run *job* in a fresh worker killed at *timeout* seconds; always return a reply."""
    deadline = time.monotonic() + timeout
    worker = start_worker(store_dir, memory_limit_mb)
    try:
        reply = _receive(worker, deadline)
        if isinstance(reply, Ready):
            worker.sock.sendall(frame(job))
            reply = _receive(worker, deadline)
        if reply is None:
            worker.kill()
            logger.warning(
                "query worker %d killed at the %g s deadline (query %s)",
                worker.pid,
                timeout,
                describe_query(job.text),
            )
            return Failure(503, f"no result within {timeout:g} s; the query was stopped")
        if reply is DIED:
            worker.reap()
            cause = worker.exit_cause()
            logger.error(
                "query worker %d died: %s (query %s)", worker.pid, cause, describe_query(job.text)
            )
            return Failure(503, f"the query crashed its worker: {cause}")
        if not isinstance(reply, Answer | Rows | Failure):
            return Failure(500, f"the worker sent an unexpected message {type(reply).__name__}")
        return reply
    finally:
        if worker.process.poll() is None:
            worker.kill()
        worker.reap()
        worker.close()
