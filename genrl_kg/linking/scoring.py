"""Score candidate papers for a table row from the key, cells, year and author.

Only the candidates that share something with the row (found through the index's postings,
see prepare.py) are scored on their titles; every other candidate scores by year and author
alone, so it is ranked by group (year, author known) without being visited. The ranking is
produced lazily, best first, and evidence is written only for the candidates it shows.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from genrl_kg.linking.evidence import TitleFeatures, gram_in
from genrl_kg.linking.index import PaperIndex
from genrl_kg.linking.prepare import IDF_FLOOR, PreparedRow, prepare_row
from genrl_kg.linking.records import RowLike

__all__ = [
    "OVERLAP_CAP",
    "OVERLAP_WEIGHT",
    "Ranking",
    "Scored",
    "confidence",
    "year_delta",
]

Entry = tuple[float, int]  # (-points, candidate index): ascending order is best first
_YEAR_POINTS = {0: 1.0, 1: 0.5, 2: 0.0, -1: -1.0}  # by key year minus paper year
OVERLAP_WEIGHT = 0.4  # points per unit of IDF of a word shared by the row and the title
OVERLAP_CAP = 6.0


@dataclass(frozen=True)
class Scored:
    """One candidate's evidence points for one row."""

    points: float
    evidence: tuple[str, ...]
    key: str


def year_delta(key_year: int, paper_year: int) -> float:
    """Points for a key's year against the paper's (a key is rarely older than the paper).

    >>> year_delta(2023, 2023), year_delta(2024, 2023), year_delta(2022, 2023), year_delta(2027, 2023)
    (1.0, 0.5, -1.0, -1.0)
    """
    gap = key_year - paper_year
    return _YEAR_POINTS.get(gap, -2.0 if gap < 0 else -1.0)


def _title_points(pr: PreparedRow, index: PaperIndex, i: int, t: int) -> float:
    """Points of title *t* of candidate *i*: framework name, words or acronym; application
    phrase; shared words."""
    fp = 0.0
    if i in pr.named:
        title, fw = index.titles[i][t], pr.features.framework
        if not pr.single_set.isdisjoint(title.words) or (
            fw.phrase is not None and fw.phrase in title.norm
        ):
            fp = 3.0
        elif fw.letters.isalpha() and len(fw.letters) >= 3 and fw.letters in title.initials:
            fp = 2.5
        grams = pr.grams.get(i, ())
        if grams and any(gram_in(g, title.phrase) for g in grams):
            fp += 1.5
    weight = pr.overlap.get((i, t))
    if weight is None:
        return fp  # fp + min(OVERLAP_CAP, 0.0), exactly
    return fp + min(OVERLAP_CAP, OVERLAP_WEIGHT * weight)


def _title_evidence(pr: PreparedRow, title: TitleFeatures, grams: tuple[str, ...]) -> list[str]:
    """Why one title scores: the framework, application phrase and shared words found in it."""
    fw, ev = pr.features.framework, []
    for token, norm in pr.singles:
        if norm in title.words:
            ev.append(f"framework word '{token}' in title")
    if fw.phrase is not None and fw.phrase in title.norm:
        ev.append(f"framework name '{fw.name}' in title")
    letters = fw.letters
    if not ev and letters.isalpha() and len(letters) >= 3 and letters in title.initials:
        ev.append(f"framework acronym '{fw.short}' = initials of title words")
    gram = next((g for g in grams if gram_in(g, title.phrase)), None)
    if gram:
        ev.append(f"application phrase '{gram}' in title")
    shared = sorted(pr.stems & title.stems)
    return [*ev, f"title words shared: {', '.join(shared)}"] if shared else ev


def _points(pr: PreparedRow, index: PaperIndex, i: int) -> float:
    """Points of candidate *i* for the row: key, best title, year, first author."""
    ck, cand, hit = pr.features.ck, index.cands[i], pr.hits.get(i)
    points = 0.0
    if hit:
        if hit[0] == "in":
            points += min(1.0, max(0.0, index.idf.get(ck.word, 0.0) - IDF_FLOOR) / 2)
        else:
            points += (1.5 if hit[0] == "start" else 1.0) + 3.0 / pr.leads
        if hit[1]:
            points += 1.5
    if i in pr.touched:  # otherwise every title scores 0.0
        titles = range(len(index.titles[i]))
        points += max((_title_points(pr, index, i, t) for t in titles), default=0.0)
    if ck.year is not None and cand.year is not None:
        points += year_delta(ck.year, cand.year)
    if ck.author and cand.first_author:
        points += 3.0 if index.surnames[i] == ck.author else -2.0
    return round(points, 3)


