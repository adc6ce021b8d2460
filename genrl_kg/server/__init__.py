"""The genrl-kg SPARQL endpoint: strict protocol, killable workers, saved-query API, linked data."""

from __future__ import annotations

from typing import Any

__all__ = ["ServerSettings", "make_app", "run_server", "serve_in_background"]


def __getattr__(name: str) -> Any:
    """Import the public names lazily, so worker processes stay light."""
    if name == "ServerSettings":
        from genrl_kg.server.config import ServerSettings

        return ServerSettings
    if name == "make_app":
        from genrl_kg.server.app import make_app

        return make_app
    if name in ("run_server", "serve_in_background"):
        from genrl_kg.server import running

        return getattr(running, name)
    raise AttributeError(name)
