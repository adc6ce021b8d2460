"""Headings of the list: text without numbering and flags, outline level and path."""

from __future__ import annotations

import re
from collections.abc import Sequence

from genrl_kg.sources.awesome_list.blocks import RawHeading
from genrl_kg.sources.awesome_list.inline import visible_text
from genrl_kg.sources.awesome_list.records import Heading

__all__ = ["PROSE_HEADINGS", "make_headings", "prose_sections", "split_number", "take_flags"]

# Sections whose bullets are prose, not papers (front and back matter of an awesome list).
PROSE_HEADINGS = frozenset(
    {
        "abstract",
        "citation",
        "citations",
        "contents",
        "table of contents",
        "license",
        "contributing",
        "acknowledgements",
        "acknowledgments",
    }
)
_FLAG = re.compile(r"\(\s{0,8}([A-Za-z][A-Za-z0-9_ -]{0,40}?)\s{0,8}!\s{0,8}\)", re.ASCII)
_NUMBER = re.compile(r"([0-9]{1,3}(?:\.[0-9]{1,3})*)(?:\.[ \t]*|[ \t]+)(?=[^0-9\s])", re.ASCII)


def take_flags(text: str) -> tuple[str, frozenset[str]]:
    """Remove ``(new!)``-style flags from *text* and return (text, flags), spaces collapsed.

    >>> take_flags("Policy  Safety (new!)")
    ('Policy Safety', frozenset({'new'}))
    """
    if "!" not in text:
        return " ".join(text.split()), frozenset()
    flags = frozenset(m.lower() for m in _FLAG.findall(text))
    return " ".join(_FLAG.sub(" ", text).split()), flags


def split_number(text: str) -> tuple[str | None, str]:
    """Split a leading section number (``1.``, ``1.1``, ``1.Title``) from a heading's text.

    >>> split_number("1.Learning rewards"), split_number("1.1 Inverse RL"), split_number("3D Vision")
    (('1', 'Learning rewards'), ('1.1', 'Inverse RL'), (None, '3D Vision'))
    """
    match = _NUMBER.match(text)
    if match is None:
        return None, text
    return match.group(1), text[match.end() :].strip()


def make_headings(raw: Sequence[RawHeading]) -> list[Heading]:
    """Turn raw headings into Headings with outline levels and paths.

    Where every heading has the same number of ``#``, the numbering gives the nesting:
    ``# 1.`` sits at level 2 and ``# 1.1`` at level 3 under it.

    >>> from genrl_kg.sources.awesome_list.blocks import RawHeading
    >>> flat = [RawHeading(0, 1, "Title", ""), RawHeading(1, 1, "1. A", ""),
    ...         RawHeading(2, 1, "1.1 B", ""), RawHeading(3, 1, "2. C", "")]
    >>> [(h.level, h.path) for h in make_headings(flat)]
    [(1, ('Title',)), (2, ('A',)), (3, ('A', 'B')), (2, ('C',))]
    """
    parts = []
    for item in raw:
        text, flags = take_flags(visible_text(item.content))
        number, text = split_number(text)
        parts.append((item, text, number, flags))
    flat = len({item.hashes for item in raw}) == 1 and any(p[2] for p in parts)
    stack: list[Heading] = []
    headings = []
    for item, text, number, flags in parts:
        level = item.hashes
        if flat and number is not None:
            level = max(level, 2) + number.count(".")
        while stack and stack[-1].level >= level:
            stack.pop()
        path = (*(h.text for h in stack if h.level >= 2), text)
        raw_line = item.raw.strip()
        heading = Heading(level, text, raw_line, number, item.index + 1, path, flags, item.hashes)
        stack.append(heading)
        headings.append(heading)
    return headings


def prose_sections(headings: Sequence[Heading]) -> set[int]:
    """Return the indices of headings under a front or back matter heading (or being one)."""
    prose: set[int] = set()
    stack: list[tuple[int, bool]] = []
    for index, heading in enumerate(headings):
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        is_prose = heading.text.casefold().rstrip(":") in PROSE_HEADINGS
        is_prose = is_prose or bool(stack and stack[-1][1])
        stack.append((heading.level, is_prose))
        if is_prose:
            prose.add(index)
    return prose
