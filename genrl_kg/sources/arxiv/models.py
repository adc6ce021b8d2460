"""Record types for arXiv metadata, identifier helpers and their JSON form for the cache."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

__all__ = [
    "NEW_STYLE",
    "OLD_STYLE",
    "ArxivAuthor",
    "ArxivRecord",
    "cache_file_name",
    "normalize_space",
    "record_to_json",
    "split_arxiv_id",
]

NEW_STYLE = r"[0-9]{4}\.[0-9]{4,5}"  # ASCII digits only: \d matches fullwidth and Arabic-Indic
OLD_STYLE = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/[0-9]{7}"
_ID_RE = re.compile(rf"(?P<id>{NEW_STYLE}|{OLD_STYLE})(?:v(?P<version>[0-9]+))?", re.ASCII)
_PREFIX_RE = re.compile(r"^arxiv:", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True)
class ArxivAuthor:
    """One author as arXiv lists them, with affiliations where given."""

    name: str
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArxivRecord:
    """Metadata of one arXiv paper (latest version), as parsed from the API's Atom feed."""

    arxiv_id: str  # versionless: 2303.04137, hep-th/9901001
    version: int  # latest version number
    title: str
    authors: tuple[ArxivAuthor, ...]
    abstract: str
    published: date  # first version
    updated: date  # latest version
    primary_category: str
    categories: tuple[str, ...]
    doi: str | None
    journal_ref: str | None
    comment: str | None
    pdf_url: str | None
    abs_url: str
    retrieved: datetime  # UTC, when the API answered


def split_arxiv_id(text: str) -> tuple[str, int | None]:
    """Return (versionless id, version or None) of an arXiv identifier; ValueError if malformed.

    >>> split_arxiv_id("2303.04137v5")
    ('2303.04137', 5)
    >>> split_arxiv_id("arXiv:hep-th/9901001")
    ('hep-th/9901001', None)
    >>> split_arxiv_id("math.GT/0309136v2")
    ('math.GT/0309136', 2)
    >>> split_arxiv_id("../etc/passwd")
    Traceback (most recent call last):
    ValueError: not an arXiv identifier: '../etc/passwd'
    >>> split_arxiv_id("1706.\uff10\uff13\uff17\uff16\uff12")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: not an arXiv identifier: ...
    """
    match = _ID_RE.fullmatch(_PREFIX_RE.sub("", text.strip()))
    if match is None:
        raise ValueError(f"not an arXiv identifier: {text!r}")
    version = match.group("version")
    return match.group("id"), int(version) if version else None


def cache_file_name(arxiv_id: str) -> str:
    """Return a safe file name for a versionless *arxiv_id* ('/' of old-style ids becomes '_').

    >>> cache_file_name("hep-th/9901001")
    'hep-th_9901001.json'
    >>> cache_file_name("2303.04137")
    '2303.04137.json'
    """
    base, version = split_arxiv_id(arxiv_id)
    if version is not None or base != arxiv_id:
        raise ValueError(f"not a versionless arXiv identifier: {arxiv_id!r}")
    return base.replace("/", "_") + ".json"


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace (arXiv wraps titles and abstracts) into single spaces.

    >>> normalize_space("  Diffusion\\n   Policy:  Visuomotor ")
    'Diffusion Policy: Visuomotor'
    """
    return " ".join(text.split())


def record_to_json(record: ArxivRecord) -> dict[str, Any]:
    """Return a JSON-ready dict of *record*."""
    return {
        "arxiv_id": record.arxiv_id,
        "version": record.version,
        "title": record.title,
        "authors": [{"name": a.name, "affiliations": list(a.affiliations)} for a in record.authors],
        "abstract": record.abstract,
        "published": record.published.isoformat(),
        "updated": record.updated.isoformat(),
        "primary_category": record.primary_category,
        "categories": list(record.categories),
        "doi": record.doi,
        "journal_ref": record.journal_ref,
        "comment": record.comment,
        "pdf_url": record.pdf_url,
        "abs_url": record.abs_url,
        "retrieved": record.retrieved.astimezone(UTC).isoformat(),
    }
