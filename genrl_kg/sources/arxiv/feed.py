"""Validate and parse the arXiv API's Atom feed (atom, arxiv and opensearch namespaces), safely."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from genrl_kg.errors import SourceError
from genrl_kg.safejson import describe_problem
from genrl_kg.sources.arxiv.models import ArxivRecord, normalize_space, split_arxiv_id
from genrl_kg.sources.arxiv.schema import decode_record

__all__ = ["ARXIV", "ATOM", "OPENSEARCH", "FeedError", "parse_feed"]

log = logging.getLogger(__name__)

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
_A = f"{{{ATOM}}}"
_X = f"{{{ARXIV}}}"
_ABS_RE = re.compile(r"/abs/(?P<rest>.+)$")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


class FeedError(SourceError):
    """A whole API answer is unusable (not Atom, an error entry, empty, rate limited...)."""


def parse_feed(
    body: bytes, requested_ids: Iterable[str], *, retrieved: datetime | None = None
) -> tuple[dict[str, ArxivRecord], dict[str, str]]:
    """Parse an API answer for *requested_ids* (versionless) into (records, problems).

    ``records`` maps each answered id to its record; ``problems`` maps every requested id
    that got no usable entry to a one-line reason. Raises FeedError when the whole answer is
    unusable (plain text, HTML, garbage, truncated XML, not an Atom feed, an error entry, an
    empty feed), so that nothing from it is trusted or cached.
    """
    wanted = list(dict.fromkeys(requested_ids))
    root = _parse_root(body)
    entries = root.findall(f"{_A}entry")
    if not entries:
        raise FeedError("empty feed: no entries")
    for entry in entries:
        if _is_error_entry(entry):
            summary = normalize_space(entry.findtext(f"{_A}summary") or "no details")
            raise FeedError(f"arXiv API error: {summary}")
    when = (retrieved or datetime.now(UTC)).astimezone(UTC)
    records: dict[str, ArxivRecord] = {}
    problems: dict[str, str] = {}
    for entry in entries:
        entry_id = normalize_space(entry.findtext(f"{_A}id") or "")
        try:
            arxiv_id, version = _id_from_entry(entry_id)
        except ValueError:
            log.warning("arXiv feed: entry with unreadable id %r ignored", entry_id)
            continue
        if arxiv_id not in wanted:
            log.warning("arXiv feed: entry %s was not asked for; ignored", arxiv_id)
            continue
        try:
            records[arxiv_id] = _parse_entry(entry, arxiv_id, version, when)
        except ValueError as exc:
            problems[arxiv_id] = f"unusable entry: {exc}"
    for arxiv_id in wanted:
        if arxiv_id not in records and arxiv_id not in problems:
            problems[arxiv_id] = "not in arXiv's answer (unknown identifier?)"
    return records, problems


def _parse_root(body: bytes) -> Element:
    """Return the feed element of *body* or raise FeedError naming what came instead."""
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        raise FeedError("empty response body")
    if not head.startswith(b"<"):
        if head.startswith(b"rate exceeded"):
            raise FeedError("rate limited: arXiv answered 'Rate exceeded.'")
        raise FeedError(f"not XML: starts with {body[:40]!r}")
    if head.startswith(b"<!doctype html") or b"<html" in head:
        raise FeedError("HTML page instead of an Atom feed")
    try:
        root = SafeET.fromstring(body)
    except ParseError as exc:
        raise FeedError(f"malformed or truncated XML: {exc}") from exc
    except defusedxml.DefusedXmlException as exc:
        raise FeedError(f"forbidden XML construct: {type(exc).__name__}") from exc
    if root.tag != f"{_A}feed":
        raise FeedError(f"not an Atom feed: root element is {root.tag!r}")
    return root


def _is_error_entry(entry: Element) -> bool:
    """Tell whether *entry* is one of arXiv's error entries (id .../api/errors#..., 'Error')."""
    entry_id = entry.findtext(f"{_A}id") or ""
    title = normalize_space(entry.findtext(f"{_A}title") or "")
    return "/api/errors" in entry_id or (title == "Error" and "/abs/" not in entry_id)


def _id_from_entry(entry_id: str) -> tuple[str, int | None]:
    """Return (versionless id, version) from an entry id URL like http://arxiv.org/abs/2303.04137v5."""
    match = _ABS_RE.search(entry_id)
    if match is None:
        raise ValueError(entry_id)
    return split_arxiv_id(match.group("rest"))


def _parse_entry(entry: Element, arxiv_id: str, version: int | None, when: datetime) -> ArxivRecord:
    """Build the record of one entry; ValueError if a required field is missing or unreadable."""
    title = _clean(entry.findtext(f"{_A}title"))
    if not title:
        raise ValueError("no title (arXiv does not know this identifier?)")
    authors = [
        {
            "name": _clean(author.findtext(f"{_A}name")),
            "affiliations": [
                text for aff in author.findall(f"{_X}affiliation") if (text := _clean(aff.text))
            ],
        }
        for author in entry.findall(f"{_A}author")
    ]
    authors = [a for a in authors if a["name"]]
    if not authors:
        raise ValueError("no authors")
    categories = list(
        dict.fromkeys(term for c in entry.findall(f"{_A}category") if (term := c.get("term", "")))
    )
    primary_el = entry.find(f"{_X}primary_category")
    primary = primary_el.get("term", "") if primary_el is not None else ""
    primary = primary or (categories[0] if categories else "")
    if not primary:
        raise ValueError("no category")
    pdf_url = abs_url = None
    for link in entry.findall(f"{_A}link"):
        if link.get("title") == "pdf" and pdf_url is None:
            pdf_url = link.get("href")
        elif link.get("rel") == "alternate" and abs_url is None:
            abs_url = link.get("href")
    data = {
        "arxiv_id": arxiv_id,
        "version": version or 1,
        "title": title,
        "authors": authors,
        "abstract": _clean(entry.findtext(f"{_A}summary")),
        "published": _date(entry, "published"),
        "updated": _date(entry, "updated"),
        "primary_category": primary,
        "categories": categories,
        "doi": _optional(entry, f"{_X}doi"),
        "journal_ref": _optional(entry, f"{_X}journal_ref"),
        "comment": _optional(entry, f"{_X}comment"),
        "pdf_url": pdf_url,
        "abs_url": abs_url or _clean(entry.findtext(f"{_A}id")),
        "retrieved": when.isoformat(),
    }
    notes: list[str] = []
    record = decode_record(data, strict=False, notes=notes)
    if notes:
        shown = describe_problem("; ".join(notes))
        log.warning("arXiv feed: %s: dropped %d value(s): %s", arxiv_id, len(notes), shown)
    return record


def _clean(text: str | None) -> str:
    r"""Return *text* with control characters removed and whitespace collapsed ("" for None).

    >>> _clean(" Escape\x1b[31m  title\x7f ")
    'Escape [31m title'
    """
    return normalize_space(_CONTROLS.sub(" ", text or ""))


def _date(entry: Element, name: str) -> str:
    """Return the ISO date of the <name> timestamp of *entry* (e.g. 2023-03-07T17:59:59Z)."""
    text = _clean(entry.findtext(f"{_A}{name}"))
    if not text:
        raise ValueError(f"no <{name}>")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        raise ValueError(f"unreadable <{name}> {describe_problem(text, 60)!r}") from None


def _optional(entry: Element, tag: str) -> str | None:
    """Return the whitespace-normalised text of *tag*, or None when absent or blank."""
    return _clean(entry.findtext(tag)) or None
