"""The history stage: every version of the list becomes data in ``graph/history``.

``build --history DIR`` reads and parses the history once (:func:`load_history`), builds its
newest version as the source (:func:`newest_source`) and hands the parsed history to this stage
(:func:`bind_history`); run with only ``BuildOptions.history_dir`` set, the stage reads it itself.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pyoxigraph import Triple

from genrl_kg.build.awesome_list import SAME_PAPERS
from genrl_kg.build.context import BuildContext, Stage, StageReport
from genrl_kg.papers import PaperRecord, load_same_papers
from genrl_kg.rdf.history import (
    add_changes,
    add_delisted_paper,
    add_first_listed,
    add_past_sections,
    add_versions,
)
from genrl_kg.rdf.terms import RDF, SKOS
from genrl_kg.sources.history import (
    History,
    ParsedVersion,
    Timeline,
    checkout_version,
    parse_history,
    read_history,
    track_papers,
)
from genrl_kg.sources.upstream import SourceSet, local_source
from genrl_kg.taxonomy import SectionConcept, Taxonomy

__all__ = [
    "MAX_PROBLEMS",
    "STAGE",
    "HistoryProblem",
    "HistoryReport",
    "LoadedHistory",
    "add_history",
    "add_loaded_history",
    "bind_history",
    "load_history",
    "newest_source",
]

LOG = logging.getLogger(__name__)
MAX_PROBLEMS = 200  # (version, message) groups kept in the report; the counts cover all
_TAXONOMY_LOGGER = "genrl_kg.taxonomy"


@dataclass(frozen=True)
class HistoryProblem:
    """Lines of one version of the list with the same problem (line 0: the whole file)."""

    commit: str
    message: str
    lines: list[int]


@dataclass
class HistoryReport(StageReport):
    """Versions read, versions with problems, papers first listed per year, and the split."""

    repository: str = ""
    commits: int = 0
    versions: int = 0
    newest: str = ""
    newest_date: str = ""
    current: int = 0
    delisted: int = 0
    moves: int = 0
    retitles: int = 0
    past_sections: int = 0
    first_listed_per_year: dict[str, int] = field(default_factory=dict)
    problem_versions: int = 0
    problem_count: int = 0
    problems: list[HistoryProblem] = field(default_factory=list)
    not_in_history: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedHistory:
    """The history read with git, every version parsed, its papers tracked, and how long each took."""

    history: History
    versions: tuple[ParsedVersion, ...]
    timeline: Timeline
    timings: Mapping[str, float]


def load_history(source: str | Path, cache_dir: Path | None = None) -> LoadedHistory:
    """Read the history of *source* (a clone, or a URL cloned into *cache_dir*), parse and track it."""
    start = time.perf_counter()
    history = read_history(source, cache_dir=cache_dir)
    read = time.perf_counter()
    versions = parse_history(history, load_same_papers(SAME_PAPERS))
    parsed = time.perf_counter()
    timeline = track_papers(versions)
    done = time.perf_counter()
    timings = {
        "read": round(read - start, 4),
        "parse": round(parsed - read, 4),
        "track": round(done - parsed, 4),
    }
    return LoadedHistory(history, versions, timeline, timings)


def newest_source(loaded: LoadedHistory, directory: Path) -> SourceSet:
    """Write the newest version's list and tables into *directory*; return it as the source."""
    version = checkout_version(loaded.history, loaded.history.newest.commit, directory)
    commit = version.upstream_commit or version.commit
    return local_source(directory, commit=commit, date=version.date.isoformat(timespec="seconds"))


def bind_history(stages: Sequence[Stage[Any]], loaded: LoadedHistory) -> tuple[Stage[Any], ...]:
    """Return *stages* with the history stage running on *loaded* instead of reading it again."""
    run = partial(add_loaded_history, loaded=loaded)
    return tuple(dataclasses.replace(s, run=run) if s.name == STAGE.name else s for s in stages)


@contextmanager
def _quiet_taxonomy() -> Iterator[None]:
    """Hold back the taxonomy's per-heading warnings for sections of earlier versions."""
    logger = logging.getLogger(_TAXONOMY_LOGGER)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _sections(
    timeline: Timeline, taxonomy: Taxonomy, base: str
) -> dict[tuple[str, ...], SectionConcept]:
    """Resolve every section path a move names, and the paths above them, to concepts."""
    paths = {
        path[:depth]
        for paper in timeline.papers
        for move in paper.moves
        for path in (*move.old_sections, *move.new_sections)
        for depth in range(1, len(path) + 1)
    }
    with _quiet_taxonomy():
        return {path: taxonomy.resolve_section(path, base) for path in sorted(paths)}


