"""Triples for arXiv metadata: dates, abstracts, categories, ordered authors, title checks."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from genrl_kg.identifiers import normalize_title, slugify, wikidata_doi
from genrl_kg.namespace import ARXIV_CATEGORY_SCHEME, FOAF, GENRL, SCHEMA, WDT
from genrl_kg.papers import PaperRecord
from genrl_kg.rdf import GraphSet
from genrl_kg.sources.arxiv import ArxivRecord

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


def category_iri(category: str) -> URIRef:
    """Return the concept IRI of an arXiv category (``cs.RO``)."""
    return URIRef(f"{ARXIV_CATEGORY_SCHEME}/{category}")


def _add_category(g: Graph, category: str) -> URIRef:
    concept = category_iri(category)
    g.add((concept, RDF.type, SKOS.Concept))
    g.add((concept, RDF.type, GENRL.ArxivCategory))
    g.add((concept, SKOS.prefLabel, Literal(category)))
    g.add((concept, SKOS.notation, Literal(category)))
    g.add((concept, SKOS.definition, Literal(f"The arXiv subject category {category}.", lang="en")))
    g.add((concept, SKOS.inScheme, ARXIV_CATEGORY_SCHEME))
    return concept


def _add_authors(graphs: GraphSet, paper: URIRef, key: str, record: ArxivRecord) -> None:
    g = graphs["arxiv"]
    for position, author in enumerate(record.authors, start=1):
        person = graphs.iri("person", person_key(author.name))
        g.add((person, RDF.type, GENRL.Person))
        g.add((person, RDF.type, SCHEMA.Person))
        g.add((person, RDF.type, FOAF.Person))
        name = Literal(author.name)
        current = g.value(person, SCHEMA.name)
        if current is None:
            g.add((person, SCHEMA.name, name))
        elif current != name:
            g.add((person, SCHEMA.alternateName, name))
        g.add((paper, DCTERMS.creator, person))
        authorship = graphs.iri("authorship", key, str(position))
        g.add((authorship, RDF.type, GENRL.Authorship))
        g.add((authorship, GENRL.author, person))
        g.add((authorship, GENRL.position, Literal(position, datatype=XSD.integer)))
        for affiliation in author.affiliations:
            g.add((authorship, GENRL.affiliationText, Literal(affiliation)))
        g.add((paper, GENRL.authorship, authorship))


def add_arxiv_record(
    graphs: GraphSet, paper: PaperRecord, node: URIRef, record: ArxivRecord
) -> str:
    """Add one arXiv record to its paper and return the title check's result."""
    g = graphs["arxiv"]
    g.add((node, GENRL.enriched, Literal(True)))
    g.add((node, GENRL.arxivTitle, Literal(record.title)))
    g.add((node, DCTERMS.abstract, Literal(record.abstract)))
    g.add((node, DCTERMS.issued, Literal(record.published.isoformat(), datatype=XSD.date)))
    g.add((node, DCTERMS.modified, Literal(record.updated.isoformat(), datatype=XSD.date)))
    g.add((node, GENRL.arxivVersion, Literal(record.version, datatype=XSD.integer)))
    g.add((node, GENRL.primaryCategory, _add_category(g, record.primary_category)))
    for category in record.categories:
        g.add((node, GENRL.arxivCategory, _add_category(g, category)))
    if record.doi:
        g.add((node, WDT.P356, Literal(wikidata_doi(record.doi))))
    if record.journal_ref:
        g.add((node, DCTERMS.bibliographicCitation, Literal(record.journal_ref)))
    if record.pdf_url:
        g.add((node, DCTERMS.hasFormat, URIRef(record.pdf_url)))
    _add_authors(graphs, node, paper.key, record)
    result = check_title(paper.titles, record.title)
    g.add((node, GENRL.titleCheck, Literal(result)))
    return result


def add_arxiv(
    graphs: GraphSet,
    papers: Mapping[str, tuple[PaperRecord, URIRef]],
    records: Mapping[str, ArxivRecord],
) -> dict[str, str]:
    """Add arXiv metadata for every paper with an arXiv id; return the title checks by key.

    *papers* maps an arXiv id to its paper and node. Papers without a record are marked
    ``genrl:enriched false``; nothing is invented for them.
    """
    checks: dict[str, str] = {}
    for arxiv_id, (paper, node) in sorted(papers.items()):
        record = records.get(arxiv_id)
        if record is None:
            graphs["arxiv"].add((node, GENRL.enriched, Literal(False)))
            continue
        checks[paper.key] = add_arxiv_record(graphs, paper, node, record)
    return checks
