"""A pool of killable query worker processes, driven from the asyncio event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from genrl_kg.errors import StoreError
from genrl_kg.server.config import ServerSettings
from genrl_kg.server.worker_main import Reply, frame, unframe

logger = logging.getLogger(__name__)

SPAWN_TIMEOUT = 60.0
SLOW_NICENESS = 19


@dataclass(eq=False)
class _Worker:
    """One worker process and its pipe."""

    process: subprocess.Popen[bytes]
    sock: socket.socket
    buffer: bytearray = field(default_factory=bytearray)
    demoted: bool = False
    ready: bool = False
    jobs: int = field(default=0)
    waiter: asyncio.Future[Reply | None] | None = None

    def kill(self) -> None:
        """Kill the process at once; reap it off the event loop when one is running."""
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.sock.close()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
            return
        loop.run_in_executor(None, _reap, self.process)


class WorkerPool:
    """Runs jobs in worker processes; kills a worker at the deadline and starts a fresh one."""

    def __init__(self, settings: ServerSettings) -> None:
        """Prepare the pool (no process started yet)."""
        self.settings = settings
        self.writable = settings.allow_update
        self.size = 1 if self.writable else settings.workers
        self.max_slow = 0 if self.writable else settings.max_slow_workers
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._slow = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.killed = 0
        self.jobs = 0  # jobs sent to a worker (for /health and the cache tests)

    async def start(self) -> None:
        """Start the workers; raise StoreError when the store cannot be opened."""
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    async def close(self) -> None:
        """Kill every worker."""
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self._all):
            self._forget(worker)

    def pids(self) -> list[int]:
        """Return the process ids of the live workers that are ready (limits applied)."""
        return [w.process.pid for w in self._all if w.ready]

    async def _spawn(self) -> _Worker:
        """Start one worker and wait until it holds the store."""
        parent, child = socket.socketpair()
        command = [
            sys.executable,
            "-c",
            "import sys; from genrl_kg.server.worker_main import main; main(sys.argv[1:])",
            str(child.fileno()),
            str(self.settings.store_dir),
            str(self.settings.memory_limit_mb),
            "rw" if self.writable else "ro",
        ]
        process = subprocess.Popen(command, pass_fds=[child.fileno()], stdin=subprocess.DEVNULL)
        child.close()
        parent.setblocking(False)
        worker = _Worker(process, parent)
        self._all.add(worker)
        asyncio.get_running_loop().add_reader(parent.fileno(), self._on_readable, worker)
        reply = await self._receive(worker, SPAWN_TIMEOUT)
        if reply is None or reply[0] != "ready":
            self._forget(worker)
            detail = reply[1] if reply and reply[0] == "failed" else "the worker did not start"
            raise StoreError(str(detail))
        worker.ready = True
        return worker

    def _forget(self, worker: _Worker) -> None:
        """Stop watching *worker*, kill it and drop it from the pool."""
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(worker.sock.fileno())
        worker.kill()
        self._all.discard(worker)

    def _on_readable(self, worker: _Worker) -> None:
        """Hand the worker's complete messages to whoever waits (one reader per worker)."""
        try:
            data = worker.sock.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            worker.buffer += data
            messages = unframe(worker.buffer)
        else:
            messages = [("died",)]
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(worker.sock.fileno())
        for message in messages:
            waiter = worker.waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(message)
            elif message[0] != "died":
                logger.warning("dropped an unexpected message from worker %s", worker.process.pid)

    def _replace_later(self) -> None:
        """Start a replacement worker in the background."""

        async def replace() -> None:
            try:
                self._idle.put_nowait(await self._spawn())
            except StoreError as error:
                logger.error("cannot start a replacement worker: %s", error)

        task = asyncio.get_running_loop().create_task(replace())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _receive(self, worker: _Worker, timeout: float) -> Reply | None:
        """Wait for the next message from *worker*; None on timeout."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Reply | None] = loop.create_future()
        worker.waiter = future
        timer = loop.call_later(timeout, _expire, future)
        try:
            return await future
        finally:
            timer.cancel()
            worker.waiter = None

    async def run(self, job: dict[str, Any], timeout: float | None = None) -> Reply:
        """Run *job* in a worker within *timeout* seconds; always return a reply."""
        deadline = self.settings.timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        started = loop.time()
        if self._idle.empty():
            try:
                worker = await asyncio.wait_for(self._idle.get(), deadline)
            except TimeoutError:
                return (
                    "error",
                    503,
                    f"all query workers stayed busy for {deadline:g} s; try again",
                )
        else:
            worker = self._idle.get_nowait()
        try:
            await _send_all(worker.sock, frame(job))
        except OSError:
            self._discard(worker)
            return ("error", 503, "a query worker was lost; try again")
        worker.jobs += 1
        self.jobs += 1
        remaining = max(deadline - (loop.time() - started), 0.001)
        reply = await self._receive(worker, min(self.settings.slow_after, remaining))
        if reply is None and self._slow < self.max_slow:
            self._demote(worker)
        if reply is None:
            reply = await self._receive(worker, max(deadline - (loop.time() - started), 0.001))
        if reply is None or reply[0] == "died":
            self._discard(worker)
            if reply is None:
                self.killed += 1
                return ("error", 503, f"the query did not finish within the {deadline:g} s limit")
            return ("error", 503, "the query crashed its worker (memory limit or engine fault)")
        if worker.demoted:
            self._discard(worker)
        else:
            self._idle.put_nowait(worker)
        return reply

    def _demote(self, worker: _Worker) -> None:
        """Move a slow query's worker out of the pool at low priority; start a replacement."""
        worker.demoted = True
        self._slow += 1
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, worker.process.pid, SLOW_NICENESS)
        self._replace_later()

    def _discard(self, worker: _Worker) -> None:
        """Kill *worker*; replace it unless a demotion already did."""
        self._forget(worker)
        if worker.demoted:
            self._slow -= 1
        else:
            self._replace_later()


def _reap(process: subprocess.Popen[bytes]) -> None:
    """Wait for a killed worker to exit (in a thread), so no zombie is left."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)


async def _send_all(sock: socket.socket, data: bytes) -> None:
    """Send *data* on the non-blocking *sock*: at once when it fits, else as it drains."""
    try:
        sent = sock.send(data)
    except BlockingIOError:
        sent = 0
    if sent < len(data):
        await asyncio.get_running_loop().sock_sendall(sock, data[sent:])


def _expire(future: asyncio.Future[Reply | None]) -> None:
    """Resolve *future* with None (the deadline passed) unless a reply came first."""
    if not future.done():
        future.set_result(None)
