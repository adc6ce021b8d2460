"""Defensive reading of OpenAlex works JSON: every value is type-, shape- and content-checked."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from genrl_kg.errors import SourceError
from genrl_kg.identifiers import check_iri, normalize_doi
from genrl_kg.sources.openalex.models import (
    Authorship,
    Institution,
    Location,
    OpenAccess,
    OpenAlexWork,
    parse_openalex_id,
    parse_orcid,
    parse_ror,
)

__all__ = ["WorkError", "parse_work"]

MAX_TEXT = 4000
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_COUNTRY = re.compile(r"[A-Z]{2}")
_WORD = re.compile(r"[A-Za-z][A-Za-z ]{0,39}")
_PUBLISHED = "publishedVersion"
T = TypeVar("T")


class WorkError(SourceError):
    """One work in an OpenAlex answer (or cache file) is of the wrong type, shape or content."""


class _Field:
    """A JSON value with its path, read with type checks that raise WorkError naming the path."""

    def __init__(self, value: Any, path: str) -> None:
        """Wrap *value* found at *path*."""
        self.value = value
        self.path = path

    def fail(self, problem: str) -> WorkError:
        """Return a WorkError naming this field."""
        return WorkError(f"{self.path}: {problem}")

    def key(self, name: str, *, required: bool = False) -> _Field:
        """Return member *name* of this object (null when absent, unless *required*)."""
        if not isinstance(self.value, dict):
            raise self.fail(f"expected an object, got {_kind(self.value)}")
        if required and name not in self.value:
            raise WorkError(f"{self.path}.{name}: missing")
        return _Field(self.value.get(name), f"{self.path}.{name}")

    def elements(self) -> list[_Field]:
        """Return the members of this array."""
        if not isinstance(self.value, list):
            raise self.fail(f"expected an array, got {_kind(self.value)}")
        return [_Field(v, f"{self.path}[{i}]") for i, v in enumerate(self.value)]

    def text(self) -> str:
        """Return this string after refusing controls, lone surrogates and runaway length."""
        if not isinstance(self.value, str):
            raise self.fail(f"expected a string, got {_kind(self.value)}")
        bad = _BAD_CHARS.search(self.value)
        if bad:
            raise self.fail(f"forbidden character {bad.group()!r} at {bad.start()}")
        if len(self.value) > MAX_TEXT:
            raise self.fail(f"longer than {MAX_TEXT} characters")
        return self.value

    def opt_text(self) -> str | None:
        """Return this string, or None for null."""
        return None if self.value is None else self.text()

    def integer(self, minimum: int = 0) -> int:
        """Return this integer (not a boolean, not a float), at least *minimum*."""
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail(f"expected an integer, got {_kind(self.value)}")
        if self.value < minimum:
            raise self.fail(f"{self.value} is below {minimum}")
        return self.value

    def boolean(self) -> bool:
        """Return this boolean."""
        if not isinstance(self.value, bool):
            raise self.fail(f"expected true or false, got {_kind(self.value)}")
        return self.value


def _kind(value: Any) -> str:
    """Return the JSON name of *value*'s type."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", float: "number"}
    return "null" if value is None else names.get(type(value), "integer")