def _record(versions: Mapping[str, ParsedVersion], commit: str, key: str) -> PaperRecord | None:
    """Return the paper *key* (or its key before a ``@commit`` suffix) as listed at *commit*."""
    parsed = versions.get(commit)
    if parsed is None:
        return None
    wanted = {key, key.removesuffix(f"@{commit[:7]}")}
    return next((p for p in parsed.papers if p.key in wanted), None)


def _problems(loaded: LoadedHistory, report: HistoryReport) -> None:
    """Fill the report's versions with problems: parse problems and undecodable list files."""
    undecodable = {v.commit: v.decode_error for v in loaded.history.versions if v.decode_error}
    groups: list[HistoryProblem] = []
    for parsed in loaded.versions:
        commit = parsed.version.commit
        lines: dict[str, list[int]] = {}
        if commit in undecodable:
            lines[str(undecodable[commit])] = [0]
        for problem in parsed.parsed.problems:
            lines.setdefault(problem.message, []).append(problem.line)
        groups.extend(HistoryProblem(commit, m, sorted(ls)) for m, ls in lines.items())
        report.problem_versions += bool(lines)
        report.problem_count += sum(map(len, lines.values()))
    report.problems = groups[:MAX_PROBLEMS]


def add_loaded_history(ctx: BuildContext, loaded: LoadedHistory) -> HistoryReport:
    """Add the versions, first listings, delisted papers, moves and retitles of *loaded*."""
    start = time.perf_counter()
    timeline, quads = loaded.timeline, ctx.quads
    versions = add_versions(quads, timeline.versions)
    sections = _sections(timeline, ctx.taxonomy, ctx.options.base)
    nodes = ctx.paper_nodes()
    by_commit = {v.version.commit: v for v in loaded.versions}
    report = HistoryReport(
        repository=str(loaded.history.repository),
        commits=len(loaded.history.versions),
        versions=len(timeline.versions),
        newest=timeline.versions[-1].commit if timeline.versions else "",
        newest_date=timeline.versions[-1].date.isoformat() if timeline.versions else "",
        current=len(timeline.current),
        delisted=len(timeline.delisted),
        first_listed_per_year={str(y): n for y, n in timeline.first_listed_per_year().items()},
    )
    for paper in sorted(timeline.papers, key=lambda p: p.key):
        if paper.delisted is None:
            node = nodes.get(paper.key)
            if node is None:
                continue
            add_first_listed(quads, node, paper, versions)
        else:
            record = _record(by_commit, paper.last_listed.commit, paper.key)
            node = add_delisted_paper(quads, paper, record, versions)
        moves, retitles = add_changes(quads, node, paper, sections, versions)
        report.moves += moves
        report.retitles += retitles
    defined = {
        str(q.subject.value)
        for q in quads["list"]
        if q.predicate == RDF.type
        and q.object == SKOS.Concept
        and not isinstance(q.subject, Triple)
    }
    report.past_sections = add_past_sections(quads, sections, defined)
    current = {p.key for p in timeline.current}
    report.not_in_history = sorted(set(nodes) - current)
    for key in report.not_in_history:
        ctx.warn(f"history: paper {key} of the source is not in the newest version of the history")
    _problems(loaded, report)
    if report.problem_versions:
        ctx.warn(
            f"history: {report.problem_versions} of {report.versions} versions of the list "
            f"have problems ({report.problem_count} lines; see 'genrl-kg stats')"
        )
    report.timings = {**loaded.timings, "convert": round(time.perf_counter() - start, 4)}
    return report


def add_history(ctx: BuildContext) -> HistoryReport:
    """Read the history at ``options.history_dir`` and add it for the papers of the source."""
    assert ctx.options.history_dir is not None
    loaded = load_history(ctx.options.history_dir, ctx.options.cache_dir)
    return add_loaded_history(ctx, loaded)


STAGE = Stage("history", add_history, HistoryReport, lambda o: o.history_dir is not None)
