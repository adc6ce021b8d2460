"""Helpers over markdown-it tokens: visible text, flags, headings, links, table cells."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

from genrl_kg.sources.awesome_list.records import Heading, Link

_FLAG = re.compile(r"\(\s*([A-Za-z][\w -]*?)\s*!\s*\)")
_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)(?:\.\s*|\s+)(?=[^\d\s])")
_MODALITY_COLUMNS = (
    ("model_type", ("model", "type")),
    ("input_modality", ("input",)),
    ("output_modality", ("output",)),
    ("primary_role", ("role",)),
    ("trade_off", ("trade",)),
)


def _plain(children: Sequence[Token]) -> str:
    """Return the visible text of inline tokens (markup dropped, breaks as spaces)."""
    parts = []
    for tok in children:
        if tok.type in ("text", "code_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _take_flags(text: str) -> tuple[str, frozenset[str]]:
    """Remove ``(new!)``-style flags from *text* and return (text, flags)."""
    flags = frozenset(m.lower() for m in _FLAG.findall(text))
    return " ".join(_FLAG.sub(" ", text).split()), flags


def _make_heading(token: Token, inline: Token, lines: list[str], stack: list[Heading]) -> Heading:
    """Build a Heading and push it on the outline *stack*."""
    text, flags = _take_flags(_plain(inline.children or []))
    number = None
    match = _NUMBER.match(text)
    if match:
        number, text = match.group(1), text[match.end() :].strip()
    level = int(token.tag[1:])
    while stack and stack[-1].level >= level:
        stack.pop()
    path = (*(h.text for h in stack if h.level >= 2), text)
    start, end = token.map or (0, 1)
    raw = "\n".join(lines[start:end]).strip()
    heading = Heading(level, text, raw, number, start + 1, path, flags)
    stack.append(heading)
    return heading


def _split_inline(children: Sequence[Token]) -> tuple[str, list[Link]]:
    """Split a bullet's inline tokens into its text outside links and its links."""
    text_parts: list[Token] = []
    label_parts: list[Token] = []
    links: list[Link] = []
    href: str | None = None
    for tok in children:
        if tok.type == "link_open":
            href, label_parts = str(tok.attrs.get("href", "")), []
        elif tok.type == "link_close" and href is not None:
            label = _plain(label_parts).strip()
            if label.startswith("[") and label.endswith("]"):
                label = label[1:-1].strip()
            links.append(Link(href, label))
            href = None
        else:
            (label_parts if href is not None else text_parts).append(tok)
    return _plain(text_parts), links


def _modality_cells(header: list[str], cells: list[str]) -> list[str]:
    """Order a Modality table row's cells by field, using the header names (or positions)."""
    out = []
    for index, (_field, words) in enumerate(_MODALITY_COLUMNS):
        col = next((i for i, h in enumerate(header) if all(w in h for w in words)), index)
        out.append(cells[col] if col < len(cells) else "")
    return out
