"""The SPARQL editor pages: YASGUI served from our own files, or the plain editor without them.

YASGUI (``@zazuko/yasgui``, pinned in package.json) is installed by ``make setup`` into
``genrl_kg/server/static/vendor/yasgui/``. Without those files (an install without Node) the
editor page says how to add them and shows the plain editor instead.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from genrl_kg.namespace import PREFIXES
from genrl_kg.queries import SavedQuery, bind_parameters

__all__ = [
    "EDITOR_CSP",
    "NOTICE",
    "VENDOR_FILES",
    "default_query",
    "editor_page",
    "fill_parameters",
    "has_yasgui",
    "plain_editor",
    "wants_editor",
]

VENDOR_FILES = ("yasgui/yasgui.min.js", "yasgui/yasgui.min.css")
# YASGUI's editor (CodeMirror) and result tables set style attributes; nothing else is relaxed
EDITOR_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
NOTICE = (
    '<div class="notice" role="note"><p><strong>The YASGUI editor is not installed.</strong> '
    "Its files come from the npm registry: with Node.js and npm on this machine, run "
    "<code>make setup</code> (or <code>npm ci</code> and <code>make vendor</code>) in the "
    "project, then restart <code>genrl-kg serve</code>. Until then, here is the plain "
    "editor.</p></div>"
)
_MARK = "<!-- editor-notice -->"
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def has_yasgui(vendor_dir: Path) -> bool:
    """Return whether the YASGUI files are installed in *vendor_dir*."""
    return all((vendor_dir / name).is_file() for name in VENDOR_FILES)


def default_query() -> str:
    """Return the first editor tab's query: every project prefix, then a small SELECT.

    >>> default_query().splitlines()[0]
    'PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>'
    """
    lines = [f"PREFIX {prefix}: <{iri}>" for prefix, iri in PREFIXES.items()]
    lines += [
        "",
        "SELECT ?paper ?title WHERE {",
        "  ?paper a genrl:Paper ; dcterms:title ?title .",
        "}",
        "ORDER BY ?title",
        "LIMIT 20",
    ]
    return "\n".join(lines)


def fill_parameters(query: SavedQuery) -> str:
    """Return *query*'s text with its parameters' defaults in a VALUES block opening its WHERE.

    The block binds the variables before anything else in the query, as the API's
    substitutions do, so the text runs as it is in any SPARQL editor.
    """
    if not query.parameters:
        return query.text
    terms = bind_parameters(query, {})
    names = " ".join(f"?{p.name}" for p in query.parameters)
    values = " ".join(str(terms[p.name]) for p in query.parameters)
    block = f"\n  VALUES ({names}) {{ ({values}) }}  # the parameters' defaults"
    lines = query.text.split("\n")
    offset = 0
    for line in lines:
        match = None if line.lstrip().startswith("#") else _WHERE.search(line)
        if match:
            cut = offset + match.end()
            return query.text[:cut] + block + query.text[cut:]
        offset += len(line) + 1
    return query.text


def _plain_page(notice: str) -> str:
    """Return the plain editor page, with *notice* where the page marks it."""
    page = (Path(__file__).resolve().parent / "static" / "query.html").read_text("utf-8")
    return page.replace(_MARK, notice)


async def plain_editor(request: Request) -> Response:
    """GET /query: the plain SPARQL editor (a text area, saved queries, a result table)."""
    return HTMLResponse(_plain_page(""))


def wants_editor(request: Request) -> bool:
    """Return whether a GET with no query asks for HTML (the editor) over RDF (the description)."""
    from genrl_kg.server.linked_data import wants_html

    return wants_html(request.headers.get("accept"), request.query_params.get("format"))


async def editor_page(request: Request) -> Response:
    """Return the editor for GET /sparql with Accept: text/html and no query."""
    vendor = request.app.state.vendor_dir
    if not has_yasgui(vendor):
        return HTMLResponse(_plain_page(NOTICE), headers={"Vary": "Accept"})
    page = (Path(__file__).resolve().parent / "static" / "sparql.html").read_text("utf-8")
    endpoint = html.escape(str(request.url.replace(query="", fragment="")))
    return HTMLResponse(
        page.replace("{{endpoint}}", endpoint),
        headers={"Vary": "Accept", "Content-Security-Policy": EDITOR_CSP},
    )
