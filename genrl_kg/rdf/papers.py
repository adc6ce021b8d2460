"""Triples for the list: papers, their list entries, new sections and the Modality table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from genrl_kg.identifiers import LinkId, slugify, wikidata_doi
from genrl_kg.namespace import TAXONOMY_SCHEME
from genrl_kg.papers import PaperRecord
from genrl_kg.rdf import Graph, QuadSet
from genrl_kg.rdf.terms import (
    DCTERMS,
    GENRL,
    PROV,
    RDF,
    SCHEMA,
    SKOS,
    WDT,
    boolean,
    integer,
    iri,
    text,
    year,
)
from genrl_kg.sources.awesome_list import Entry, ModalityRow
from genrl_kg.taxonomy import SectionConcept, Taxonomy

__all__ = [
    "ListSource",
    "add_modality_rows",
    "add_paper",
    "add_sections",
    "entry_iri",
    "paper_iri",
]


@dataclass(frozen=True)
class ListSource:
    """Where the list came from: its file name and the upstream commit."""

    file: str
    commit: str


def paper_iri(quads: QuadSet, key: str) -> ox.NamedNode:
    """Return the IRI of the paper whose key is *key* (``arxiv/2303.04137``)."""
    return quads.iri("paper", key)


def entry_iri(quads: QuadSet, entry: Entry) -> ox.NamedNode:
    """Return the IRI of the list entry on *entry*'s line."""
    return quads.iri("list-entry", str(entry.line))


def add_sections(quads: QuadSet, sections: Mapping[tuple[str, ...], SectionConcept]) -> None:
    """Add the concepts minted for list sections the ontology does not know."""
    g = quads["list"]
    scheme = iri(TAXONOMY_SCHEME)
    for path, section in sections.items():
        if section.known:
            continue
        node = iri(section.iri)
        g.add(node, RDF.type, SKOS.Concept)
        g.add(node, RDF.type, GENRL.TaxonomyLeaf)
        g.add(node, SKOS.prefLabel, text(section.label, "en"))
        definition = f"A section of the list not yet in the ontology: {' / '.join(path)}."
        g.add(node, SKOS.definition, text(definition, "en"))
        g.add(node, SKOS.inScheme, scheme)
        if section.broader is not None:
            g.add(node, SKOS.broader, iri(section.broader))
            g.add(iri(section.broader), SKOS.narrower, node)


def _add_identifier(g: Graph, paper: ox.NamedNode, link: LinkId) -> None:
    if link.kind == "arxiv":
        g.add(paper, GENRL.arxivId, text(link.value))
        g.add(paper, WDT.P818, text(link.value))
    elif link.kind == "doi":
        g.add(paper, GENRL.doi, text(link.value))
        g.add(paper, WDT.P356, text(wikidata_doi(link.value)))
    elif link.kind == "openreview":
        g.add(paper, GENRL.openReviewId, text(link.value))
    elif link.kind == "ieee":
        g.add(paper, GENRL.ieeeXploreId, text(link.value))


def _add_entry(
    quads: QuadSet, entry: Entry, section: ox.NamedNode, source: ListSource
) -> ox.NamedNode:
    """Add one list entry (provenance of a paper) and return its IRI."""
    g = quads["list"]
    node = entry_iri(quads, entry)
    g.add(node, RDF.type, GENRL.ListEntry)
    g.add(node, RDF.type, PROV.Entity)
    g.add(node, GENRL.sourceFile, text(source.file))
    g.add(node, GENRL.sourceLine, integer(entry.line))
    g.add(node, GENRL.upstreamCommit, text(source.commit))
    g.add(node, GENRL.rawText, text(entry.raw.strip()))
    g.add(node, DCTERMS.subject, section)
    return node


def add_paper(
    quads: QuadSet,
    paper: PaperRecord,
    sections: Mapping[tuple[str, ...], SectionConcept],
    source: ListSource,
) -> ox.NamedNode:
    """Add one merged paper with its identifiers, categories and provenance."""
    g = quads["list"]
    node = paper_iri(quads, paper.key)
    g.add(node, RDF.type, GENRL.Paper)
    g.add(node, RDF.type, SCHEMA.ScholarlyArticle)
    g.add(node, DCTERMS.title, text(paper.title))
    for title in paper.titles:
        if title != paper.title:
            g.add(node, DCTERMS.alternative, text(title))
    for section in paper.sections:
        g.add(node, DCTERMS.subject, iri(sections[section.path].iri))
    if paper.link_ids:
        g.add(node, SCHEMA.url, iri(paper.link_ids[0].canonical_url))
    for link in paper.link_ids:
        _add_identifier(g, node, link)
    for url in paper.listed_links:
        g.add(node, GENRL.listedLink, iri(url))
    if paper.year_added is not None:
        g.add(node, GENRL.yearAdded, year(paper.year_added))
    marked_new = "new" in paper.flags or any("new" in section.flags for section in paper.sections)
    g.add(node, GENRL.markedNew, boolean(marked_new))
    g.add(node, GENRL.mergedEntries, integer(len(paper.entries)))
    for entry in paper.entries:
        section_iri = iri(sections[entry.section.path].iri)
        g.add(node, PROV.wasDerivedFrom, _add_entry(quads, entry, section_iri, source))
    return node


def add_modality_rows(quads: QuadSet, rows: tuple[ModalityRow, ...], taxonomy: Taxonomy) -> None:
    """Add the survey's Modality table as :class:`genrl:ModalityProfile` nodes."""
    g = quads["list"]
    for row in rows:
        node = quads.iri("modality-profile", slugify(row.model_type))
        g.add(node, RDF.type, GENRL.ModalityProfile)
        g.add(node, SCHEMA.name, text(row.model_type))
        model = taxonomy.match_base_model(row.model_type)
        if model is not None:
            g.add(node, GENRL.modelType, iri(model))
        g.add(node, GENRL.inputModalityText, text(row.input_modality))
        g.add(node, GENRL.outputModalityText, text(row.output_modality))
        for concept in taxonomy.match_modalities(row.input_modality):
            g.add(node, GENRL.inputModality, iri(concept))
        for concept in taxonomy.match_modalities(row.output_modality):
            g.add(node, GENRL.outputModality, iri(concept))
        g.add(node, GENRL.primaryRole, text(row.primary_role))
        g.add(node, GENRL.tradeOff, text(row.trade_off))
        g.add(node, GENRL.sourceLine, integer(row.line))
