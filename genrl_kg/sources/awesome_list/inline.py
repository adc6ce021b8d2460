"""Inline Markdown of one bullet or heading: its links, and its text with the markup dropped.

A small CommonMark subset read with bounded regular expressions, so the cost of a line is linear
in its length whatever it holds: links (``[label](url)``, ``[[label]](url)``, ``<scheme:url>``,
an optional title), images (dropped), code spans, inline HTML (dropped), ``*``/``_`` emphasis
without nesting of the same delimiter, backslash escapes and character references. A family of
markup that occurs more than ``MAX_MARKUP`` times in one line is left as it stands.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from genrl_kg.sources.awesome_list.records import Link

__all__ = [
    "MAX_LINKS",
    "MAX_MARKUP",
    "Inline",
    "plain_text",
    "split_inline",
    "take_leftover_links",
    "visible_text",
]

MAX_LINKS = 16
MAX_MARKUP = 64
_N = 4096  # longest code span, HTML tag or emphasis read (characters)
# Possessive quantifiers (``*+``, ``++``): a failed match never backtracks, so each attempt
# is linear and no line can make the patterns slow.
_LABEL = r"(?:[^\[\]\\]++|\\[\s\S]|\[(?:[^\[\]\\]++|\\[\s\S])*+\])*+"
_DEST = r"(?:[^\s()\\]++|\\\S|\((?:[^\s()\\]++|\\\S)*+\))*+"
_TITLE = r'"(?:[^"\\]++|\\[\s\S])*+"|' r"'(?:[^'\\]++|\\[\s\S])*+'|" r"\((?:[^()\\]++|\\[\s\S])*+\)"


def _target(prefix: str) -> str:
    """Return the pattern of a link target ``(dest "title")``, its groups named with *prefix*."""
    dest = rf"<(?P<{prefix}angle>[^<>\n]*+)>|(?P<{prefix}dest>{_DEST})"
    return rf"\(\s*+(?:{dest})(?:\s++(?:{_TITLE}))?\s*+\)"


_LINK = re.compile(
    rf"(?P<image>!\[{_LABEL}\]{_target('i')})"
    rf"|\[(?P<label>{_LABEL})\]{_target('')}"
    r"|<(?P<auto>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\x00-\x20]*+)>"
)
# The common bullet: plain text, then one ``[[label]](url)`` with nothing that needs CommonMark.
_SIMPLE = re.compile(
    r"([^\[\]<>\\`*_&]*+)(?<!!)\[\[([A-Za-z0-9 ]++)\]\]\((https?://[^\s()<>\[\]\\&]++)\)([ \t]*+)"
)
_LEFTOVER = re.compile(r"\[(?:[^\[\]\n]++|\[[^\[\]\n]*+\])*+\]\(([^()\[\]\n]*+)\)")
_CODE = re.compile(rf"(?<!`)(`{{1,16}})(?!`)([^`]{{1,{_N}}}?)(?<!`)\1(?!`)")
_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9-]{0,63}(?:\s[^<>]{0,4096})?/?|!--[^<>]{0,4096}?--)>")
_STAR = re.compile(rf"(?<![\\*])(\*{{1,3}})(?![\s*])([^*]{{1,{_N}}}?)(?<![\s\\*])\1(?!\*)")
_UNDERSCORE = re.compile(rf"(?<![\w\\])(_{{1,3}})(?![\s_])([^_]{{1,{_N}}}?)(?<![\s\\_])\1(?!\w)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True)
class Inline:
    """One line's inline content: its text outside links (Markdown) and its links."""

    text: str
    links: tuple[Link, ...]
    overflow: str = ""


