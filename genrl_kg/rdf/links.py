"""Triples for the `links` graph: sameAs links to Wikidata with provenance, concept alignments."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from genrl_kg.identifiers import slugify
from genrl_kg.rdf import Graph
from genrl_kg.rdf.terms import (
    DCTERMS,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    WDT,
    date,
    datetime,
    integer,
    iri,
    text,
)
from genrl_kg.sources.wikidata import ENTITY_NS, Alignment
from genrl_kg.sources.wikidata.reconcile import PaperLink, PersonLink

__all__ = ["add_alignment", "add_paper_link", "add_person_link", "entity", "link_iri"]


def entity(qid: str) -> ox.NamedNode:
    """Return the Wikidata entity IRI of *qid*.

    >>> entity("Q42").value
    'http://www.wikidata.org/entity/Q42'
    """
    return iri(ENTITY_NS + qid)


def link_iri(base: str, node: str, kind: str) -> ox.NamedNode:
    """Return the IRI of the link record of *node* (a paper or person IRI under *base*).

    >>> link_iri("https://e.org/", "https://e.org/paper/arxiv/2303.04137", "paper").value
    'https://e.org/wikidata-link/arxiv/2303.04137'
    >>> link_iri("https://e.org/", "https://e.org/person/cheng-chi", "person").value
    'https://e.org/wikidata-link/person/cheng-chi'
    """
    prefix = f"{base}{kind}/"
    key = node[len(prefix) :] if node.startswith(prefix) else slugify(node)
    return iri(
        f"{base}wikidata-link/{key}" if kind == "paper" else f"{base}wikidata-link/{kind}/{key}"
    )


def _record(
    g: Graph,
    node: ox.NamedNode,
    subject: ox.NamedNode,
    target: ox.NamedNode,
    endpoints: Iterable[str],
    when: str,
) -> None:
    """Add the provenance every link record carries."""
    g.add(node, RDF.type, PROV.Entity)
    g.add(node, DCTERMS.subject, subject)
    g.add(node, DCTERMS.references, target)
    for endpoint in endpoints:
        g.add(node, PROV.wasDerivedFrom, iri(endpoint))
    g.add(node, PROV.generatedAtTime, datetime(when))


def add_paper_link(g: Graph, base: str, link: PaperLink) -> ox.NamedNode:
    """Add ``paper owl:sameAs/schema:sameAs item`` and its link record; return the record."""
    paper, target = iri(link.paper), entity(link.qid)
    g.add(paper, OWL.sameAs, target)
    g.add(paper, SCHEMA.sameAs, target)
    node = link_iri(base, link.paper, "paper")
    _record(g, node, paper, target, link.endpoints, link.retrieved)
    for prop, value in link.matches:
        g.add(node, SCHEMA.propertyID, WDT[prop])
        g.add(node, DCTERMS.identifier, text(value))
    return node


def add_person_link(g: Graph, base: str, link: PersonLink) -> ox.NamedNode:
    """Add ``person owl:sameAs/schema:sameAs item`` and its link record; return the record."""
    person, target = iri(link.person), entity(link.qid)
    g.add(person, OWL.sameAs, target)
    g.add(person, SCHEMA.sameAs, target)
    node = link_iri(base, link.person, "person")
    _record(g, node, person, target, link.endpoints, link.retrieved)
    g.add(node, SCHEMA.propertyID, WDT.P50)
    g.add(node, DCTERMS.source, entity(link.paper_qid))
    g.add(node, DCTERMS.relation, iri(link.paper))
    g.add(node, SCHEMA.position, integer(link.ordinal))
    g.add(node, SCHEMA.name, text(link.name))
    return node


def add_alignment(g: Graph, base: str, rows: Iterable[Alignment]) -> None:
    """Add each curated alignment: the SKOS mapping, the label as checked, where and when."""
    for row in rows:
        concept, target = iri(row.concept_iri(base)), entity(row.item)
        g.add(concept, SKOS[row.relation], target)
        g.add(target, RDFS.label, text(row.label, "en"))
        node = iri(f"{base}wikidata-link/alignment/{slugify(row.concept)}/{row.item}")
        g.add(node, RDF.type, PROV.Entity)
        g.add(node, DCTERMS.subject, concept)
        g.add(node, DCTERMS.references, target)
        g.add(node, SKOS.prefLabel, text(row.label, "en"))
        g.add(node, DCTERMS.date, date(row.checked))
        g.add(node, DCTERMS.source, text(row.checked_where))
