"""Greedy assignment of rows to papers: the most confident row takes its paper first.

A row's choice depends only on its two best candidates not claimed by another citation key, so
when a paper is claimed, only the rows that had it among their two best are looked at again;
the rows wait in a heap ordered by (confidence down, row index up), as a full rescan would take
them.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from genrl_kg.linking.scoring import Ranking, Scored, confidence

__all__ = ["LINK_THRESHOLD", "MIN_MARGIN", "MIN_SCORE", "Choice", "assign", "choose"]

MIN_SCORE = 3.5  # never link a row whose best candidate scores less
MIN_MARGIN = 1.5  # ... or beats the runner-up by less (ambiguous rows stay unresolved)
LINK_THRESHOLD = 0.4  # confidence of the weakest link the two rules above allow


@dataclass(frozen=True)
class Choice:
    """A row's best free candidate (None if none), the runner-up's key, margin and confidence."""

    best: Scored | None
    keys: tuple[str, ...]
    margin: float
    confidence: float

    @property
    def ok(self) -> bool:
        """Tell whether the choice is strong enough to link."""
        return (
            self.best is not None
            and self.best.points >= MIN_SCORE
            and self.margin >= MIN_MARGIN
            and self.confidence >= LINK_THRESHOLD
        )


def choose(ranking: Ranking, claimed: Mapping[str, str]) -> Choice:
    """The row's best candidate not claimed by another citation key, and its margin."""
    free = ranking.top_free(claimed)
    if not free:
        return Choice(None, (), 0.0, 0.0)
    second = free[1].points if len(free) > 1 else 0.0
    margin = free[0].points - max(second, 0.0)
    return Choice(free[0], tuple(s.key for s in free), margin, confidence(free[0].points, margin))


def assign(
    keys: Sequence[str], rankings: Mapping[int, Ranking], claimed: dict[str, str]
) -> dict[int, Choice]:
    """Link rows greedily, most confident first; record each claim in *claimed*."""
    heap: list[tuple[float, int, int]] = []
    current: dict[int, Choice] = {}
    version: dict[int, int] = defaultdict(int)
    watchers: dict[str, set[int]] = defaultdict(set)

    def evaluate(i: int) -> None:
        if i in current:
            for key in current[i].keys:
                watchers[key].discard(i)
        choice = current[i] = choose(rankings[i], claimed)
        for key in choice.keys:
            watchers[key].add(i)
        version[i] += 1
        if choice.ok:
            heapq.heappush(heap, (-choice.confidence, i, version[i]))

    for i in rankings:
        evaluate(i)
    chosen: dict[int, Choice] = {}
    while heap:
        _, i, seen = heapq.heappop(heap)
        if seen != version[i] or i in chosen:
            continue
        choice = chosen[i] = current[i]
        assert choice.best is not None
        paper = choice.best.key
        claimed[paper] = keys[i]
        for j in sorted(watchers[paper]):
            if j not in chosen and keys[j] != keys[i]:
                evaluate(j)
    return chosen