def _points_all(pr: PreparedRow, index: PaperIndex, explicit: set[int]) -> list[Entry]:
    """Entries of the *explicit* candidates, best first; those reached by shared words alone
    are summed in one pass over the row's (candidate, title) weights, as _points would."""
    best: dict[int, float] = {}
    for (i, _), weight in pr.overlap.items():
        op = min(OVERLAP_CAP, OVERLAP_WEIGHT * weight)
        if op > best.get(i, 0.0):
            best[i] = op
    ck, cands, surnames = pr.features.ck, index.cands, index.surnames
    key_year, author, exact = ck.year, ck.author, pr.named | pr.hits.keys()
    entries = []
    for i in explicit:
        if i in exact:
            entries.append((-_points(pr, index, i), i))
            continue
        points = 0.0
        points += best.get(i, 0.0)
        year = cands[i].year
        if key_year is not None and year is not None:
            gap = key_year - year
            points += _YEAR_POINTS.get(gap, -2.0 if gap < 0 else -1.0)
        if author and cands[i].first_author:
            points += 3.0 if surnames[i] == author else -2.0
        entries.append((-round(points, 3), i))
    entries.sort()
    return entries


def _score(pr: PreparedRow, index: PaperIndex, i: int) -> Scored:
    """Score candidate *i* for the row in full, with its evidence."""
    ck, cand, hit = pr.features.ck, index.cands[i], pr.hits.get(i)
    ev = []
    if hit:
        ev.append(f"key word '{ck.word}' {hit[0]} of title ({pr.leads} such titles)")
        if hit[1]:
            ev.append(f"key initials '{ck.initials}' match")
    best: tuple[float, list[str]] = (0.0, [])  # the first best title; one with evidence beats none
    grams = pr.grams.get(i, ())
    for t, title in enumerate(index.titles[i]):
        points = _title_points(pr, index, i, t)
        if points > best[0] or not best[1]:
            best = (points, _title_evidence(pr, title, grams))
    ev += best[1]
    if ck.year is not None and cand.year is not None:
        ev.append(f"key year {ck.year}, paper year {cand.year}")
    if ck.author and cand.first_author:
        same = index.surnames[i] == ck.author
        ev.append(f"first author {cand.first_author!r} {'matches' if same else 'differs'}")
    return Scored(_points(pr, index, i), tuple(ev), cand.key)


def _group_stream(negative: float, members: tuple[int, ...], skip: set[int]) -> Iterator[Entry]:
    """Entries of one group of equal points, in key order, without the candidates in *skip*."""
    return ((negative, i) for i in members if i not in skip)


class Ranking:
    """One row's candidates, best first (points down, key up), produced lazily."""

    def __init__(self, row: RowLike, index: PaperIndex) -> None:
        """Score the candidates that share something with *row*; group the rest."""
        self.prepared = pr = prepare_row(row, index)
        self.key = pr.features.key
        self.index = index
        ck = pr.features.ck
        explicit = set(pr.touched)
        if ck.author:
            explicit.update(index.authors.get(ck.author, ()))
        first = _points_all(pr, index, explicit)
        streams: list[Iterator[Entry]] = [iter(first)]
        for (year, has_author), members in index.groups.items():
            points = 0.0
            if ck.year is not None and year is not None:
                points += year_delta(ck.year, year)
            if ck.author and has_author:
                points += -2.0
            streams.append(_group_stream(-round(points, 3), members, explicit))
        self._stream = heapq.merge(*streams)
        self._scored: dict[int, Scored] = {}
        self._seen: list[Entry] = []
        self._start = 0  # entries before it are claimed by another key, for good

    def scored(self, i: int) -> Scored:
        """The full score and evidence of candidate *i*."""
        if i not in self._scored:
            self._scored[i] = _score(self.prepared, self.index, i)
        return self._scored[i]

    def top_free(self, claimed: Mapping[str, str], n: int = 2) -> list[Scored]:
        """The *n* best candidates not claimed by another citation key."""
        key, cands = self.key, self.index.cands
        found: list[Scored] = []
        pos = self._start
        while len(found) < n:
            if pos == len(self._seen):
                entry = next(self._stream, None)
                if entry is None:
                    break
                self._seen.append(entry)
            i = self._seen[pos][1]
            if claimed.get(cands[i].key, key) == key:
                found.append(self.scored(i))
            elif not found and pos == self._start:
                self._start += 1
            pos += 1
        return found


def confidence(score: float, margin: float) -> float:
    """Map score and margin over the runner-up to 0..1.

    >>> confidence(6.0, 4.0), confidence(-1.0, 0.0)
    (0.667, 0.0)
    """
    score, margin = max(score, 0.0), max(margin, 0.0)
    return round(score / (score + 3.0) * (0.6 + 0.4 * min(1.0, margin / 4.0)), 3)
