"""The curated base-model vocabulary: phrases that name a base model in a title or abstract."""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path

from genrl_kg.errors import InputError
from genrl_kg.namespace import BASE_MODEL_SCHEME, concept_iri
from genrl_kg.settings import DATA_DIR

__all__ = [
    "COLUMNS",
    "SCOPES",
    "VOCABULARY_FILE",
    "Vocabulary",
    "VocabularyEntry",
    "VocabularyMatch",
    "compile_phrase",
    "load_default_vocabulary",
    "load_vocabulary",
    "phrase_needle",
]

logger = logging.getLogger(__name__)

COLUMNS = ("phrase", "base_model", "scope", "note")
SCOPES = ("title", "abstract", "both")
VOCABULARY_FILE = DATA_DIR / "base-model-vocabulary.csv"
# Between the words of a phrase: nothing, spaces, ASCII or Unicode hyphens and dashes.
_SEPARATOR = r"[\s\-\u2010-\u2015]*"
_WORD_SPLIT = re.compile(r"[\s\-\u2010-\u2015]+")


@dataclass(frozen=True)
class VocabularyEntry:
    """One curated phrase, the base-model concept IRI it names, where it counts, and why."""

    phrase: str
    base_model: str
    scope: str
    note: str
    line: int


@dataclass(frozen=True)
class VocabularyMatch:
    """A phrase found in a text: the entry, the text as found, and its character span."""

    entry: VocabularyEntry
    text: str
    start: int
    end: int


def compile_phrase(phrase: str) -> re.Pattern[str]:
    """Return the pattern of *phrase*: whole words, any case, flexible separators, plural 's'.

    >>> p = compile_phrase("vision-language-action")
    >>> bool(p.search("SafeVLA: VisionLanguage-Action Models")), bool(p.search("visionary"))
    (True, False)
    >>> bool(compile_phrase("VLA").search("VLAD features")), bool(compile_phrase("VLA").search("VLAs"))
    (False, True)
    >>> compile_phrase("π0").search("the Π0 model").group(0)
    'Π0'
    """
    words = [re.escape(w) for w in _WORD_SPLIT.split(_normalize(phrase).strip()) if w]
    if not words:
        raise ValueError("empty phrase")
    return re.compile(rf"(?<!\w){_SEPARATOR.join(words)}s?(?!\w)", re.IGNORECASE)


def _normalize(text: str) -> str:
    """Return *text* in NFKC form (full-width letters and subscript digits become plain)."""
    return unicodedata.normalize("NFKC", text)


def phrase_needle(phrase: str) -> str:
    """Return the phrase's longest word, case-folded: a text without it cannot match.

    >>> phrase_needle("vision-language-action"), phrase_needle("GPT-4V"), phrase_needle("Π0")
    ('language', 'gpt', 'π0')
    """
    words = _WORD_SPLIT.split(_fold(_normalize(phrase)).strip())
    return max(words, key=len)


# The four non-ASCII letters Python's IGNORECASE matches with ASCII ones (re's documentation).
_ASCII_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _fold(text: str) -> str:
    """Return *text* case-folded, the letters IGNORECASE equates with ASCII made ASCII.

    >>> _fold("SafeVLA \u212aey")
    'safevla key'
    """
    return text.translate(_ASCII_FOLD).casefold()


