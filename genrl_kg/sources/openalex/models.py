"""Record types for OpenAlex works and pure helpers for the identifiers they carry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from genrl_kg.sources.arxiv.models import split_arxiv_id

__all__ = [
    "Authorship",
    "Institution",
    "Location",
    "OpenAccess",
    "OpenAlexWork",
    "arxiv_doi",
    "parse_openalex_id",
    "parse_orcid",
    "parse_ror",
    "work_to_json",
]

OPENALEX_PREFIX = "https://openalex.org/"
ORCID_PREFIXES = ("https://orcid.org/", "http://orcid.org/")
ROR_PREFIXES = ("https://ror.org/", "http://ror.org/")
_ORCID = re.compile(r"[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]")
_ROR = re.compile(r"0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_OPENALEX_ID = re.compile(r"(?P<kind>[WAIS])[1-9][0-9]{0,14}")


@dataclass(frozen=True)
class Institution:
    """An institution of one authorship: OpenAlex id ``I…``, name, bare ROR id, ISO country."""

    openalex_id: str | None
    display_name: str
    ror: str | None
    country_code: str | None


@dataclass(frozen=True)
class Authorship:
    """One author of a work at a 1-based position, with ORCID (bare) and institutions."""

    position: int
    display_name: str
    author_id: str | None  # OpenAlex short id A…
    orcid: str | None  # bare form 0000-0002-1825-0097, checksum-valid
    institutions: tuple[Institution, ...]


@dataclass(frozen=True)
class Location:
    """Where a version of a work lives: venue name and type, landing page, version, DOI."""

    display_name: str | None
    source_type: str | None  # journal, conference, repository, ...
    landing_page_url: str | None
    version: str | None  # publishedVersion, acceptedVersion, submittedVersion
    doi: str | None  # lower case, from a doi.org landing page


@dataclass(frozen=True)
class OpenAccess:
    """Open-access status of a work and the URL of its best free copy."""

    is_oa: bool
    status: str | None  # diamond, gold, green, hybrid, bronze, closed
    url: str | None


@dataclass(frozen=True)
class OpenAlexWork:
    """One OpenAlex work as used by the knowledge graph (CC0 data), with when it was read."""

    id: str  # short form W…
    doi: str  # lower case, no https://doi.org/ prefix
    title: str | None
    publication_year: int | None
    cited_by_count: int
    referenced_works: tuple[str, ...]  # short W ids, in OpenAlex's order, no repeats
    authorships: tuple[Authorship, ...]
    primary_location: Location | None
    venue: Location | None  # the published version (journal or proceedings), if any
    open_access: OpenAccess | None
    retrieved: datetime  # UTC, when OpenAlex answered


def arxiv_doi(arxiv_id: str) -> str:
    """Return the DataCite DOI of an arXiv paper (lower case, versionless).

    >>> arxiv_doi("2303.04137v5")
    '10.48550/arxiv.2303.04137'
    >>> arxiv_doi("arXiv:hep-th/9901001")
    '10.48550/arxiv.hep-th/9901001'
    """
    if not arxiv_id.isascii():
        raise ValueError(f"not an arXiv identifier: {arxiv_id!r}")
    return f"10.48550/arxiv.{split_arxiv_id(arxiv_id)[0]}".lower()


def parse_openalex_id(text: str, kind: str) -> str:
    """Return the short OpenAlex id (``W123``) of *text* (full URL form) of *kind*; ValueError if not.

    >>> parse_openalex_id("https://openalex.org/W4323650343", "W")
    'W4323650343'
    >>> parse_openalex_id("https://openalex.org/A5023888391", "W")
    Traceback (most recent call last):
    ValueError: not an OpenAlex W id: 'https://openalex.org/A5023888391'
    """
    short = text[len(OPENALEX_PREFIX) :] if text.startswith(OPENALEX_PREFIX) else ""
    match = _OPENALEX_ID.fullmatch(short)
    if match is None or match.group("kind") != kind:
        raise ValueError(f"not an OpenAlex {kind} id: {text!r}")
    return short


def parse_orcid(text: str) -> str:
    """Return the bare ORCID iD of *text* (bare or orcid.org URL) after checking its check digit.

    >>> parse_orcid("https://orcid.org/0000-0002-1825-0097")
    '0000-0002-1825-0097'
    >>> parse_orcid("0000-0002-1694-233X")
    '0000-0002-1694-233X'
    >>> parse_orcid("0000-0002-1825-0098")
    Traceback (most recent call last):
    ValueError: ORCID check digit wrong: '0000-0002-1825-0098'
    """
    bare = _strip_prefix(text, ORCID_PREFIXES)
    if not _ORCID.fullmatch(bare):
        raise ValueError(f"not an ORCID iD: {text!r}")
    total = 0
    for char in bare[:-1].replace("-", ""):
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    if bare[-1] != ("X" if check == 10 else str(check)):
        raise ValueError(f"ORCID check digit wrong: {text!r}")
    return bare


def parse_ror(text: str) -> str:
    """Return the bare ROR id of *text* (bare or ror.org URL) after checking its checksum.

    >>> parse_ror("https://ror.org/03yrm5c26")
    '03yrm5c26'
    >>> parse_ror("03yrm5c27")
    Traceback (most recent call last):
    ValueError: ROR checksum wrong: '03yrm5c27'
    """
    bare = _strip_prefix(text, ROR_PREFIXES)
    if not _ROR.fullmatch(bare):
        raise ValueError(f"not a ROR id: {text!r}")
    number = 0
    for char in bare[1:7]:
        number = number * 32 + _CROCKFORD.index(char)
    if 98 - (number * 100) % 97 != int(bare[7:]):
        raise ValueError(f"ROR checksum wrong: {text!r}")
    return bare


def _strip_prefix(text: str, prefixes: tuple[str, ...]) -> str:
    """Return *text* without the first of *prefixes* it starts with."""
    for prefix in prefixes:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def work_to_json(work: OpenAlexWork) -> dict[str, Any]:
    """Return *work* in the OpenAlex API's own layout, so that :func:`parse_work` reads it back."""
    locations = [loc for loc in dict.fromkeys([work.primary_location, work.venue]) if loc]
    oa = work.open_access
    return {
        "id": OPENALEX_PREFIX + work.id,
        "doi": "https://doi.org/" + work.doi,
        "title": work.title,
        "publication_year": work.publication_year,
        "cited_by_count": work.cited_by_count,
        "referenced_works": [OPENALEX_PREFIX + w for w in work.referenced_works],
        "authorships": [_authorship_json(a) for a in work.authorships],
        "primary_location": _location_json(work.primary_location),
        "locations": [_location_json(loc) for loc in locations],
        "open_access": oa and {"is_oa": oa.is_oa, "oa_status": oa.status, "oa_url": oa.url},
    }


def _authorship_json(a: Authorship) -> dict[str, Any]:
    """Return one authorship in the API layout."""
    author = {
        "id": _prefixed(OPENALEX_PREFIX, a.author_id),
        "display_name": a.display_name,
        "orcid": _prefixed("https://orcid.org/", a.orcid),
    }
    institutions = [
        {
            "id": _prefixed(OPENALEX_PREFIX, i.openalex_id),
            "display_name": i.display_name,
            "ror": _prefixed("https://ror.org/", i.ror),
            "country_code": i.country_code,
        }
        for i in a.institutions
    ]
    return {"author": author, "institutions": institutions}


def _location_json(loc: Location | None) -> dict[str, Any] | None:
    """Return one location in the API layout."""
    if loc is None:
        return None
    named = loc.display_name is not None or loc.source_type is not None
    source = {"display_name": loc.display_name, "type": loc.source_type} if named else None
    return {"source": source, "landing_page_url": loc.landing_page_url, "version": loc.version}


def _prefixed(prefix: str, value: str | None) -> str | None:
    """Return prefix + value, or None."""
    return None if value is None else prefix + value
