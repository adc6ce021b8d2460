"""Text features of titles and table cells that the resolver compares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from genrl_kg.linking.keys import CitationKey
from genrl_kg.sources.tables.normalize import parse_framework

ACRONYMS = {
    "LLM": "large language models",
    "VLM": "vision language models",
    "RL": "reinforcement learning",
    "DT": "decision transformer",
}
KEY_STOPWORDS = frozenset(
    {"a", "an", "the", "do", "does", "as", "i", "is", "are", "on", "of", "in", "to", "at"}
    | {"for", "from", "by"}
)
STOPWORDS = KEY_STOPWORDS | frozenset(
    {"and", "or", "with", "via", "into", "using", "based", "its", "their", "our", "we", "be"}
    | {"can", "not", "vs", "like", "e", "g", "rl"}
)


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
