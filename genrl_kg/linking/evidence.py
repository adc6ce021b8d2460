"""Text features of titles and table cells that the resolver compares, each computed once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from genrl_kg.linking.keys import CitationKey
from genrl_kg.sources.tables.normalize import parse_framework

__all__ = [
    "ACRONYMS",
    "KEY_STOPWORDS",
    "STOPWORDS",
    "FrameworkFeatures",
    "Lead",
    "TitleFeatures",
    "expand_acronyms",
    "framework_features",
    "gram_in",
    "initials_of",
    "key_hit",
    "ngrams_of",
    "norm_phrase",
    "shared_ngram",
    "stems_of",
    "strip_word",
    "title_features",
    "tokens_of",
]

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
_NON_ALNUM = re.compile(r"[^a-z0-9]")
_NON_ALNUM_RUN = re.compile(r"[^a-z0-9]+")
_ACRONYM_PATTERNS = tuple((re.compile(rf"\b{s}s?\b"), long) for s, long in ACRONYMS.items())


def tokens_of(text: str) -> tuple[str, ...]:
    """Split a title into lower-case tokens, keeping inner hyphens and digits.

    >>> tokens_of("GenSim: (Robotic) tasks!")
    ('gensim', 'robotic', 'tasks')
    """
    raw = (t.strip(".,:;!?()[]{}\"'\u2019`") for t in text.casefold().split())
    return tuple(t for t in raw if t)


def strip_word(token: str) -> str:
    """Keep only the letters and digits of a lower-case token.

    >>> strip_word("rl-vlm-f")
    'rlvlmf'
    """
    return _NON_ALNUM.sub("", token)


def _stem(word: str) -> str:
    """Crude stem: drop a plural s, keep 5 characters.

    >>> _stem("policies"), _stem("goals"), _stem("diffuser")
    ('polic', 'goal', 'diffu')
    """
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:5]


def stems_of(text: str) -> frozenset[str]:
    """Content-word stems of *text*.

    >>> sorted(stems_of("Planning with Diffusion Models"))
    ['diffu', 'model', 'plann']
    """
    words = _NON_ALNUM_RUN.split(text.casefold())
    return frozenset(_stem(w) for w in words if len(w) > 1 and w not in STOPWORDS)


def expand_acronyms(text: str) -> str:
    """Spell out the field's common acronyms so they can meet title words.

    >>> expand_acronyms("Exploring with LLMs")
    'Exploring with large language models'
    """
    for pattern, long in _ACRONYM_PATTERNS:
        text = pattern.sub(long, text)
    return text


def norm_phrase(text: str) -> str:
    """Lower-case words joined by single spaces, hyphens and punctuation dropped.

    >>> norm_phrase("Language-Image Value (LIV)")
    'language image value liv'
    """
    return " ".join(_NON_ALNUM_RUN.split(text.casefold())).strip()


def initials_of(text: str) -> str:
    """First letters of the words of *text*.

    >>> initials_of("Efficient Diffusion Policies for Offline RL")
    'edpfor'
    """
    return "".join(w[0] for w in _NON_ALNUM_RUN.split(text.casefold()) if w)


@dataclass(frozen=True)
class Lead:
    """A place a key word can sit: its letters-only forms and the initials of what follows."""

    forms: frozenset[str]
    initials: str


@dataclass(frozen=True)
class TitleFeatures:
    """Everything the resolver reads from one title, computed once per title."""

    text: str
    words: frozenset[str]  # tokens with everything but letters and digits removed
    stems: frozenset[str]
    norm: str  # norm_phrase, padded with one space on each side
    phrase: tuple[str, ...]  # the words of norm
    initials: str
    leads: tuple[Lead, ...]  # the title's start, then the part after a short 'Name:'


def _leads(title: str) -> tuple[Lead, ...]:
    """Return the leads at the title start and after a short 'Name:' part."""
    starts = [title]
    head, colon, rest = title.partition(":")
    if colon and len(head.split()) <= 6:
        starts.append(rest)
    leads = []
    for part in starts:
        toks = list(tokens_of(part))
        while toks and toks[0] in KEY_STOPWORDS:
            toks.pop(0)
        if toks:
            forms = frozenset({strip_word(toks[0]), strip_word(toks[0].split("-")[0])})
            inits = "".join(t[0] for t in toks[1:] if t[0].isalnum() and t not in KEY_STOPWORDS)
            leads.append(Lead(forms, inits))
    return tuple(leads)


def title_features(title: str) -> TitleFeatures:
    """Compute the features of *title*."""
    return TitleFeatures(
        title,
        frozenset(strip_word(t) for t in tokens_of(title)),
        stems_of(title),
        f" {norm_phrase(title)} ",
        tuple(norm_phrase(title).split()),
        initials_of(title),
        _leads(title),
    )


def key_hit(ck: CitationKey, title: TitleFeatures) -> tuple[str, bool] | None:
    """Where the key's word sits in *title* ('start', 'colon', 'in'); do the initials agree."""
    if not ck.word:
        return None
    for place, lead in zip(("start", "colon"), title.leads, strict=False):
        if ck.year is not None:
            hit = ck.word in lead.forms
        else:  # no year: the key is author+word run together; the word must end it
            hit = any(len(f) >= 4 and ck.word.endswith(f) and f != ck.word for f in lead.forms)
        if hit:
            return place, bool(ck.initials) and lead.initials.startswith(ck.initials)
    if ck.year is not None and ck.word in title.words:
        return "in", False
    return None


