"""Frozen records of a parsed list: headings, links, entries, problems, Modality rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Entry",
    "Heading",
    "LineRole",
    "Link",
    "ModalityRow",
    "ParsedList",
    "Problem",
]


class LineRole(StrEnum):
    """What one line of the list became."""

    HEADING = "heading"
    ENTRY = "entry"
    PLACEHOLDER = "placeholder"
    PROSE = "prose"
    BLANK = "blank"
    PROBLEM = "problem"


@dataclass(frozen=True)
class Heading:
    """A Markdown heading, cleaned of numbering and flags, with its path from level 2 down.

    ``level`` is the heading's place in the outline. It is the number of ``#`` signs, except
    where every heading of the file has the same number of them: there the numbering
    (``1.``, ``1.1``) gives the nesting, and ``markdown_level`` keeps the ``#`` count.
    """

    level: int
    text: str
    raw: str
    number: str | None
    line: int
    path: tuple[str, ...]
    flags: frozenset[str]
    markdown_level: int = 0


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
    """Something in the list that could not be parsed as it stands, with its line.

    ``last_line`` is the last line the problem covers when it covers several (0: just one).
    """

    line: int
    message: str
    raw: str
    last_line: int = 0


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
    """Everything parse_list found in one list file.

    Accounting: ``bullets_read == len(entries) + len(placeholders) + len(unparsed)``.
    ``unparsed`` are the bullets that became no entry (each also in ``problems``),
    ``placeholders`` the line numbers of empty bullets (``- !  [[paper]]()``, ``- ``), and
    ``line_roles[i]`` says what line ``i + 1`` became. ``stopped_at`` is the line where reading
    stopped at a cap (``MAX_LINES`` lines, ``MAX_BULLETS`` bullets), 0 if the whole text was read.
    """

    source: str
    headings: tuple[Heading, ...]
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    modality_rows: tuple[ModalityRow, ...]
    placeholders: tuple[int, ...] = ()
    unparsed: tuple[Problem, ...] = ()
    bullets_read: int = 0
    line_roles: tuple[LineRole, ...] = ()
    stopped_at: int = 0

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

    def unaccounted_lines(self) -> tuple[int, ...]:
        """Return the lines whose role is a problem that no problem covers (should be none)."""
        covered = [False] * (len(self.line_roles) + 1)
        for problem in self.problems:
            end = max(problem.line, problem.last_line)
            covered[problem.line : end + 1] = [True] * (end + 1 - problem.line)
        return tuple(
            i
            for i, role in enumerate(self.line_roles, 1)
            if role is LineRole.PROBLEM and not covered[i]
        )


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