def split_inline(text: str) -> Inline:
    """Split inline Markdown into the text outside links and the links (images dropped).

    >>> split_inline("T [[paper]](https://x.org/a_(b)) [code](<https://y.org> 'c')")
    Inline(text='T  ', links=(Link(url='https://x.org/a_(b)', label='paper'), \
Link(url='https://y.org', label='code')), overflow='')
    >>> split_inline("T [[paper](https://x.org/1)").text
    'T '
    """
    if "[" not in text and "<" not in text:
        return Inline(text, ())
    simple = _SIMPLE.fullmatch(text)
    if simple is not None:
        link = Link(simple.group(3), " ".join(simple.group(2).split()))
        return Inline(simple.group(1) + simple.group(4), (link,))
    for char in "[<":
        if (count := text.count(char)) > MAX_MARKUP:
            return Inline(text, (), f"{count} {char!r} characters, over the limit of {MAX_MARKUP}")
    parts: list[str] = []
    links: list[Link] = []
    pos = 0
    for match in _LINK.finditer(text):
        if len(links) == MAX_LINKS:
            return Inline(text, tuple(links), f"more than {MAX_LINKS} links")
        before = text[pos : match.start()]
        pos = match.end()
        if match.group("image") is not None:
            parts.append(before)
            continue
        label = match.group("label")
        if label is not None and not label.startswith("[") and before.endswith("["):
            before = before[:-1]  # ``[[paper](url)``: the second opening bracket is missing
        parts.append(before)
        links.append(_make_link(match, label))
    parts.append(text[pos:])
    return Inline("".join(parts), tuple(links))


def _make_link(match: re.Match[str], label: str | None) -> Link:
    """Build a Link from a match of ``_LINK`` (label without its brackets)."""
    auto = match.group("auto")
    if auto is not None:
        return Link(auto, auto)
    url = match.group("angle")
    if url is None:
        url = match.group("dest")
    if "\\" in url or "&" in url:
        url = _decode(url)
    text = " ".join(visible_text(label or "").split())
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1].strip()
    return Link(url, text)


def take_leftover_links(text: str) -> tuple[str, list[str]]:
    """Remove ``[label](dest)`` runs that are not links (bad destinations); return the dests.

    >>> take_leftover_links("T [[paper]](https://x.org/a b)")
    ('T  ', ['https://x.org/a b'])
    """
    if "](" not in text:
        return text, []
    found = [m.group(1) for m in _LEFTOVER.finditer(text)]
    return (_LEFTOVER.sub(" ", text), found) if found else (text, [])


def visible_text(text: str) -> str:
    """Return the visible text of inline Markdown, links shown as their labels (for headings).

    >>> visible_text("[Policy](https://x.org) ![img](i.png) *Safety*")
    'Policy  Safety'
    """
    if ("[" in text or "<" in text) and text.count("[") + text.count("<") <= MAX_MARKUP:
        text = _LINK.sub(_label_of, text)
    return plain_text(text)


def _label_of(match: re.Match[str]) -> str:
    """Return what a link, image or autolink shows as text (images show nothing)."""
    if match.group("image") is not None:
        return ""
    if match.group("auto") is not None:
        return match.group("auto")
    return str(match.group("label"))


def plain_text(text: str) -> str:
    """Return the visible text of inline Markdown without links (markup dropped, breaks as spaces).

    >>> plain_text("**Abstract Reasoning:** `x_1` &amp; <b>bold</b> \\\\*y\\\\* A* search")
    'Abstract Reasoning: x_1 & bold *y* A* search'
    """
    if "`" in text and text.count("`") <= MAX_MARKUP:
        text = _CODE.sub(lambda m: _code_content(m.group(2)), text)
    if "<" in text and text.count("<") <= MAX_MARKUP:
        text = _TAG.sub("", text)
    if "*" in text and text.count("*") <= MAX_MARKUP:
        text = _strip_emphasis(_STAR, text)
    if "_" in text and text.count("_") <= MAX_MARKUP:
        text = _strip_emphasis(_UNDERSCORE, text)
    if "\\" in text or "&" in text:
        text = _decode(text)
    return text.replace("\n", " ")


def _code_content(content: str) -> str:
    """Return a code span's content as CommonMark shows it."""
    content = content.replace("\n", " ")
    if len(content) > 2 and content[0] == content[-1] == " " and content.strip(" "):
        return content[1:-1]
    return content


def _strip_emphasis(pattern: re.Pattern[str], text: str) -> str:
    """Drop matched emphasis delimiters (three rounds, for nesting of both kinds)."""
    for _ in range(3):
        text, count = pattern.subn(r"\2", text)
        if not count:
            break
    return text


def _decode(text: str) -> str:
    """Resolve backslash escapes and character references (controls stay as written)."""
    if "&" in text and text.count("&") <= MAX_MARKUP:
        text = _ENTITY.sub(_entity, text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return text


def _entity(match: re.Match[str]) -> str:
    """Return the character of one reference, or the reference itself if it names a control."""
    value = html.unescape(match.group())
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n" for c in value):
        return match.group()
    return value
