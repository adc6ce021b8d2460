"""``genrl-kg stats``: account for every entry of the last build, from the store itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genrl_kg.build import read_report
from genrl_kg.build.arxiv import ArxivReport
from genrl_kg.build.awesome_list import ListReport
from genrl_kg.build.facts import FactsReport
from genrl_kg.build.history import HistoryReport
from genrl_kg.build.links import LinksReport
from genrl_kg.build.openalex import OpenAlexReport
from genrl_kg.build.tables import TablesReport
from genrl_kg.errors import StoreError
from genrl_kg.settings import GRAPH_NAMES, graph_iri
from genrl_kg.store import has_store, open_store, read_build_info

__all__ = ["COUNT_QUERIES", "collect_stats", "format_stats", "history_lines", "line_ranges"]

COUNT_QUERIES = {
    "papers": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/genrl-kg/ontology#Paper> }",
    "list_entries": "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a <https://w3id.org/genrl-kg/ontology#ListEntry> }",
}


def _count(store: Any, query: str) -> int:
    solutions = list(store.query(query, use_default_graph_as_union=True))
    return int(solutions[0]["n"].value) if solutions else 0


def collect_stats(store_dir: Path) -> dict[str, Any]:
    """Return the last build's report with live counts read from the store."""
    if not has_store(store_dir):
        raise StoreError(f"{store_dir}: no store here; run 'genrl-kg build --store {store_dir}'")
    info = read_build_info(store_dir)
    store = open_store(store_dir)
    live = {name: _count(store, q) for name, q in COUNT_QUERIES.items()}
    base = info.get("base", "https://w3id.org/genrl-kg/")
    graphs = {}
    for name in GRAPH_NAMES:
        iri = graph_iri(name, base)
        graphs[name] = _count(
            store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
        )
    return {"build": info, "live": live, "graphs": graphs}


def format_stats(data: dict[str, Any]) -> str:
    """Return the stats as readable lines, from the typed report of the last build."""
    report, live, graphs = read_report(data["build"]), data["live"], data["graphs"]
    listing = report.list_report
    lines = [
        f"upstream commit      {report.commit or '?'}",
        f"built at             {report.built_at or '?'}",
        f"list bullets read    {listing.bullets_read}",
        f"list entries read    {listing.entries_read}",
        f"unique papers        {listing.unique_papers}  (in store: {live['papers']})",
        f"entries merged       {listing.entries_merged}  ({len(listing.merges)} merge groups)",
        f"placeholders         {len(listing.placeholders)}",
        f"unparsed bullets     {len(listing.unparsed)}",
        f"problems             {len(listing.problems)}",
        f"sections             {listing.sections}  (new: {len(listing.new_sections)})",
        _accounting(listing),
    ]
    lines.extend(f"  placeholder line {line}" for line in listing.placeholders)
    lines.extend(f"  unparsed line {p.line}: {p.message}" for p in listing.unparsed)
    lines.extend(f"  problem line {p.line}: {p.message}" for p in listing.problems)
    lines.extend(
        f"  merged {m.key} (lines {', '.join(map(str, m.lines))}): {m.reason}"
        for m in listing.merges
    )
    lines.extend(f"  new section: {name}" for name in listing.new_sections)
    lines.extend(_arxiv_lines(report.arxiv if "arxiv" in report.sections else None))
    lines.extend(_openalex_lines(report.section(OpenAlexReport), "openalex" in report.sections))
    lines.extend(_table_lines(report.tables))
    lines.extend(_facts_lines(report.section(FactsReport)))
    lines.extend(_wikidata_lines(report.links, data["build"].get("wikidata") or {}))
    lines.extend(history_lines(report.section(HistoryReport)))
    lines.append("triples per named graph")
    lines.extend(f"  {name:10} {count}" for name, count in graphs.items())
    if report.timings:
        split = ", ".join(f"{k} {v:.3f}" for k, v in report.timings.items())
        lines.append(f"timings (s)          {split}")
    return "\n".join(lines)


def _accounting(listing: ListReport) -> str:
    """Return the accounting line: every bullet became a paper, a merge, a placeholder or a problem.

    >>> _accounting(ListReport(bullets_read=5, unique_papers=2, entries_merged=1, placeholders=[9]))
    'accounting           2 papers + 1 merged + 1 placeholders + 0 unparsed = 4 of 5 bullets: MISMATCH'
    """
    parts = (
        listing.unique_papers,
        listing.entries_merged,
        len(listing.placeholders),
        len(listing.unparsed),
    )
    verdict = "ok" if sum(parts) == listing.bullets_read else "MISMATCH"
    return (
        f"accounting           {parts[0]} papers + {parts[1]} merged + {parts[2]} placeholders "
        f"+ {parts[3]} unparsed = {sum(parts)} of {listing.bullets_read} bullets: {verdict}"
    )


