"""Triples for the list: papers, their list entries, new sections and the Modality table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from genrl_kg.identifiers import LinkId, paper_path, slugify, wikidata_doi
from genrl_kg.namespace import GENRL, SCHEMA, WDT
from genrl_kg.papers import PaperRecord
from genrl_kg.rdf import GraphSet
from genrl_kg.sources.awesome_list import Entry, ModalityRow
from genrl_kg.taxonomy import SectionConcept, Taxonomy

TAXONOMY_SCHEME = URIRef("https://w3id.org/genrl-kg/taxonomy")


@dataclass(frozen=True)
class ListSource:
    """Where the list came from: its file name and the upstream commit."""

    file: str
    commit: str


def paper_iri(graphs: GraphSet, key: str) -> URIRef:
    """Return the IRI of the paper whose key is *key* (``arxiv/2303.04137``)."""
    return graphs.iri("paper", key)


def entry_iri(graphs: GraphSet, entry: Entry) -> URIRef:
    """Return the IRI of the list entry on *entry*'s line."""
    return graphs.iri("list-entry", str(entry.line))


def add_sections(graphs: GraphSet, sections: Mapping[tuple[str, ...], SectionConcept]) -> None:
    """Add the concepts minted for list sections the ontology does not know."""
    g = graphs["list"]
    for path, section in sections.items():
        if section.known:
            continue
        g.add((section.iri, RDF.type, SKOS.Concept))
        g.add((section.iri, RDF.type, GENRL.TaxonomyLeaf))
        g.add((section.iri, SKOS.prefLabel, Literal(section.label, lang="en")))
        definition = f"A section of the list not yet in the ontology: {' / '.join(path)}."
        g.add((section.iri, SKOS.definition, Literal(definition, lang="en")))
        g.add((section.iri, SKOS.inScheme, TAXONOMY_SCHEME))
        if section.broader is not None:
            g.add((section.iri, SKOS.broader, section.broader))
            g.add((section.broader, SKOS.narrower, section.iri))


def _add_identifier(g: Graph, paper: URIRef, link: LinkId) -> None:
    if link.kind == "arxiv":
        g.add((paper, GENRL.arxivId, Literal(link.value)))
        g.add((paper, WDT.P818, Literal(link.value)))
    elif link.kind == "doi":
        g.add((paper, GENRL.doi, Literal(link.value)))
        g.add((paper, WDT.P356, Literal(wikidata_doi(link.value))))
    elif link.kind == "openreview":
        g.add((paper, GENRL.openReviewId, Literal(link.value)))
    elif link.kind == "ieee":
        g.add((paper, GENRL.ieeeXploreId, Literal(link.value)))


def add_entry(graphs: GraphSet, entry: Entry, section: URIRef, source: ListSource) -> URIRef:
    """Add one list entry (provenance of a paper) and return its IRI."""
    g = graphs["list"]
    node = entry_iri(graphs, entry)
    g.add((node, RDF.type, GENRL.ListEntry))
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, GENRL.sourceFile, Literal(source.file)))
    g.add((node, GENRL.sourceLine, Literal(entry.line, datatype=XSD.integer)))
    g.add((node, GENRL.upstreamCommit, Literal(source.commit)))
    g.add((node, GENRL.rawText, Literal(entry.raw.strip())))
    g.add((node, DCTERMS.subject, section))
    return node


def add_paper(
    graphs: GraphSet,
    paper: PaperRecord,
    sections: Mapping[tuple[str, ...], SectionConcept],
    source: ListSource,
) -> URIRef:
    """Add one merged paper with its identifiers, categories and provenance."""
    g = graphs["list"]
    node = paper_iri(graphs, paper.key)
    g.add((node, RDF.type, GENRL.Paper))
    g.add((node, RDF.type, SCHEMA.ScholarlyArticle))
    g.add((node, DCTERMS.title, Literal(paper.title)))
    for title in paper.titles:
        if title != paper.title:
            g.add((node, DCTERMS.alternative, Literal(title)))
    for section in paper.sections:
        g.add((node, DCTERMS.subject, sections[section.path].iri))
    if paper.link_ids:
        g.add((node, SCHEMA.url, URIRef(paper.link_ids[0].canonical_url)))
    for link in paper.link_ids:
        _add_identifier(g, node, link)
    for url in paper.listed_links:
        g.add((node, GENRL.listedLink, URIRef(url)))
    if paper.year_added is not None:
        g.add((node, GENRL.yearAdded, Literal(str(paper.year_added), datatype=XSD.gYear)))
    marked_new = "new" in paper.flags or any("new" in section.flags for section in paper.sections)
    g.add((node, GENRL.markedNew, Literal(marked_new)))
    g.add((node, GENRL.mergedEntries, Literal(len(paper.entries), datatype=XSD.integer)))
    for entry in paper.entries:
        section_iri = sections[entry.section.path].iri
        g.add((node, PROV.wasDerivedFrom, add_entry(graphs, entry, section_iri, source)))
    return node


def add_modality_rows(graphs: GraphSet, rows: tuple[ModalityRow, ...], taxonomy: Taxonomy) -> None:
    """Add the survey's Modality table as :class:`genrl:ModalityProfile` nodes."""
    g = graphs["list"]
    for row in rows:
        node = graphs.iri("modality-profile", slugify(row.model_type))
        g.add((node, RDF.type, GENRL.ModalityProfile))
        g.add((node, SCHEMA.name, Literal(row.model_type)))
        model = taxonomy.match_base_model(row.model_type)
        if model is not None:
            g.add((node, GENRL.modelType, model))
        g.add((node, GENRL.inputModalityText, Literal(row.input_modality)))
        g.add((node, GENRL.outputModalityText, Literal(row.output_modality)))
        for concept in taxonomy.match_modalities(row.input_modality):
            g.add((node, GENRL.inputModality, concept))
        for concept in taxonomy.match_modalities(row.output_modality):
            g.add((node, GENRL.outputModality, concept))
        g.add((node, GENRL.primaryRole, Literal(row.primary_role)))
        g.add((node, GENRL.tradeOff, Literal(row.trade_off)))
        g.add((node, GENRL.sourceLine, Literal(row.line, datatype=XSD.integer)))


__all__ = [
    "ListSource",
    "add_modality_rows",
    "add_paper",
    "add_sections",
    "paper_iri",
    "paper_path",
]
