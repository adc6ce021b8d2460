"""Expected errors: each carries a one-line message naming the problem and where."""

from __future__ import annotations

__all__ = [
    "GenrlKgError",
    "InputError",
    "QueryError",
    "SourceError",
    "StoreError",
    "ValidationError",
]


class GenrlKgError(Exception):
    """An expected failure; the CLI prints its message on one line and exits non-zero."""

    exit_code = 1


class InputError(GenrlKgError):
    """Malformed or hostile input (a list, a table, a feed), named with file/line/row."""


class SourceError(GenrlKgError):
    """An upstream source could not be fetched or failed its checksum."""


class StoreError(GenrlKgError):
    """The store is missing, locked or cannot be written."""


class QueryError(GenrlKgError):
    """A saved query is unknown, malformed, or was given bad parameters."""


class ValidationError(GenrlKgError):
    """The graph violates the SHACL shapes."""
