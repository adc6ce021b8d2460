"""Rendering query results: a text table for people, the standard formats for programs."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from genrl_kg.errors import QueryError
from genrl_kg.namespace import PREFIXES

__all__ = [
    "MAX_CELL",
    "RESULT_FORMATS",
    "compact",
    "format_table",
    "render_results",
]

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
MAX_CELL = 70


def compact(term: Any) -> str:
    """Return a short human form of an RDF term (prefixed IRI, plain literal value).

    >>> compact(ox.NamedNode("http://www.w3.org/2004/02/skos/core#Concept"))
    'skos:Concept'
    >>> compact(ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    '3'
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        value = term.value
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if value.startswith(namespace) and len(value) > len(namespace):
                return f"{prefix}:{value[len(namespace) :]}"
        return f"<{value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def format_table(variables: list[str], rows: list[list[Any]]) -> str:
    """Return an aligned plain-text table of *rows* under *variables*."""
    cells = [[compact(t) for t in row] for row in rows]
    cells = [[c if len(c) <= MAX_CELL else c[: MAX_CELL - 1] + "…" for c in row] for row in cells]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells
    )
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def render_results(results: Any, fmt: str) -> bytes:
    """Serialise pyoxigraph query results as *fmt* (table, json, xml, csv, tsv; turtle for graphs)."""
    if isinstance(results, ox.QuerySolutions):
        variables = [v.value for v in results.variables]
        if fmt == "table":
            rows = [[solution[v] for v in variables] for solution in results]
            return (format_table(variables, rows) + "\n").encode()
        return _serialize_results(results, fmt)
    if isinstance(results, ox.QueryBoolean):
        if fmt == "table":
            return f"{bool(results)}\n".encode()
        return _serialize_results(results, fmt)
    triples = sorted(results, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""


def _serialize_results(results: Any, fmt: str) -> bytes:
    if fmt not in RESULT_FORMATS:
        raise QueryError(
            f"unknown result format {fmt!r} (choose from table, {', '.join(RESULT_FORMATS)})"
        )
    return bytes(results.serialize(format=RESULT_FORMATS[fmt]))
