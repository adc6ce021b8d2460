"""The year and month of an arXiv paper's first version, read from its identifier."""

from __future__ import annotations

import re

__all__ = ["arxiv_month"]

# New-style ids (YYMM.NNNN[N]) started in April 2007; old-style ids (archive/YYMMNNN)
# ran from August 1991 to March 2007.
_NEW = re.compile(r"(?P<yy>\d{2})(?P<mm>\d{2})\.\d{4,5}")
_OLD = re.compile(r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{2})?/(?P<yy>\d{2})(?P<mm>\d{2})\d{3}")
_VERSION = re.compile(r"v\d+$")
_PREFIX = re.compile(r"^arxiv:\s*", re.IGNORECASE)
_FIRST_NEW = "2007-04"
_FIRST_OLD, _LAST_OLD = "1991-08", "2007-03"


def arxiv_month(arxiv_id: str) -> str | None:
    """Return the xsd:gYearMonth ('YYYY-MM') of an arXiv id's first version, None if not an id.

    Old-style ids read YYMM after the slash: 9x is 19xx, 0x is 20xx. Months that no id of
    that style can carry (a month 13, a new-style id before 2007-04) give None.

    >>> arxiv_month("2303.04137"), arxiv_month("2501.08259v2"), arxiv_month("arXiv:0704.0001")
    ('2023-03', '2025-01', '2007-04')
    >>> arxiv_month("hep-th/9901001"), arxiv_month("math.GT/0309136v1"), arxiv_month("cs/0703001")
    ('1999-01', '2003-09', '2007-03')
    >>> arxiv_month("2313.00001"), arxiv_month("0612.1234"), arxiv_month("hep-th/0801001")
    (None, None, None)
    >>> arxiv_month("https://arxiv.org/abs/2303.04137"), arxiv_month("")
    (None, None)
    """
    text = _VERSION.sub("", _PREFIX.sub("", arxiv_id.strip()))
    if match := _NEW.fullmatch(text):
        month = _month(2000 + int(match["yy"]), match["mm"])
        return month if month and month >= _FIRST_NEW else None
    if match := _OLD.fullmatch(text):
        yy = int(match["yy"])
        month = _month((1900 if yy >= 90 else 2000) + yy, match["mm"])
        return month if month and _FIRST_OLD <= month <= _LAST_OLD else None
    return None


def _month(year: int, mm: str) -> str | None:
    """Return 'YYYY-MM', or None when *mm* is not a month.

    >>> _month(2023, "03"), _month(2023, "00")
    ('2023-03', None)
    """
    return f"{year:04d}-{mm}" if 1 <= int(mm) <= 12 else None
