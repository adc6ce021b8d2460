"""Score every candidate paper for a table row from the key, cells, year and author."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from genrl_kg.linking.evidence import (
    _expand,
    _framework_features,
    _initials_run,
    _key_hit,
    _norm_phrase,
    _shared_ngram,
    _stems,
    _title_words,
    _tokens,
)
from genrl_kg.linking.keys import fold_name, parse_citation_key
from genrl_kg.linking.records import PaperCandidate, RowLike

OVERLAP_WEIGHT = 0.4  # points per unit of IDF of a word shared by the row and the title
OVERLAP_CAP = 6.0
RARE_DF = 2  # a framework word used by at most this many titles identifies one
IDF_FLOOR = 1.5  # words at least this common (idf below) carry no weight


def _framework_evidence(raw: str, index: _Index, title: str) -> tuple[float, list[str]]:
    """Score the framework cell (name, rare name words, acronym) against one title."""
    fw = _framework_features(raw)
    title_words = _title_words(title)
    points, ev = 0.0, []
    for token, norm in fw.singles:
        if len(norm) >= 3 and norm in title_words and index.df.get(norm, 0) <= RARE_DF:
            points = max(points, 3.0)
            ev.append(f"framework word '{token}' in title")
    if fw.phrase is not None and fw.phrase in f" {_norm_phrase(title)} ":
        points = max(points, 3.0)
        ev.append(f"framework name '{fw.name}' in title")
    if not points and fw.letters.isalpha() and _initials_run(fw.letters, title):
        points = 2.5
        ev.append(f"framework acronym '{fw.short}' = initials of title words")
    return points, ev


@dataclass(frozen=True)
class _Index:
    """Candidates with document frequencies of their title stems and words."""

    cands: tuple[PaperCandidate, ...]
    df: Mapping[str, int]
    idf: Mapping[str, float]


def _build_index(candidates: Iterable[PaperCandidate]) -> _Index:
    """Merge candidates by key and count how many titles use each stem/word."""
    cands = tuple(_merge(candidates))
    df: dict[str, int] = {}
    for c in cands:
        words = {re.sub(r"[^a-z0-9]", "", w) for t in c.titles for w in _tokens(t)}
        for s in set().union(*(_stems(t) for t in c.titles)) | words:
            df[s] = df.get(s, 0) + 1
    idf = {s: math.log((len(cands) + 1) / (n + 1)) for s, n in df.items()}
    return _Index(cands, df, idf)


@dataclass(frozen=True)
class _Scored:
    """One candidate's evidence points for one row."""

    points: float
    evidence: tuple[str, ...]
    key: str


def _score_row(row: RowLike, index: _Index) -> list[_Scored]:
    """Score every candidate for *row*, best first."""
    ck = parse_citation_key(row.citation_key or "")
    main = _stems(_expand(" ".join(x or "" for x in (row.framework, row.application))))
    extra = _stems(row.dataset or "") - main
    hits = []
    for cand in index.cands:
        found = [h for h in (_key_hit(ck, t) for t in cand.titles) if h]
        hits.append(min(found, key=lambda h: ("start", "colon", "in").index(h[0]), default=None))
    lead_count = sum(1 for h in hits if h and h[0] != "in")
    scored = []
    for cand, hit in zip(index.cands, hits, strict=True):
        points, ev = 0.0, []
        if hit:
            place, initials = hit
            if place == "in":
                points += min(1.0, max(0.0, index.idf.get(ck.word, 0.0) - IDF_FLOOR) / 2)
            else:
                points += (1.5 if place == "start" else 1.0) + 3.0 / lead_count
            ev.append(f"key word '{ck.word}' {place} of title ({lead_count} such titles)")
            if initials:
                points += 1.5
                ev.append(f"key initials '{ck.initials}' match")
        best_title: tuple[float, list[str]] = (0.0, [])
        for title in cand.titles:
            fp, fev = _framework_evidence(row.framework or "", index, title)
            gram = _shared_ngram(row.application or "", title)
            if gram:
                fp += 1.5
                fev = [*fev, f"application phrase '{gram}' in title"]
            stems = _stems(title)
            weight = sum(max(0.0, index.idf.get(s, 0.0) - IDF_FLOOR) for s in main & stems)
            weight += 0.5 * sum(max(0.0, index.idf.get(s, 0.0) - IDF_FLOOR) for s in extra & stems)
            op = min(OVERLAP_CAP, OVERLAP_WEIGHT * weight)
            shared = sorted((main | extra) & stems)
            oev = [f"title words shared: {', '.join(shared)}"] if shared else []
            if fp + op > best_title[0] or not best_title[1]:
                best_title = (fp + op, fev + oev)
        points += best_title[0]
        ev += best_title[1]
        if ck.year is not None and cand.year is not None:
            gap = ck.year - cand.year  # a key's year is rarely before the paper's first version
            delta = {0: 1.0, 1: 0.5, 2: 0.0, -1: -1.0}.get(gap, -2.0 if gap < 0 else -1.0)
            points += delta
            ev.append(f"key year {ck.year}, paper year {cand.year}")
        if ck.author and cand.first_author:
            same = fold_name(cand.first_author.split()[-1]) == ck.author
            points += 3.0 if same else -2.0
            ev.append(f"first author {cand.first_author!r} {'matches' if same else 'differs'}")
        scored.append(_Scored(round(points, 3), tuple(ev), cand.key))
    return sorted(scored, key=lambda s: (-s.points, s.key))


def _confidence(score: float, margin: float) -> float:
    """Map score and margin over the runner-up to 0..1."""
    score, margin = max(score, 0.0), max(margin, 0.0)
    return round(score / (score + 3.0) * (0.6 + 0.4 * min(1.0, margin / 4.0)), 3)


def _merge(candidates: Iterable[PaperCandidate]) -> list[PaperCandidate]:
    """Merge candidates that share a key (titles united, first year/author kept)."""
    merged: dict[str, PaperCandidate] = {}
    for c in candidates:
        old = merged.get(c.key)
        if old is None:
            merged[c.key] = c
        else:
            titles = old.titles + tuple(t for t in c.titles if t not in old.titles)
            merged[c.key] = PaperCandidate(
                c.key, titles, old.year or c.year, old.first_author or c.first_author
            )
    return list(merged.values())
