"""The explorer's HTTP routes: /api/explore, /api/charts, /api/papers.csv, .bib, /feed.atom."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from genrl_kg.bibtex import AUTHORS_QUERY, RECORDS_QUERY, BibRecord, assign_keys, records_from_rows
from genrl_kg.bibtex import write_bibtex as render_bibtex
from genrl_kg.server.cache import CachedResponse, ResponseCache
from genrl_kg.server.explorer.selection import Selection, SelectionError, parse_selection
from genrl_kg.server.explorer.service import (
    Exploration,
    ExplorerUnavailable,
    explore,
    run_rows,
)
from genrl_kg.server.explorer.vocabulary import (
    VOCABULARY_QUERY,
    Vocabulary,
    slug_of,
    vocabulary_from_rows,
)
from genrl_kg.server.protocol import error_response

__all__ = [
    "CHART_QUERIES",
    "CSV_COLUMNS",
    "HISTORY_QUERY",
    "BibIndex",
    "bib_index",
    "charts_api",
    "explore_api",
    "feed_atom",
    "load_vocabulary",
    "papers_bib",
    "papers_csv",
]

logger = logging.getLogger(__name__)

HISTORY_QUERY = (
    "SELECT ?paper WHERE { ?paper <https://w3id.org/genrl-kg/ontology#firstListed> ?first } LIMIT 1"
)
CHART_QUERIES = {
    "trend": "papers-per-year-and-base-model",
    "matrix": "task-by-base-model",
    "growth": "list-growth",
}
CSV_COLUMNS = (
    "title",
    "paper",
    "year",
    "listed",
    "arxiv",
    "url",
    "code",
    "repository",
    "base_models",
)
JSON_TYPE = "application/json"
STARTUP_TIMEOUT = 60.0


async def load_vocabulary(pool: Any, timeout: float) -> Vocabulary:
    """Read the explorer's vocabulary (an empty one when the queries fail)."""
    wait = max(timeout, STARTUP_TIMEOUT)
    try:
        rows = await run_rows(pool, VOCABULARY_QUERY, {}, wait)
        history = await run_rows(pool, HISTORY_QUERY, {}, wait)
    except ExplorerUnavailable as error:
        logger.error("explorer vocabulary not loaded: %s", error.message)
        return Vocabulary()
    return vocabulary_from_rows(rows, bool(history))


def _selection(request: Request) -> Selection:
    """Return the request's selection; raise SelectionError."""
    return parse_selection(request.query_params.multi_items(), request.app.state.vocabulary)


async def _exploration(request: Request, selection: Selection) -> Exploration:
    """Run the explorer's queries for *selection*."""
    state = request.app.state
    return await explore(state.pool, state.vocabulary, selection, state.settings.timeout)


async def _cached(request: Request, kind: str, make: Any) -> Response:
    """Answer from the response cache, or with make(selection) -> (body, media type), cached."""
    try:
        selection = _selection(request)
        cache: ResponseCache | None = getattr(request.app.state, "cache", None)
        key = ("explorer", kind, selection.filters, selection.sort)
        hit = cache.get(key) if cache is not None else None
        if hit is None:
            body, media = await make(request, selection)
            hit = CachedResponse(body, media)
            if cache is not None:
                cache.put(key, hit)
    except SelectionError as error:
        return error_response(400, str(error))
    except ExplorerUnavailable as error:
        return error_response(error.status, error.message)
    headers = {}
    if kind != "explore":
        name = "genrl-kg-papers." + kind
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Response(hit.body, media_type=hit.media_type, headers=headers)


async def _explore_body(request: Request, selection: Selection) -> tuple[bytes, str]:
    """Return the JSON of /api/explore."""
    document = (await _exploration(request, selection)).to_json()
    document["base"] = request.app.state.settings.base_iri
    return json.dumps(document, ensure_ascii=False).encode("utf-8"), JSON_TYPE


async def explore_api(request: Request) -> Response:
    """GET /api/explore?<filters>: the papers, facet counts and tree counts of a selection."""
    return await _cached(request, "explore", _explore_body)


