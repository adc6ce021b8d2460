"""Records become triples here and nowhere else: one rdflib graph per named graph."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from genrl_kg.settings import GRAPH_NAMES, graph_iri


class GraphSet:
    """The build's named graphs, each an rdflib :class:`Graph` keyed by short name."""

    def __init__(self, base: str) -> None:
        """Create empty graphs for every named graph under *base*."""
        self.base = base
        self.graphs: dict[str, Graph] = {
            name: Graph(identifier=URIRef(graph_iri(name, base))) for name in GRAPH_NAMES
        }

    def __getitem__(self, name: str) -> Graph:
        """Return the graph called *name* (``list``, ``tables``, ...)."""
        return self.graphs[name]

    def iri(self, *parts: str) -> URIRef:
        """Return an IRI under the build's base.

        >>> GraphSet("https://example.org/").iri("paper", "arxiv/2303.04137")
        rdflib.term.URIRef('https://example.org/paper/arxiv/2303.04137')
        """
        return URIRef(self.base + "/".join(parts))

    def union(self) -> Graph:
        """Return one rdflib graph holding the triples of every named graph."""
        merged = Graph()
        for graph in self.graphs.values():
            for triple in graph:
                merged.add(triple)
        return merged

    def counts(self) -> dict[str, int]:
        """Return the number of triples in each named graph."""
        return {name: len(graph) for name, graph in self.graphs.items()}

    def to_dataset(self) -> Dataset:
        """Return the graphs as an rdflib :class:`Dataset`."""
        dataset = Dataset()
        for graph in self.graphs.values():
            target = dataset.graph(graph.identifier)
            for triple in graph:
                target.add(triple)
        return dataset

    def iter_quads(self) -> Iterator[ox.Quad]:
        """Yield every triple as a pyoxigraph quad in its named graph."""
        for graph in self.graphs.values():
            name = ox.NamedNode(str(graph.identifier))
            for s, p, o in graph:
                yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), name)  # type: ignore[arg-type]


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to the equal pyoxigraph term.

    >>> to_ox(Literal("2024", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear")))
    <Literal value=2024 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYear>>
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")
