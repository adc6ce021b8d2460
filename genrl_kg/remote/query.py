"""Remote queries over the SPARQL 1.1 Protocol, with parameters bound by a ``VALUES`` block.

:func:`run_remote_query` / :func:`render_remote_query` run a saved query against any SPARQL 1.1
endpoint; parameters are bound by a ``VALUES`` block built from pyoxigraph terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import requests

from genrl_kg import settings
from genrl_kg.errors import QueryError, SourceError
from genrl_kg.http import make_session
from genrl_kg.queries import SavedQuery, Term, query_form
from genrl_kg.remote.transport import check_status, describe_endpoint, send_request
from genrl_kg.results import format_table, render_results
from genrl_kg.sparql.guard import tokenize

__all__ = [
    "GRAPH_TYPES",
    "RESULT_TYPES",
    "RemoteResult",
    "Solutions",
    "bind_values",
    "render_remote_query",
    "run_remote_query",
]

RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9"
_PARSEABLE = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "tsv": ox.QueryResultsFormat.TSV,
}


# --- binding parameters as a VALUES block -------------------------------------------------------


def _pattern_start(text: str, form: str) -> int:
    """Return the offset just after the ``{`` that opens the query's outermost WHERE group."""
    tokens = tokenize(text)
    depth = 0
    after_where = form != "CONSTRUCT"
    for token in tokens:
        if token.kind == "word" and token.text.upper() == "WHERE" and depth == 0:
            after_where = True
        elif token.kind == "other" and token.text == "{":
            if depth == 0 and after_where:
                return token.start + 1
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
            if depth == 0 and form == "CONSTRUCT":
                after_where = True  # CONSTRUCT { template } { pattern } without WHERE
    raise QueryError("cannot bind parameters: the query has no WHERE group")


def bind_values(text: str, bindings: Mapping[str, Term], form: str | None = None) -> str:
    """Return *text* with a ``VALUES`` block for *bindings* opening its outermost WHERE group.

    The terms are written by pyoxigraph (``str(term)`` is N-Triples syntax), never pasted raw.

    >>> bind_values('SELECT ?x WHERE { ?x ?p ?y }', {"y": ox.Literal('a"b')})
    'SELECT ?x WHERE { VALUES ?y { "a\\\\"b" }  ?x ?p ?y }'
    """
    if not bindings:
        return text
    at = _pattern_start(text, form or query_form(text))
    block = " ".join(f"VALUES ?{name} {{ {term} }}" for name, term in sorted(bindings.items()))
    return f"{text[:at]} {block} {text[at:]}"


# --- running a query on a remote endpoint --------------------------------------------------------


@dataclass(frozen=True)
class Solutions:
    """SELECT results read in full: the variables and one row of terms (or None) per solution."""

    variables: tuple[str, ...]
    rows: tuple[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, ...], ...]


@dataclass(frozen=True)
class RemoteResult:
    """The body a remote endpoint answered, its media type and the format we asked for."""

    data: bytes
    content_type: str
    fmt: str
    form: str

    def parsed(self) -> Solutions | bool | list[ox.Triple]:
        """Read the whole body: solutions, a boolean, or triples; one-line SourceError if broken."""
        where = f"the answer of the endpoint ({self.content_type or 'no Content-Type'})"
        if self.form not in ("CONSTRUCT", "DESCRIBE") and self.fmt not in _PARSEABLE:
            raise QueryError(f"cannot read {self.fmt} results back; ask for json, xml or tsv")
        results: Any = None
        try:
            if self.form in ("CONSTRUCT", "DESCRIBE"):
                turtle = "turtle" in self.content_type
                rdf = ox.RdfFormat.TURTLE if turtle else ox.RdfFormat.N_TRIPLES
                return [
                    ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(self.data, rdf)
                ]
            results = ox.parse_query_results(self.data, _PARSEABLE[self.fmt])
            if isinstance(results, ox.QueryBoolean):
                return bool(results)
            variables = tuple(v.value for v in results.variables)
            rows = tuple(tuple(solution[v] for v in variables) for solution in results)
            return Solutions(variables, rows)
        except (SyntaxError, ValueError, TypeError, OSError, UnicodeError, RecursionError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        # Raised outside the handler, with the parser's objects dropped here and now: they may
        # not be freed on another thread (pyoxigraph's result iterators are bound to this one).
        results = None
        raise SourceError(f"{where} is not valid {self.fmt}: {first}")


def run_remote_query(
    endpoint: str,
    query: SavedQuery | str,
    bindings: Mapping[str, Term] | None = None,
    *,
    fmt: str = "json",
    method: str = "POST",
    timeout: float = settings.HTTP_TIMEOUT,
    session: requests.Session | None = None,
) -> RemoteResult:
    """Run *query* on the SPARQL 1.1 Protocol *endpoint* (POST form or GET) and return the body."""
    text = query.text if isinstance(query, SavedQuery) else query
    form = query.form if isinstance(query, SavedQuery) else query_form(text)
    text = bind_values(text, bindings or {}, form)
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    if not graph_form and fmt not in RESULT_TYPES:
        raise QueryError(f"unknown result format {fmt!r} (choose from {', '.join(RESULT_TYPES)})")
    headers = {"Accept": GRAPH_TYPES if graph_form else RESULT_TYPES[fmt]}
    own = session is None
    session = session or make_session()
    try:
        if method.upper() == "GET":
            response = send_request(
                session, "GET", endpoint, timeout=timeout, params={"query": text}, headers=headers
            )
        else:
            response = send_request(
                session, "POST", endpoint, timeout=timeout, data={"query": text}, headers=headers
            )
    finally:
        if own:
            session.close()
    check_status(response, endpoint, "query")
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    wanted = GRAPH_TYPES if graph_form else RESULT_TYPES[fmt]
    if (
        content_type
        and content_type not in wanted
        and not (fmt == "json" and content_type == "application/json")
    ):
        raise SourceError(
            f"{describe_endpoint(endpoint)}: answered {content_type}, not {wanted.split(',')[0]}"
        )
    return RemoteResult(response.content, content_type, "nt" if graph_form else fmt, form)


def render_remote_query(
    endpoint: str,
    query: SavedQuery | str,
    bindings: Mapping[str, Term] | None = None,
    fmt: str = "table",
    **options: Any,
) -> bytes:
    """Run *query* remotely and return output like the local ``query`` command (table or a format)."""
    form = query.form if isinstance(query, SavedQuery) else query_form(query)
    wire = "json" if fmt == "table" or form in ("CONSTRUCT", "DESCRIBE") else fmt
    result = run_remote_query(endpoint, query, bindings, fmt=wire, **options)
    if form in ("CONSTRUCT", "DESCRIBE"):
        return render_results(result.parsed(), "turtle")
    if fmt == "table":
        parsed = result.parsed()
        if isinstance(parsed, bool):
            return f"{parsed}\n".encode()
        if isinstance(parsed, Solutions):
            rows = [list(row) for row in parsed.rows]
            return (format_table(list(parsed.variables), rows) + "\n").encode()
        raise SourceError(f"{describe_endpoint(endpoint)}: answered triples to a {form} query")
    if fmt in _PARSEABLE:
        result.parsed()  # a garbage body fails here with a one-line error
    return result.data
