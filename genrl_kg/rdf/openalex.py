"""Triples for OpenAlex metadata: in-list citations, counts, venues, open access, ORCID, institutions.

Everything goes into ``graph/openalex``. Each paper with a work gets a record node
(``{BASE}openalex-record/{paper-key}``, a prov:Entity) that says which OpenAlex work
(``https://openalex.org/W…``) the statements were read from and when; published versions and
institutions are ``prov:wasDerivedFrom`` the OpenAlex record they come from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime as _datetime

import pyoxigraph as ox

from genrl_kg.identifiers import slugify
from genrl_kg.rdf import Graph, QuadSet
from genrl_kg.rdf.terms import (
    CITO,
    DCTERMS,
    GENRL,
    PROV,
    RDF,
    SCHEMA,
    WDT,
    date,
    datetime,
    integer,
    iri,
    text,
)
from genrl_kg.sources.openalex import Authorship, Institution, Location, OpenAlexWork

__all__ = [
    "CC0",
    "OPENALEX",
    "JoinedAuthor",
    "add_affiliations",
    "add_citations",
    "add_orcids",
    "add_source_description",
    "add_work",
    "institution_iri",
    "openalex_iri",
]

OPENALEX = "https://openalex.org/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"


@dataclass(frozen=True)
class JoinedAuthor:
    """An OpenAlex authorship joined to the arXiv author at the same position with a compatible name."""

    position: int
    name: str  # the arXiv name: our person
    authorship: Authorship  # what OpenAlex says about that author on this paper


def openalex_iri(short_id: str) -> ox.NamedNode:
    """Return the OpenAlex IRI of a short id (``W…``, ``I…``).

    >>> openalex_iri("W4323650343").value
    'https://openalex.org/W4323650343'
    """
    return iri(OPENALEX + short_id)


def _stamp(moment: _datetime) -> ox.Literal:
    """Return *moment* as an xsd:dateTime in UTC, to the second."""
    return datetime(moment.astimezone(UTC).replace(microsecond=0).isoformat())


def add_source_description(quads: QuadSet) -> None:
    """Say where the openalex graph comes from and under which licence its data is."""
    g = quads["openalex"]
    g.add(g.name, DCTERMS.source, iri(OPENALEX))
    g.add(g.name, DCTERMS.license, iri(CC0))


def add_work(quads: QuadSet, key: str, paper: ox.NamedNode, work: OpenAlexWork) -> ox.NamedNode:
    """Add one work's facts to its paper (id, count, open access, venue); return the record node."""
    g = quads["openalex"]
    source = openalex_iri(work.id)
    g.add(paper, WDT.P10283, text(work.id))
    g.add(paper, GENRL.citedByCount, integer(work.cited_by_count))
    g.add(paper, GENRL.citedByCountDate, date(work.retrieved.astimezone(UTC).date().isoformat()))
    if work.open_access is not None and work.open_access.url:
        g.add(paper, GENRL.openAccessUrl, iri(work.open_access.url))
    if work.venue is not None:
        _add_published_version(quads, key, paper, work.venue, source)
    record = quads.iri("openalex-record", key)
    g.add(record, RDF.type, PROV.Entity)
    g.add(record, DCTERMS.subject, paper)
    g.add(record, PROV.wasDerivedFrom, source)
    g.add(record, PROV.generatedAtTime, _stamp(work.retrieved))
    g.add(record, DCTERMS.license, iri(CC0))
    return record


def _add_published_version(
    quads: QuadSet, key: str, paper: ox.NamedNode, venue: Location, source: ox.NamedNode
) -> None:
    """Add the published version of *paper*: its venue, DOI and landing page."""
    g = quads["openalex"]
    version = quads.iri("published-version", key)
    g.add(paper, GENRL.publishedVersion, version)
    g.add(version, RDF.type, GENRL.PublishedVersion)
    g.add(version, PROV.wasDerivedFrom, source)
    if venue.doi:
        g.add(version, DCTERMS.identifier, text(venue.doi))
    if venue.landing_page_url:
        g.add(version, SCHEMA.url, iri(venue.landing_page_url))
    slug = slugify(venue.display_name) if venue.display_name else ""
    if venue.display_name and slug:
        node = quads.iri("venue", slug)
        g.add(version, GENRL.venue, node)
        g.add(node, RDF.type, GENRL.Venue)
        g.add(node, SCHEMA.name, text(venue.display_name))
        if venue.source_type:
            g.add(node, DCTERMS.type, text(venue.source_type))


def institution_iri(quads: QuadSet, institution: Institution) -> ox.NamedNode | None:
    """Return our IRI of *institution*: by ROR, else by OpenAlex id, else None.

    >>> q = QuadSet("https://e.org/")
    >>> institution_iri(q, Institution("I97018004", "Stanford", "00f54p054", "US")).value
    'https://e.org/institution/ror/00f54p054'
    >>> institution_iri(q, Institution("I1", "Lab", None, None)).value
    'https://e.org/institution/openalex/I1'
    >>> institution_iri(q, Institution(None, "Lab", None, None)) is None
    True
    """
    if institution.ror:
        return quads.iri("institution", "ror", institution.ror)
    if institution.openalex_id:
        return quads.iri("institution", "openalex", institution.openalex_id)
    return None


def add_affiliations(
    quads: QuadSet,
    key: str,
    joined: Iterable[JoinedAuthor],
    source: ox.NamedNode,
    names: dict[ox.NamedNode, ox.Literal],
) -> set[ox.NamedNode]:
    """Link each joined authorship to its institutions; return the institutions added.

    *names* keeps the first name seen for each institution across calls (others become
    ``schema:alternateName``).
    """
    g = quads["openalex"]
    added: set[ox.NamedNode] = set()
    for author in joined:
        authorship = quads.iri("authorship", key, str(author.position))
        for institution in author.authorship.institutions:
            node = institution_iri(quads, institution)
            if node is None:
                continue
            g.add(authorship, GENRL.affiliation, node)
            _add_institution(g, node, institution, source, names)
            added.add(node)
    return added


def _add_institution(
    g: Graph,
    node: ox.NamedNode,
    institution: Institution,
    source: ox.NamedNode,
    names: dict[ox.NamedNode, ox.Literal],
) -> None:
    """Describe one institution: name, ROR, country, and the OpenAlex record it comes from."""
    g.add(node, RDF.type, GENRL.Institution)
    name = text(institution.display_name)
    current = names.setdefault(node, name)
    g.add(node, SCHEMA.name if current == name else SCHEMA.alternateName, name)
    if institution.ror:
        g.add(node, WDT.P6782, text(institution.ror))
    if institution.country_code:
        g.add(node, SCHEMA.addressCountry, text(institution.country_code))
    if institution.openalex_id:
        g.add(node, PROV.wasDerivedFrom, openalex_iri(institution.openalex_id))
    else:
        g.add(node, PROV.wasDerivedFrom, source)


def add_orcids(g: Graph, orcids: Mapping[ox.NamedNode, str]) -> None:
    """Add each person's ORCID iD (bare form) as ``wdt:P496``."""
    for person, orcid in orcids.items():
        g.add(person, WDT.P496, text(orcid))


def add_citations(g: Graph, edges: Iterable[tuple[ox.NamedNode, ox.NamedNode]]) -> None:
    """Add ``citing cito:cites cited`` for each edge."""
    for citing, cited in edges:
        g.add(citing, CITO.cites, cited)
