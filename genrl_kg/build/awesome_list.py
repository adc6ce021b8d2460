"""The list stage: parse the list, merge its entries into papers, add papers and sections."""

from __future__ import annotations

from dataclasses import dataclass, field

from genrl_kg.build.context import BuildContext, PaperNode, Stage, StageReport
from genrl_kg.papers import load_same_papers, merge_entries
from genrl_kg.rdf.papers import (
    ListSource,
    add_modality_rows,
    add_paper,
    add_sections,
    entry_iri,
)
from genrl_kg.settings import DATA_DIR
from genrl_kg.sources.awesome_list import read_list

__all__ = ["STAGE", "ListReport", "MergeInfo", "ProblemInfo", "add_list"]

SAME_PAPERS = DATA_DIR / "same-papers.csv"


@dataclass(frozen=True)
class MergeInfo:
    """Entries (by line) merged into one paper, and why."""

    key: str
    lines: list[int]
    reason: str


@dataclass(frozen=True)
class ProblemInfo:
    """A line of the list that could not be taken as it stands."""

    line: int
    message: str


@dataclass
class ListReport(StageReport):
    """Every bullet of the list accounted for.

    ``bullets_read == unique_papers + entries_merged + len(placeholders) + len(unparsed)``:
    each bullet became a paper, was merged into another entry's paper, was an empty
    placeholder, or could not be read (named with its line).
    """

    bullets_read: int = 0
    entries_read: int = 0
    unique_papers: int = 0
    entries_merged: int = 0
    placeholders: list[int] = field(default_factory=list)
    unparsed: list[ProblemInfo] = field(default_factory=list)
    merges: list[MergeInfo] = field(default_factory=list)
    problems: list[ProblemInfo] = field(default_factory=list)
    new_sections: list[str] = field(default_factory=list)
    sections: int = 0


def add_list(ctx: BuildContext) -> ListReport:
    """Parse the list, merge its entries and add papers, sections and the Modality table."""
    path = ctx.sources.list_path
    parsed = read_list(path)
    merged = merge_entries(parsed.entries, load_same_papers(SAME_PAPERS))
    paths = {entry.section.path for entry in parsed.entries}
    base = ctx.options.base
    sections = {p: ctx.taxonomy.resolve_section(p, base) for p in sorted(paths)}
    add_sections(ctx.quads, sections)
    source = ListSource(path.name, ctx.sources.commit)
    ctx.papers = tuple(
        PaperNode(paper, add_paper(ctx.quads, paper, sections, source)) for paper in merged.papers
    )
    for node in ctx.papers:
        ctx.locations[node.node.value] = f"{path.name}:{node.record.entries[0].line}"
        for entry in node.record.entries:
            ctx.locations[entry_iri(ctx.quads, entry).value] = f"{path.name}:{entry.line}"
    add_modality_rows(ctx.quads, parsed.modality_rows, ctx.taxonomy)
    report = ListReport(
        bullets_read=parsed.bullets_read,
        placeholders=list(parsed.placeholders),
        unparsed=[ProblemInfo(p.line, p.message) for p in parsed.unparsed],
        entries_read=len(parsed.entries),
        unique_papers=len(merged.papers),
        merges=[MergeInfo(m.key, list(m.lines), m.reason) for m in merged.merges],
        problems=[ProblemInfo(p.line, p.message) for p in parsed.problems],
        sections=len(sections),
        new_sections=[" / ".join(p) for p, s in sections.items() if not s.known],
    )
    report.entries_merged = report.entries_read - report.unique_papers
    for name in report.new_sections:
        ctx.warn(f"{path.name}: new section not in the ontology: {name}")
    for problem in parsed.problems:
        ctx.warn(f"{path.name}:{problem.line}: {problem.message}")
    return report


STAGE = Stage("list", add_list, ListReport)
