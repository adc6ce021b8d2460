"""Deterministic serialisation of the store in the common RDF formats."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import pyoxigraph as ox

from genrl_kg.errors import GenrlKgError
from genrl_kg.namespace import PREFIXES

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "export_store",
    "sorted_quads",
    "sorted_triples",
]

FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "nq": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "jsonld": (ox.RdfFormat.JSON_LD, False),
    "rdfxml": (ox.RdfFormat.RDF_XML, False),
}
EXTENSIONS = {
    "turtle": "ttl",
    "nt": "nt",
    "nq": "nq",
    "trig": "trig",
    "jsonld": "jsonld",
    "rdfxml": "rdf",
}


def _sort_key(term: object) -> str:
    return str(term)


def sorted_triples(store: ox.Store) -> list[ox.Triple]:
    """Return the distinct triples of all named graphs, sorted (the union graph)."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in store}
    return sorted(
        triples, key=lambda t: (_sort_key(t.subject), _sort_key(t.predicate), _sort_key(t.object))
    )


def sorted_quads(store: ox.Store) -> list[ox.Quad]:
    """Return all quads sorted by graph, subject, predicate and object."""
    return sorted(
        store,
        key=lambda q: (
            _sort_key(q.graph_name),
            _sort_key(q.subject),
            _sort_key(q.predicate),
            _sort_key(q.object),
        ),
    )


def export_store(store: ox.Store, fmt: str, output: IO[bytes] | Path) -> None:
    """Write the store to *output* in *fmt* (``turtle``, ``nt``, ``nq``, ``trig``, ``jsonld``, ``rdfxml``)."""
    if fmt not in FORMATS:
        raise GenrlKgError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    rdf_format, is_quads = FORMATS[fmt]
    data = sorted_quads(store) if is_quads else sorted_triples(store)
    prefixes = PREFIXES if fmt in {"turtle", "trig", "rdfxml", "jsonld"} else None
    target = str(output) if isinstance(output, Path) else output
    ox.serialize(data, target, rdf_format, prefixes=prefixes)
