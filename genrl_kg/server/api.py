"""Saved queries as an HTTP API: list, run with parameters bound as RDF terms, OpenAPI."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from genrl_kg.errors import QueryError
from genrl_kg.namespace import PREFIXES
from genrl_kg.queries import NAME_RE, SavedQuery, bind_parameters, load_saved_queries
from genrl_kg.server.cache import CachedResponse, ResponseCache
from genrl_kg.server.editor import fill_parameters
from genrl_kg.server.openapi import build_openapi
from genrl_kg.server.protocol import cached_response, error_response, run_and_respond
from genrl_kg.sparql import formats
from genrl_kg.sparql.guard import GuardError, check_text
from genrl_kg.sparql.worker import Job

__all__ = [
    "RESERVED",
    "describe_query",
    "list_queries",
    "load_queries_safely",
    "openapi_document",
    "run_saved_query",
    "saved_queries",
]

logger = logging.getLogger(__name__)

RESERVED = ("format",)
_KIND = {"SELECT": "select", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def describe_query(query: SavedQuery) -> dict[str, Any]:
    """Return the public description of one saved query."""
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "form": query.form,
        "parameters": [
            {
                "name": p.name,
                "datatype": p.datatype,
                "default": p.default,
                "description": p.description,
            }
            for p in query.parameters
        ],
        "text": query.text,
    }


def saved_queries(request: Request) -> dict[str, SavedQuery]:
    """Return the saved queries (read once at startup)."""
    return request.app.state.saved_queries


async def list_queries(request: Request) -> Response:
    """GET /api/queries: every saved query with its parameters, and its text with them filled in."""
    queries = [
        describe_query(q) | {"example": fill_parameters(q)} for q in saved_queries(request).values()
    ]
    return JSONResponse({"queries": queries, "prefixes": PREFIXES})


async def run_saved_query(request: Request) -> Response:
    """GET /api/queries/{name}: run a saved query, parameters from the query string."""
    name = request.path_params["name"]
    if not NAME_RE.match(name) or name not in saved_queries(request):
        return error_response(404, f"no saved query named {name!r}; see /api/queries")
    query = saved_queries(request)[name]
    raw: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in RESERVED:
            continue
        if key in raw:
            return error_response(400, f"parameter {key!r} given more than once")
        raw[key] = value
    try:
        bindings = bind_parameters(query, raw)
    except QueryError as error:
        return error_response(400, str(error))
    accept = request.headers.get("accept")
    format_param = request.query_params.get("format")
    try:
        fmt = formats.negotiate(_KIND.get(query.form, "select"), accept, format_param)
    except formats.NotAcceptable as error:
        return error_response(406, str(error))
    cache: ResponseCache | None = getattr(request.app.state, "cache", None)
    bound = tuple(sorted(raw.items()))
    if cache is not None:
        hit = cache.get(("api", name, bound, fmt))
        if hit is not None:
            return cached_response(hit)
    settings = request.app.state.settings
    try:
        check_text(query.text, max_chars=settings.max_query_chars, max_depth=settings.max_depth)
    except GuardError as error:
        return error_response(error.status, error.message)
    job = Job(
        query.text,
        substitutions=bindings,
        accept=accept,
        format=format_param,
        row_cap=settings.row_cap,
    )
    remember = None
    if cache is not None:

        def remember(answer_format: str, entry: CachedResponse) -> None:
            cache.put(("api", name, bound, answer_format), entry)

    return await run_and_respond(request, job, remember)


async def openapi_document(request: Request) -> Response:
    """GET /api/openapi.json: the OpenAPI 3.1 document generated from the .rq headers."""
    server = str(request.base_url).rstrip("/")
    return JSONResponse(build_openapi(saved_queries(request).values(), server))


def load_queries_safely(directory: Any) -> dict[str, SavedQuery]:
    """Load the saved queries, or none when the folder is missing or broken."""
    try:
        return load_saved_queries(directory)
    except (QueryError, OSError) as error:
        logger.error("saved queries not loaded: %s", error)
        return {}
