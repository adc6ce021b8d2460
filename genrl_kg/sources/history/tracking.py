"""Track papers across the versions of the list: first listed, delisted, moves and retitles."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import pairwise

from genrl_kg.papers import merge_entries
from genrl_kg.sources.awesome_list import parse_list
from genrl_kg.sources.history.identity import PaperState, link_versions, paper_state
from genrl_kg.sources.history.records import History, ListVersion
from genrl_kg.sources.history.timeline import (
    Move,
    PaperHistory,
    ParsedVersion,
    Rekey,
    Retitle,
    Timeline,
    VersionRef,
)

__all__ = ["PARSER_LOGGERS", "parse_history", "parse_version", "track_history", "track_papers"]

LOG = logging.getLogger(__name__)
PARSER_LOGGERS = ("genrl_kg.sources.awesome_list", "genrl_kg.papers")


def parse_version(
    version: ListVersion, list_name: str = "README.md", same: Mapping[str, str] | None = None
) -> ParsedVersion:
    """Parse one version's list and merge its entries into papers."""
    parsed = parse_list(version.readme or "", source=list_name)
    papers = merge_entries(parsed.entries, same).papers
    ref = VersionRef(
        version.commit, version.upstream_commit, version.date, len(parsed.entries), len(papers)
    )
    return ParsedVersion(ref, parsed, papers)


@contextmanager
def _quiet_parser() -> Iterator[None]:
    """Hold back the parser's per-line warnings; each version keeps them in its problems."""
    loggers = [logging.getLogger(name) for name in PARSER_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def parse_history(
    history: History, same: Mapping[str, str] | None = None, quiet: bool = True
) -> tuple[ParsedVersion, ...]:
    """Parse every distinct state of the list (the commits that changed it), oldest first.

    With *quiet*, the parser's warnings become one INFO line per version with problems.
    """
    if not quiet:
        return tuple(parse_version(v, history.list_name, same) for v in history.list_versions)
    with _quiet_parser():
        parsed = tuple(parse_version(v, history.list_name, same) for v in history.list_versions)
    for version in parsed:
        if problems := version.parsed.problems:
            LOG.info(
                "%s at %s: %d problems",
                history.list_name,
                version.version.commit[:7],
                len(problems),
            )
    return parsed


def track_history(
    history: History, same: Mapping[str, str] | None = None, quiet: bool = True
) -> Timeline:
    """Parse every version of *history* and track its papers."""
    return track_papers(parse_history(history, same, quiet))


def _events(
    refs: Sequence[VersionRef], states: list[tuple[int, PaperState]]
) -> tuple[tuple[Move, ...], tuple[Retitle, ...], tuple[Rekey, ...], tuple[VersionRef, ...]]:
    """Return the moves, retitles, key changes and returns of one paper's listed states."""
    moves: list[Move] = []
    retitles: list[Retitle] = []
    rekeys: list[Rekey] = []
    relisted: list[VersionRef] = []
    for (before_index, before), (index, after) in pairwise(states):
        ref = refs[index]
        if index != before_index + 1:
            relisted.append(ref)
        if set(before.sections) != set(after.sections):
            moves.append(Move(ref, before.sections, after.sections))
        if before.normalized_title != after.normalized_title:
            retitles.append(Retitle(ref, before.title, after.title))
        if before.key != after.key:
            rekeys.append(Rekey(ref, before.key, after.key))
    return tuple(moves), tuple(retitles), tuple(rekeys), tuple(relisted)


def _history(
    refs: Sequence[VersionRef], key: str, states: list[tuple[int, PaperState]]
) -> PaperHistory:
    """Return the history of one paper from its (version index, state) pairs, oldest first."""
    last_index, last = states[-1]
    delisted = refs[last_index + 1] if last_index + 1 < len(refs) else None
    moves, retitles, rekeys, relisted = _events(refs, states)
    return PaperHistory(
        key=key,
        title=last.title,
        first_listed=refs[states[0][0]],
        last_listed=refs[last_index],
        delisted=delisted,
        versions_listed=len(states),
        relisted=relisted,
        moves=moves,
        retitles=retitles,
        rekeys=rekeys,
    )


def track_papers(versions: Sequence[ParsedVersion]) -> Timeline:
    """Track every paper across *versions* (oldest first), keyed by its newest key.

    >>> from datetime import datetime, timezone
    >>> from genrl_kg.sources.awesome_list import parse_list
    >>> def version(day, text):
    ...     parsed = parse_list(text)
    ...     papers = merge_entries(parsed.entries).papers
    ...     date = datetime(2024, 8, day, tzinfo=timezone.utc)
    ...     return ParsedVersion(VersionRef(str(day), None, date, 1, 1), parsed, papers)
    >>> v1 = version(1, "## A\\n- Octo [[paper]](https://arxiv.org/abs/2405.12213)\\n")
    >>> v2 = version(2, "## B\\n- Octo: A Robot Policy [[paper]](https://arxiv.org/abs/2405.12213)\\n")
    >>> paper = track_papers([v1, v2]).papers[0]
    >>> paper.key, paper.first_listed.commit, paper.moves[0].new_sections, paper.retitles[0].new_title
    ('arxiv/2405.12213', '1', (('B',),), 'Octo: A Robot Policy')
    """
    refs = [v.version for v in versions]
    states = [[paper_state(p) for p in v.papers] for v in versions]
    groups = link_versions(states)
    listed: dict[int, list[tuple[int, PaperState]]] = {}
    for index, (row, group_row) in enumerate(zip(states, groups, strict=True)):
        for state, group in zip(row, group_row, strict=True):
            listed.setdefault(group, []).append((index, state))
    newest = len(refs) - 1
    current = groups[-1] if groups else []
    gone = sorted(
        (g for g, s in listed.items() if s[-1][0] != newest),
        key=lambda g: (listed[g][-1][0], listed[g][0][0], g),
    )
    papers = [_history(refs, listed[g][-1][1].key, listed[g]) for g in current]
    taken = {p.key for p in papers}
    for group in gone:
        key = listed[group][-1][1].key
        if key in taken:
            key = f"{key}@{refs[listed[group][-1][0]].commit[:7]}"
        taken.add(key)
        papers.append(_history(refs, key, listed[group]))
    LOG.info("tracked %d papers over %d versions (%d delisted)", len(papers), len(refs), len(gone))
    return Timeline(tuple(refs), tuple(papers))
