"""``genrl-kg stats``: account for every entry of the last build, from the store itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genrl_kg.build import read_report
from genrl_kg.build.history import HistoryReport
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
    """Return the stats as readable lines."""
    info, live, graphs = data["build"], data["live"], data["graphs"]
    lines = [
        f"upstream commit      {info.get('commit', '?')}",
        f"built at             {info.get('built_at', '?')}",
        f"list entries read    {info.get('entries_read', '?')}",
        f"unique papers        {info.get('unique_papers', '?')}  (in store: {live['papers']})",
        f"entries merged       {info.get('entries_merged', '?')}  "
        f"({len(info.get('merges', []))} merge groups)",
        f"unparsed problems    {len(info.get('problems', []))}",
        f"sections             {info.get('sections', '?')}  (new: {len(info.get('new_sections', []))})",
    ]
    read, unique, merged = (
        info.get(k) for k in ("entries_read", "unique_papers", "entries_merged")
    )
    if isinstance(read, int) and isinstance(unique, int) and isinstance(merged, int):
        verdict = "ok" if unique + merged == read else "MISMATCH"
        lines.append(
            f"accounting           {unique} papers + {merged} merged = {read} entries: {verdict}"
        )
    for problem in info.get("problems", []):
        lines.append(f"  problem line {problem['line']}: {problem['message']}")
    for merge in info.get("merges", []):
        lines.append(
            f"  merged {merge['key']} (lines {', '.join(map(str, merge['lines']))}): {merge['reason']}"
        )
    for name in info.get("new_sections", []):
        lines.append(f"  new section: {name}")
    lines.extend(_arxiv_lines(info.get("arxiv") or {}))
    lines.extend(_table_lines(info.get("tables") or {}))
    lines.extend(_wikidata_lines(info.get("links") or {}, info.get("wikidata") or {}))
    lines.extend(history_lines(read_report(info).section(HistoryReport)))
    lines.append("triples per named graph")
    lines.extend(f"  {name:10} {count}" for name, count in graphs.items())
    timings = info.get("timings", {})
    if timings:
        lines.append(
            "timings (s)          " + ", ".join(f"{k} {v:.3f}" for k, v in timings.items())
        )
    return "\n".join(lines)


def _arxiv_lines(arxiv: dict[str, Any]) -> list[str]:
    if not arxiv:
        return ["arXiv                not asked (built with --no-enrich)"]
    lines = [
        f"arXiv                {arxiv['enriched']} of {arxiv['with_arxiv_id']} papers with an arXiv id "
        f"enriched; {len(arxiv['not_enriched'])} not enriched",
        f"  last fetch: {arxiv['summary']}",
    ]
    checks = arxiv.get("title_checks", {})
    mismatches = sorted(k for k, v in checks.items() if v == "mismatch")
    lines.append(
        f"  title checks: {len(mismatches)} mismatch, {len(checks) - len(mismatches)} partial"
    )
    lines.extend(f"  title mismatch: {key}" for key in mismatches)
    for key, reason in list(arxiv.get("failed", {}).items())[:20]:
        lines.append(f"  not enriched: {key}: {reason}")
    return lines


def _table_lines(tables: dict[str, Any]) -> list[str]:
    if not tables:
        return []
    unresolved = tables.get("unresolved", [])
    lines = [
        f"table rows           {tables['rows']} in {tables['files']} tables: {tables['linked']} linked "
        f"({tables['curated']} curated) + {len(unresolved)} unresolved",
    ]
    lines.extend(f"  unresolved: {row}" for row in unresolved)
    lines.extend(f"  table error: {error}" for error in tables.get("errors", []))
    return lines


def _wikidata_lines(links: dict[str, Any], wikidata: dict[str, Any]) -> list[str]:
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
    if links:
        return [
            f"Wikidata             {links.get('papers_linked', 0)} papers and "
            f"{links.get('authors_linked', 0)} authors linked from cached answers; "
            f"{links.get('alignments', 0)} concept alignments (run 'genrl-kg link wikidata')",
        ]
    return []


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
