"""Triples for the Excel tables: rows with their original cells, normalised facts, paper links."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from genrl_kg.identifiers import slugify
from genrl_kg.linking import RowLink
from genrl_kg.namespace import CONCEPT_BASE, GENRL, SCHEMA
from genrl_kg.rdf import GraphSet
from genrl_kg.sources.tables import (
    ParsedTable,
    TableRow,
    extract_benchmarks,
    parse_framework,
    split_foundation_models,
    split_tags,
)
from genrl_kg.taxonomy import Taxonomy


@dataclass(frozen=True)
class TableContext:
    """What every row of one table shares: the commit, the categories and the concepts."""

    commit: str
    taxonomy: Taxonomy
    categories: tuple[URIRef, ...]


def category_concepts(hints: Sequence[str], taxonomy: Taxonomy) -> tuple[URIRef, ...]:
    """Return the concepts a table is about, from its file-name hints (``llm``, ``diffusion-policy``)."""
    known = set(taxonomy.concepts(URIRef(CONCEPT_BASE + "base-model")))
    known |= set(taxonomy.concepts(URIRef(CONCEPT_BASE + "taxonomy")))
    found = []
    for hint in hints:
        for scheme in ("taxonomy", "base-model"):
            iri = URIRef(f"{CONCEPT_BASE}{scheme}/{hint}")
            if iri in known:
                found.append(iri)
                break
    return tuple(found)


def row_iri(graphs: GraphSet, row: TableRow) -> URIRef:
    """Return the IRI of a table row."""
    return graphs.iri("table-row", slugify(row.table), str(row.row))


def _add_cells(g: Graph, node: URIRef, row: TableRow) -> None:
    for cell in row.cells:
        cell_node = URIRef(f"{node}/cell/{cell.column_index}")
        g.add((cell_node, RDF.type, GENRL.Cell))
        g.add((cell_node, GENRL.column, Literal(cell.column)))
        g.add((cell_node, GENRL.columnIndex, Literal(cell.column_index, datatype=XSD.integer)))
        g.add((cell_node, RDF.value, Literal(cell.value)))
        g.add((node, GENRL.cellText, cell_node))
    for extra in row.extras:
        g.add((node, RDFS.comment, Literal(f"{extra.column}: {extra.value}")))


def _add_facts(
    graphs: GraphSet, subjects: Sequence[URIRef], row: TableRow, ctx: TableContext
) -> None:
    g = graphs["tables"]
    facts: list[tuple[URIRef, URIRef | Literal]] = []
    for tag in split_tags(row.taxonomy):
        concept = ctx.taxonomy.match_base_model(tag)
        if concept is not None:
            facts.append((GENRL.taxonomyTag, concept))
    code = ctx.taxonomy.match_code_availability(row.code_available)
    if code is not None:
        facts.append((GENRL.codeAvailability, code))
    setting = ctx.taxonomy.match_evaluation_setting(row.evaluation)
    if setting is not None:
        facts.append((GENRL.evaluationSetting, setting))
    for name in split_foundation_models(row.base_model):
        model = graphs.iri("foundation-model", slugify(name))
        g.add((model, RDF.type, GENRL.FoundationModel))
        g.add((model, SCHEMA.name, Literal(name)))
        facts.append((GENRL.usesFoundationModel, model))
    for text in (row.dataset, row.evaluation):
        for name in extract_benchmarks(text):
            dataset = graphs.iri("dataset", slugify(name))
            g.add((dataset, RDF.type, GENRL.Dataset))
            g.add((dataset, SCHEMA.name, Literal(name)))
            facts.append((GENRL.usesDataset, dataset))
    if row.application:
        facts.append((GENRL.application, Literal(row.application)))
    if row.framework:
        name, acronym = parse_framework(row.framework)
        framework = graphs.iri("framework", slugify(acronym or name))
        g.add((framework, RDF.type, GENRL.Framework))
        g.add((framework, SCHEMA.name, Literal(name)))
        if acronym:
            g.add((framework, GENRL.acronym, Literal(acronym)))
        facts.append((GENRL.introducesFramework, framework))
    for subject in subjects:
        for predicate, obj in facts:
            g.add((subject, predicate, obj))


def add_row(
    graphs: GraphSet,
    row: TableRow,
    link: RowLink | None,
    papers: Mapping[str, URIRef],
    ctx: TableContext,
) -> URIRef:
    """Add one table row, its original cells, its normalised facts and its paper link."""
    g = graphs["tables"]
    node = row_iri(graphs, row)
    g.add((node, RDF.type, GENRL.TableRow))
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, GENRL.sourceFile, Literal(row.source_file)))
    g.add((node, GENRL.sheet, Literal(row.sheet)))
    g.add((node, GENRL.rowNumber, Literal(row.row, datatype=XSD.integer)))
    g.add((node, GENRL.upstreamCommit, Literal(ctx.commit)))
    for category in ctx.categories:
        g.add((node, GENRL.tableCategory, category))
    if row.citation_key:
        g.add((node, GENRL.citationKey, Literal(row.citation_key)))
    _add_cells(g, node, row)
    paper = papers.get(link.paper_key) if link and link.paper_key else None
    g.add((node, GENRL.resolved, Literal(paper is not None)))
    if link is not None:
        g.add((node, GENRL.linkMethod, Literal(link.method)))
        confidence = Literal(f"{link.confidence:.2f}", datatype=XSD.decimal)
        g.add((node, GENRL.linkConfidence, confidence))
        for evidence in link.evidence:
            g.add((node, RDFS.comment, Literal(f"evidence: {evidence}")))
    if paper is not None:
        g.add((node, GENRL.describesPaper, paper))
        g.add((paper, DCTERMS.isReferencedBy, node))
    _add_facts(graphs, (node, paper) if paper is not None else (node,), row, ctx)
    return node


def add_table(
    graphs: GraphSet,
    table: ParsedTable,
    links: Mapping[tuple[str, int], RowLink],
    papers: Mapping[str, URIRef],
    commit: str,
    taxonomy: Taxonomy,
) -> None:
    """Add every row of one parsed table."""
    ctx = TableContext(commit, taxonomy, category_concepts(table.category_hint, taxonomy))
    for row in table.rows:
        add_row(graphs, row, links.get((row.table, row.row)), papers, ctx)
