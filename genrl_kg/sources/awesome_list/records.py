"""Frozen records of a parsed list: headings, links, entries, problems, Modality rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    """A Markdown heading, cleaned of numbering and flags, with its path from level 2 down."""

    level: int
    text: str
    raw: str
    number: str | None
    line: int
    path: tuple[str, ...]
    flags: frozenset[str]


@dataclass(frozen=True)
class Link:
    """A link as listed: its destination and its label without brackets."""

    url: str
    label: str


@dataclass(frozen=True)
class Entry:
    """One bullet of the list: a paper title with its links, under a heading."""

    title: str
    links: tuple[Link, ...]
    year_added: int | None
    flags: frozenset[str]
    section: Heading
    line: int
    raw: str


@dataclass(frozen=True)
class Problem:
    """Something in the list that could not be parsed as it stands, with its line."""

    line: int
    message: str
    raw: str


@dataclass(frozen=True)
class ModalityRow:
    """One row of the survey's Modality table, bold markup stripped."""

    model_type: str
    input_modality: str
    output_modality: str
    primary_role: str
    trade_off: str
    line: int


@dataclass(frozen=True)
class ParsedList:
    """Everything parse_list found in one list file."""

    source: str
    headings: tuple[Heading, ...]
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    modality_rows: tuple[ModalityRow, ...]

    def parent_of(self, heading: Heading) -> Heading | None:
        """Return the heading directly above *heading* in the outline, or None."""
        return _parents(self.headings).get(heading)

    def taxonomy_headings(self) -> tuple[Heading, ...]:
        """Return the headings (level 2 and below) that hold entries or have descendants that do.

        A level-1 heading (the document title) is included only if entries sit directly under it.
        """
        parents = _parents(self.headings)
        keep = {entry.section for entry in self.entries}
        for section in list(keep):
            node = parents.get(section)
            while node is not None and node.level >= 2 and node not in keep:
                keep.add(node)
                node = parents.get(node)
        return tuple(h for h in self.headings if h in keep)


def _parents(headings: Sequence[Heading]) -> dict[Heading, Heading | None]:
    """Map each heading to its nearest preceding heading of a smaller level."""
    stack: list[Heading] = []
    parents: dict[Heading, Heading | None] = {}
    for heading in headings:
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        parents[heading] = stack[-1] if stack else None
        stack.append(heading)
    return parents