async def _csv_body(request: Request, selection: Selection) -> tuple[bytes, str]:
    """Return the CSV of the paper table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in (await _exploration(request, selection)).rows:
        values = [getattr(row, c) for c in CSV_COLUMNS[:-1]] + [" ".join(row.base_models)]
        writer.writerow(["" if v is None else v for v in values])
    return out.getvalue().encode("utf-8"), "text/csv; charset=utf-8"


async def papers_csv(request: Request) -> Response:
    """GET /api/papers.csv?<filters>: the paper table as CSV."""
    return await _cached(request, "csv", _csv_body)


class BibIndex:
    """Every paper's BibTeX record and its key over the whole graph (read once, then kept)."""

    def __init__(self, records: list[BibRecord]) -> None:
        """Index *records* and assign their keys."""
        self.records = {r.iri: r for r in records}
        self.keys = assign_keys(records)

    def bibtex(self, iris: list[str]) -> str:
        """Return the BibTeX of the papers *iris*, in that order."""
        return render_bibtex([self.records[i] for i in iris if i in self.records], self.keys)


async def bib_index(request: Request) -> BibIndex:
    """Return the app's BibIndex, reading it on first use."""
    state = request.app.state
    async with state.bib_lock:
        if state.bib_index is None:
            timeout = max(state.settings.timeout, STARTUP_TIMEOUT)
            rows = await run_rows(state.pool, RECORDS_QUERY, {}, timeout)
            authors = await run_rows(state.pool, AUTHORS_QUERY, {}, timeout)
            state.bib_index = BibIndex(records_from_rows(rows, authors))
    index: BibIndex = state.bib_index
    return index


async def _bib_body(request: Request, selection: Selection) -> tuple[bytes, str]:
    """Return the BibTeX of the selection, in the table's order."""
    rows = (await _exploration(request, selection)).rows
    index = await bib_index(request)
    return index.bibtex([r.paper for r in rows]).encode(
        "utf-8"
    ), "application/x-bibtex; charset=utf-8"


async def papers_bib(request: Request) -> Response:
    """GET /api/papers.bib?<filters>: BibTeX of the selected papers."""
    return await _cached(request, "bib", _bib_body)


def _chart_rows(name: str, rows: list[Any]) -> list[dict[str, Any]]:
    """Return one chart's rows as JSON objects, concept IRIs as slugs."""
    out = []
    for row in rows:
        item: dict[str, Any] = {}
        for column, term in zip(_COLUMNS[name], row, strict=False):
            if term is None:
                continue
            if isinstance(term, ox.NamedNode):
                item[column] = slug_of(term.value)
            elif column in ("papers", "added", "year"):
                item[column] = int(term.value)
            else:
                item[column] = str(term.value)
        out.append(item)
    return out


_COLUMNS = {
    "trend": ("year", "baseModel", "baseModelLabel", "papers"),
    "matrix": ("task", "taskLabel", "baseModel", "baseModelLabel", "papers"),
    "growth": ("month", "added", "papers"),
}


async def charts_api(request: Request) -> Response:
    """GET /api/charts: the rows of the saved queries behind `genrl-kg plot`'s figures."""
    state = request.app.state
    if state.charts is None:
        charts: dict[str, Any] = {}
        for chart, name in CHART_QUERIES.items():
            query = state.saved_queries.get(name)
            if query is None or (chart == "growth" and not state.vocabulary.has_history):
                continue
            try:
                rows = await run_rows(state.pool, query.text, {}, state.settings.timeout)
            except ExplorerUnavailable as error:
                return error_response(error.status, error.message)
            charts[chart] = {"query": name, "rows": _chart_rows(chart, rows)}
        state.charts = json.dumps(charts, ensure_ascii=False).encode("utf-8")
    return Response(state.charts, media_type=JSON_TYPE)


def _read_feed(store_dir: str, base: str) -> bytes:
    """Return the Atom feed of the store (opened read-only, in a thread)."""
    from genrl_kg.feeds import atom_feed

    return atom_feed(ox.Store.read_only(store_dir), base)


async def feed_atom(request: Request) -> Response:
    """GET /feed.atom: the papers newest on the list (genrl_kg.feeds.atom_feed)."""
    state = request.app.state
    base = str(request.base_url)
    feeds: dict[str, bytes] = state.feeds
    if base not in feeds:
        try:
            body = await asyncio.to_thread(_read_feed, str(state.settings.store_dir), base)
        except (OSError, ValueError) as error:
            return error_response(503, f"the feed cannot be made: {error}")
        if len(feeds) < 8:  # one per host name the server is reached by
            feeds[base] = body
    else:
        body = feeds[base]
    return Response(body, media_type="application/atom+xml; charset=utf-8")
