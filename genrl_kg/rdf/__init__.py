"""Records become triples here and nowhere else: pyoxigraph quads, one set per named graph."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from genrl_kg.rdf.terms import iri
from genrl_kg.settings import GRAPH_NAMES, graph_iri

__all__ = ["Graph", "QuadSet", "Subject", "Term"]

_QUAD = ox.Quad
Subject = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal


class Graph:
    """One named graph of the build: a set of triples, kept as quads in insertion order."""

    __slots__ = ("_quads", "name", "short")

    def __init__(self, short: str, name: ox.NamedNode) -> None:
        """Create the empty graph *short* (``list``) whose IRI is *name*."""
        self.short = short
        self.name = name
        self._quads: dict[ox.Quad, None] = {}

    def add(self, subject: Subject, predicate: ox.NamedNode, obj: Term) -> None:
        """Add one triple (a repeat is a no-op)."""
        self._quads[_QUAD(subject, predicate, obj, self.name)] = None

    def __len__(self) -> int:
        """Return the number of distinct triples."""
        return len(self._quads)

    def __iter__(self) -> Iterator[ox.Quad]:
        """Yield the graph's quads."""
        return iter(self._quads)

    def __contains__(self, triple: tuple[Subject, ox.NamedNode, Term]) -> bool:
        """Tell whether the triple is in the graph."""
        return ox.Quad(*triple, self.name) in self._quads

    def objects(self, subject: Subject, predicate: ox.NamedNode) -> list[Term | ox.Triple]:
        """Return the objects of (*subject*, *predicate*) (a scan: for tests and small graphs)."""
        return [q.object for q in self._quads if q.subject == subject and q.predicate == predicate]


class QuadSet:
    """The build's named graphs under one base IRI."""

    def __init__(self, base: str, names: Iterable[str] = GRAPH_NAMES) -> None:
        """Create empty graphs for every named graph under *base*."""
        self.base = base
        self.graphs: dict[str, Graph] = {n: Graph(n, iri(graph_iri(n, base))) for n in names}

    def __getitem__(self, name: str) -> Graph:
        """Return the graph called *name* (``list``, ``tables``, ...)."""
        return self.graphs[name]

    def iri(self, *parts: str) -> ox.NamedNode:
        """Return the IRI of a resource under the base, checked as it is minted.

        >>> QuadSet("https://example.org/").iri("paper", "arxiv/2303.04137").value
        'https://example.org/paper/arxiv/2303.04137'
        """
        return iri(self.base + "/".join(parts))

    def counts(self) -> dict[str, int]:
        """Return the number of triples in each named graph."""
        return {name: len(graph) for name, graph in self.graphs.items()}

    def quads(self, names: Iterable[str] | None = None) -> Iterator[ox.Quad]:
        """Yield the quads of the graphs *names* (all by default)."""
        for name in self.graphs if names is None else names:
            yield from self.graphs[name]

    def triples(self, names: Iterable[str] | None = None) -> set[ox.Triple]:
        """Return the distinct triples of the graphs *names* (their union)."""
        return {q.triple for q in self.quads(names)}
