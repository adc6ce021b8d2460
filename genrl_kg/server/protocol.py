"""The SPARQL 1.1 Protocol endpoint: request parsing, strict errors, queries and updates."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from genrl_kg.server import results
from genrl_kg.server.cache import CachedResponse, ResponseCache
from genrl_kg.server.guard import GuardError, check_text, tokenize
from genrl_kg.server.service_description import service_description_response

logger = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
ALLOW = "GET, HEAD, POST, OPTIONS"
_FORMS_KIND = {"SELECT": "select", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


class ProtocolError(Exception):
    """A request that breaks the protocol; carries the HTTP status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Return a plain-text error with a one-line message."""
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


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


def _graph_list(params: dict[str, list[str]], name: str) -> list[str] | None:
    """Return the IRIs of a dataset parameter, checked, or None when absent."""
    if name not in params:
        return None
    for iri in params[name]:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise ProtocolError(400, f"{name} {iri!r} is not a valid IRI") from None
    return params[name]


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
            return await _run_update(request, params, update)
        if query is None:
            if request.method == "POST":
                raise ProtocolError(400, "the request has no 'query' parameter")
            return service_description_response(request)
        return await _run_query(request, params, query)
    except ProtocolError as error:
        return error_response(error.status, error.message, error.headers)
    except GuardError as error:
        return error_response(error.status, error.message)


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
    job = build_query_job(state.settings, params, query, base, accept)
    remember = None
    if cache is not None and job["kind"] is not None:

        def remember(fmt: str, entry: CachedResponse) -> None:
            cache.store_query(
                query, job["kind"], fmt, job["default_graph"], job["named_graphs"], base, entry
            )

    return await run_and_respond(request, job, remember)


def build_query_job(
    settings: Any, params: dict[str, list[str]], query: str, base: str, accept: str | None
) -> dict[str, Any]:
    """Check *query* and return the worker job; raise ProtocolError or GuardError."""
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
            results.negotiate(kind, accept, format_param)
        except results.NotAcceptable as error:
            raise ProtocolError(406, str(error)) from None
    return {
        "op": "query",
        "text": query,
        "base_iri": base,
        "default_graph": _graph_list(params, "default-graph-uri"),
        "named_graphs": _graph_list(params, "named-graph-uri"),
        "accept": accept,
        "format": format_param,
        "row_cap": settings.row_cap,
        "kind": kind,
    }


def cached_response(entry: CachedResponse) -> Response:
    """Return a response for a cache hit (the same headers as a fresh answer)."""
    return Response(
        entry.body, media_type=entry.media_type, headers={"Vary": "Accept", "X-Cache": "hit"}
    )


async def run_and_respond(
    request: Request,
    job: dict[str, Any],
    remember: Callable[[str, CachedResponse], None] | None = None,
) -> Response:
    """Send *job* to the pool and turn the reply into a complete response.

    *remember* (given when the response cache is on) receives every 200 answer with its format.
    """
    if remember is not None:
        request.app.state.cache.misses += 1
    reply = await request.app.state.pool.run(job)
    if reply[0] == "ok":
        headers = {"Vary": "Accept"}
        media = results.media_type(reply[1])
        if remember is not None:
            remember(reply[1], CachedResponse(reply[2], media))
            headers["X-Cache"] = "miss"
        return Response(reply[2], media_type=media, headers=headers)
    return error_response(reply[1], reply[2])


def _authorised(request: Request, token: str) -> bool:
    """Return whether the request carries the update bearer token."""
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode(), token.encode()
    )


def add_using(update: str, default: list[str] | None, named: list[str] | None) -> str:
    """Insert USING / USING NAMED clauses before each top-level WHERE of *update*.

    >>> add_using('INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }', ['http://g'], None)
    'INSERT { ?s ?p 1 } USING <http://g> WHERE { ?s ?p ?o }'
    """
    clause = "".join(f"USING <{g}> " for g in default or [])
    clause += "".join(f"USING NAMED <{g}> " for g in named or [])
    out, last, depth, previous = [], 0, 0, ""
    for token in tokenize(update):
        if token.text in "{([" and token.kind == "other":
            depth += 1
        elif token.text in "})]" and token.kind == "other":
            depth -= 1
        elif (
            token.kind == "word"
            and token.text.upper() == "WHERE"
            and depth == 0
            and previous != "DELETE"
        ):
            out.append(update[last : token.start] + clause)
            last = token.start
        if token.kind == "word":
            previous = token.text.upper()
    return "".join(out) + update[last:]


async def _run_update(request: Request, params: dict[str, list[str]], update: str) -> Response:
    """Run an update when enabled and authorised; refuse otherwise."""
    settings = request.app.state.settings
    if request.method != "POST":
        raise ProtocolError(405, "updates must be sent with POST", {"Allow": "POST"})
    if not settings.allow_update or not settings.update_token:
        raise ProtocolError(403, "this endpoint is read-only; updates are disabled")
    if not _authorised(request, settings.update_token):
        raise ProtocolError(401, "updates need the bearer token", {"WWW-Authenticate": "Bearer"})
    checked = check_text(
        update,
        max_chars=settings.max_query_chars,
        max_depth=settings.max_depth,
        allowed_remote=settings.allowed_remote,
        base_iri=endpoint_iri(request),
        update=True,
    )
    default = _graph_list(params, "using-graph-uri")
    named = _graph_list(params, "using-named-graph-uri")
    if (default is not None or named is not None) and checked.has_dataset_clause:
        raise ProtocolError(
            400, "using-graph-uri/using-named-graph-uri conflict with USING/WITH in the update"
        )
    text = add_using(update, default, named) if default or named else update
    job = {"op": "update", "text": text, "base_iri": endpoint_iri(request), "row_cap": 0}
    reply = await request.app.state.pool.run(job)
    if reply[0] == "ok":
        return Response(status_code=204)
    return error_response(reply[1], reply[2])
