"""Run the server: in the foreground for the CLI, or in a background thread for tests."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from genrl_kg.errors import StoreError
from genrl_kg.server.app import make_app
from genrl_kg.server.config import ServerSettings

logger = logging.getLogger(__name__)


def _check_store(store_dir: Path) -> None:
    """Raise StoreError when *store_dir* is not an Oxigraph store directory."""
    if not store_dir.is_dir() or not any(store_dir.iterdir()):
        raise StoreError(f"{store_dir}: no store here; run `genrl-kg build` first")


def resolve_database(store_dir: Path) -> Path:
    """Return the database to serve: a build's ``current`` link, or *store_dir* itself.

    ``genrl-kg build`` keeps its database at ``DIR/current``; a plain Oxigraph directory (as the
    tests and other tools make) is served as it is.
    """
    from genrl_kg.store import current_path

    live = current_path(store_dir)
    return live if live.is_dir() else store_dir


def run_server(store_dir: Path, host: str = "127.0.0.1", port: int = 7878, **options: Any) -> None:
    """Serve *store_dir* until interrupted; *options* are ServerSettings fields."""
    store_dir = resolve_database(store_dir)
    _check_store(store_dir)
    try:
        settings = ServerSettings(store_dir=store_dir, **options)
    except (TypeError, ValueError) as error:
        raise StoreError(f"bad server option: {error}") from None
    uvicorn.run(make_app(settings), host=host, port=port, log_level="info", access_log=False)


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
