"""Resolve survey-table rows to papers of the list, with evidence, method and confidence."""

from __future__ import annotations

import csv
import itertools
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from genrl_kg.errors import InputError
from genrl_kg.sources.tables.normalize import parse_framework

log = logging.getLogger(__name__)

MIN_SCORE = 3.5  # never link a row whose best candidate scores less
MIN_MARGIN = 1.5  # ... or beats the runner-up by less (ambiguous rows stay unresolved)
LINK_THRESHOLD = 0.4  # confidence of the weakest link the two rules above allow
OVERLAP_WEIGHT = 0.4  # points per unit of IDF of a word shared by the row and the title
OVERLAP_CAP = 6.0
RARE_DF = 2  # a framework word used by at most this many titles identifies one
ACRONYMS = {
    "LLM": "large language models",
    "VLM": "vision language models",
    "RL": "reinforcement learning",
    "DT": "decision transformer",
}
IDF_FLOOR = 1.5  # words at least this common (idf below) carry no weight
CURATED_COLUMNS = ("citation_key", "paper_key", "reason")
KEY_STOPWORDS = frozenset(
    {"a", "an", "the", "do", "does", "as", "i", "is", "are", "on", "of", "in", "to", "at"}
    | {"for", "from", "by"}
)
STOPWORDS = KEY_STOPWORDS | frozenset(
    {"and", "or", "with", "via", "into", "using", "based", "its", "their", "our", "we", "be"}
    | {"can", "not", "vs", "like", "e", "g", "rl"}
)
_KEY = re.compile(r"^(?P<author>[A-Za-z]+?)(?P<year>(?:19|20)\d\d)(?P<tail>[A-Za-z0-9]*)$")
_CAMEL = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z0-9]+|[A-Z]")


class RowLike(Protocol):
    """What the resolver reads from a table row (genrl_kg.sources.tables.TableRow fits)."""

    # Read-only properties, so frozen dataclasses such as TableRow match the protocol.
    @property
    def table(self) -> str: ...
    @property
    def row(self) -> int: ...
    @property
    def citation_key(self) -> str | None: ...
    @property
    def framework(self) -> str | None: ...
    @property
    def dataset(self) -> str | None: ...
    @property
    def application(self) -> str | None: ...


@dataclass(frozen=True)
class PaperCandidate:
    """A paper a row may describe: key, every listed title, a year and the first author if known."""

    key: str
    titles: tuple[str, ...]
    year: int | None = None
    first_author: str | None = None


@dataclass(frozen=True)
class RowLink:
    """The resolution of one table row."""

    table: str
    row: int
    citation_key: str | None
    paper_key: str | None
    method: str
    confidence: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class CitationKey:
    """A citation key split into author, year, leading title word and initials of the next ones."""

    author: str | None
    year: int | None
    word: str
    initials: str


def parse_citation_key(key: str) -> CitationKey:
    """Split a key like `Wang2023GenSimGR` (author, year, title word, initials).

    >>> parse_citation_key("janner2022diffuser")
    CitationKey(author='janner', year=2022, word='diffuser', initials='')
    >>> parse_citation_key("Wang2023GenSimGR")
    CitationKey(author='wang', year=2023, word='gensim', initials='gr')
    >>> parse_citation_key("xietext2reward")
    CitationKey(author=None, year=None, word='xietext2reward', initials='')
    """
    m = _KEY.match(key.strip())
    if not m:
        return CitationKey(None, None, re.sub(r"[^a-z0-9]", "", key.casefold()), "")
    parts = _CAMEL.findall(m["tail"])
    word = "".join(p for p in parts if not (p.isupper() and p.isalpha())).casefold()
    initials = "".join(p for p in parts if p.isupper() and p.isalpha()).casefold()
    return CitationKey(m["author"].casefold(), int(m["year"]), word, initials)


def fold_name(text: str) -> str:
    """Lower-case ASCII letters only, for comparing surnames.

    >>> fold_name("Wołczyk-Ĉ")
    'wolczykc'
    """
    text = text.replace("ł", "l").replace("Ł", "L")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_text.casefold())


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    """Split a title into lower-case tokens, keeping inner hyphens and digits."""
    raw = (t.strip(".,:;!?()[]{}\"'\u2019`") for t in text.casefold().split())
    return tuple(t for t in raw if t)


