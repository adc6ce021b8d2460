"""Triples for the Excel tables: rows with their original cells, normalised facts, paper links."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from genrl_kg.identifiers import slugify
from genrl_kg.linking import RowLink
from genrl_kg.namespace import CONCEPT_BASE
from genrl_kg.rdf import Graph, QuadSet, Term
from genrl_kg.rdf.terms import (
    DCTERMS,
    GENRL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    boolean,
    decimal,
    integer,
    iri,
    text,
)
from genrl_kg.sources.tables import (
    ParsedTable,
    TableRow,
    extract_benchmarks,
    parse_framework,
    split_foundation_models,
    split_tags,
)
from genrl_kg.taxonomy import Taxonomy

__all__ = ["TableContext", "add_row", "add_table", "category_concepts", "row_iri"]


@dataclass(frozen=True)
class TableContext:
    """What every row of one table shares: the commit, the categories and the concepts."""

    commit: str
    taxonomy: Taxonomy
    categories: tuple[str, ...]


def category_concepts(hints: Sequence[str], taxonomy: Taxonomy) -> tuple[str, ...]:
    """Return the concepts a table is about, from its file-name hints (``llm``, ``diffusion-policy``)."""
    known = set(taxonomy.concepts(CONCEPT_BASE + "base-model"))
    known |= set(taxonomy.concepts(CONCEPT_BASE + "taxonomy"))
    found = []
    for hint in hints:
        for scheme in ("taxonomy", "base-model"):
            concept = f"{CONCEPT_BASE}{scheme}/{hint}"
            if concept in known:
                found.append(concept)
                break
    return tuple(found)


def row_iri(quads: QuadSet, row: TableRow) -> ox.NamedNode:
    """Return the IRI of a table row."""
    return quads.iri("table-row", slugify(row.table), str(row.row))


def _add_cells(g: Graph, node: ox.NamedNode, row: TableRow) -> None:
    for cell in row.cells:
        cell_node = iri(f"{node.value}/cell/{cell.column_index}")
        g.add(cell_node, RDF.type, GENRL.Cell)
        g.add(cell_node, GENRL.column, text(cell.column))
        g.add(cell_node, GENRL.columnIndex, integer(cell.column_index))
        g.add(cell_node, RDF.value, text(cell.value))
        g.add(node, GENRL.cellText, cell_node)
    for extra in row.extras:
        g.add(node, RDFS.comment, text(f"{extra.column}: {extra.value}"))


def _add_named(g: Graph, node: ox.NamedNode, kind: ox.NamedNode, name: str) -> ox.NamedNode:
    g.add(node, RDF.type, kind)
    g.add(node, SCHEMA.name, text(name))
    return node


def _add_facts(
    quads: QuadSet, subjects: Sequence[ox.NamedNode], row: TableRow, ctx: TableContext
) -> None:
    g = quads["tables"]
    facts: list[tuple[ox.NamedNode, Term]] = []
    for tag in split_tags(row.taxonomy):
        concept = ctx.taxonomy.match_base_model(tag)
        if concept is not None:
            facts.append((GENRL.taxonomyTag, iri(concept)))
    code = ctx.taxonomy.match_code_availability(row.code_available)
    if code is not None:
        facts.append((GENRL.codeAvailability, iri(code)))
    setting = ctx.taxonomy.match_evaluation_setting(row.evaluation)
    if setting is not None:
        facts.append((GENRL.evaluationSetting, iri(setting)))
    for name in split_foundation_models(row.base_model):
        model = quads.iri("foundation-model", slugify(name))
        facts.append((GENRL.usesFoundationModel, _add_named(g, model, GENRL.FoundationModel, name)))
    for cell in (row.dataset, row.evaluation):
        for name in extract_benchmarks(cell):
            dataset = quads.iri("dataset", slugify(name))
            facts.append((GENRL.usesDataset, _add_named(g, dataset, GENRL.Dataset, name)))
    if row.application:
        facts.append((GENRL.application, text(row.application)))
    if row.framework:
        name, acronym = parse_framework(row.framework)
        framework = _add_named(
            g, quads.iri("framework", slugify(acronym or name)), GENRL.Framework, name
        )
        if acronym:
            g.add(framework, GENRL.acronym, text(acronym))
        facts.append((GENRL.introducesFramework, framework))
    for subject in subjects:
        for predicate, obj in facts:
            g.add(subject, predicate, obj)


def add_row(
    quads: QuadSet,
    row: TableRow,
    link: RowLink | None,
    papers: Mapping[str, ox.NamedNode],
    ctx: TableContext,
) -> ox.NamedNode:
    """Add one table row, its original cells, its normalised facts and its paper link."""
    g = quads["tables"]
    node = row_iri(quads, row)
    g.add(node, RDF.type, GENRL.TableRow)
    g.add(node, RDF.type, PROV.Entity)
    g.add(node, GENRL.sourceFile, text(row.source_file))
    g.add(node, GENRL.sheet, text(row.sheet))
    g.add(node, GENRL.rowNumber, integer(row.row))
    g.add(node, GENRL.upstreamCommit, text(ctx.commit))
    for category in ctx.categories:
        g.add(node, GENRL.tableCategory, iri(category))
    if row.citation_key:
        g.add(node, GENRL.citationKey, text(row.citation_key))
    _add_cells(g, node, row)
    paper = papers.get(link.paper_key) if link and link.paper_key else None
    g.add(node, GENRL.resolved, boolean(paper is not None))
    if link is not None:
        g.add(node, GENRL.linkMethod, text(link.method))
        g.add(node, GENRL.linkConfidence, decimal(f"{link.confidence:.2f}"))
        for evidence in link.evidence:
            g.add(node, RDFS.comment, text(f"evidence: {evidence}"))
    if paper is not None:
        g.add(node, GENRL.describesPaper, paper)
        g.add(paper, DCTERMS.isReferencedBy, node)
    _add_facts(quads, (node, paper) if paper is not None else (node,), row, ctx)
    return node


def add_table(
    quads: QuadSet,
    table: ParsedTable,
    links: Mapping[tuple[str, int], RowLink],
    papers: Mapping[str, ox.NamedNode],
    commit: str,
    taxonomy: Taxonomy,
) -> None:
    """Add every row of one parsed table."""
    ctx = TableContext(commit, taxonomy, category_concepts(table.category_hint, taxonomy))
    for row in table.rows:
        add_row(quads, row, links.get((row.table, row.row)), papers, ctx)
