"""Which paper of one version is which paper of another: a union-find over (version, paper)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from genrl_kg.identifiers import normalize_title
from genrl_kg.papers import PaperRecord

__all__ = [
    "Identity",
    "PaperState",
    "cached_normalize_title",
    "link_versions",
    "paper_state",
    "section_paths",
]

LOG = logging.getLogger(__name__)
Identity = tuple[str, str]


@dataclass(frozen=True)
class PaperState:
    """What tracking needs of one paper in one version: key, title, identities, sections."""

    key: str
    title: str
    normalized_title: str
    identities: tuple[Identity, ...]
    sections: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=65536)
def cached_normalize_title(title: str) -> str:
    """Return normalize_title(*title*), cached (titles repeat across versions).

    >>> cached_normalize_title("Octo: A Robot Policy!")
    'octo a robot policy'
    """
    return normalize_title(title)


def section_paths(paper: PaperRecord) -> tuple[tuple[str, ...], ...]:
    """Return the section paths a paper is listed under, in list order, without repeats."""
    return tuple(dict.fromkeys(section.path for section in paper.sections))


def paper_state(paper: PaperRecord) -> PaperState:
    """Return the tracking view of *paper*: identifiers first, then normalised titles.

    A paper with neither (an empty title, no usable link) is known by its key alone.

    >>> from genrl_kg.papers import merge_entries
    >>> from genrl_kg.sources.awesome_list import parse_list
    >>> text = "## A\\n- Octo: A Robot Policy [[paper]](https://arxiv.org/abs/2405.12213)\\n"
    >>> paper_state(merge_entries(parse_list(text).entries).papers[0]).identities
    (('arxiv', '2405.12213'), ('title', 'octo a robot policy'))
    """
    identities: list[Identity] = [(lid.kind, lid.value) for lid in paper.link_ids]
    identities += [
        ("title", norm) for title in paper.titles if (norm := cached_normalize_title(title))
    ]
    if not identities:
        identities.append(("key", paper.key))
    return PaperState(
        key=paper.key,
        title=paper.title,
        normalized_title=cached_normalize_title(paper.title),
        identities=tuple(dict.fromkeys(identities)),
        sections=section_paths(paper),
    )


class _Forest:
    """Union-find whose sets remember their versions; sets that share a version never join."""

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.versions: list[set[int]] = []

    def add(self, version: int) -> int:
        """Add a node for one paper of *version* and return its id."""
        self.parent.append(len(self.parent))
        self.versions.append({version})
        return len(self.parent) - 1

    def find(self, node: int) -> int:
        """Return the root of *node*, halving the path."""
        parent = self.parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(self, a: int, b: int) -> bool:
        """Join the sets of *a* and *b* unless both hold a paper of the same version."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        small, large = sorted((ra, rb), key=lambda r: len(self.versions[r]))
        if not self.versions[small].isdisjoint(self.versions[large]):
            return False
        self.parent[small] = large
        self.versions[large] |= self.versions[small]
        self.versions[small] = set()
        return True


def link_versions(versions: Sequence[Iterable[PaperState]]) -> list[list[int]]:
    """Return a group number for every paper of every version; one group is one paper.

    Papers of different versions share a group when they share an identity (identifier or
    normalised title), directly or through a chain; two papers of one version never do.

    >>> a = PaperState("title/t", "T", "t", (("title", "t"),), ())
    >>> b = PaperState("arxiv/1", "T", "t", (("arxiv", "1"), ("title", "t")), ())
    >>> c = PaperState("arxiv/1", "U", "u", (("arxiv", "1"), ("title", "u")), ())
    >>> link_versions([[a], [b], [c]])
    [[0], [0], [0]]
    """
    forest = _Forest()
    last: dict[Identity, int] = {}
    nodes: list[list[int]] = []
    for index, states in enumerate(versions):
        row = []
        for state in states:
            node = forest.add(index)
            for identity in state.identities:
                other = last.get(identity)
                if other is not None and not forest.union(node, other):
                    LOG.debug(
                        "version %d: %s not joined to an earlier paper %s",
                        index,
                        state.key,
                        identity,
                    )
                last[identity] = node
            row.append(node)
        nodes.append(row)
    numbers: dict[int, int] = {}
    return [[numbers.setdefault(forest.find(n), len(numbers)) for n in row] for row in nodes]
