"""Citation keys split into author, year and title word; surnames folded for comparison."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "CitationKey",
    "fold_name",
    "parse_citation_key",
]

_KEY = re.compile(r"^(?P<author>[A-Za-z]+?)(?P<year>(?:19|20)\d\d)(?P<tail>[A-Za-z0-9]*)$")
_CAMEL = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z0-9]+|[A-Z]")


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
