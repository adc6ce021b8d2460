"""Triples for arXiv metadata: dates, abstracts, categories, ordered authors, title checks."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping

import pyoxigraph as ox

from genrl_kg.identifiers import normalize_title, slugify, wikidata_doi
from genrl_kg.namespace import ARXIV_CATEGORY_SCHEME
from genrl_kg.papers import PaperRecord
from genrl_kg.rdf import Graph, QuadSet
from genrl_kg.rdf.terms import (
    DCTERMS,
    FOAF,
    GENRL,
    RDF,
    SCHEMA,
    SKOS,
    WDT,
    boolean,
    date,
    integer,
    iri,
    text,
)
from genrl_kg.sources.arxiv import ArxivRecord

__all__ = [
    "MATCH",
    "MISMATCH",
    "PARTIAL",
    "add_arxiv",
    "add_arxiv_record",
    "category_iri",
    "check_title",
    "person_key",
]

MATCH, PARTIAL, MISMATCH = "match", "partial", "mismatch"


def check_title(listed: tuple[str, ...], arxiv_title: str) -> str:
    """Compare the list's titles with arXiv's, ignoring punctuation and case.

    >>> check_title(("Diffusion Policy: Visuomotor Policy Learning",), "Diffusion policy - visuomotor policy learning")
    'match'
    >>> check_title(("World models for physical robot learning",), "DayDreamer: World Models for Physical Robot Learning")
    'partial'
    >>> check_title(("Zero-shot text-to-image generation",), "Learning transferable visual models")
    'mismatch'
    """
    theirs = normalize_title(arxiv_title)
    ours = [normalize_title(t) for t in listed]
    if theirs in ours:
        return MATCH
    if any(o and (o in theirs or theirs in o) for o in ours):
        return PARTIAL
    return MISMATCH


def person_key(name: str) -> str:
    """Return the key that identifies a person: the normalised name, never the surname alone.

    >>> person_key("Cheng  Chi")
    'cheng-chi'
    >>> person_key("José Müller") == person_key("Jose Muller")
    True
    """
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = slugify(" ".join(folded.split()))
    return slug or "u-" + hashlib.sha1(name.strip().casefold().encode()).hexdigest()[:12]


def category_iri(category: str) -> ox.NamedNode:
    """Return the concept IRI of an arXiv category (``cs.RO``)."""
    return iri(f"{ARXIV_CATEGORY_SCHEME}/{category}")


def _add_category(g: Graph, category: str) -> ox.NamedNode:
    concept = category_iri(category)
    g.add(concept, RDF.type, SKOS.Concept)
    g.add(concept, RDF.type, GENRL.ArxivCategory)
    g.add(concept, SKOS.prefLabel, text(category))
    g.add(concept, SKOS.notation, text(category))
    g.add(concept, SKOS.definition, text(f"The arXiv subject category {category}.", "en"))
    g.add(concept, SKOS.inScheme, iri(ARXIV_CATEGORY_SCHEME))
    return concept


def _add_authors(
    quads: QuadSet,
    paper: ox.NamedNode,
    key: str,
    record: ArxivRecord,
    names: dict[ox.NamedNode, ox.Literal],
) -> None:
    g = quads["arxiv"]
    for position, author in enumerate(record.authors, start=1):
        person = quads.iri("person", person_key(author.name))
        g.add(person, RDF.type, GENRL.Person)
        g.add(person, RDF.type, SCHEMA.Person)
        g.add(person, RDF.type, FOAF.Person)
        name = text(author.name)
        current = names.setdefault(person, name)
        g.add(person, SCHEMA.name if current == name else SCHEMA.alternateName, name)
        g.add(paper, DCTERMS.creator, person)
        authorship = quads.iri("authorship", key, str(position))
        g.add(authorship, RDF.type, GENRL.Authorship)
        g.add(authorship, GENRL.author, person)
        g.add(authorship, GENRL.position, integer(position))
        for affiliation in author.affiliations:
            g.add(authorship, GENRL.affiliationText, text(affiliation))
        g.add(paper, GENRL.authorship, authorship)


def add_arxiv_record(
    quads: QuadSet,
    paper: PaperRecord,
    node: ox.NamedNode,
    record: ArxivRecord,
    names: dict[ox.NamedNode, ox.Literal] | None = None,
) -> str:
    """Add one arXiv record to its paper and return the title check's result.

    *names* holds the first name seen for each person across calls, so a person keeps one
    ``schema:name`` and other spellings become ``schema:alternateName``.
    """
    g = quads["arxiv"]
    g.add(node, GENRL.enriched, boolean(True))
    g.add(node, GENRL.arxivTitle, text(record.title))
    g.add(node, DCTERMS.abstract, text(record.abstract))
    g.add(node, DCTERMS.issued, date(record.published.isoformat()))
    g.add(node, DCTERMS.modified, date(record.updated.isoformat()))
    g.add(node, GENRL.arxivVersion, integer(record.version))
    g.add(node, GENRL.primaryCategory, _add_category(g, record.primary_category))
    for category in record.categories:
        g.add(node, GENRL.arxivCategory, _add_category(g, category))
    if record.doi:
        g.add(node, WDT.P356, text(wikidata_doi(record.doi)))
    if record.journal_ref:
        g.add(node, DCTERMS.bibliographicCitation, text(record.journal_ref))
    if record.pdf_url:
        g.add(node, DCTERMS.hasFormat, iri(record.pdf_url))
    _add_authors(quads, node, paper.key, record, {} if names is None else names)
    result = check_title(paper.titles, record.title)
    g.add(node, GENRL.titleCheck, text(result))
    return result


def add_arxiv(
    quads: QuadSet,
    papers: Mapping[str, tuple[PaperRecord, ox.NamedNode]],
    records: Mapping[str, ArxivRecord],
) -> dict[str, str]:
    """Add arXiv metadata for every paper with an arXiv id; return the title checks by key.

    *papers* maps an arXiv id to its paper and node. Papers without a record are marked
    ``genrl:enriched false``; nothing is invented for them.
    """
    checks: dict[str, str] = {}
    names: dict[ox.NamedNode, ox.Literal] = {}
    for arxiv_id, (paper, node) in sorted(papers.items()):
        record = records.get(arxiv_id)
        if record is None:
            quads["arxiv"].add(node, GENRL.enriched, boolean(False))
            continue
        checks[paper.key] = add_arxiv_record(quads, paper, node, record, names)
    return checks
