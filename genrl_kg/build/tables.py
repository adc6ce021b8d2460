"""The tables stage: read the Excel tables, link their rows to papers, add rows and facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from genrl_kg.build.context import BuildContext, PaperNode, Stage, StageReport
from genrl_kg.errors import InputError
from genrl_kg.linking import PaperCandidate, RowLink, link_rows, load_curated_links
from genrl_kg.paperfacts.dates import arxiv_month
from genrl_kg.rdf.tables import add_table
from genrl_kg.settings import DATA_DIR
from genrl_kg.sources.arxiv import ArxivRecord
from genrl_kg.sources.openalex import OpenAlexWork
from genrl_kg.sources.tables import DEFAULT_LIMITS, MAX_ROWS, ParsedTable, read_table

__all__ = ["STAGE", "TablesReport", "add_tables", "make_candidates"]

CURATED_LINKS = DATA_DIR / "table-links.csv"


@dataclass
class TablesReport(StageReport):
    """Rows read, linked to papers (by evidence or curated) and left unresolved."""

    files: int = 0
    rows: int = 0
    linked: int = 0
    curated: int = 0
    unresolved: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def make_candidates(
    papers: Sequence[PaperNode],
    records: Mapping[str, ArxivRecord],
    works: Mapping[str, OpenAlexWork] | None = None,
) -> list[PaperCandidate]:
    """Return the list's papers as link candidates, with a year and a first author if known.

    arXiv's record speaks first; OpenAlex's work (by paper key) fills what arXiv does not give,
    and the arXiv identifier's month gives a year offline.
    """
    candidates = []
    for paper in papers:
        record_ids = paper.record.link_ids
        arxiv_id = next((link.value for link in record_ids if link.kind == "arxiv"), None)
        record = records.get(arxiv_id) if arxiv_id else None
        work = (works or {}).get(paper.record.key)
        titles = paper.record.titles + ((record.title,) if record else ())
        titles += (work.title,) if work and work.title and work.title not in titles else ()
        month = arxiv_month(arxiv_id) if arxiv_id else None
        year = record.published.year if record else (int(month[:4]) if month else None)
        if year is None and work is not None:
            year = work.publication_year
        first = record.authors[0].name if record and record.authors else None
        if first is None and work is not None:
            first = next((a.display_name for a in work.authorships if a.position == 1), None)
        candidates.append(PaperCandidate(paper.record.key, titles, year, first))
    return candidates


def add_tables(ctx: BuildContext) -> TablesReport:
    """Read every table of the sources, link its rows to papers and add rows and facts."""
    tables: list[ParsedTable] = []
    errors: list[str] = []
    left = MAX_ROWS  # all tables together: the linker's cost grows with their rows
    for path in ctx.sources.table_paths:
        try:
            if left <= 0:
                raise InputError(f"{path.name}: the tables already hold {MAX_ROWS} data rows")
            table = read_table(path, replace(DEFAULT_LIMITS, max_rows=left))
            tables.append(table)
            left -= len(table.rows)
        except InputError as exc:
            if ctx.options.strict:
                raise
            errors.append(str(exc))
            ctx.warn(f"table skipped: {exc}")
    rows = [row for table in tables for row in table.rows]
    curated = load_curated_links(CURATED_LINKS)
    links: list[RowLink] = []
    if rows:  # no table, no candidates to prepare
        candidates = make_candidates(ctx.papers, ctx.arxiv_records, ctx.openalex_works)
        links = link_rows(rows, candidates, curated)
    by_row: dict[tuple[str, int], RowLink] = {(link.table, link.row): link for link in links}
    nodes = ctx.paper_nodes()
    for table in tables:
        add_table(ctx.quads, table, by_row, nodes, ctx.sources.commit, ctx.taxonomy)
        for warning in table.warnings:
            if not warning.message.startswith("no column for"):
                where = warning.source_file + (f" row {warning.row}" if warning.row else "")
                ctx.warn(f"{where}: {warning.message}")
    linked = [link for link in links if link.paper_key]
    return TablesReport(
        files=len(tables),
        rows=len(links),
        linked=len(linked),
        curated=sum(1 for link in linked if link.method == "curated"),
        unresolved=[f"{x.table} row {x.row} ({x.citation_key})" for x in links if not x.paper_key],
        errors=errors,
    )


STAGE = Stage("tables", add_tables, TablesReport)
