"""The one defensive reader of arXiv records, for feed entries and cache files alike.

Every value is type-, shape- and content-checked: identifiers are ASCII arXiv ids, URLs are
http(s) IRIs that pyoxigraph accepts, categories are safe IRI segments, DOIs parse, strings
hold no control characters or lone surrogates, numbers are integers. In strict mode (cache
files) any failed check refuses the record; otherwise (the feed) a bad optional value is
dropped and described in *notes*.
"""

from __future__ import annotations

import re
from datetime import UTC, date
from typing import Any

from genrl_kg.identifiers import normalize_doi
from genrl_kg.safejson import (
    check_http_iri,
    check_int,
    check_list,
    check_object,
    check_text,
    check_time,
    describe_problem,
)
from genrl_kg.sources.arxiv.models import ArxivAuthor, ArxivRecord, split_arxiv_id

__all__ = ["RECORD_KEYS", "check_category", "decode_record"]

RECORD_KEYS = frozenset(
    {
        "arxiv_id",
        "version",
        "title",
        "authors",
        "abstract",
        "published",
        "updated",
        "primary_category",
        "categories",
        "doi",
        "journal_ref",
        "comment",
        "pdf_url",
        "abs_url",
        "retrieved",
    }
)
MAX_AUTHORS = 10_000  # collaboration papers list a few thousand
MAX_LONG_TEXT = 20_000
_AUTHOR_KEYS = frozenset({"name", "affiliations"})
_CATEGORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,39}", re.ASCII)  # cs.LG, hep-th, 68T05
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def check_category(value: Any, where: str) -> str:
    """Return an arXiv category term that is safe as an IRI segment, else ValueError.

    >>> check_category("cs.LG", "primary_category")
    'cs.LG'
    >>> check_category("F.2.2; I.2.7", "categories[1]")
    Traceback (most recent call last):
    ValueError: categories[1]: not an arXiv category: 'F.2.2; I.2.7'
    """
    text = check_text(value, where, 40)
    if not _CATEGORY.fullmatch(text):
        raise ValueError(f"{where}: not an arXiv category: {describe_problem(text, 40)!r}")
    return text


def decode_record(data: Any, *, strict: bool = True, notes: list[str] | None = None) -> ArxivRecord:
    """Return the record in *data* (the layout of ``record_to_json``); ValueError names the fault.

    Unless *strict*, a bad pdf_url, DOI, abs_url or secondary category is dropped (a fallback
    abs_url is used) and a note is appended to *notes*; required fields are always checked.
    """
    reader = _Reader(strict, [] if notes is None else notes)
    return reader.record(check_object(data, "record", RECORD_KEYS))


class _Reader:
    """Reads one record; in lenient mode optional values that fail their checks are noted."""

    def __init__(self, strict: bool, notes: list[str]) -> None:
        """Collect dropped values in *notes* unless *strict*."""
        self.strict = strict
        self.notes = notes

    def optional(self, value: Any, where: str, check: Any) -> Any:
        """Return check(value, where) or None for null; a failure is fatal only when strict."""
        if value is None:
            return None
        try:
            return check(value, where)
        except ValueError as exc:
            if self.strict:
                raise
            self.notes.append(str(exc))
            return None

    def categories(self, values: Any, primary: str) -> tuple[str, ...]:
        """Return the categories, primary first, without repeats."""
        found = [primary]
        for index, value in enumerate(check_list(values, "categories", 100)):
            category = self.optional(value, f"categories[{index}]", check_category)
            if category is not None and category not in found:
                found.append(category)
        return tuple(found)

    def record(self, data: dict[str, Any]) -> ArxivRecord:
        """Read a whole record."""
        arxiv_id = _versionless(data["arxiv_id"])
        primary = check_category(data["primary_category"], "primary_category")
        abs_url = self.optional(data["abs_url"], "abs_url", check_http_iri)
        if abs_url is None:
            abs_url = check_http_iri(f"https://arxiv.org/abs/{arxiv_id}", "abs_url")
        return ArxivRecord(
            arxiv_id=arxiv_id,
            version=check_int(data["version"], "version", 1, 10_000),
            title=check_text(data["title"], "title", MAX_LONG_TEXT, empty=False),
            authors=_authors(data["authors"]),
            abstract=check_text(data["abstract"], "abstract", MAX_LONG_TEXT),
            published=_date(data["published"], "published"),
            updated=_date(data["updated"], "updated"),
            primary_category=primary,
            categories=self.categories(data["categories"], primary),
            doi=self.optional(data["doi"], "doi", _doi),
            journal_ref=_optional_text(data["journal_ref"], "journal_ref"),
            comment=_optional_text(data["comment"], "comment"),
            pdf_url=self.optional(data["pdf_url"], "pdf_url", check_http_iri),
            abs_url=abs_url,
            retrieved=check_time(data["retrieved"], "retrieved").astimezone(UTC),
        )


def _versionless(value: Any) -> str:
    """Return a versionless arXiv identifier (ASCII digits only), else ValueError."""
    text = check_text(value, "arxiv_id", 64)
    try:
        base, version = split_arxiv_id(text)
    except ValueError:
        base, version = "", None
    if version is not None or base != text:
        raise ValueError(f"arxiv_id: not a versionless arXiv identifier: {text!r}")
    return base


def _authors(value: Any) -> tuple[ArxivAuthor, ...]:
    """Return the authors: at least one, each with a name and text affiliations."""
    authors = []
    for index, item in enumerate(check_list(value, "authors", MAX_AUTHORS)):
        where = f"authors[{index}]"
        author = check_object(item, where, _AUTHOR_KEYS)
        affiliations = check_list(author["affiliations"], f"{where}.affiliations", 100)
        authors.append(
            ArxivAuthor(
                check_text(author["name"], f"{where}.name", 1000, empty=False),
                tuple(
                    check_text(a, f"{where}.affiliations[{i}]", 2000, empty=False)
                    for i, a in enumerate(affiliations)
                ),
            )
        )
    if not authors:
        raise ValueError("authors: none")
    return tuple(authors)


def _date(value: Any, where: str) -> date:
    """Return a ``YYYY-MM-DD`` date, else ValueError."""
    text = check_text(value, where, 10)
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}: not a date: {text!r}") from None


def _doi(value: Any, where: str) -> str:
    """Return a DOI as arXiv gives it if it parses as one, else ValueError."""
    text = check_text(value, where, 500)
    if normalize_doi(text) is None:
        raise ValueError(f"{where}: not a DOI: {describe_problem(text, 80)!r}")
    return text


def _optional_text(value: Any, where: str) -> str | None:
    """Return a checked string, or None for null."""
    return None if value is None else check_text(value, where, MAX_LONG_TEXT)
