"""Records of the table-row resolver: what it reads from a row, candidates and links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "PaperCandidate",
    "RowLike",
    "RowLink",
]


class RowLike(Protocol):
    """What the resolver reads from a table row (genrl_kg.sources.tables.TableRow fits)."""

    # Read-only properties, so frozen dataclasses such as TableRow match the protocol.
    @property
    def table(self) -> str: ...
    @property
    def row(self) -> int: ...
    @property
    def citation_key(self) -> str | None: ...
    @property
    def framework(self) -> str | None: ...
    @property
    def dataset(self) -> str | None: ...
    @property
    def application(self) -> str | None: ...


@dataclass(frozen=True)
class PaperCandidate:
    """A paper a row may describe: key, every listed title, a year and the first author if known."""

    key: str
    titles: tuple[str, ...]
    year: int | None = None
    first_author: str | None = None


@dataclass(frozen=True)
class RowLink:
    """The resolution of one table row."""

    table: str
    row: int
    citation_key: str | None
    paper_key: str | None
    method: str
    confidence: float
    evidence: tuple[str, ...]