class _Reader:
    """Reads one work; identifiers and URLs that fail their checks are dropped (noted) or fatal."""

    def __init__(self, strict: bool) -> None:
        """In *strict* mode every failed check is fatal."""
        self.strict = strict
        self.notes: list[str] = []

    def checked(self, field: _Field, check: Callable[[str], T]) -> T | None:
        """Return check(text) of an optional string field; a ValueError drops it (or is fatal)."""
        text = field.opt_text()
        if text is None:
            return None
        try:
            return check(text)
        except ValueError as exc:
            if self.strict:
                raise field.fail(str(exc)) from None
            self.notes.append(f"{field.path}: {exc}")
            return None

    def institution(self, field: _Field) -> Institution:
        """Read one institution of an authorship."""
        return Institution(
            openalex_id=self.checked(field.key("id"), lambda t: parse_openalex_id(t, "I")),
            display_name=_name(field.key("display_name", required=True)),
            ror=self.checked(field.key("ror"), parse_ror),
            country_code=self.checked(field.key("country_code"), _check_country),
        )

    def authorship(self, position: int, field: _Field) -> Authorship:
        """Read one authorship at 1-based *position*."""
        author = field.key("author", required=True)
        return Authorship(
            position=position,
            display_name=_name(author.key("display_name", required=True)),
            author_id=self.checked(author.key("id"), lambda t: parse_openalex_id(t, "A")),
            orcid=self.checked(author.key("orcid"), parse_orcid),
            institutions=tuple(
                self.institution(f) for f in field.key("institutions", required=True).elements()
            ),
        )

    def location(self, field: _Field) -> Location | None:
        """Read a location object (or null)."""
        if field.value is None:
            return None
        source = field.key("source")
        named = source.value is not None
        url = self.checked(field.key("landing_page_url"), _check_url)
        return Location(
            display_name=_clean(source.key("display_name").opt_text()) if named else None,
            source_type=_word(source.key("type")) if named else None,
            landing_page_url=url,
            version=_word(field.key("version")),
            doi=normalize_doi(url) if url else None,
        )

    def open_access(self, field: _Field) -> OpenAccess | None:
        """Read the open_access object (or null)."""
        if field.value is None:
            return None
        return OpenAccess(
            is_oa=field.key("is_oa", required=True).boolean(),
            status=_word(field.key("oa_status")),
            url=self.checked(field.key("oa_url"), _check_url),
        )

    def work(self, root: _Field, retrieved: datetime) -> OpenAlexWork:
        """Read a whole work."""
        doi = normalize_doi(root.key("doi", required=True).text())
        if doi is None:
            raise root.key("doi").fail("not a DOI")
        refs = [
            _fatal(f, lambda t: parse_openalex_id(t, "W")) for f in _array(root, "referenced_works")
        ]
        primary = self.location(root.key("primary_location"))
        locations = [self.location(f) for f in _array(root, "locations", required=False)]
        year = root.key("publication_year")
        return OpenAlexWork(
            id=_fatal(root.key("id", required=True), lambda t: parse_openalex_id(t, "W")),
            doi=doi,
            title=_clean(root.key("title").opt_text()),
            publication_year=None if year.value is None else year.integer(1),
            cited_by_count=root.key("cited_by_count", required=True).integer(),
            referenced_works=tuple(dict.fromkeys(refs)),
            authorships=tuple(
                self.authorship(i, f) for i, f in enumerate(_array(root, "authorships"), start=1)
            ),
            primary_location=primary,
            venue=_published([primary, *locations]),
            open_access=self.open_access(root.key("open_access")),
            retrieved=retrieved,
        )


def parse_work(
    data: Any, *, retrieved: datetime, strict: bool = False, notes: list[str] | None = None
) -> OpenAlexWork:
    """Return the work in *data* (one member of ``results``); WorkError names what is wrong.

    Bad ORCID, ROR, country or URL values are dropped and described in *notes*, unless *strict*.
    """
    reader = _Reader(strict)
    work = reader.work(_Field(data, "work"), retrieved)
    if notes is not None:
        notes.extend(reader.notes)
    return work


def _array(root: _Field, name: str, *, required: bool = True) -> list[_Field]:
    """Return the members of array *name* (null counts as empty only when not *required*)."""
    field = root.key(name, required=required)
    return [] if field.value is None and not required else field.elements()


def _fatal(field: _Field, check: Callable[[str], T]) -> T:
    """Return check(text) of a required string field; a ValueError is fatal."""
    try:
        return check(field.text())
    except WorkError:
        raise
    except ValueError as exc:
        raise field.fail(str(exc)) from None


def _published(candidates: list[Location | None]) -> Location | None:
    """Return the first published version that is not a repository copy."""
    for loc in candidates:
        if loc is not None and loc.version == _PUBLISHED and loc.source_type != "repository":
            return loc
    return None


def _word(field: _Field) -> str | None:
    """Return a short enum-like word (``publishedVersion``, ``ebook platform``), or None."""
    text = field.opt_text()
    if text is not None and not _WORD.fullmatch(text):
        raise field.fail(f"unexpected value {text!r}")
    return text


def _clean(text: str | None) -> str | None:
    """Collapse whitespace; an empty string counts as absent."""
    return None if text is None else (" ".join(text.split()) or None)


def _name(field: _Field) -> str:
    """Return a required, non-empty name with whitespace collapsed."""
    name = _clean(field.text())
    if name is None:
        raise field.fail("empty")
    return name


def _check_country(text: str) -> str:
    """Return an ISO 3166-1 alpha-2 code as given (upper case), else ValueError."""
    if not _COUNTRY.fullmatch(text):
        raise ValueError(f"not an ISO country code: {text!r}")
    return text


def _check_url(text: str) -> str:
    """Return an http(s) URL that pyoxigraph accepts as an IRI, else ValueError."""
    if not text.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {text[:80]!r}")
    return check_iri(text)