@dataclass(frozen=True)
class Vocabulary:
    """The curated phrases, in file order, with their compiled patterns."""

    entries: tuple[VocabularyEntry, ...]
    source: str = ""
    _patterns: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)
    _needles: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        """Compile the phrases' patterns and find their needles when they were not given."""
        if len(self._patterns) != len(self.entries):
            patterns = tuple(compile_phrase(e.phrase) for e in self.entries)
            object.__setattr__(self, "_patterns", patterns)
        if len(self._needles) != len(self.entries):
            needles = tuple(phrase_needle(e.phrase) for e in self.entries)
            object.__setattr__(self, "_needles", needles)

    @classmethod
    def of(cls, entries: Iterable[VocabularyEntry], source: str = "") -> Vocabulary:
        """Return a vocabulary of *entries* with their patterns compiled."""
        return cls(tuple(entries), source)

    def find(self, text: str | None, field_name: str) -> tuple[VocabularyMatch, ...]:
        """Return the phrases found in *text* (a 'title' or 'abstract'), longest match first.

        A match inside a longer match is dropped ("language model" in "vision-language
        model"); the rest come in text order. A phrase's pattern runs only on a text that
        holds its needle (a substring test, many times faster than the pattern).
        """
        if field_name not in ("title", "abstract"):
            raise ValueError(f"field must be 'title' or 'abstract', not {field_name!r}")
        if not text:
            return ()
        text = _normalize(text)
        folded = _fold(text)
        found: list[VocabularyMatch] = []
        for entry, pattern, needle in zip(self.entries, self._patterns, self._needles, strict=True):
            if needle not in folded or entry.scope not in (field_name, "both"):
                continue
            found.extend(
                VocabularyMatch(entry, m.group(0), m.start(), m.end())
                for m in pattern.finditer(text)
            )
        found.sort(key=lambda m: (m.start, m.start - m.end, m.entry.line))
        kept: list[VocabularyMatch] = []
        for match in found:
            if not any(k.start <= match.start and match.end <= k.end for k in kept):
                kept.append(match)
        return tuple(kept)


def _read_text(path: Path | Traversable | str) -> str:
    """Return the text of *path*, or raise InputError naming it."""
    path = Path(path) if isinstance(path, str) else path
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the base-model vocabulary ({exc})") from None


def _known_base_models() -> frozenset[str]:
    """Return the base-model concept IRIs of the ontology."""
    from genrl_kg.taxonomy import load_taxonomy

    return frozenset(str(c) for c in load_taxonomy().concepts(BASE_MODEL_SCHEME))


def _entry(path: object, line: int, row: list[str], known: frozenset[str]) -> VocabularyEntry:
    """Check one CSV row and return its entry, or raise InputError naming file:line."""
    if len(row) != len(COLUMNS):
        raise InputError(f"{path}:{line}: expected {len(COLUMNS)} columns, found {len(row)}")
    phrase, slug, scope, note = (cell.strip() for cell in row)
    if not _WORD_SPLIT.sub("", phrase):
        raise InputError(f"{path}:{line}: empty phrase")
    iri = str(concept_iri("base-model", slug)) if slug else ""
    if iri not in known:
        raise InputError(f"{path}:{line}: unknown base model {slug!r} (not in the ontology)")
    if scope not in SCOPES:
        raise InputError(f"{path}:{line}: scope must be one of {'|'.join(SCOPES)}, not {scope!r}")
    return VocabularyEntry(phrase, iri, scope, note, line)


def load_vocabulary(
    path: Path | Traversable | str, known: Iterable[str] | None = None
) -> Vocabulary:
    """Read the vocabulary CSV (phrase,base_model,scope,note); base_model is a concept slug.

    *known* is the set of base-model concept IRIs a row may name (default: the ontology's).
    """
    text = _read_text(path)
    allowed = frozenset(known) if known is not None else _known_base_models()
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise InputError(f"{path}:1: header must be {','.join(COLUMNS)}")
    entries: list[VocabularyEntry] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        entry = _entry(path, line, row, allowed)
        key = " ".join(_WORD_SPLIT.split(_normalize(entry.phrase).casefold().strip()))
        if key in seen:
            raise InputError(f"{path}:{line}: phrase {entry.phrase!r} repeats line {seen[key]}")
        seen[key] = line
        entries.append(entry)
    if not entries:
        raise InputError(f"{path}: the base-model vocabulary has no phrases")
    logger.debug("%s: %d vocabulary phrases", path, len(entries))
    return Vocabulary.of(entries, str(path))


@lru_cache(maxsize=1)
def load_default_vocabulary() -> Vocabulary:
    """Return the project's curated vocabulary, read and compiled once per process.

    >>> load_default_vocabulary() is load_default_vocabulary()
    True
    """
    return load_vocabulary(VOCABULARY_FILE)
