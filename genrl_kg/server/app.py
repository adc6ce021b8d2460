"""The Starlette application factory: routes, middleware, lifespan (worker pool)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from genrl_kg.server import api, editor, linked_data, protocol, service_description
from genrl_kg.server.cache import ResponseCache, make_cache
from genrl_kg.server.config import ServerSettings
from genrl_kg.server.cors import ReadOnlyCors
from genrl_kg.server.explorer import routes as explorer
from genrl_kg.server.fastpath import FastQueryPath
from genrl_kg.server.workers import WorkerPool
from genrl_kg.sparql.worker import Job, Rows

__all__ = [
    "SECURITY_HEADERS",
    "STATIC_DIR",
    "VENDOR_DIR",
    "SecurityHeaders",
    "health",
    "index",
    "make_app",
    "make_starlette_app",
    "status",
]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
GRAPH_NAMES = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
    b"content-security-policy": (
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        b"frame-ancestors 'none'"
    ),
}


class SecurityHeaders:
    """ASGI middleware adding security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap *app*."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers on http.response.start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS.items() if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def index(request: Request) -> Response:
    """Serve the explorer."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")


async def health(request: Request) -> Response:
    """Tell a load balancer whether this HTTP process can answer queries (nothing more)."""
    pool: WorkerPool = request.app.state.pool
    if pool.counters().workers == 0:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def status(request: Request) -> Response:
    """Report this HTTP process's counters: workers, jobs, worker deaths by cause, cache."""
    state = request.app.state
    counters = state.pool.counters()
    cache: ResponseCache | None = state.cache
    return JSONResponse(
        {
            "instance": state.instance,
            "workers": counters.workers,
            "jobs": counters.jobs,
            "worker_deaths": counters.deaths,
            "fast_path_requests": getattr(state, "fast_path_requests", 0),
            "cache": None if cache is None else cache.stats(),
        },
        headers={"Cache-Control": "no-store"},
    )


def make_app(settings: ServerSettings) -> ASGIApp:
    """Return the ASGI application serving the store in *settings*."""
    app = make_starlette_app(settings)
    return FastQueryPath(app, app.state, SECURITY_HEADERS, settings.cors)


def make_starlette_app(settings: ServerSettings) -> Starlette:
    """Return the full Starlette application (every route and middleware)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = WorkerPool(settings)
        await pool.start()
        app.state.pool = pool
        app.state.settings = settings
        app.state.cache = make_cache(settings)
        app.state.void_counts = None
        app.state.instance = secrets.token_hex(4)
        app.state.saved_queries = api.load_queries_safely(settings.queries_dir)
        reply = await pool.run(
            Job(GRAPH_NAMES, op="rows", row_cap=100_000), timeout=max(settings.timeout, 60.0)
        )
        app.state.graph_names = (
            [row[0].value for row in reply.rows if isinstance(row[0], ox.NamedNode)]
            if isinstance(reply, Rows)
            else []
        )
        reply = await pool.run(
            Job(linked_data.TERM_LABELS, op="rows", row_cap=20_000),
            timeout=max(settings.timeout, 60.0),
        )
        app.state.term_labels = (
            linked_data.term_labels(reply.rows) if isinstance(reply, Rows) else {}
        )
        app.state.vocabulary = await explorer.load_vocabulary(pool, settings.timeout)
        app.state.charts = None
        app.state.bib_index = None
        app.state.bib_lock = asyncio.Lock()
        app.state.feeds = {}
        logger.info("serving %s with %d workers", settings.store_dir, pool.size)
        try:
            yield
        finally:
            await pool.close()

    vendor = settings.vendor_dir or VENDOR_DIR
    sparql_methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]
    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/sparql", protocol.sparql_endpoint, methods=sparql_methods),
        Route("/sparql/", protocol.sparql_endpoint, methods=sparql_methods),
        Route("/.well-known/void", service_description.void_endpoint, methods=["GET", "HEAD"]),
        Route("/graph-store", linked_data.graph_store, methods=["GET", "HEAD"]),
        Route("/query", editor.plain_editor, methods=["GET", "HEAD"]),
        Route("/feed.atom", explorer.feed_atom, methods=["GET", "HEAD"]),
        Route("/api/explore", explorer.explore_api, methods=["GET", "HEAD"]),
        Route("/api/charts", explorer.charts_api, methods=["GET", "HEAD"]),
        Route("/api/papers.csv", explorer.papers_csv, methods=["GET", "HEAD"]),
        Route("/api/papers.bib", explorer.papers_bib, methods=["GET", "HEAD"]),
        Route("/api/queries", api.list_queries, methods=["GET", "HEAD"]),
        Route("/api/openapi.json", api.openapi_document, methods=["GET", "HEAD"]),
        Route("/api/queries/{name}", api.run_saved_query, methods=["GET", "HEAD"]),
        Route("/resource/{path:path}", linked_data.resource_page, methods=["GET", "HEAD"]),
        Route("/health", health, methods=["GET", "HEAD"]),
        Route("/status", status, methods=["GET"]),
        Mount("/static/vendor", app=StaticFiles(directory=vendor, check_dir=False)),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders)]
    if settings.cors:
        middleware.append(Middleware(ReadOnlyCors))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.vendor_dir = vendor
    return app
