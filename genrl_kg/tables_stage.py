"""The tables stage of the build: read the Excel tables, link rows to papers, add the facts."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from genrl_kg.errors import InputError
from genrl_kg.linking import PaperCandidate, RowLink, link_rows, load_curated_links
from genrl_kg.papers import PaperRecord
from genrl_kg.rdf import GraphSet
from genrl_kg.rdf.tables import add_table
from genrl_kg.settings import DATA_DIR
from genrl_kg.sources.arxiv import ArxivRecord
from genrl_kg.sources.tables import read_table
from genrl_kg.sources.upstream import SourceSet
from genrl_kg.taxonomy import Taxonomy

if TYPE_CHECKING:
    from genrl_kg.pipeline import BuildReport

log = logging.getLogger(__name__)

CURATED_LINKS = DATA_DIR / "table-links.csv"


def make_candidates(
    papers: Sequence[tuple[PaperRecord, URIRef]], records: Mapping[str, ArxivRecord]
) -> list[PaperCandidate]:
    """Return the list's papers as link candidates, with arXiv's year and first author if known."""
    candidates = []
    for paper, _ in papers:
        arxiv_id = next((link.value for link in paper.link_ids if link.kind == "arxiv"), None)
        record = records.get(arxiv_id) if arxiv_id else None
        titles = paper.titles + ((record.title,) if record else ())
        year = record.published.year if record else _year_of_arxiv_id(arxiv_id)
        first = record.authors[0].name if record and record.authors else None
        candidates.append(PaperCandidate(paper.key, titles, year, first))
    return candidates


def _year_of_arxiv_id(arxiv_id: str | None) -> int | None:
    """Return the year of a new-style arXiv id's first version (it is the id's YYMM prefix).

    >>> _year_of_arxiv_id("2303.04137"), _year_of_arxiv_id("hep-th/9901001"), _year_of_arxiv_id(None)
    (2023, None, None)
    """
    if arxiv_id and len(arxiv_id) >= 9 and arxiv_id[4] == "." and arxiv_id[:4].isdigit():
        return 2000 + int(arxiv_id[:2])
    return None


def add_tables(
    graphs: GraphSet,
    sources: SourceSet,
    taxonomy: Taxonomy,
    papers: Sequence[tuple[PaperRecord, URIRef]],
    records: Mapping[str, ArxivRecord],
    report: BuildReport,
    strict: bool = False,
) -> None:
    """Read every table of *sources*, link its rows to papers and add rows and facts."""
    tables, errors = [], []
    for path in sources.table_paths:
        try:
            tables.append(read_table(path))
        except InputError as exc:
            if strict:
                raise
            errors.append(str(exc))
            report.warnings.append(f"table skipped: {exc}")
    curated = load_curated_links(CURATED_LINKS)
    rows = [row for table in tables for row in table.rows]
    links = link_rows(rows, make_candidates(papers, records), curated)
    by_row: dict[tuple[str, int], RowLink] = {(link.table, link.row): link for link in links}
    nodes = {paper.key: node for paper, node in papers}
    for table in tables:
        add_table(graphs, table, by_row, nodes, sources.commit, taxonomy)
        for warning in table.warnings:
            if warning.message.startswith("no column for"):
                log.info("%s: %s", warning.source_file, warning.message)
                continue
            where = f"{warning.source_file}" + (f" row {warning.row}" if warning.row else "")
            report.warnings.append(f"{where}: {warning.message}")
    report.tables = _summary(tables, links, errors)


def _summary(
    tables: Sequence[Any], links: Sequence[RowLink], errors: Sequence[str]
) -> dict[str, Any]:
    linked = [link for link in links if link.paper_key]
    return {
        "files": len(tables),
        "rows": len(links),
        "linked": len(linked),
        "curated": sum(1 for link in linked if link.method == "curated"),
        "unresolved": [
            f"{link.table} row {link.row} ({link.citation_key})"
            for link in links
            if not link.paper_key
        ],
        "errors": list(errors),
    }
