"""A pool of killable query workers (genrl_kg.sparql.runner), driven from the asyncio event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from genrl_kg.errors import StoreError
from genrl_kg.server.config import ServerSettings
from genrl_kg.sparql.runner import DIED, SPAWN_TIMEOUT, WorkerProcess, describe_query, start_worker
from genrl_kg.sparql.worker import Answer, Failure, Job, Ready, Reply, Rows, frame, unframe

__all__ = ["SLOW_NICENESS", "PoolCounters", "WorkerPool"]

logger = logging.getLogger(__name__)

SLOW_NICENESS = 19
REAP_TIMEOUT = 2.0


@dataclass(frozen=True)
class PoolCounters:
    """What the pool has done so far (for /status and the tests)."""

    workers: int
    jobs: int
    deaths: dict[str, int]


class _Slot:
    """One worker process in the pool and what the pool knows about it."""

    def __init__(self, process: WorkerProcess) -> None:
        """Wrap *process*."""
        self.process = process
        self.demoted = False
        self.ready = False
        self.dead = False
        self.waiter: asyncio.Future[object | None] | None = None


class WorkerPool:
    """Runs jobs in worker processes; kills a worker at the deadline and starts a fresh one."""

    def __init__(self, settings: ServerSettings) -> None:
        """Prepare the pool (no process started yet)."""
        self.settings = settings
        self.size = settings.workers
        self.max_slow = settings.max_slow_workers
        self._idle: asyncio.Queue[_Slot] = asyncio.Queue()
        self._all: set[_Slot] = set()
        self._slow = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.jobs = 0  # jobs sent to a worker
        self.deaths: Counter[str] = Counter()  # "deadline", "memory", "crash", "lost"

    async def start(self) -> None:
        """Start the workers; raise StoreError when the store cannot be opened."""
        slots = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for slot in slots:
            self._idle.put_nowait(slot)

    async def close(self) -> None:
        """Kill every worker."""
        for task in list(self._tasks):
            task.cancel()
        for slot in list(self._all):
            self._forget(slot)

    def counters(self) -> PoolCounters:
        """Return the number of ready workers, jobs sent and deaths by cause."""
        ready = sum(1 for s in self._all if s.ready and not s.dead)
        return PoolCounters(ready, self.jobs, dict(sorted(self.deaths.items())))

    async def _spawn(self) -> _Slot:
        """Start one worker and wait until it holds the store."""
        slot = _Slot(start_worker(self.settings.store_dir, self.settings.memory_limit_mb))
        slot.process.sock.setblocking(False)
        self._all.add(slot)
        loop = asyncio.get_running_loop()
        loop.add_reader(slot.process.sock.fileno(), self._on_readable, slot)
        reply = await self._receive(slot, SPAWN_TIMEOUT)
        if isinstance(reply, Ready):
            slot.ready = True
            return slot
        if isinstance(reply, Failure) and reply is not DIED:
            self._forget(slot)
            raise StoreError(reply.message)
        if reply is None:
            with contextlib.suppress(ValueError, OSError):
                loop.remove_reader(slot.process.sock.fileno())
            slot.process.kill()
        await loop.run_in_executor(None, slot.process.reap, REAP_TIMEOUT)
        cause = slot.process.exit_cause()
        self._forget(slot)
        logger.error("query worker %d did not start: %s", slot.process.pid, cause)
        raise StoreError(f"a query worker did not start: {cause}")

    def _forget(self, slot: _Slot) -> None:
        """Stop watching *slot*, kill its process and drop it from the pool."""
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(slot.process.sock.fileno())
        if slot.process.process.poll() is None:
            slot.process.kill()
        self._all.discard(slot)
        loop = asyncio.get_running_loop()
        loop.run_in_executor(None, _reap_and_close, slot.process)

    def _on_readable(self, slot: _Slot) -> None:
        """Hand the worker's complete messages to whoever waits (one reader per worker)."""
        try:
            data = slot.process.sock.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            slot.process.buffer += data
            messages: list[object] = unframe(slot.process.buffer)
        else:
            messages = [DIED]
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(slot.process.sock.fileno())
        for message in messages:
            waiter = slot.waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(message)
            elif message is DIED:
                self._lost_while_idle(slot)
            else:
                logger.warning("dropped an unexpected message from worker %d", slot.process.pid)

    def _lost_while_idle(self, slot: _Slot) -> None:
        """Log the death of a worker that held no job, and replace it."""
        if slot.dead or slot.process.killed:
            return
        slot.dead = True

        async def report() -> None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, slot.process.reap, REAP_TIMEOUT)
            self.deaths["lost"] += 1
            logger.error(
                "idle query worker %d died: %s", slot.process.pid, slot.process.exit_cause()
            )
            self._discard(slot)

        self._background(report())

    def _background(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run *coroutine* as a task the pool keeps (and cancels on close)."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _replace_later(self) -> None:
        """Start a replacement worker in the background."""

        async def replace() -> None:
            try:
                self._idle.put_nowait(await self._spawn())
            except StoreError as error:
                logger.error("cannot start a replacement worker: %s", error)

        self._background(replace())

    async def _receive(self, slot: _Slot, timeout: float) -> object | None:
        """Wait for the next message from *slot*; None on timeout."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[object | None] = loop.create_future()
        slot.waiter = future
        timer = loop.call_later(timeout, _expire, future)
        try:
            return await future
        finally:
            timer.cancel()
            slot.waiter = None

    async def _acquire(self, deadline: float) -> _Slot | None:
        """Return an idle live worker, waiting up to *deadline* seconds; None when none came."""
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline
        while True:
            if self._idle.empty():
                try:
                    slot = await asyncio.wait_for(self._idle.get(), max(end - loop.time(), 0))
                except TimeoutError:
                    return None
            else:
                slot = self._idle.get_nowait()
            if not slot.dead:
                return slot

    async def run(self, job: Job, timeout: float | None = None) -> Reply:
        """Run *job* in a worker within *timeout* seconds; always return a reply."""
        deadline = self.settings.timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        started = loop.time()
        slot = await self._acquire(deadline)
        if slot is None:
            return Failure(503, f"all query workers stayed busy for {deadline:g} s; try again")
        try:
            await _send_all(slot.process.sock, frame(job))
        except OSError:
            self.deaths["lost"] += 1
            logger.error("query worker %d was lost before its job was sent", slot.process.pid)
            self._discard(slot)
            return Failure(503, "a query worker was lost; try again")
        self.jobs += 1
        remaining = max(deadline - (loop.time() - started), 0.001)
        reply = await self._receive(slot, min(self.settings.slow_after, remaining))
        if reply is None and self._slow < self.max_slow:
            self._demote(slot)
        if reply is None:
            reply = await self._receive(slot, max(deadline - (loop.time() - started), 0.001))
        if reply is None:
            return self._killed_at_deadline(slot, job, deadline)
        if reply is DIED:
            return await self._died(slot, job)
        if slot.demoted:
            self._discard(slot)
        else:
            self._idle.put_nowait(slot)
        if isinstance(reply, Answer | Rows | Failure):
            return reply
        return Failure(500, f"the worker sent an unexpected message {type(reply).__name__}")

    def _killed_at_deadline(self, slot: _Slot, job: Job, deadline: float) -> Failure:
        """Kill a worker whose query ran past the deadline; log it."""
        slot.dead = True
        self.deaths["deadline"] += 1
        logger.warning(
            "query worker %d killed at the %g s deadline (query %s)",
            slot.process.pid,
            deadline,
            describe_query(job.text),
        )
        self._discard(slot)
        return Failure(503, f"the query did not finish within the {deadline:g} s limit")

    async def _died(self, slot: _Slot, job: Job) -> Failure:
        """Log why a worker died during a job (after reaping it); replace it."""
        slot.dead = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, slot.process.reap, REAP_TIMEOUT)
        cause = slot.process.exit_cause()
        self.deaths["memory" if "memory limit" in cause else "crash"] += 1
        logger.error(
            "query worker %d died: %s (query %s)", slot.process.pid, cause, describe_query(job.text)
        )
        self._discard(slot)
        return Failure(503, f"the query crashed its worker: {cause}")

    def _demote(self, slot: _Slot) -> None:
        """Move a slow query's worker out of the pool at low priority; start a replacement."""
        slot.demoted = True
        self._slow += 1
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, slot.process.pid, SLOW_NICENESS)
        self._replace_later()

    def _discard(self, slot: _Slot) -> None:
        """Kill *slot*'s worker; replace it unless a demotion already did."""
        self._forget(slot)
        if slot.demoted:
            self._slow -= 1
        else:
            self._replace_later()


def _reap_and_close(process: WorkerProcess) -> None:
    """Wait for a killed worker to exit (in a thread), so no zombie is left; free its files."""
    process.reap(30)
    process.close()


async def _send_all(sock: socket.socket, data: bytes) -> None:
    """Send *data* on the non-blocking *sock*: at once when it fits, else as it drains."""
    try:
        sent = sock.send(data)
    except BlockingIOError:
        sent = 0
    if sent < len(data):
        await asyncio.get_running_loop().sock_sendall(sock, data[sent:])


def _expire(future: asyncio.Future[object | None]) -> None:
    """Resolve *future* with None (the deadline passed) unless a reply came first."""
    if not future.done():
        future.set_result(None)