@lru_cache(maxsize=65536)
def _title_words(title: str) -> frozenset[str]:
    """The title's tokens with everything but letters and digits removed."""
    return frozenset(re.sub(r"[^a-z0-9]", "", t) for t in _tokens(title))


def _stem(word: str) -> str:
    """Crude stem: drop a plural s, keep 5 characters.

    >>> _stem("policies"), _stem("goals"), _stem("diffuser")
    ('polic', 'goal', 'diffu')
    """
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:5]


@lru_cache(maxsize=65536)
def _stems(text: str) -> frozenset[str]:
    """Content-word stems of *text*."""
    words = re.split(r"[^a-z0-9]+", text.casefold())
    return frozenset(_stem(w) for w in words if len(w) > 1 and w not in STOPWORDS)


def _expand(text: str) -> str:
    """Spell out the field's common acronyms so they can meet title words.

    >>> _expand("Exploring with LLMs")
    'Exploring with large language models'
    """
    for short, long in ACRONYMS.items():
        text = re.sub(rf"\b{short}s?\b", long, text)
    return text


@lru_cache(maxsize=65536)
def _leads(title: str) -> list[tuple[str, list[str]]]:
    """Return (lead token, following tokens) at the title start and after a short 'Name:' part."""
    starts = [title]
    head, colon, rest = title.partition(":")
    if colon and len(head.split()) <= 6:
        starts.append(rest)
    leads = []
    for part in starts:
        toks = [t for t in _tokens(part)]
        while toks and toks[0] in KEY_STOPWORDS:
            toks.pop(0)
        if toks:
            leads.append((toks[0], toks[1:]))
    return leads


@lru_cache(maxsize=65536)
def _norm_phrase(text: str) -> str:
    """Lower-case words joined by single spaces, hyphens and punctuation dropped."""
    return " ".join(re.split(r"[^a-z0-9]+", text.casefold())).strip()


def _key_hit(ck: CitationKey, title: str) -> tuple[str, bool] | None:
    """Where the key's word sits in *title* ('start', 'colon', 'in'); do the initials agree."""
    if not ck.word:
        return None
    for place, (lead, rest) in zip(("start", "colon"), _leads(title), strict=False):
        forms = {re.sub(r"[^a-z0-9]", "", lead), re.sub(r"[^a-z0-9]", "", lead.split("-")[0])}
        if ck.year is not None:
            hit = ck.word in forms
        else:  # no year: the key is author+word run together; the word must end it
            hit = any(len(f) >= 4 and ck.word.endswith(f) and f != ck.word for f in forms)
        if hit:
            inits = "".join(t[0] for t in rest if t[0].isalnum() and t not in KEY_STOPWORDS)
            return place, bool(ck.initials) and inits.startswith(ck.initials)
    if ck.year is not None and ck.word in _title_words(title):
        return "in", False
    return None


def _shared_ngram(text: str, title: str, n: int = 3) -> str | None:
    """Return the first run of *n* words of *text* that also occurs in *title*.

    >>> _shared_ngram("Robotic Skill Synthesis", "Language to Rewards for Robotic Skill Synthesis")
    'robotic skill synthesis'
    """
    norm_title = f" {_norm_phrase(title)} "
    for gram, pattern in _ngram_patterns(text, n):
        if pattern.search(norm_title):
            return gram
    return None