def _arxiv_lines(arxiv: ArxivReport | None) -> list[str]:
    if arxiv is None:
        return ["arXiv                not asked (built with --no-enrich)"]
    lines = [
        f"arXiv                {arxiv.enriched} of {arxiv.with_arxiv_id} papers with an arXiv id "
        f"enriched; {len(arxiv.not_enriched)} not enriched",
        f"  last fetch: {arxiv.summary}",
    ]
    mismatches = sorted(k for k, v in arxiv.title_checks.items() if v == "mismatch")
    partial = len(arxiv.title_checks) - len(mismatches)
    lines.append(f"  title checks: {len(mismatches)} mismatch, {partial} partial")
    lines.extend(f"  title mismatch: {key}" for key in mismatches)
    lines.extend(f"  not enriched: {k}: {r}" for k, r in list(arxiv.failed.items())[:20])
    return lines


def _openalex_lines(openalex: OpenAlexReport, asked: bool) -> list[str]:
    if not asked:
        return ["OpenAlex             not asked (offline or --no-enrich)"]
    return [
        f"OpenAlex             {openalex.papers_with_work} of {openalex.asked} papers found; "
        f"{openalex.citation_edges} citations within the list, {openalex.authors_with_orcid} "
        f"authors with ORCID, {openalex.institutions} institutions",
        f"  last fetch: {openalex.summary}",
    ]


def _table_lines(tables: TablesReport) -> list[str]:
    if not tables.files and not tables.errors:
        return []
    lines = [
        f"table rows           {tables.rows} in {tables.files} tables: {tables.linked} linked "
        f"({tables.curated} curated) + {len(tables.unresolved)} unresolved",
    ]
    lines.extend(f"  unresolved: {row}" for row in tables.unresolved)
    lines.extend(f"  table error: {error}" for error in tables.errors)
    return lines


def _facts_lines(facts: FactsReport) -> list[str]:
    if not facts.papers:
        return []
    base = ", ".join(f"{k} {v}" for k, v in facts.base_model_by.items())
    years = ", ".join(f"{k} {v}" for k, v in facts.year_by.items())
    return [
        f"paper facts          base model by {base or 'nothing'}",
        f"  year from          {years or 'nothing'}",
        f"  code repositories  {facts.code_repositories} papers; code available from tables "
        f"{facts.code_available_in_tables}, added from repositories {facts.code_available_added}",
        f"  modalities         {facts.modalities} papers",
    ]


def _wikidata_lines(links: LinksReport, wikidata: dict[str, Any]) -> list[str]:
    if wikidata:
        return [
            f"Wikidata             papers {wikidata.get('papers_linked', 0)} linked, "
            f"{wikidata.get('papers_unlinked', 0)} unlinked, "
            f"{len(wikidata.get('ambiguous', []))} ambiguous, "
            f"{wikidata.get('papers_unchecked', 0)} not looked up; authors "
            f"{wikidata.get('authors_linked', 0)} linked, {wikidata.get('authors_unlinked', 0)} "
            f"unlinked, {wikidata.get('authors_conflicting', 0)} conflicting",
            f"  concept alignments: {wikidata.get('alignments', 0)}",
        ]
    return [
        f"Wikidata             {links.papers_linked} papers and {links.authors_linked} authors "
        f"linked from cached answers; {links.alignments} concept alignments "
        "(run 'genrl-kg link wikidata')",
    ]


def history_lines(history: HistoryReport) -> list[str]:
    """Return the lines on the list's history: versions, problems, papers first listed per year.

    >>> history_lines(HistoryReport())
    ['history              not read (build with --history DIR)']
    """
    if not history.versions:
        return ["history              not read (build with --history DIR)"]
    per_year = ", ".join(f"{y}: {n}" for y, n in sorted(history.first_listed_per_year.items()))
    lines = [
        f"history              {history.versions} versions of the list read "
        f"({history.commits} commits); newest {history.newest[:7]} of {history.newest_date[:10]}",
        f"  first listed       {per_year or 'none'}  ({history.current} current papers)",
        f"  delisted papers    {history.delisted}",
        f"  changes            {history.moves} section moves, {history.retitles} retitles",
        f"  versions with problems  {history.problem_versions} ({history.problem_count} lines)",
    ]
    lines.extend(
        f"  problem {p.commit[:7]} {_plural(len(p.lines), 'line')} {line_ranges(p.lines)}: "
        f"{p.message}"
        for p in history.problems
    )
    lines.extend(f"  not in the history: {key}" for key in history.not_in_history)
    if history.timings:
        split = ", ".join(f"{k} {v:.3f}" for k, v in history.timings.items())
        lines.append(f"  history timings (s) {split}")
    return lines


def _plural(n: int, word: str) -> str:
    """Return *word*, plural when *n* is not 1.

    >>> _plural(1, "line"), _plural(3, "line")
    ('line', 'lines')
    """
    return word if n == 1 else f"{word}s"


def line_ranges(lines: list[int]) -> str:
    """Return sorted line numbers as ranges.

    >>> line_ranges([7, 8, 9, 12, 14, 15])
    '7-9, 12, 14-15'
    """
    ranges: list[list[int]] = []
    for line in sorted(lines):
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)
