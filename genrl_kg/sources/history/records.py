"""Frozen records of a list's git history: commits, their files, and the history as read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["History", "ListVersion", "TableFile"]


@dataclass(frozen=True)
class TableFile:
    """A table (.xlsx) present at a commit: its file name and its blob id."""

    name: str
    blob: str


@dataclass(frozen=True)
class ListVersion:
    """One commit that changed the list or a table, with the list text at that commit."""

    commit: str
    upstream_commit: str | None
    author_date: datetime
    committer_date: datetime
    author: str
    subject: str
    readme: str | None
    readme_blob: str | None
    tables: tuple[TableFile, ...]
    list_changed: bool
    decode_error: str | None = None

    @property
    def date(self) -> datetime:
        """Return the commit (committer) date, the date the version appeared on the branch."""
        return self.committer_date

    @property
    def table_names(self) -> tuple[str, ...]:
        """Return the names of the .xlsx files present at this commit."""
        return tuple(table.name for table in self.tables)

    def short(self) -> str:
        """Return the abbreviated commit hash (7 characters).

        >>> from datetime import datetime, timezone
        >>> d = datetime(2024, 8, 17, tzinfo=timezone.utc)
        >>> ListVersion("19195b2aa", None, d, d, "A", "s", None, None, (), False).short()
        '19195b2'
        """
        return self.commit[:7]


@dataclass(frozen=True)
class History:
    """The versions of a list in a git repository, oldest first."""

    repository: Path
    list_name: str
    head: str
    versions: tuple[ListVersion, ...]

    @property
    def list_versions(self) -> tuple[ListVersion, ...]:
        """Return the versions that changed the list file (its distinct states), oldest first."""
        return tuple(v for v in self.versions if v.list_changed)

    @property
    def newest(self) -> ListVersion:
        """Return the newest version that has the list file."""
        return next(v for v in reversed(self.versions) if v.readme is not None)
