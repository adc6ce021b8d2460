"""Frozen records of papers tracked across versions: when listed, delisted, moved, retitled."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from genrl_kg.papers import PaperRecord
from genrl_kg.sources.awesome_list import ParsedList

__all__ = [
    "Move",
    "PaperHistory",
    "ParsedVersion",
    "Rekey",
    "Retitle",
    "Timeline",
    "VersionRef",
]


@dataclass(frozen=True)
class VersionRef:
    """One version of the list: its commit, upstream commit, date, entry and paper counts."""

    commit: str
    upstream_commit: str | None
    date: datetime
    entries: int
    papers: int


@dataclass(frozen=True)
class ParsedVersion:
    """One version parsed: its reference, the parse (for problems) and its merged papers."""

    version: VersionRef
    parsed: ParsedList
    papers: tuple[PaperRecord, ...]


@dataclass(frozen=True)
class Move:
    """A paper's sections changed in *version* (section paths before and after)."""

    version: VersionRef
    old_sections: tuple[tuple[str, ...], ...]
    new_sections: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Retitle:
    """A paper's title changed in *version* (beyond case and punctuation)."""

    version: VersionRef
    old_title: str
    new_title: str


@dataclass(frozen=True)
class Rekey:
    """A paper's key changed in *version* (a link added, replaced or removed)."""

    version: VersionRef
    old_key: str
    new_key: str


@dataclass(frozen=True)
class PaperHistory:
    """One paper across the versions that listed it; *delisted* is None while it is listed."""

    key: str
    title: str
    first_listed: VersionRef
    last_listed: VersionRef
    delisted: VersionRef | None
    versions_listed: int
    relisted: tuple[VersionRef, ...]
    moves: tuple[Move, ...]
    retitles: tuple[Retitle, ...]
    rekeys: tuple[Rekey, ...]


@dataclass(frozen=True)
class Timeline:
    """Every paper ever listed, the newest version's first (in list order), then the delisted."""

    versions: tuple[VersionRef, ...]
    papers: tuple[PaperHistory, ...]

    @property
    def current(self) -> tuple[PaperHistory, ...]:
        """Return the papers of the newest version."""
        return tuple(p for p in self.papers if p.delisted is None)

    @property
    def delisted(self) -> tuple[PaperHistory, ...]:
        """Return the papers listed once and no longer in the newest version."""
        return tuple(p for p in self.papers if p.delisted is not None)

    def by_key(self) -> dict[str, PaperHistory]:
        """Return the papers by key (newest key; last key for delisted papers)."""
        return {p.key: p for p in self.papers}

    def first_listed_per_year(self) -> dict[int, int]:
        """Return how many current papers were first listed in each year."""
        counts = Counter(p.first_listed.date.year for p in self.current)
        return dict(sorted(counts.items()))
