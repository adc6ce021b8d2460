"""The graph in Wikidata's RDF model: items, truthy wdt: and full p:/ps:/pq: statements, references.

Our papers, people and topics keep their IRIs and are typed ``wikibase:Item``; properties are
Wikidata's own (``wdt:P818``, ``p:P50`` ...), so queries written for Wikidata run unchanged, e.g.
``?item wdt:P818 ?arxiv``, ``?item p:P50 [ps:P50 ?a; pq:P1545 ?ord]`` or ``?a wdt:P2860 ?b`` (citations
within the list, from OpenAlex). Topics aligned to a
Wikidata item (skos:exactMatch) are given as that item (``wd:Q...``). Statement and reference
nodes get IRIs hashed from their content, so the Turtle is byte-identical from run to run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from genrl_kg import settings
from genrl_kg.wikibase.facts import (
    OPENALEX_WORK,
    WD,
    PaperFacts,
    read_build_source,
    read_concept_labels,
    read_papers,
)

__all__ = [
    "HUMAN",
    "PQ",
    "PR",
    "PREFIXES",
    "PROPERTIES",
    "PROV_DERIVED",
    "PS",
    "RDFS_LABEL",
    "RDF_TYPE",
    "SCHEMA_DESCRIPTION",
    "SCHOLARLY_ARTICLE",
    "WDT",
    "WIKIBASE",
    "XSD",
    "P",
    "Value",
    "export_wikibase",
    "wikibase_triples",
]

WDT = "http://www.wikidata.org/prop/direct/"
P = "http://www.wikidata.org/prop/"
PS = P + "statement/"
PQ = P + "qualifier/"
PR = P + "reference/"
WIKIBASE = "http://wikiba.se/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SCHEMA_DESCRIPTION = ox.NamedNode("http://schema.org/description")  # Wikidata's (http) schema.org
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = {
    "wd": WD,
    "wdt": WDT,
    "p": P,
    "ps": PS,
    "pq": PQ,
    "pr": PR,
    "wikibase": WIKIBASE,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "http://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": XSD,
}
PROPERTIES = {  # id: (datatype, English label)
    "P31": ("WikibaseItem", "instance of"),
    "P50": ("WikibaseItem", "author"),
    "P356": ("ExternalId", "DOI"),
    "P577": ("Time", "publication date"),
    "P813": ("Time", "retrieved"),
    "P818": ("ExternalId", "arXiv ID"),
    "P820": ("String", "arXiv classification"),
    "P854": ("Url", "reference URL"),
    "P921": ("WikibaseItem", "main subject"),
    "P1476": ("Monolingualtext", "title"),
    "P1545": ("String", "series ordinal"),
    "P1932": ("String", "object named as"),
    "P2860": ("WikibaseItem", "cites work"),
    "P10283": ("ExternalId", "OpenAlex ID"),
}
SCHOLARLY_ARTICLE = ox.NamedNode(WD + "Q13442814")
HUMAN = ox.NamedNode(WD + "Q5")
Value = ox.NamedNode | ox.Literal


def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _time(day: str) -> ox.Literal:
    return ox.Literal(f"{day}T00:00:00Z", datatype=_node(XSD + "dateTime"))


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:20]


class _Writer:
    """Collects the triples of the export."""

    def __init__(self, base: str, reference: ox.NamedNode) -> None:
        self.base = base
        self.reference = reference
        self.triples: set[ox.Triple] = set()
        self.used: set[str] = set()
        self.items: set[str] = set()

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: Value) -> None:
        self.triples.add(ox.Triple(s, p, o))

    def item(self, iri: str, labels: list[tuple[str, str]], description: str | None) -> None:
        node = _node(iri)
        self.items.add(iri)
        self.add(node, RDF_TYPE, _node(WIKIBASE + "Item"))
        for text, language in labels:
            self.add(node, RDFS_LABEL, ox.Literal(text, language=language))
        if description:
            self.add(node, SCHEMA_DESCRIPTION, ox.Literal(description, language="en"))

    def statement(
        self,
        item: str,
        prop: str,
        value: Value,
        qualifiers: Sequence[tuple[str, Value]] = (),
        reference: ox.NamedNode | None = None,
    ) -> None:
        subject = _node(item)
        self.used.add(prop)
        node = _node(
            f"{self.base}wikibase/statement/{_digest(item, prop, str(value), str(tuple(qualifiers)))}"
        )
        self.add(subject, _node(WDT + prop), value)
        self.add(subject, _node(P + prop), node)
        self.add(node, RDF_TYPE, _node(WIKIBASE + "Statement"))
        self.add(node, RDF_TYPE, _node(WIKIBASE + "BestRank"))
        self.add(node, _node(WIKIBASE + "rank"), _node(WIKIBASE + "NormalRank"))
        self.add(node, _node(PS + prop), value)
        for qualifier, qvalue in qualifiers:
            self.used.add(qualifier)
            self.add(node, _node(PQ + qualifier), qvalue)
        self.add(node, PROV_DERIVED, reference or self.reference)

    def url_reference(self, url: str) -> ox.NamedNode:
        """Return a reference node that cites *url* alone (an OpenAlex work, say)."""
        ref = _node(f"{self.base}wikibase/reference/{_digest(url)}")
        self.add(ref, RDF_TYPE, _node(WIKIBASE + "Reference"))
        self.add(ref, _node(PR + "P854"), _node(url))
        self.used.add("P854")
        return ref


def _paper(writer: _Writer, paper: PaperFacts) -> None:
    iri = paper.iri
    labels = [(paper.title, "en")] if paper.title else []
    writer.item(iri, labels, "scholarly article listed in genrl-kg")
    writer.statement(iri, "P31", SCHOLARLY_ARTICLE)
    if paper.title:
        writer.statement(iri, "P1476", ox.Literal(paper.title, language="en"))
    if paper.arxiv:
        arxiv_qualifiers = (
            [("P820", ox.Literal(paper.primary_category))] if paper.primary_category else []
        )
        writer.statement(iri, "P818", ox.Literal(paper.arxiv), arxiv_qualifiers)
    if paper.doi:
        writer.statement(iri, "P356", ox.Literal(paper.doi.upper()))
    if paper.issued:
        writer.statement(iri, "P577", _time(paper.issued))
    for author in paper.authors:
        qualifiers: list[tuple[str, Value]] = [("P1545", ox.Literal(str(author.position)))]
        if author.name:
            qualifiers.append(("P1932", ox.Literal(author.name)))
        writer.statement(iri, "P50", _node(author.person), qualifiers)
        labels = [(author.name, "en")] if author.name else []
        writer.item(author.person, labels, "author of a paper listed in genrl-kg")
        writer.statement(author.person, "P31", HUMAN)
    for subject in paper.subjects:
        writer.statement(iri, "P921", _node(WD + subject.qid if subject.qid else subject.concept))
    if paper.openalex:
        work = writer.url_reference(OPENALEX_WORK + paper.openalex)
        writer.statement(iri, "P10283", ox.Literal(paper.openalex), reference=work)
        for cited in paper.cites:
            writer.statement(iri, "P2860", _node(cited), reference=work)


def _reference(writer: _Writer, url: str, created: str) -> None:
    ref = writer.reference
    writer.add(ref, RDF_TYPE, _node(WIKIBASE + "Reference"))
    writer.add(ref, _node(PR + "P854"), _node(url))
    writer.used.add("P854")
    if created:
        writer.add(ref, _node(PR + "P813"), _time(created))
        writer.used.add("P813")


def _properties(writer: _Writer) -> None:
    for prop in sorted(writer.used):
        datatype, label = PROPERTIES[prop]
        node = _node(WD + prop)
        writer.add(node, RDF_TYPE, _node(WIKIBASE + "Property"))
        writer.add(node, RDFS_LABEL, ox.Literal(label, language="en"))
        writer.add(node, _node(WIKIBASE + "propertyType"), _node(WIKIBASE + datatype))
        for kind, namespace in (
            ("directClaim", WDT),
            ("claim", P),
            ("statementProperty", PS),
            ("qualifier", PQ),
            ("reference", PR),
        ):
            writer.add(node, _node(WIKIBASE + kind), _node(namespace + prop))


def wikibase_triples(store: ox.Store, base: str = settings.BASE_IRI) -> list[ox.Triple]:
    """Return the Wikibase-model triples of *store*, sorted."""
    source = read_build_source(store)
    reference = _node(f"{base}wikibase/reference/{_digest(source.reference_url, source.created)}")
    writer = _Writer(base, reference)
    _reference(writer, source.reference_url, source.created)
    papers = read_papers(store)
    for paper in papers:
        _paper(writer, paper)
    concepts = read_concept_labels(store)
    topics = {s.concept for p in papers for s in p.subjects if not s.qid}
    for concept in sorted(topics):
        labels, definition = concepts.get(concept, ([], None))
        writer.item(concept, labels, definition)
    _properties(writer)
    return sorted(writer.triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def export_wikibase(
    store: ox.Store, out: IO[bytes] | Path, *, base: str = settings.BASE_IRI
) -> int:
    """Write the graph in Wikidata's RDF model as deterministic Turtle; return the triple count."""
    triples = wikibase_triples(store, base)
    target = str(out) if isinstance(out, Path) else out
    ox.serialize(triples, target, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return len(triples)
