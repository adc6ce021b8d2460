"""A lean ASGI path for the commonest request, GET /sparql?query=..., with the same checks.

Only a plain GET of /sparql with a query string and no Origin header takes this path; it
parses the parameters, runs the same guard, negotiation and worker pool as the full stack and
sends the complete response in one body message. Anything else, and every refusal, goes to
the Starlette application, which answers it (so errors keep their one implementation).
With the response cache on, a repeated request is answered from it before the guard runs.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import URL
from starlette.types import ASGIApp, Receive, Scope, Send

from genrl_kg.server import results
from genrl_kg.server.cache import CachedResponse, ResponseCache
from genrl_kg.server.guard import GuardError
from genrl_kg.server.protocol import ProtocolError, build_query_job

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
        extra = list(security.items())
        # the same Vary values the full stack sends (CORSMiddleware appends Origin)
        self.ok_headers = [(b"vary", b"Accept, Origin" if cors else b"Accept"), *extra]
        self.error_headers = [(b"vary", b"Origin"), *extra] if cors else extra

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
        accept = None
        for name, value in scope["headers"]:
            if name == b"origin":
                await self.app(scope, receive, send)
                return
            if name == b"accept":
                accept = value.decode("latin-1")
        params = parse_query_string(scope["query_string"])
        if params is None:
            await self.app(scope, receive, send)
            return
        base = str(URL(scope=scope).replace(query="", fragment=""))
        query, fmt = params["query"][0], params.get("format", (None,))[0]
        default, named = params.get("default-graph-uri"), params.get("named-graph-uri")
        cache: ResponseCache | None = getattr(self.state, "cache", None)
        if cache is not None:
            hit = cache.lookup_query(query, accept, fmt, default, named, base)
            if hit is not None:
                await self._send(send, 200, hit.media_type, hit.body, [*self.ok_headers, HIT])
                return
        try:
            job = build_query_job(self.state.settings, params, query, base, accept)
        except (ProtocolError, GuardError):
            await self.app(scope, receive, send)
            return
        store = cache if job["kind"] is not None else None
        if store is not None:
            store.misses += 1
        reply = await self.state.pool.run(job)
        if reply[0] == "ok":
            media = results.media_type(reply[1])
            extra = self.ok_headers
            if store is not None:
                entry = CachedResponse(reply[2], media)
                store.store_query(query, job["kind"], reply[1], default, named, base, entry)
                extra = [*extra, MISS]
            await self._send(send, 200, media, reply[2], extra)
        else:
            body = (reply[2] + "\n").encode()
            await self._send(send, reply[1], "text/plain; charset=utf-8", body, self.error_headers)

    @staticmethod
    async def _send(
        send: Send, status: int, media: str, body: bytes, extra: list[tuple[bytes, bytes]]
    ) -> None:
        """Send a complete response in two messages."""
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", media.encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers + extra})
        await send({"type": "http.response.body", "body": body})
