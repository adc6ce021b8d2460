"""Compare two versions of the list: added, removed, moved, retitled and relinked papers."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from genrl_kg.papers import MergeResult, PaperRecord, merge_entries
from genrl_kg.sources.awesome_list import ParsedList
from genrl_kg.sources.history.identity import PaperState, link_versions, paper_state
from genrl_kg.sources.history.timeline import ParsedVersion

__all__ = [
    "DiffMove",
    "DiffPaper",
    "DiffRekey",
    "DiffRetitle",
    "ListDiff",
    "PapersLike",
    "diff_data",
    "diff_versions",
    "format_diff",
]

PapersLike = ParsedList | MergeResult | ParsedVersion | Sequence[PaperRecord]
Sections = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class DiffPaper:
    """A paper only in one side: its key, title and sections."""

    key: str
    title: str
    sections: Sections


@dataclass(frozen=True)
class DiffMove:
    """A paper in both sides under different sections (keyed by its new key)."""

    key: str
    title: str
    old_sections: Sections
    new_sections: Sections


@dataclass(frozen=True)
class DiffRetitle:
    """A paper in both sides with a different title (beyond case and punctuation)."""

    key: str
    old_title: str
    new_title: str


@dataclass(frozen=True)
class DiffRekey:
    """A paper in both sides whose key changed (a link added, replaced or removed)."""

    old_key: str
    new_key: str
    title: str


@dataclass(frozen=True)
class ListDiff:
    """What changed from the *old* version of the list to the *new* one."""

    old: str
    new: str
    old_papers: int
    new_papers: int
    added: tuple[DiffPaper, ...]
    removed: tuple[DiffPaper, ...]
    moved: tuple[DiffMove, ...]
    retitled: tuple[DiffRetitle, ...]
    rekeyed: tuple[DiffRekey, ...]

    @property
    def unchanged(self) -> bool:
        """Return True when no paper was added, removed, moved, retitled or rekeyed."""
        return not (self.added or self.removed or self.moved or self.retitled or self.rekeyed)


def _papers(side: PapersLike, same: Mapping[str, str] | None) -> tuple[PaperRecord, ...]:
    """Return the merged papers of a parse, a merge result, a parsed version or a paper list."""
    if isinstance(side, ParsedList):
        return merge_entries(side.entries, same).papers
    if isinstance(side, MergeResult | ParsedVersion):
        return side.papers
    return tuple(side)


def _only(state: PaperState) -> DiffPaper:
    """Return the DiffPaper of a paper found in one side only."""
    return DiffPaper(state.key, state.title, state.sections)


def diff_versions(
    old: PapersLike,
    new: PapersLike,
    old_label: str = "old",
    new_label: str = "new",
    same: Mapping[str, str] | None = None,
    via: Sequence[PapersLike] = (),
) -> ListDiff:
    """Compare two versions, matching papers by identifier or normalised title.

    *via* are the versions between them, oldest first: they bridge a paper whose title and
    link both changed between *old* and *new* (title, then link, then a new title).

    >>> from genrl_kg.sources.awesome_list import parse_list
    >>> a = parse_list("## A\\n- Octo [[p]](https://arxiv.org/abs/2405.12213)\\n")
    >>> b = parse_list("## B\\n- Octo [[p]](https://arxiv.org/abs/2405.12213)\\n")
    >>> d = diff_versions(a, b)
    >>> d.added, d.removed, d.moved[0].new_sections
    ((), (), (('B',),))
    """
    states = [[paper_state(p) for p in _papers(side, same)] for side in (old, *via, new)]
    groups = link_versions(states)
    old_by_group = dict(zip(groups[0], states[0], strict=True))
    new_groups = set(groups[-1])
    moved, retitled, rekeyed, added = [], [], [], []
    for group, after in zip(groups[-1], states[-1], strict=True):
        before = old_by_group.get(group)
        if before is None:
            added.append(_only(after))
            continue
        if set(before.sections) != set(after.sections):
            moved.append(DiffMove(after.key, after.title, before.sections, after.sections))
        if before.normalized_title != after.normalized_title:
            retitled.append(DiffRetitle(after.key, before.title, after.title))
        if before.key != after.key:
            rekeyed.append(DiffRekey(before.key, after.key, after.title))
    removed = [_only(s) for g, s in zip(groups[0], states[0], strict=True) if g not in new_groups]
    return ListDiff(
        old=old_label,
        new=new_label,
        old_papers=len(states[0]),
        new_papers=len(states[-1]),
        added=tuple(added),
        removed=tuple(removed),
        moved=tuple(moved),
        retitled=tuple(retitled),
        rekeyed=tuple(rekeyed),
    )


def _where(sections: Sections) -> str:
    """Return section paths for people: ``A > B; C``.

    >>> _where((("A", "B"), ("C",)))
    'A > B; C'
    """
    return "; ".join(" > ".join(path) for path in sections) or "(no section)"


def format_diff(diff: ListDiff) -> str:
    """Return the diff as text for people, one paper a line, sections in list order."""
    lines = [f"{diff.old} -> {diff.new}: {diff.old_papers} -> {diff.new_papers} papers"]
    if diff.unchanged:
        lines.append("no paper added, removed, moved or retitled")
    blocks: list[tuple[str, list[str]]] = [
        ("added", [f"+ {p.key}  {p.title}  [{_where(p.sections)}]" for p in diff.added]),
        ("removed", [f"- {p.key}  {p.title}  [{_where(p.sections)}]" for p in diff.removed]),
        (
            "moved",
            [
                f"~ {m.key}  {m.title}  [{_where(m.old_sections)}] -> [{_where(m.new_sections)}]"
                for m in diff.moved
            ],
        ),
        ("retitled", [f"* {r.key}  {r.old_title!r} -> {r.new_title!r}" for r in diff.retitled]),
        ("relinked", [f"= {r.old_key} -> {r.new_key}  {r.title}" for r in diff.rekeyed]),
    ]
    for name, rows in blocks:
        if rows:
            lines.append(f"{name} ({len(rows)}):")
            lines.extend(f"  {row}" for row in rows)
    return "\n".join(lines) + "\n"


def diff_data(diff: ListDiff) -> dict[str, object]:
    """Return the diff as JSON-ready data (lists, strings and numbers only)."""
    data = dataclasses.asdict(diff)
    data["unchanged"] = diff.unchanged
    return data
