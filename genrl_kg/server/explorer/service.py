"""The explorer's answers: papers, facet counts and tree counts, computed by the query workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pyoxigraph as ox

from genrl_kg.server.explorer.selection import Selection, bind_selection
from genrl_kg.server.explorer.sparql import (
    BASE_MODEL_BRANCH,
    FACETS,
    MODALITY_BRANCH,
    count_query,
    rows_query,
)
from genrl_kg.server.explorer.vocabulary import Concept, Vocabulary, slug_of
from genrl_kg.sparql.worker import Job, Rows

__all__ = [
    "Exploration",
    "ExplorerUnavailable",
    "FacetCount",
    "PaperRow",
    "TreeNode",
    "explore",
    "run_rows",
    "sort_rows",
]

logger = logging.getLogger(__name__)

CONCEPT_FACETS = ("baseModel", "task", "modality", "code", "setting", "dataset", "model")
BY_COUNT = ("dataset", "model")  # long lists: most used first


class ExplorerUnavailable(Exception):
    """A query of the explorer failed or timed out in its worker; carries the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the *status* and the one-line *message*."""
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class PaperRow:
    """One row of the paper table."""

    paper: str
    title: str
    arxiv: str | None
    url: str | None
    year: int | None  # first on arXiv, else from the identifier, else the list's marker
    listed: str | None  # the date first listed (history), else the list's year marker
    code: str | None  # code-availability slug
    repository: str | None
    base_models: tuple[str, ...]


@dataclass(frozen=True)
class FacetCount:
    """How many selected papers a facet value would keep."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class TreeNode:
    """A node of the taxonomy tree; *kind* is the URL parameter it sets."""

    kind: str
    slug: str
    label: str
    notation: str
    parent: str | None
    depth: int
    count: int


@dataclass(frozen=True)
class Exploration:
    """Everything the explorer page shows for one selection."""

    selection: Selection
    rows: tuple[PaperRow, ...]
    facets: Mapping[str, tuple[FacetCount, ...]]
    tree: tuple[TreeNode, ...]
    has_history: bool

    def to_json(self) -> dict[str, Any]:
        """Return the JSON document of /api/explore."""
        return {
            "selection": dict(self.selection.filters) | {"sort": self.selection.sort},
            "total": len(self.rows),
            "rows": [asdict(r) | {"base_models": list(r.base_models)} for r in self.rows],
            "facets": {k: [asdict(c) for c in v] for k, v in self.facets.items()},
            "tree": [asdict(n) for n in self.tree],
            "hasHistory": self.has_history,
        }


async def run_rows(pool: Any, text: str, bindings: Mapping[str, Any], timeout: float) -> list[Any]:
    """Run a SELECT in a worker with *bindings* substituted; raise ExplorerUnavailable on failure."""
    job = Job(text, op="rows", row_cap=None, substitutions=dict(bindings))
    reply = await pool.run(job, timeout=timeout)
    if not isinstance(reply, Rows):
        status = getattr(reply, "status", 500)
        message = getattr(reply, "message", "the explorer's query failed")
        logger.warning("explorer query failed (%s): %s", status, message)
        raise ExplorerUnavailable(503 if status >= 500 else status, message)
    return reply.rows


def _text(term: Any) -> str | None:
    """Return a term's lexical value, or None."""
    return None if term is None else str(term.value)


def _year(term: Any) -> int | None:
    """Return an integer year from a term, or None."""
    text = _text(term)
    return int(text) if text and text.lstrip("-").isdigit() else None


def _paper_row(row: Sequence[Any], offset: int) -> PaperRow:
    """Build a PaperRow from a rows_query row whose first *offset* columns are bound filters."""
    paper, title, arxiv, url, year, listed, added, code, repository, models = row[offset:]
    first = _text(listed)
    return PaperRow(
        paper=str(paper.value),
        title=_text(title) or str(paper.value),
        arxiv=_text(arxiv),
        url=_text(url),
        year=_year(year),
        listed=first[:10] if first else _text(added),
        code=slug_of(code.value) if code is not None else None,
        repository=_text(repository),
        base_models=tuple(sorted(slug_of(m) for m in (_text(models) or "").split())),
    )


