"""Merge list entries into papers: one paper, one node."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

from genrl_kg.errors import InputError
from genrl_kg.identifiers import (
    KIND_PRIORITY,
    LinkId,
    classify_link,
    normalize_title,
    paper_path,
    slugify,
)
from genrl_kg.sources.awesome_list import Entry, Heading

__all__ = [
    "LOG",
    "Merge",
    "MergeResult",
    "PaperRecord",
    "load_same_papers",
    "merge_entries",
    "title_key",
]

LOG = logging.getLogger(__name__)
_T = TypeVar("_T")


@dataclass(frozen=True)
class PaperRecord:
    """One paper, merged from every list entry that names it."""

    key: str
    title: str
    titles: tuple[str, ...]
    link_ids: tuple[LinkId, ...]
    listed_links: tuple[str, ...]
    sections: tuple[Heading, ...]
    entries: tuple[Entry, ...]
    year_added: int | None
    flags: frozenset[str]


@dataclass(frozen=True)
class Merge:
    """Entries (by line) merged into the paper *key*, and why."""

    key: str
    lines: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class MergeResult:
    """Papers in first-appearance order and the merges that made them."""

    papers: tuple[PaperRecord, ...]
    merges: tuple[Merge, ...]

    @property
    def entries_read(self) -> int:
        """Return the number of entries that went in."""
        return sum(len(p.entries) for p in self.papers)

    @property
    def entries_merged_away(self) -> int:
        """Return how many entries were folded into another entry's paper."""
        return self.entries_read - len(self.papers)


class _UnionFind:
    """Union-find over entry indices; the smallest index is always the root."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        """Return the root of *i*, compressing the path."""
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        """Join the sets of *i* and *j*."""
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _reason(kind: str, value: str) -> str:
    """Describe why two entries sharing identifier (kind, value) were merged."""
    if kind == "arxiv":
        return f"same arXiv id {value}"
    if kind == "doi":
        return f"same DOI {value}"
    if kind == "title":
        return "same normalised title"
    if kind == "same":
        return f"curated as one paper ({value})"
    return f"same identifier {kind}/{value}"


def _link_ids(entry: Entry, cache: dict[str, LinkId | None]) -> list[LinkId]:
    """Classify an entry's links (once per URL); links that are not http(s) are skipped."""
    out = []
    for link in entry.links:
        if link.url not in cache:
            try:
                cache[link.url] = classify_link(link.url)
            except ValueError as exc:
                LOG.debug("line %d: link not classified: %s", entry.line, exc)
                cache[link.url] = None
        link_id = cache[link.url]
        if link_id is not None and link_id not in out:
            out.append(link_id)
    return out


def title_key(title: str) -> str:
    """Return the ``title/{slug}`` key of a paper with no usable link.

    >>> title_key("Diffusion Policy: Visuomotor Policy Learning")
    'title/diffusion-policy-visuomotor-policy-learning'
    """
    slug = slugify(title)
    if not slug:
        slug = "h-" + hashlib.sha1(normalize_title(title).encode()).hexdigest()[:12]
    return f"title/{slug}"


def _best_key(link_ids: Iterable[LinkId], title: str) -> str:
    """Return the paper key from the most preferred identifier kind (first seen on ties)."""
    ranked = sorted(link_ids, key=lambda lid: KIND_PRIORITY.index(lid.kind))
    return paper_path(ranked[0]) if ranked else title_key(title)


def _dedupe(items: Iterable[_T]) -> tuple[_T, ...]:
    """Return *items* without repeats, in first-seen order."""
    return tuple(dict.fromkeys(items))


def load_same_papers(path: Path | Traversable) -> dict[str, str]:
    """Read curated pairs of paper keys that name one paper (``key_a,key_b,reason``).

    Returns every key mapped to its pair's first key, the name of the group it joins.
    """
    same: dict[str, str] = {}
    try:
        with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != ("key_a", "key_b", "reason"):
                raise InputError(f"{path}:1: header must be key_a,key_b,reason")
            for line, row in enumerate(reader, start=2):
                a, b = (row["key_a"] or "").strip(), (row["key_b"] or "").strip()
                if not a or not b or not (row["reason"] or "").strip():
                    raise InputError(f"{path}:{line}: key_a, key_b and reason are required")
                group = same.get(a, a)
                same[a] = same[b] = group
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return same


def merge_entries(entries: Iterable[Entry], same: Mapping[str, str] | None = None) -> MergeResult:
    """Merge entries sharing an arXiv id, DOI, other identifier or normalised title.

    *same* maps paper keys (``doi/…``, ``arxiv/…``) curated as one paper to a group name,
    for the same paper listed under two identifiers with different titles.

    >>> from genrl_kg.sources.awesome_list import parse_list
    >>> text = "## A\\n- T [[p]](https://arxiv.org/abs/2303.04137)\\n"
    >>> text += "## B\\n- t. [[p]](https://arxiv.org/pdf/2303.04137v2.pdf)\\n"
    >>> result = merge_entries(parse_list(text).entries)
    >>> [(p.key, [s.text for s in p.sections]) for p in result.papers]
    [('arxiv/2303.04137', ['A', 'B'])]
    >>> result.merges[0].lines, result.merges[0].reason
    ((2, 4), 'same arXiv id 2303.04137; same normalised title')
    """
    entries = list(entries)
    forest = _UnionFind(len(entries))
    cache: dict[str, LinkId | None] = {}
    per_entry = [_link_ids(entry, cache) for entry in entries]
    first: dict[tuple[str, str], int] = {}
    events: list[tuple[int, str]] = []
    for index, (entry, link_ids) in enumerate(zip(entries, per_entry, strict=True)):
        idents = [(lid.kind, lid.value) for lid in link_ids]
        idents += [("same", same[k]) for k in map(paper_path, link_ids) if same and k in same]
        if norm := normalize_title(entry.title):
            idents.append(("title", norm))
        for ident in idents:
            other = first.setdefault(ident, index)
            if other != index:
                forest.union(other, index)
                events.append((index, _reason(*ident)))
    groups: dict[int, list[int]] = {}
    for index in range(len(entries)):
        groups.setdefault(forest.find(index), []).append(index)
    reasons: dict[int, list[str]] = {}
    for index, reason in events:
        bucket = reasons.setdefault(forest.find(index), [])
        if reason not in bucket:
            bucket.append(reason)
    papers: list[PaperRecord] = []
    merges: list[Merge] = []
    used: set[str] = set()
    for root, members in groups.items():
        group = [entries[i] for i in members]
        ids = _dedupe(lid for i in members for lid in per_entry[i])
        key = base = _best_key(ids, group[0].title)
        suffix = 2
        while key in used:
            key, suffix = f"{base}-{suffix}", suffix + 1
        used.add(key)
        years = [e.year_added for e in group if e.year_added is not None]
        papers.append(
            PaperRecord(
                key=key,
                title=group[0].title,
                titles=_dedupe(e.title for e in group),
                link_ids=ids,
                listed_links=_dedupe(link.url for e in group for link in e.links),
                sections=_dedupe(e.section for e in group),
                entries=tuple(group),
                year_added=min(years) if years else None,
                flags=frozenset().union(*(e.flags for e in group)),
            )
        )
        if len(group) > 1:
            merges.append(Merge(key, tuple(e.line for e in group), "; ".join(reasons[root])))
    return MergeResult(tuple(papers), tuple(merges))
