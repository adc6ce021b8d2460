"""A lean ASGI path for the commonest request, GET /sparql?query=..., with the same checks.

Only a plain GET of /sparql with a query string takes this path; it parses the parameters,
runs the same guard, negotiation and worker pool as the full stack and sends the complete
response in one body message, with the same headers (security, CORS for reads). Anything
else, every refusal and every federated query goes to the Starlette application, which answers
it (so errors keep their one implementation). With the response cache on, a repeated request
is answered from it before the guard runs.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import URL
from starlette.types import ASGIApp, Receive, Scope, Send

from genrl_kg.server.cache import CachedResponse, ResponseCache
from genrl_kg.server.cors import ALLOW_ORIGIN
from genrl_kg.server.protocol import ProtocolError, build_query_job
from genrl_kg.sparql import formats
from genrl_kg.sparql.guard import GuardError
from genrl_kg.sparql.worker import Answer, Failure

__all__ = ["FAST_PATHS", "FastQueryPath", "parse_query_string"]

logger = logging.getLogger(__name__)

FAST_PATHS = frozenset({"/sparql", "/sparql/"})
HIT, MISS = (b"x-cache", b"hit"), (b"x-cache", b"miss")
_KNOWN = frozenset({"query", "format", "default-graph-uri", "named-graph-uri"})


def parse_query_string(raw: bytes) -> dict[str, list[str]] | None:
    """Return the parameters of a query string, or None when the full stack should decide.

    >>> parse_query_string(b'query=ASK%7B%7D&format=json')
    {'query': ['ASK{}'], 'format': ['json']}
    >>> parse_query_string(b'query=a&query=b') is None, parse_query_string(b'update=x') is None
    (True, True)
    """
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if key not in _KNOWN or (key in params and key in ("query", "format")):
            return None
        params.setdefault(key, []).append(value)
    return params if "query" in params else None


class FastQueryPath:
    """ASGI wrapper answering plain GET /sparql queries without the middleware stack."""

    def __init__(self, app: ASGIApp, state: Any, security: dict[bytes, bytes], cors: bool) -> None:
        """Wrap *app*; *state* is the Starlette app state (settings and pool after startup)."""
        self.app = app
        self.state = state
        extra = list(security.items()) + ([ALLOW_ORIGIN] if cors else [])
        self.ok_headers = [(b"vary", b"Accept"), *extra]
        self.error_headers = extra
        state.fast_path_requests = 0  # requests answered here (for /status)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a plain GET query here; hand everything else to the application."""
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"] not in FAST_PATHS
            or not scope["query_string"]
            or not hasattr(self.state, "pool")
        ):
            await self.app(scope, receive, send)
            return
        params = parse_query_string(scope["query_string"])
        if params is None:
            await self.app(scope, receive, send)
            return
        accept = None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value.decode("latin-1")
        base = str(URL(scope=scope).replace(query="", fragment=""))
        query, fmt = params["query"][0], params.get("format", (None,))[0]
        default, named = params.get("default-graph-uri"), params.get("named-graph-uri")
        cache: ResponseCache | None = getattr(self.state, "cache", None)
        if cache is not None:
            hit = cache.lookup_query(query, accept, fmt, default, named, base)
            if hit is not None:
                self.state.fast_path_requests += 1
                await self._send(send, 200, hit.media_type, hit.body, [*self.ok_headers, HIT])
                return
        try:
            plan = build_query_job(self.state.settings, params, query, base, accept)
        except (ProtocolError, GuardError):
            await self.app(scope, receive, send)
            return
        if plan.remote_targets:  # resolving a SERVICE host is the full stack's job
            await self.app(scope, receive, send)
            return
        self.state.fast_path_requests += 1
        store = cache if plan.kind is not None else None
        if store is not None:
            store.misses += 1
        reply = await self.state.pool.run(plan.job)
        if isinstance(reply, Answer):
            media = formats.media_type(reply.key)
            extra = self.ok_headers
            if store is not None and plan.kind is not None:
                entry = CachedResponse(reply.body, media)
                store.store_query(query, plan.kind, reply.key, default, named, base, entry)
                extra = [*extra, MISS]
            await self._send(send, 200, media, reply.body, extra)
        else:
            status, message = (
                (reply.status, reply.message)
                if isinstance(reply, Failure)
                else (500, "the worker answered rows where a document was expected")
            )
            body = (" ".join(message.split()) + "\n").encode()
            await self._send(send, status, "text/plain; charset=utf-8", body, self.error_headers)

    @staticmethod
    async def _send(
        send: Send, status: int, media: str, body: bytes, extra: list[tuple[bytes, bytes]]
    ) -> None:
        """Send a complete response in two messages."""
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", media.encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers + extra})
        await send({"type": "http.response.body", "body": body})