@lru_cache(maxsize=4096)
def _ngram_patterns(text: str, n: int) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The runs of *n* content words of *text*, each with the pattern that finds it in a title."""
    words = [w for w in _norm_phrase(text).split() if w not in STOPWORDS]
    grams = (" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return tuple(
        (gram, re.compile(r"\b" + r"\b(?: \w+)? ".join(map(re.escape, gram.split())) + r"\b"))
        for gram in grams
    )


def _initials_run(letters: str, title: str) -> bool:
    """Tell whether *letters* are the initials of consecutive title words.

    >>> _initials_run("edp", "Efficient Diffusion Policies for Offline RL")
    True
    """
    words = [w for w in re.split(r"[^a-z0-9]+", title.casefold()) if w]
    initials = "".join(w[0] for w in words)
    return len(letters) >= 3 and letters in initials


@dataclass(frozen=True)
class _Framework:
    """What a framework cell offers as evidence, computed once per cell."""

    name: str
    singles: tuple[tuple[str, str], ...]  # (token as written, normalised)
    phrase: str | None  # the normalised multi-word name
    short: str
    letters: str


@lru_cache(maxsize=4096)
def _framework_features(raw: str) -> _Framework:
    name, acronym = parse_framework(raw)
    tokens = [*name.split(), *([acronym] if acronym else [])]
    singles = tuple((t, re.sub(r"[^a-z0-9]", "", t.casefold())) for t in tokens)
    phrase = f" {_norm_phrase(name)} " if len(name.split()) >= 2 else None
    short = acronym or (name if len(name.split()) == 1 else "")
    letters = "".join(c for c in short if c.isupper()).casefold()
    return _Framework(name, singles, phrase, short, letters)


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


def load_curated_links(path: Path | str) -> dict[str, str]:
    """Read the curated override CSV (citation_key, paper_key, reason); empty paper_key = none."""
    path = Path(path)
    curated: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != CURATED_COLUMNS:
            raise InputError(f"{path}:1: header must be {','.join(CURATED_COLUMNS)}")
        for line, rec in enumerate(reader, start=2):
            key = (rec["citation_key"] or "").strip()
            if not key or not (rec["reason"] or "").strip():
                raise InputError(f"{path}:{line}: citation_key and reason are required")
            if key in curated:
                raise InputError(f"{path}:{line}: {key} listed twice")
            curated[key] = (rec["paper_key"] or "").strip()
    return curated


def _pick(
    scored: list[_Scored], claimed: Mapping[str, str], key: str
) -> tuple[_Scored | None, float]:
    """Best candidate not claimed by another citation key, and its margin over the next one."""
    free = list(itertools.islice((s for s in scored if claimed.get(s.key, key) == key), 2))
    if not free:
        return None, 0.0
    second = free[1].points if len(free) > 1 else 0.0
    return free[0], free[0].points - max(second, 0.0)


def link_rows(
    rows: Sequence[RowLike],
    candidates: Iterable[PaperCandidate],
    curated: Mapping[str, str] | None = None,
) -> list[RowLink]:
    """Resolve every row to a candidate paper key, or leave it unresolved below the threshold.

    Curated rows come first; then, greedily, the most confident row takes its paper, and a
    paper taken by one citation key is no longer a candidate for a different key.
    """
    index = _build_index(candidates)
    known = {c.key for c in index.cands}
    curated = curated or {}
    links: dict[int, RowLink] = {}
    claimed: dict[str, str] = {}
    for i, row in enumerate(rows):
        key = row.citation_key or ""
        if key in curated and (not curated[key] or curated[key] in known):
            target = curated[key] or None
            links[i] = RowLink(
                row.table,
                row.row,
                row.citation_key,
                target,
                "curated",
                1.0,
                ("curated in data/table-links.csv",),
            )
            if target:
                claimed[target] = key
        elif key in curated:
            log.warning(
                "curated link %s -> %s: no such paper; resolving instead", key, curated[key]
            )
    pending = {i: _score_row(row, index) for i, row in enumerate(rows) if i not in links}
    pending = {i: s for i, s in pending.items() if s}
    while pending:
        choice = None
        for i, scored in pending.items():
            best, margin = _pick(scored, claimed, rows[i].citation_key or "")
            if best is None:
                continue
            conf = _confidence(best.points, margin)
            ok = best.points >= MIN_SCORE and margin >= MIN_MARGIN and conf >= LINK_THRESHOLD
            if ok and (choice is None or (conf, -i) > (choice[2], -choice[0])):
                choice = (i, best, conf, margin)
        if choice is None:
            break
        i, best, conf, margin = choice
        row = rows[i]
        links[i] = RowLink(
            row.table,
            row.row,
            row.citation_key,
            best.key,
            "resolved",
            conf,
            (*best.evidence, f"score {best.points:.1f}, margin {margin:.1f}"),
        )
        claimed[best.key] = row.citation_key or ""
        del pending[i]
    for i, row in enumerate(rows):
        if i in links:
            continue
        scored = pending.get(i, [])
        evidence: tuple[str, ...] = ()
        conf = 0.0
        best, margin = _pick(scored, claimed, row.citation_key or "") if scored else (None, 0.0)
        if best is not None:
            conf = _confidence(best.points, margin)
            evidence = (
                f"best guess {best.key}",
                *best.evidence,
                f"score {best.points:.1f}, margin {margin:.1f}",
            )
        links[i] = RowLink(row.table, row.row, row.citation_key, None, "unresolved", conf, evidence)
    return [links[i] for i in range(len(rows))]
