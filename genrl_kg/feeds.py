"""An Atom feed of the papers newest on the list, newest first by the date first listed."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from genrl_kg import __version__
from genrl_kg.namespace import TAXONOMY_SCHEME
from genrl_kg.settings import PROJECT_URL

__all__ = [
    "ATOM_NS",
    "FEED_LIMIT",
    "FEED_NAME",
    "FeedEntry",
    "atom_feed",
    "atom_time",
    "feed_entries",
    "xml_text",
]

log = logging.getLogger(__name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_NAME = "feed.atom"
FEED_LIMIT = 100
FEED_TITLE = "genrl-kg: papers newly added to the list"
FEED_SUBTITLE = (
    "Papers of the awesome list on generative AI and reinforcement learning in robotics, "
    "newest first by the date the list first named them."
)
NO_DATE = "1970-01-01T00:00:00Z"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PREFIXES = """
PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
"""
_PAPERS = (
    _PREFIXES
    + """
SELECT ?paper ?title ?first ?arxivId ?url WHERE {
  ?paper a genrl:Paper ; dcterms:title ?title ; genrl:firstListed ?first .
  OPTIONAL { ?paper genrl:arxivId ?arxivId }
  OPTIONAL { ?paper schema:url ?url }
}
ORDER BY DESC(?first) ?paper
LIMIT %d
"""
)
_CATEGORIES = (
    _PREFIXES
    + """
SELECT ?paper ?concept ?label WHERE {
  VALUES ?paper { %s }
  ?paper dcterms:subject ?concept .
  ?concept skos:prefLabel ?label .
}
ORDER BY ?paper ?label ?concept
"""
)


@dataclass(frozen=True)
class FeedEntry:
    """One paper of the feed: its IRI, title, first-listed time, links and categories."""

    iri: str
    title: str
    first_listed: str
    arxiv_id: str | None
    url: str | None
    categories: tuple[tuple[str, str], ...]

    @property
    def related(self) -> str | None:
        """Return the paper's arXiv abstract page, or its canonical link when it has no arXiv id."""
        if self.arxiv_id:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        return self.url


def xml_text(value: str) -> str:
    """Return *value* without the characters XML 1.0 cannot carry (escaping is the writer's).

    >>> xml_text("a\\x0bb <c> & d")
    'ab <c> & d'
    """
    return _NOT_XML.sub("", value)


def atom_time(value: str) -> str:
    """Return an xsd:dateTime as an RFC 3339 UTC time (no offset is taken as UTC).

    >>> atom_time("2025-06-11T08:30:00+02:00")
    '2025-06-11T06:30:00Z'
    >>> atom_time("2024-08-17T10:00:00")
    '2024-08-17T10:00:00Z'
    """
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Return the rows of *query* over the union graph as {variable: lexical value}."""
    results = store.query(query, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    names = [v.value for v in results.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in results]


def feed_entries(store: ox.Store, limit: int = FEED_LIMIT) -> list[FeedEntry]:
    """Return the *limit* papers newest on the list, newest first (ties by IRI)."""
    rows = _select(store, _PAPERS % max(limit, 0))
    if not rows:
        return []
    values = " ".join(f"<{r['paper']}>" for r in rows)
    categories: dict[str, list[tuple[str, str]]] = {}
    for row in _select(store, _CATEGORIES % values):
        categories.setdefault(row["paper"], []).append((row["concept"], row["label"]))
    return [
        FeedEntry(
            iri=r["paper"],
            title=r["title"],
            first_listed=atom_time(r["first"]),
            arxiv_id=r.get("arxivId"),
            url=r.get("url"),
            categories=tuple(categories.get(r["paper"], [])),
        )
        for r in rows
    ]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """Add child *tag* with *text* and attributes (in the order given) to *parent*."""
    child = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        child.text = xml_text(text)
    return child


def _entry(feed: ET.Element, entry: FeedEntry) -> None:
    """Add one paper as an Atom entry."""
    node = _sub(feed, "entry")
    _sub(node, "id", entry.iri)
    _sub(node, "title", entry.title, type="text")
    _sub(node, "link", rel="alternate", href=entry.iri)
    if entry.related:
        title = "arXiv" if entry.arxiv_id else "paper"
        _sub(node, "link", rel="related", type="text/html", href=entry.related, title=title)
    for concept, label in entry.categories:
        _sub(node, "category", term=concept, label=label, scheme=TAXONOMY_SCHEME)
    _sub(node, "published", entry.first_listed)
    _sub(node, "updated", entry.first_listed)
    where = "; ".join(label for _, label in entry.categories) or "no section"
    summary = f"First listed {entry.first_listed[:10]}, under {where}."
    _sub(node, "summary", summary, type="text")


def atom_feed(store: ox.Store, base: str, limit: int = FEED_LIMIT) -> bytes:
    """Return the Atom feed (UTF-8 XML) of the papers newest on the list, served at ``{base}feed.atom``.

    The same store gives the same bytes: no clock is read, every list is sorted.
    """
    entries = feed_entries(store, limit)
    self_url = f"{base}{FEED_NAME}"
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _sub(feed, "id", self_url)
    _sub(feed, "title", FEED_TITLE, type="text")
    _sub(feed, "subtitle", FEED_SUBTITLE, type="text")
    updated = max((e.first_listed for e in entries), default=NO_DATE)
    _sub(feed, "updated", updated)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=base)
    author = _sub(feed, "author")
    _sub(author, "name", "genrl-kg")
    _sub(author, "uri", PROJECT_URL)
    _sub(feed, "generator", "genrl-kg", uri=PROJECT_URL, version=__version__)
    for entry in entries:
        _entry(feed, entry)
    ET.indent(feed)
    log.debug("feed of %d entries", len(entries))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
