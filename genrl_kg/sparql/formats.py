"""SPARQL wire formats: content negotiation and serialisers for a bounded list of solutions."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

__all__ = [
    "BOOLEAN_KEYS",
    "GRAPH_FORMATS",
    "RDF_FORMATS",
    "RESULTS_FORMATS",
    "NotAcceptable",
    "media_type",
    "negotiate",
    "serialize_boolean",
    "serialize_solutions",
    "serialize_triples",
]

RESULTS_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
_ALIASES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "ttl": "turtle",
    "text/plain": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
}
BOOLEAN_KEYS = ("json", "xml")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class NotAcceptable(Exception):
    """No acceptable representation exists."""


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    """Return (media range, q) pairs from an Accept header.

    >>> _parse_accept('text/csv;q=0.5, application/json')
    [('text/csv', 0.5), ('application/json', 1.0)]
    """
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for field in fields[1:]:
            name, _, value = field.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q))
    return ranges


def negotiate(kind: str, accept: str | None, format_param: str | None) -> str:
    """Choose a format key for *kind* ('select', 'boolean', 'graph').

    >>> negotiate('select', 'text/csv', None)
    'csv'
    >>> negotiate('graph', '*/*', None)
    'turtle'
    >>> negotiate('select', None, 'xml')
    'xml'
    >>> negotiate('graph', 'text/html,application/xhtml+xml,*/*;q=0.8', None)
    'turtle'
    """
    table = GRAPH_FORMATS if kind == "graph" else RESULTS_FORMATS
    keys = list(BOOLEAN_KEYS) if kind == "boolean" else list(table)
    if format_param:
        key = _ALIASES.get(format_param.lower(), format_param.lower())
        if kind == "graph" and key == "xml":
            key = "rdfxml"
        for candidate, media in table.items():
            if key in (candidate, media) and candidate in keys:
                return candidate
        raise NotAcceptable(
            f"format '{format_param}' is not available for this result; use one of {keys}"
        )
    if not accept:
        return keys[0]
    best: tuple[float, int, str] | None = None
    for media_range, q in _parse_accept(accept):
        if q <= 0:
            continue
        for order, key in enumerate(keys):
            media = table[key]
            alias = _ALIASES.get(media_range)
            if (
                media_range in (media, "*/*")
                or alias == key
                or (media_range.endswith("/*") and media.startswith(media_range[:-1]))
            ):
                score = (q, -order, key)
                if best is None or score[:2] > best[:2]:
                    best = score
    if best is None:
        wanted = ", ".join(table[k] for k in keys)
        raise NotAcceptable(f"none of the accepted media types is available; offered: {wanted}")
    return best[2]


def media_type(key: str) -> str:
    """Return the media type (with charset) for a format key.

    >>> media_type('csv')
    'text/csv; charset=utf-8'
    """
    media = RESULTS_FORMATS.get(key) or GRAPH_FORMATS[key]
    return f"{media}; charset=utf-8"


def _json_term(term: object) -> dict[str, object]:
    """Return the SPARQL JSON results form of one term."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    assert isinstance(term, ox.Triple)
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _xml_term(term: object) -> str:
    """Return the SPARQL XML results form of one term."""
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    assert isinstance(term, ox.Triple)
    parts = zip(
        ("subject", "predicate", "object"), (term.subject, term.predicate, term.object), strict=True
    )
    return "<triple>" + "".join(f"<{n}>{_xml_term(t)}</{n}>" for n, t in parts) + "</triple>"


def _csv_value(term: object) -> str:
    """Return the CSV form of a term: IRIs and literals as plain strings."""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def serialize_solutions(
    variables: Sequence[str], rows: Sequence[Sequence[object | None]], key: str
) -> bytes:
    """Serialise SELECT solutions (already bounded by the row cap) in format *key*."""
    if key == "json":
        bindings = [
            {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
            for row in rows
        ]
        doc = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if key == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
        out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables))
        out.append("</head><results>")
        for row in rows:
            cells = (
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
            out.append("<result>" + "".join(cells) + "</result>")
        out.append("</results></sparql>\n")
        return "\n".join(out).encode()
    if key == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if t is None else _csv_value(t) for t in row])
        return buffer.getvalue().encode()
    if key == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        for row in rows:
            lines.append("\t".join("" if t is None else str(t) for t in row))
        return ("\n".join(lines) + "\n").encode()
    raise NotAcceptable(f"format '{key}' is not a results format")


def serialize_boolean(value: bool, key: str) -> bytes:
    """Serialise an ASK result in format *key* (json or xml).

    >>> serialize_boolean(True, 'json')
    b'{"head":{},"boolean":true}'
    """
    if key == "json":
        return json.dumps({"head": {}, "boolean": value}, separators=(",", ":")).encode()
    if key == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    raise NotAcceptable(f"format '{key}' is not available for a boolean result")


def serialize_triples(triples: Sequence[ox.Triple], key: str) -> bytes:
    """Serialise CONSTRUCT/DESCRIBE triples in format *key*."""
    prefixes = {"genrl": "https://w3id.org/genrl-kg/ontology#"} if key == "turtle" else None
    data = ox.serialize(triples, format=RDF_FORMATS[key], prefixes=prefixes)
    assert data is not None
    return data