def sort_rows(rows: Sequence[PaperRow], sort: str) -> tuple[PaperRow, ...]:
    """Return *rows* ordered by title (A-Z), year or date listed (newest first); ties by title."""

    def by_title(r: PaperRow) -> tuple[str, str]:
        return (r.title.casefold(), r.paper)

    ordered = sorted(rows, key=by_title)
    if sort == "year":
        ordered.sort(key=lambda r: -(r.year or 0))
    elif sort == "listed":
        ordered.sort(key=lambda r: r.listed or "", reverse=True)
    return tuple(ordered)


def _counts(rows: Sequence[Sequence[Any]]) -> dict[str, int]:
    """Return {value: papers} from count_query rows (value and count are the last columns)."""
    counts = {}
    for row in rows:
        value, papers = row[-2], row[-1]
        if value is not None:
            key = slug_of(value.value) if isinstance(value, ox.NamedNode) else str(value.value)
            counts[key] = int(papers.value)
    return counts


def _facet(kind: str, counts: Mapping[str, int], vocabulary: Vocabulary) -> tuple[FacetCount, ...]:
    """Return the counts of one facet: every vocabulary value (zero included), or the years."""
    if kind in ("since", "year"):
        return tuple(FacetCount(y, y, counts[y]) for y in sorted(counts))
    found = [FacetCount(c.slug, c.label, counts.get(c.slug, 0)) for c in vocabulary.of_kind(kind)]
    if kind in BY_COUNT:
        found = sorted((f for f in found if f.count), key=lambda f: (-f.count, f.label.casefold()))
    return tuple(found)


def _tree(
    vocabulary: Vocabulary, categories: Mapping[str, int], branches: Mapping[str, dict[str, int]]
) -> tuple[TreeNode, ...]:
    """Return the taxonomy in notation order with its counts, the two branches' values below."""
    taxonomy = vocabulary.of_kind("category")
    parents = {c.slug: c.parent for c in taxonomy}

    def depth(slug: str | None) -> int:
        seen = 0
        while slug is not None and seen < 64:
            slug, seen = parents.get(slug), seen + 1
        return seen

    kind = {BASE_MODEL_BRANCH: "baseModel", MODALITY_BRANCH: "modality"}
    nodes = []
    for concept in taxonomy:
        nodes.append(
            TreeNode(
                "category",
                concept.slug,
                concept.label,
                concept.notation,
                concept.parent,
                depth(concept.slug),
                categories.get(concept.slug, 0),
            )
        )
        below: tuple[Concept, ...] = ()
        if concept.iri in kind:
            below = vocabulary.of_kind(kind[concept.iri])
        for child in below:
            count = branches.get(child.kind, {}).get(child.slug, 0)
            nodes.append(
                TreeNode(
                    child.kind,
                    child.slug,
                    child.label,
                    "",
                    concept.slug,
                    depth(concept.slug) + 1,
                    count,
                )
            )
    return tuple(nodes)


async def explore(
    pool: Any, vocabulary: Vocabulary, selection: Selection, timeout: float
) -> Exploration:
    """Compute the rows, every facet's counts and the tree's counts for *selection*."""
    names = selection.names()
    bound = bind_selection(selection, vocabulary)

    def counts(sel: Selection, group: str) -> Any:
        values = bind_selection(sel, vocabulary)
        values.pop(group, None)
        return run_rows(pool, count_query(sel.names(), group), values, timeout)

    branch_selections = {}
    for kind, branch in (("baseModel", BASE_MODEL_BRANCH), ("modality", MODALITY_BRANCH)):
        if vocabulary.find("category", slug_of(branch)) is not None:
            base = selection.without("category", "modality", kind)
            branch_selections[kind] = base.setting("category", slug_of(branch))
    facets = ("category", *CONCEPT_FACETS, "since", "year")
    answers = await asyncio.gather(
        run_rows(pool, rows_query(names), bound, timeout),
        *(counts(selection, facet) for facet in facets),
        *(counts(sel, kind) for kind, sel in branch_selections.items()),
    )
    offset = len([n for n in (*FACETS, "q") if n in names])
    rows = sort_rows([_paper_row(r, offset) for r in answers[0]], selection.sort)
    facet_counts = {
        f: _counts(a) for f, a in zip(facets, answers[1 : 1 + len(facets)], strict=True)
    }
    branches = {
        kind: _counts(a)
        for kind, a in zip(branch_selections, answers[1 + len(facets) :], strict=True)
    }
    shown = {f: _facet(f, facet_counts[f], vocabulary) for f in (*CONCEPT_FACETS, "since", "year")}
    tree = _tree(vocabulary, facet_counts["category"], branches)
    return Exploration(selection, rows, shown, tree, vocabulary.has_history)
