"""The SPARQL 1.1 Protocol endpoint (queries only): request parsing, strict errors, queries.

A GET with no query answers the Service Description, or the SPARQL editor to a client that
prefers HTML (``Accept: text/html``).

The endpoint is read-only: the data comes from ``genrl-kg build``. An ``update`` request is
refused with 403 (405 when sent with GET, as the protocol asks).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from genrl_kg.server import editor
from genrl_kg.server.cache import CachedResponse, ResponseCache
from genrl_kg.server.config import ServerSettings
from genrl_kg.server.service_description import service_description_response
from genrl_kg.sparql import formats
from genrl_kg.sparql.guard import GuardError, check_text
from genrl_kg.sparql.hosts import resolve_remote_endpoint
from genrl_kg.sparql.worker import Answer, Failure, Job, Reply

__all__ = [
    "ALLOW",
    "FORM",
    "QUERY_TYPE",
    "UPDATE_TYPE",
    "PlannedQuery",
    "ProtocolError",
    "build_query_job",
    "cached_response",
    "check_remote_targets",
    "endpoint_iri",
    "error_response",
    "parse_request",
    "reply_response",
    "run_and_respond",
    "sparql_endpoint",
]

logger = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
ALLOW = "GET, HEAD, POST, OPTIONS"
_FORMS_KIND = {"SELECT": "select", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


class ProtocolError(Exception):
    """A request that breaks the protocol; carries the HTTP status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        """Keep the HTTP *status*, the one-line *message* and extra response *headers*."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class PlannedQuery:
    """A checked query: the worker job, its result kind (for the cache) and remote targets."""

    job: Job
    kind: str | None
    remote_targets: tuple[str, ...]


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Return a plain-text error with a one-line message."""
    return PlainTextResponse(" ".join(message.split()) + "\n", status_code=status, headers=headers)


