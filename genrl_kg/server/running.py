"""Run the server: in the foreground for the CLI, or in a background thread for tests."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import multiprocessing
import multiprocessing.process
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from genrl_kg.errors import GenrlKgError, StoreError
from genrl_kg.server.app import make_app
from genrl_kg.server.config import ServerSettings

__all__ = [
    "DEFAULT_PROCESSES",
    "QUICK_DEATHS",
    "ListenError",
    "decode_settings",
    "encode_settings",
    "resolve_database",
    "run_server",
    "serve_in_background",
]

logger = logging.getLogger(__name__)

DEFAULT_PROCESSES = 2
QUICK_DEATHS = 3  # HTTP processes dying within STARTUP_GRACE of their start before we give up
STARTUP_GRACE = 10.0


class ListenError(GenrlKgError):
    """The server cannot listen on the address and port it was given."""


def _check_store(store_dir: Path) -> None:
    """Raise StoreError unless *store_dir* is an Oxigraph database we can open read-only."""
    if not store_dir.is_dir() or not any(store_dir.iterdir()):
        raise StoreError(f"{store_dir}: no store here; run `genrl-kg build` first")
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(str(store_dir))
    except (OSError, RuntimeError, ValueError) as error:  # pyoxigraph: RuntimeError on corruption
        reason = " ".join(str(error).split())
        raise StoreError(f"{store_dir}: cannot open the store ({reason})") from None
    del store


def _check_port(host: str, port: int) -> None:
    """Raise ListenError when nobody may listen on *host*:*port* (taken, or a bad address)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:  # no SO_REUSEPORT: not shared
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as error:
        reason = error.strerror or " ".join(str(error).split())
        raise ListenError(f"cannot listen on {host}:{port} ({reason})") from None


def resolve_database(store_dir: Path) -> Path:
    """Return the database to serve: a build's ``current`` link, or *store_dir* itself.

    ``genrl-kg build`` keeps its database at ``DIR/current/db``; a plain Oxigraph directory (as the
    tests and other tools make) is served as it is.
    """
    from genrl_kg.store import database_path

    live = database_path(store_dir)
    return live if live.is_dir() else store_dir


def run_server(
    store_dir: Path,
    host: str = "127.0.0.1",
    port: int = 7878,
    processes: int | None = None,
    announce: Callable[[str], None] | None = None,
    **options: Any,
) -> None:
    """Serve *store_dir* until interrupted; *options* are ServerSettings fields.

    Every check (options, store, port) runs first; then *announce* gets a "serving" line.

    *processes* HTTP processes (default 2, one per core) share the listening socket, each with
    its own pool of ``workers`` query worker processes.
    """
    store_dir = resolve_database(store_dir)
    try:
        settings = ServerSettings(store_dir=store_dir, **options)
    except (TypeError, ValueError) as error:
        raise StoreError(f"bad server option: {error}") from None
    _check_store(store_dir)
    _check_port(host, port)
    if announce is not None:
        announce(f"serving {store_dir} on http://{host}:{port}/")
    count = processes or DEFAULT_PROCESSES
    if count == 1:
        uvicorn.run(make_app(settings), host=host, port=port, log_level="info", access_log=False)
        return
    _run_processes(encode_settings(settings), host, port, count)


def _listen(host: str, port: int) -> socket.socket:
    """Return a socket bound with SO_REUSEPORT, so the kernel spreads connections over processes."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _serve_process(encoded: str, host: str, port: int) -> None:
    """Body of one HTTP process: its own listening socket, app and query worker pool."""
    logging.basicConfig(level=logging.INFO)
    sock = _listen(host, port)
    config = uvicorn.Config(
        make_app(decode_settings(encoded)), log_level="info", access_log=False, lifespan="on"
    )
    uvicorn.Server(config).run(sockets=[sock])


def _interrupt(signum: int, frame: object) -> None:
    """Turn SIGTERM into KeyboardInterrupt, so the HTTP processes are stopped too."""
    raise KeyboardInterrupt


def _run_processes(encoded: str, host: str, port: int, count: int) -> None:
    """Run *count* HTTP processes on one port until interrupted; restart any that dies.

    Raise ListenError when HTTP processes keep dying right after their start (QUICK_DEATHS).
    """
    context = multiprocessing.get_context("spawn")
    started: dict[int, float] = {}

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_serve_process, args=(encoded, host, port))
        process.start()
        started[id(process)] = time.monotonic()
        return process

    signal.signal(signal.SIGTERM, _interrupt)
    children = [start() for _ in range(count)]
    logger.info("serving on http://%s:%d with %d HTTP processes", host, port, count)
    quick = 0
    try:
        while True:
            time.sleep(1.0)
            for index, child in enumerate(children):
                if child.is_alive():
                    continue
                lived = time.monotonic() - started.pop(id(child), 0.0)
                quick = quick + 1 if lived < STARTUP_GRACE else 0
                logger.error(
                    "HTTP process %s exited with code %s after %.1f s",
                    child.pid,
                    child.exitcode,
                    lived,
                )
                if quick >= QUICK_DEATHS:
                    raise ListenError(
                        f"HTTP processes on {host}:{port} keep exiting at startup; see the log above"
                    )
                children[index] = start()
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
        for child in children:
            child.join(timeout=30)


def encode_settings(settings: ServerSettings) -> str:
    """Return *settings* as JSON (for the HTTP processes uvicorn starts)."""
    fields = dataclasses.asdict(settings)
    return json.dumps(
        {k: str(v) if isinstance(v, Path) else v for k, v in fields.items()}, sort_keys=True
    )


def decode_settings(text: str) -> ServerSettings:
    """Rebuild the settings that encode_settings wrote."""
    fields = json.loads(text)
    fields["store_dir"] = Path(fields["store_dir"])
    fields["queries_dir"] = Path(fields["queries_dir"])
    fields["allowed_remote"] = tuple(fields["allowed_remote"])
    return ServerSettings(**fields)


@contextlib.contextmanager
def serve_in_background(settings: ServerSettings, host: str = "127.0.0.1") -> Iterator[str]:
    """Start the server on a free port in a thread; yield its base URL; stop it after."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        make_app(settings), log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise StoreError(f"the server for {settings.store_dir} did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
