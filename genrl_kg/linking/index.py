"""The candidate papers, their title features and word indexes, computed once per link run."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from genrl_kg.linking.evidence import TitleFeatures, title_features
from genrl_kg.linking.keys import fold_name
from genrl_kg.linking.records import PaperCandidate

__all__ = ["PaperIndex", "build_index", "merge_candidates"]


@dataclass(frozen=True)
class PaperIndex:
    """Candidates (merged by key, sorted by key) with title features, frequencies and postings.

    Each posting maps a word to the sorted indexes (into ``cands``) of the candidates that
    have it: ``leads`` the letters-only forms of title starts (and of parts after a short
    'Name:'), ``words`` title words, ``phrase_words`` words of the normalised titles,
    ``trigrams`` three-letter runs of title initials; ``stem_titles`` maps a stem to the
    (candidate, title) pairs that have it.
    """

    cands: tuple[PaperCandidate, ...]
    titles: tuple[tuple[TitleFeatures, ...], ...]
    surnames: tuple[str | None, ...]  # folded last word of the first author, when known
    df: Mapping[str, int]
    idf: Mapping[str, float]
    leads: Mapping[str, tuple[int, ...]]
    words: Mapping[str, tuple[int, ...]]
    phrase_words: Mapping[str, tuple[int, ...]]
    stem_titles: Mapping[str, tuple[tuple[int, int], ...]]  # stem -> (candidate, title index)
    trigrams: Mapping[str, tuple[int, ...]]
    empty_norm: tuple[int, ...]  # candidates with a title that has no letters or digits
    phrase_sets: tuple[frozenset[str], ...]  # each candidate's normalised title words
    authors: Mapping[str, tuple[int, ...]]  # folded first-author surname -> candidates
    groups: Mapping[tuple[int | None, bool], tuple[int, ...]]  # (year, author known) -> cands


def merge_candidates(candidates: Iterable[PaperCandidate]) -> list[PaperCandidate]:
    """Merge candidates that share a key (titles united, first year/author kept).

    >>> a = PaperCandidate("k", ("T1",), 2020)
    >>> merge_candidates([a, PaperCandidate("k", ("T1", "T2"), 2021, "Ann Lee")])
    [PaperCandidate(key='k', titles=('T1', 'T2'), year=2020, first_author='Ann Lee')]
    """
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


def _surname(author: str | None) -> str | None:
    """Fold the last word of an author's name (None when unknown).

    >>> _surname("Cheng  Chi"), _surname(None)
    ('chi', None)
    """
    if not author:
        return None
    parts = author.split()
    return fold_name(parts[-1]) if parts else ""


def _postings(table: Mapping[str, set[int]]) -> dict[str, tuple[int, ...]]:
    """Freeze a word -> candidate-set table into sorted tuples."""
    return {word: tuple(sorted(ids)) for word, ids in table.items()}


def build_index(candidates: Iterable[PaperCandidate]) -> PaperIndex:
    """Merge candidates by key, compute every title's features once and index them."""
    cands = tuple(sorted(merge_candidates(candidates), key=lambda c: c.key))
    titles = tuple(tuple(title_features(t) for t in c.titles) for c in cands)
    df: dict[str, int] = defaultdict(int)
    tables: dict[str, dict[str, set[int]]] = {
        name: defaultdict(set) for name in ("leads", "words", "phrase", "tri")
    }
    stem_titles: dict[str, list[tuple[int, int]]] = defaultdict(list)
    empty_norm = []
    for i, feats in enumerate(titles):
        stems = frozenset().union(*(f.stems for f in feats))
        for s in stems | frozenset().union(*(f.words for f in feats)):
            df[s] += 1
        for t, f in enumerate(feats):
            for s in f.stems:
                stem_titles[s].append((i, t))
            for lead in f.leads:
                for form in lead.forms:
                    tables["leads"][form].add(i)
            for word in f.words:
                tables["words"][word].add(i)
            for word in f.norm.split():
                tables["phrase"][word].add(i)
            for k in range(len(f.initials) - 2):
                tables["tri"][f.initials[k : k + 3]].add(i)
            if not f.norm.strip():
                empty_norm.append(i)
    authors: dict[str, set[int]] = defaultdict(set)
    groups: dict[tuple[int | None, bool], list[int]] = defaultdict(list)
    for i, cand in enumerate(cands):
        groups[(cand.year, bool(cand.first_author))].append(i)
        if cand.first_author:
            authors[_surname(cand.first_author) or ""].add(i)
    idf = {s: math.log((len(cands) + 1) / (n + 1)) for s, n in df.items()}
    return PaperIndex(
        cands=cands,
        titles=titles,
        surnames=tuple(_surname(c.first_author) for c in cands),
        df=dict(df),
        idf=idf,
        leads=_postings(tables["leads"]),
        words=_postings(tables["words"]),
        phrase_words=_postings(tables["phrase"]),
        stem_titles={s: tuple(pairs) for s, pairs in stem_titles.items()},
        trigrams=_postings(tables["tri"]),
        empty_norm=tuple(sorted(set(empty_norm))),
        phrase_sets=tuple(frozenset(w for f in feats for w in f.norm.split()) for feats in titles),
        authors=_postings(authors),
        groups={group: tuple(members) for group, members in groups.items()},
    )
