"""Cross-origin reads on the read routes only: GET and HEAD, no credentials, no other methods.

Read routes are the SPARQL queries (``/sparql``), the saved queries and the explorer's data
(``/api/...``), the resources (``/resource/...``), the data dumps (``/graph-store``), VoID
(``/.well-known/void``) and the Atom feed (``/feed.atom``). Their
GET/HEAD answers carry ``Access-Control-Allow-Origin: *``, whether or not the request named an
origin, so a shared cache never mixes the two. A preflight is approved only for GET/HEAD on
a read route with CORS-safelisted headers: never for POST ``/sparql``. ``/health``, ``/status``,
the explorer and query pages and their static files carry no CORS header at all.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "ALLOW_ORIGIN",
    "READ_METHODS",
    "READ_PATHS",
    "READ_PREFIXES",
    "ReadOnlyCors",
    "is_read_route",
    "preflight_allowed",
]

READ_PATHS = frozenset(
    {
        "/sparql",
        "/sparql/",
        "/.well-known/void",
        "/graph-store",
        "/api/queries",
        "/api/openapi.json",
        "/api/explore",
        "/api/charts",
        "/api/papers.csv",
        "/api/papers.bib",
        "/feed.atom",
    }
)
READ_PREFIXES = ("/api/queries/", "/resource/")
READ_METHODS = frozenset({"GET", "HEAD"})
SAFE_HEADERS = frozenset({"accept", "accept-language", "content-language"})
ALLOW_ORIGIN = (b"access-control-allow-origin", b"*")
MAX_AGE = b"600"


def is_read_route(path: str) -> bool:
    """Return whether *path* is a read route open to cross-origin GET/HEAD.

    >>> is_read_route('/sparql'), is_read_route('/resource/paper/x'), is_read_route('/health')
    (True, True, False)
    """
    return path in READ_PATHS or path.startswith(READ_PREFIXES)


def preflight_allowed(path: str, method: str, headers: str) -> bool:
    """Return whether a preflight for *method* with request *headers* on *path* is approved.

    >>> preflight_allowed('/sparql', 'GET', 'accept')
    True
    >>> preflight_allowed('/sparql', 'POST', 'content-type'), preflight_allowed('/health', 'GET', '')
    (False, False)
    """
    wanted = {h.strip().lower() for h in headers.split(",") if h.strip()}
    return is_read_route(path) and method.upper() in READ_METHODS and wanted <= SAFE_HEADERS


class ReadOnlyCors:
    """ASGI middleware: CORS for reads on the read routes, nothing anywhere else."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap *app*."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer preflights; add the allow-origin header to GET/HEAD on read routes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if method == "OPTIONS":
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            if "access-control-request-method" in headers:
                await self._preflight(send, path, headers)
                return
        if method not in READ_METHODS or not is_read_route(path):
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                if ALLOW_ORIGIN[0] not in present:
                    message["headers"] = [*message.get("headers", []), ALLOW_ORIGIN]
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    async def _preflight(send: Send, path: str, headers: dict[str, str]) -> None:
        """Approve a preflight for a cross-origin read, refuse any other (403, no CORS headers)."""
        method = headers["access-control-request-method"]
        if preflight_allowed(path, method, headers.get("access-control-request-headers", "")):
            status = 204
            extra = [
                ALLOW_ORIGIN,
                (b"access-control-allow-methods", b"GET, HEAD"),
                (b"access-control-allow-headers", b"Accept"),
                (b"access-control-max-age", MAX_AGE),
            ]
            body = b""
        else:
            status = 403
            extra = [(b"content-type", b"text/plain; charset=utf-8")]
            text = f"cross-origin {method} on {path} is not allowed; cross-origin reads use GET\n"
            body = text.encode("latin-1", "replace")
        start = [(b"content-length", str(len(body)).encode()), *extra]
        await send({"type": "http.response.start", "status": status, "headers": start})
        await send({"type": "http.response.body", "body": body})
