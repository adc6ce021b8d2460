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
from multiprocessing.connection import Connection
from typing import Any

from genrl_kg.errors import StoreError
from genrl_kg.server.config import ServerSettings
from genrl_kg.server.worker_main import Reply

logger = logging.getLogger(__name__)

SPAWN_TIMEOUT = 60.0
SLOW_NICENESS = 19


@dataclass(eq=False)
class _Worker:
    """One worker process and its pipe."""

    process: subprocess.Popen[bytes]
    conn: Connection
    demoted: bool = False
    jobs: int = field(default=0)

    def kill(self) -> None:
        """Kill the process at once and reap it."""
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.conn.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


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
            worker.kill()
        self._all.clear()

    def pids(self) -> list[int]:
        """Return the process ids of the live workers."""
        return [w.process.pid for w in self._all]

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
        worker = _Worker(process, Connection(parent.detach()))
        self._all.add(worker)
        reply = await self._receive(worker, SPAWN_TIMEOUT)
        if reply is None or reply[0] != "ready":
            self._all.discard(worker)
            worker.kill()
            detail = reply[1] if reply and reply[0] == "failed" else "the worker did not start"
            raise StoreError(str(detail))
        return worker

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
        future: asyncio.Future[Reply] = loop.create_future()
        fd = worker.conn.fileno()

        def on_readable() -> None:
            loop.remove_reader(fd)
            if future.done():
                return
            try:
                future.set_result(worker.conn.recv())
            except (EOFError, OSError):
                future.set_result(("died",))

        loop.add_reader(fd, on_readable)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            loop.remove_reader(fd)
            return None

    async def run(self, job: dict[str, Any], timeout: float | None = None) -> Reply:
        """Run *job* in a worker within *timeout* seconds; always return a reply."""
        deadline = self.settings.timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            worker = await asyncio.wait_for(self._idle.get(), deadline)
        except TimeoutError:
            return ("error", 503, f"all query workers stayed busy for {deadline:g} s; try again")
        worker.conn.send(job)
        worker.jobs += 1
        reply = await self._receive(worker, min(self.settings.slow_after, deadline))
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
        worker.kill()
        self._all.discard(worker)
        if worker.demoted:
            self._slow -= 1
        else:
            self._replace_later()