@lru_cache(maxsize=4096)
def ngrams_of(text: str, n: int = 3) -> tuple[str, ...]:
    """The runs of *n* content words of *text*.

    >>> ngrams_of("Planning and data synthesis in multi-task RL")
    ('planning data synthesis', 'data synthesis multi', 'synthesis multi task')
    """
    words = [w for w in norm_phrase(text).split() if w not in STOPWORDS]
    return tuple(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def gram_in(gram: str, words: tuple[str, ...]) -> bool:
    """Tell whether the words of *gram* occur in *words* in order, one extra word allowed
    between two of them (the normalised title's words).

    >>> gram_in("robotic skill synthesis", ("for", "robotic", "new", "skill", "synthesis"))
    True
    >>> gram_in("robotic skill synthesis", ("robotic", "a", "b", "skill", "synthesis"))
    False
    """
    parts = gram.split()
    if parts[0] not in words:
        return False
    ends = {i for i, w in enumerate(words) if w == parts[0]}
    for part in parts[1:]:
        ends = {k for p in ends for k in (p + 1, p + 2) if k < len(words) and words[k] == part}
    return bool(ends)


def shared_ngram(text: str, title: str, n: int = 3) -> str | None:
    """Return the first run of *n* words of *text* that also occurs in *title*.

    >>> shared_ngram("Robotic Skill Synthesis", "Language to Rewards for Robotic Skill Synthesis")
    'robotic skill synthesis'
    """
    words = tuple(norm_phrase(title).split())
    return next((g for g in ngrams_of(text, n) if gram_in(g, words)), None)


@dataclass(frozen=True)
class FrameworkFeatures:
    """What a framework cell offers as evidence, computed once per cell."""

    name: str
    singles: tuple[tuple[str, str], ...]  # (token as written, normalised)
    phrase: str | None  # the normalised multi-word name, padded with spaces
    short: str
    letters: str


@lru_cache(maxsize=4096)
def framework_features(raw: str) -> FrameworkFeatures:
    """Split a framework cell into the name words, phrase and acronym letters it offers.

    >>> framework_features("Language-Image Value Learning (LIV)").letters
    'liv'
    """
    name, acronym = parse_framework(raw)
    tokens = [*name.split(), *([acronym] if acronym else [])]
    singles = tuple((t, strip_word(t.casefold())) for t in tokens)
    phrase = f" {norm_phrase(name)} " if len(name.split()) >= 2 else None
    short = acronym or (name if len(name.split()) == 1 else "")
    letters = "".join(c for c in short if c.isupper()).casefold()
    return FrameworkFeatures(name, singles, phrase, short, letters)
