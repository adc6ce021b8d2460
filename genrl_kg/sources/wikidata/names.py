"""Person-name compatibility: normalised equality, or same surname and compatible given names."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "name_tokens",
    "names_compatible",
]

_SPLIT = re.compile(r"[\s\-.]+")


def name_tokens(name: str) -> list[str]:
    """Return the lower-case ASCII tokens of *name*, given names first (``Surname, Given`` reordered).

    >>> name_tokens("Müller, J.-P.")
    ['j', 'p', 'muller']
    >>> name_tokens("Cheng  Chi")
    ['cheng', 'chi']
    """
    if name.count(",") == 1:
        surname, given = name.split(",")
        name = f"{given} {surname}"
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    folded = re.sub(r"[^\w\s\-.]", "", folded)
    return [t for t in _SPLIT.split(folded) if t]


def _given_compatible(a: str, b: str) -> bool:
    """Tell whether two given-name tokens agree (equal, or one is the other's initial)."""
    if a == b:
        return True
    return (len(a) == 1 or len(b) == 1) and a[0] == b[0]


def names_compatible(ours: str, theirs: str) -> bool:
    """Tell whether two person names may denote the same person; never on the surname alone.

    >>> names_compatible("Cheng Chi", "Cheng Chi")
    True
    >>> names_compatible("C. Chi", "Cheng Chi"), names_compatible("Yilun Du", "Y. Du")
    (True, True)
    >>> names_compatible("Jane Smith", "John Smith"), names_compatible("Smith", "John Smith")
    (False, False)
    >>> names_compatible("Sergey Levine", "Sergey V. Levine")
    True
    """
    a, b = name_tokens(ours), name_tokens(theirs)
    if not a or not b:
        return False
    if a == b:
        return True
    if len(a) < 2 or len(b) < 2 or a[-1] != b[-1]:
        return False
    short, long = sorted((a[:-1], b[:-1]), key=len)
    if not _given_compatible(short[0], long[0]):
        return False
    rest = iter(long[1:])
    return all(any(_given_compatible(token, other) for other in rest) for token in short[1:])
