"""What one row needs from the index, found through postings so no candidate is visited twice.

A row gives points to a candidate only through words the candidate's titles hold: the key's
word, rare framework words, the framework's name or acronym, runs of application words, and
title stems with weight. Each is looked up in the index's postings, so preparing a row costs
the postings it touches, never a pass over every candidate.
"""

from __future__ import annotations

from dataclasses import dataclass

from genrl_kg.linking.evidence import (
    FrameworkFeatures,
    expand_acronyms,
    framework_features,
    key_hit,
    ngrams_of,
    stems_of,
)
from genrl_kg.linking.index import PaperIndex
from genrl_kg.linking.keys import CitationKey, parse_citation_key
from genrl_kg.linking.records import RowLike

__all__ = [
    "IDF_FLOOR",
    "RARE_DF",
    "Hit",
    "PreparedRow",
    "RowFeatures",
    "prepare_row",
    "row_features",
]

RARE_DF = 2  # a framework word used by at most this many titles identifies one
IDF_FLOOR = 1.5  # words at least this common (idf below) carry no weight
_PLACES = ("start", "colon", "in")
Hit = tuple[str, bool]  # where the key's word sits in a title, and whether the initials agree


@dataclass(frozen=True)
class RowFeatures:
    """What the resolver reads from one row, computed once."""

    key: str
    ck: CitationKey
    main: frozenset[str]  # stems of the framework and application cells
    extra: frozenset[str]  # stems of the dataset cell not already in main
    framework: FrameworkFeatures
    grams: tuple[str, ...]  # runs of three content words of the application cell


def row_features(row: RowLike) -> RowFeatures:
    """Compute the features of *row*."""
    main = stems_of(expand_acronyms(" ".join(x or "" for x in (row.framework, row.application))))
    return RowFeatures(
        row.citation_key or "",
        parse_citation_key(row.citation_key or ""),
        main,
        stems_of(row.dataset or "") - main,
        framework_features(row.framework or ""),
        ngrams_of(row.application or ""),
    )


@dataclass(frozen=True)
class PreparedRow:
    """A row's features with everything that depends on the index."""

    features: RowFeatures
    singles: tuple[tuple[str, str], ...]  # framework words of 3+ letters in at most RARE_DF titles
    single_set: frozenset[str]
    stems: frozenset[str]  # main | extra
    grams: dict[int, tuple[str, ...]]  # candidate -> grams whose words its titles all have
    named: frozenset[int]  # candidates a framework word, name, acronym or gram may reach
    overlap: dict[tuple[int, int], float]  # (candidate, title) -> weight of shared stems
    hits: dict[int, Hit]  # candidates whose titles hold the key's word, at their best place
    leads: int  # candidates whose titles start with the key's word (or after 'Name:')
    touched: frozenset[int]  # every candidate with text evidence; the rest score by year/author


def _key_hits(rf: RowFeatures, index: PaperIndex) -> dict[int, Hit]:
    """The candidates whose titles hold the key's word, each with its best place."""
    word = rf.ck.word
    if not word:
        return {}
    if rf.ck.year is not None:
        found = set(index.leads.get(word, ())) | set(index.words.get(word, ()))
    else:  # the word must end the key: look up its proper suffixes of 4 letters or more
        found = {i for k in range(1, len(word) - 3) for i in index.leads.get(word[k:], ())}
    hits = {}
    for i in found:
        places = [h for h in (key_hit(rf.ck, t) for t in index.titles[i]) if h]
        if places:
            hits[i] = min(places, key=lambda h: _PLACES.index(h[0]))
    return hits


def _rarest(index: PaperIndex, words: list[str]) -> tuple[int, ...]:
    """Candidates having the rarest of *words* in their normalised titles (none if one lacks)."""
    lists = [index.phrase_words.get(w, ()) for w in words]
    return min(lists, key=len) if lists else index.empty_norm


def _gram_map(rf: RowFeatures, index: PaperIndex) -> dict[int, tuple[str, ...]]:
    """For each candidate, the row's grams (in order) whose words all occur in its titles."""
    found: dict[int, list[str]] = {}
    for gram in rf.grams:
        words = gram.split()
        for i in _rarest(index, words):
            if all(w in index.phrase_sets[i] for w in words):
                found.setdefault(i, []).append(gram)
    return {i: tuple(grams) for i, grams in found.items()}


def _overlap(rf: RowFeatures, index: PaperIndex) -> dict[tuple[int, int], float]:
    """Weigh, per title, the row's stems it shares: main stems in full, extra ones by half.

    Only the titles sharing a stem that carries weight are visited (through postings). Stems
    are added in sorted order, so the sums do not depend on string hashing.
    """
    sums: list[dict[tuple[int, int], float]] = [{}, {}]
    for part, stems in enumerate((rf.main, rf.extra)):
        found = sums[part]
        for s in sorted(stems):
            weight = max(0.0, index.idf.get(s, 0.0) - IDF_FLOOR)
            if weight:
                for pair in index.stem_titles.get(s, ()):
                    found[pair] = found.get(pair, 0.0) + weight
    main, extra = sums
    total = {}
    for pair in main.keys() | extra.keys():
        weight = main.get(pair, 0.0)
        weight += 0.5 * extra.get(pair, 0.0)
        total[pair] = weight
    return total


def prepare_row(row: RowLike, index: PaperIndex) -> PreparedRow:
    """Compute what *row* needs from *index*, and every candidate that can score on text."""
    rf = row_features(row)
    fw = rf.framework
    singles = tuple(
        (token, norm)
        for token, norm in fw.singles
        if len(norm) >= 3 and index.df.get(norm, 0) <= RARE_DF
    )
    named: set[int] = set()
    for _, norm in singles:
        named.update(index.words.get(norm, ()))
    if fw.phrase is not None:
        named.update(_rarest(index, fw.phrase.split()))
    if fw.letters.isalpha() and len(fw.letters) >= 3:
        named.update(index.trigrams.get(fw.letters[:3], ()))
    grams = _gram_map(rf, index)
    named.update(grams)
    overlap = _overlap(rf, index)
    hits = _key_hits(rf, index)
    leads = sum(1 for h in hits.values() if h[0] != "in")
    touched = named | {i for i, _ in overlap} | set(hits)
    return PreparedRow(
        rf,
        singles,
        frozenset(norm for _, norm in singles),
        rf.main | rf.extra,
        grams,
        frozenset(named),
        overlap,
        hits,
        leads,
        frozenset(touched),
    )
