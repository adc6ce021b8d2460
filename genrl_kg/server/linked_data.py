"""Dereferenceable IRIs (/resource/...) and the Graph Store Protocol for reading.

A resource is known when some triple mentions it. An unknown one is a 404 in every format.
RDF formats answer ``DESCRIBE`` (the triples about it), or, for a resource that only appears as
an object, the triples that point at it; HTML shows both directions.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from genrl_kg.server.explorer.routes import bib_index
from genrl_kg.server.explorer.service import ExplorerUnavailable
from genrl_kg.server.paper_html import PaperExtras, is_paper, render_paper
from genrl_kg.server.protocol import error_response, run_and_respond
from genrl_kg.server.resource_html import ResourceData, render_page
from genrl_kg.sparql import formats
from genrl_kg.sparql.worker import Job, Rows

__all__ = [
    "AUTHORS",
    "INCOMING",
    "INCOMING_GRAPH",
    "KNOWN",
    "OUTGOING",
    "TERM_LABELS",
    "graph_store",
    "resource_iri",
    "resource_page",
    "term_labels",
    "wants_html",
]

logger = logging.getLogger(__name__)

LABELS = (
    "<http://purl.org/dc/terms/title>|<http://www.w3.org/2004/02/skos/core#prefLabel>"
    "|<https://schema.org/name>|<http://schema.org/name>|<http://www.w3.org/2000/01/rdf-schema#label>"
)
OUTGOING = (
    f"SELECT ?p ?o ?label WHERE {{ $NODE ?p ?o OPTIONAL {{ ?o {LABELS} ?label }} }} "
    "ORDER BY ?p ?o LIMIT 2000"
)
INCOMING = (
    f"SELECT ?s ?p ?label WHERE {{ ?s ?p $NODE OPTIONAL {{ ?s {LABELS} ?label }} }} "
    "ORDER BY ?p ?s LIMIT 500"
)
_SAFE_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~:@!$&'()*+,;=/%-]*$")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
GENRL = "https://w3id.org/genrl-kg/ontology#"
AUTHORS = (
    f"SELECT ?author ?name ?position WHERE {{ $NODE <{GENRL}authorship> ?a . "
    f"?a <{GENRL}author> ?author ; <{GENRL}position> ?position "
    "OPTIONAL { ?author <https://schema.org/name> ?name } } ORDER BY ?position ?author"
)
KNOWN = "SELECT ?out ?in WHERE { BIND(EXISTS { $NODE ?p ?o } AS ?out) BIND(EXISTS { ?s ?p $NODE } AS ?in) }"
INCOMING_GRAPH = "CONSTRUCT { ?s ?p $NODE } WHERE { ?s ?p $NODE }"
TERM_LABELS = (
    "SELECT ?term ?label WHERE { ?term <http://www.w3.org/2000/01/rdf-schema#label> ?label "
    'FILTER(isIRI(?term) && lang(?label) IN ("en", "")) } ORDER BY ?term ?label LIMIT 20000'
)


def resource_iri(base: str, path: str) -> str | None:
    """Return the IRI for a /resource/ *path*, or None when it is unsafe.

    >>> resource_iri('https://w3id.org/genrl-kg/', 'paper/arxiv/2303.04137')
    'https://w3id.org/genrl-kg/paper/arxiv/2303.04137'
    >>> resource_iri('https://w3id.org/genrl-kg/', '../etc/passwd') is None
    True
    """
    segments = path.split("/")
    if not _SAFE_PATH.match(path) or any(s in ("", ".", "..") for s in segments):
        return None
    try:
        return ox.NamedNode(base + path).value
    except ValueError:
        return None


def wants_html(accept: str | None, format_param: str | None) -> bool:
    """Return whether the client prefers HTML over RDF.

    >>> wants_html('text/html,application/xhtml+xml,*/*;q=0.8', None)
    True
    >>> wants_html('text/turtle', None), wants_html('*/*', None), wants_html(None, 'html')
    (False, False, True)
    """
    if format_param:
        return format_param.lower() == "html"
    best_html = best_rdf = 0.0
    for part in (accept or "").split(","):
        media, *params = (p.strip().lower() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if media in _HTML_TYPES:
            best_html = max(best_html, q)
        elif media in formats.GRAPH_FORMATS.values():
            best_rdf = max(best_rdf, q)
    return best_html > 0 and best_html >= best_rdf


async def _rows(request: Request, text: str, node: ox.NamedNode) -> list[list[Any]] | str:
    """Run a neighbour query about *node* (a checked IRI); return rows or an error message."""
    job = Job(text.replace("$NODE", str(node)), op="rows", row_cap=5000)
    reply = await request.app.state.pool.run(job)
    if isinstance(reply, Rows):
        return reply.rows
    return getattr(reply, "message", "the neighbour query failed")


async def resource_page(request: Request) -> Response:
    """GET /resource/{path}: HTML for people, RDF by content negotiation."""
    settings = request.app.state.settings
    iri = resource_iri(settings.base_iri, request.path_params["path"])
    if iri is None:
        return error_response(404, "no such resource")
    node = ox.NamedNode(iri)
    accept = request.headers.get("accept")
    format_param = request.query_params.get("format")
    if not wants_html(accept, format_param):
        try:
            formats.negotiate("graph", accept, format_param)
        except formats.NotAcceptable as error:
            return error_response(406, str(error))
        known = await _rows(request, KNOWN, node)
        if isinstance(known, str):
            return error_response(503, known)
        row = known[0] if known else [None, None]
        outgoing, incoming = (getattr(term, "value", "") == "true" for term in row)
        if not outgoing and not incoming:
            return error_response(404, f"nothing is known about <{iri}>")
        text = f"DESCRIBE {node}" if outgoing else INCOMING_GRAPH.replace("$NODE", str(node))
        job = Job(text, accept=accept, format=format_param, row_cap=settings.row_cap)
        return await run_and_respond(request, job)
    outgoing = await _rows(request, OUTGOING, node)
    incoming = await _rows(request, INCOMING, node)
    if isinstance(outgoing, str) or isinstance(incoming, str):
        return error_response(503, outgoing if isinstance(outgoing, str) else str(incoming))
    if not outgoing and not incoming:
        return error_response(404, f"nothing is known about <{iri}>")
    authors: list[list[Any]] = []
    if any(p.value == GENRL + "authorship" for p, _, _ in outgoing):
        author_rows = await _rows(request, AUTHORS, node)
        if isinstance(author_rows, str):
            return error_response(503, author_rows)
        authors = author_rows
    data = ResourceData(
        iri=iri,
        base=settings.base_iri,
        outgoing=outgoing,
        incoming=incoming,
        authors=_first_per_position(authors),
        labels=getattr(request.app.state, "term_labels", {}),
    )
    if is_paper(outgoing):
        extras = PaperExtras(request.app.state.vocabulary, await _bibtex(request, iri))
        return HTMLResponse(render_paper(data, extras), headers={"Vary": "Accept"})
    return HTMLResponse(render_page(data), headers={"Vary": "Accept"})


async def _bibtex(request: Request, iri: str) -> str:
    """Return the BibTeX entry of paper *iri* (empty when it cannot be read)."""
    try:
        index = await bib_index(request)
    except ExplorerUnavailable as error:
        logger.warning("no BibTeX for %s: %s", iri, error.message)
        return ""
    return index.bibtex([iri])


def _first_per_position(rows: list[list[Any]]) -> list[list[Any]]:
    """Keep one row per author position (a person may carry several names)."""
    seen: set[str] = set()
    kept = []
    for row in rows:
        if row[2].value not in seen:
            seen.add(row[2].value)
            kept.append(row)
    return kept


def term_labels(rows: list[list[Any]]) -> dict[str, str]:
    """Return the first rdfs:label of each term from TERM_LABELS rows."""
    labels: dict[str, str] = {}
    for term, label in rows:
        labels.setdefault(term.value, label.value)
    return labels


async def graph_store(request: Request) -> Response:
    """GET /graph-store?default or ?graph=IRI (SPARQL 1.1 Graph Store Protocol, read only)."""
    params = request.query_params
    state = request.app.state
    if ("default" in params) == ("graph" in params) or len(params.getlist("graph")) > 1:
        return error_response(400, "give exactly one of ?default or ?graph=IRI")
    if "graph" in params:
        try:
            node = ox.NamedNode(params["graph"])
        except ValueError:
            return error_response(400, f"graph {params['graph']!r} is not a valid IRI")
        if node.value not in state.graph_names:
            return error_response(404, f"no graph named <{node.value}>")
        text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}"
    else:
        text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    try:
        formats.negotiate("graph", request.headers.get("accept"), params.get("format"))
    except formats.NotAcceptable as error:
        return error_response(406, str(error))
    job = Job(
        text,
        accept=request.headers.get("accept"),
        format=params.get("format"),
        row_cap=state.settings.graph_triple_cap,
    )
    return await run_and_respond(request, job)