def _media(content_type: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type into the media type and its parameters.

    >>> _media('application/sparql-query; charset=UTF-16')
    ('application/sparql-query', {'charset': 'utf-16'})
    """
    media, *params = (p.strip() for p in content_type.split(";"))
    parsed = {}
    for param in params:
        name, _, value = param.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"').lower()
    return media.lower(), parsed


def _decode(body: bytes, what: str) -> str:
    """Decode a body as strict UTF-8 or raise a 400."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"the {what} is not valid UTF-8 (byte {error.start})") from None


async def _read_body(request: Request, limit: int) -> bytes:
    """Read the request body, refusing more than *limit* bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is larger than the {limit}-byte limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request body is larger than the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


async def parse_request(request: Request, max_body: int) -> dict[str, list[str]]:
    """Merge URL and body parameters into one multi-dict, per the protocol's three forms."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type")
    if not content_type:
        raise ProtocolError(
            400, "a POST needs a Content-Type: " + ", ".join((FORM, QUERY_TYPE, UPDATE_TYPE))
        )
    media, options = _media(content_type)
    charset = options.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(400, f"charset {charset} is not supported; send UTF-8")
    body = await _read_body(request, max_body)
    if media == FORM:
        text = _decode(body, "form body")
        for key, value in parse_qsl(text, keep_blank_values=True):
            params.setdefault(key, []).append(value)
    elif media in (QUERY_TYPE, UPDATE_TYPE):
        field = "query" if media == QUERY_TYPE else "update"
        if field in params:
            raise ProtocolError(400, f"'{field}' given both in the URL and as the body")
        params[field] = [_decode(body, f"{field} body")]
    else:
        raise ProtocolError(
            415, f"unsupported Content-Type {media}; use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}"
        )
    return params


def _single(params: dict[str, list[str]], name: str) -> str | None:
    """Return the one value of *name*, raising a 400 when it is given more than once."""
    values = params.get(name, [])
    if len(values) > 1:
        raise ProtocolError(400, f"'{name}' given {len(values)} times; give it once")
    return values[0] if values else None


def _graph_list(params: dict[str, list[str]], name: str) -> tuple[str, ...] | None:
    """Return the IRIs of a dataset parameter, checked, or None when absent."""
    if name not in params:
        return None
    for iri in params[name]:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise ProtocolError(400, f"{name} {iri!r} is not a valid IRI") from None
    return tuple(params[name])


def endpoint_iri(request: Request) -> str:
    """Return the endpoint's own IRI (used as the base IRI)."""
    return str(request.url.replace(query="", fragment=""))


async def sparql_endpoint(request: Request) -> Response:
    """Handle GET/POST on /sparql."""
    state = request.app.state
    if request.method not in ("GET", "HEAD", "POST"):
        return error_response(
            405, f"{request.method} is not allowed here; use GET or POST", {"Allow": ALLOW}
        )
    try:
        params = await parse_request(request, state.settings.max_body_bytes)
        query = _single(params, "query")
        update = _single(params, "update")
        if query is not None and update is not None:
            raise ProtocolError(400, "give either 'query' or 'update', not both")
        if update is not None:
            _refuse_update(request)
        if query is None:
            if request.method == "POST":
                raise ProtocolError(400, "the request has no 'query' parameter")
            if editor.wants_editor(request):
                return await editor.editor_page(request)
            return service_description_response(request)
        return await _run_query(request, params, query)
    except ProtocolError as error:
        return error_response(error.status, error.message, error.headers)
    except GuardError as error:
        return error_response(error.status, error.message)


def _refuse_update(request: Request) -> None:
    """Refuse a SPARQL update: the data comes from builds, never from the endpoint."""
    if request.method != "POST":
        raise ProtocolError(405, "updates must be sent with POST", {"Allow": "POST"})
    raise ProtocolError(
        403, "this endpoint is read-only: updates are not accepted (the data comes from builds)"
    )


async def _run_query(request: Request, params: dict[str, list[str]], query: str) -> Response:
    """Answer from the response cache, or check, negotiate and run a query."""
    state = request.app.state
    base = endpoint_iri(request)
    accept = request.headers.get("accept")
    cache: ResponseCache | None = getattr(state, "cache", None)
    if cache is not None and len(params.get("format", ())) <= 1:
        hit = cache.lookup_query(
            query,
            accept,
            _single(params, "format"),
            params.get("default-graph-uri"),
            params.get("named-graph-uri"),
            base,
        )
        if hit is not None:
            return cached_response(hit)
    plan = build_query_job(state.settings, params, query, base, accept)
    await check_remote_targets(plan.remote_targets)
    remember = None
    kind = plan.kind
    if cache is not None and kind is not None:
        job = plan.job

        def remember(fmt: str, entry: CachedResponse) -> None:
            cache.store_query(query, kind, fmt, job.default_graph, job.named_graphs, base, entry)

    return await run_and_respond(request, plan.job, remember)


async def check_remote_targets(targets: tuple[str, ...]) -> None:
    """Resolve each allow-listed SERVICE host now that the query runs; fail closed."""
    for url in targets:
        await asyncio.to_thread(resolve_remote_endpoint, url)


def build_query_job(
    settings: ServerSettings,
    params: dict[str, list[str]],
    query: str,
    base: str,
    accept: str | None,
) -> PlannedQuery:
    """Check *query* and return its plan; raise ProtocolError or GuardError."""
    checked = check_text(
        query,
        max_chars=settings.max_query_chars,
        max_depth=settings.max_depth,
        allowed_remote=settings.allowed_remote,
        base_iri=base,
    )
    format_param = _single(params, "format")
    kind = _FORMS_KIND.get(checked.form)
    if kind is not None:
        try:
            formats.negotiate(kind, accept, format_param)
        except formats.NotAcceptable as error:
            raise ProtocolError(406, str(error)) from None
    job = Job(
        text=query,
        base_iri=base,
        default_graph=_graph_list(params, "default-graph-uri"),
        named_graphs=_graph_list(params, "named-graph-uri"),
        accept=accept,
        format=format_param,
        row_cap=settings.row_cap,
    )
    return PlannedQuery(job, kind, checked.remote_targets)


def cached_response(entry: CachedResponse) -> Response:
    """Return a response for a cache hit (the same headers as a fresh answer)."""
    return Response(
        entry.body, media_type=entry.media_type, headers={"Vary": "Accept", "X-Cache": "hit"}
    )


def reply_response(reply: Reply) -> Response:
    """Return the response for a worker reply that is an Answer or a Failure."""
    if isinstance(reply, Answer):
        media = formats.media_type(reply.key)
        return Response(reply.body, media_type=media, headers={"Vary": "Accept"})
    if isinstance(reply, Failure):
        return error_response(reply.status, reply.message)
    return error_response(500, "the worker answered rows where a document was expected")


async def run_and_respond(
    request: Request,
    job: Job,
    remember: Callable[[str, CachedResponse], None] | None = None,
) -> Response:
    """Send *job* to the pool and turn the reply into a complete response.

    *remember* (given when the response cache is on) receives every 200 answer with its format.
    """
    if remember is not None:
        request.app.state.cache.misses += 1
    reply = await request.app.state.pool.run(job)
    if isinstance(reply, Answer) and remember is not None:
        media = formats.media_type(reply.key)
        remember(reply.key, CachedResponse(reply.body, media))
        return Response(reply.body, media_type=media, headers={"Vary": "Accept", "X-Cache": "miss"})
    return reply_response(reply)
