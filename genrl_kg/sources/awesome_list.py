"""Parse the awesome list (Markdown) into headings, entries, problems and Modality rows."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from genrl_kg.errors import InputError
from genrl_kg.identifiers import check_iri

LOG = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MODALITY_HEADINGS = frozenset({"modality", "modalities"})
_YEAR_MARKER = re.compile(r"^\s*\(\s*(\d{4})\s*\)\s*!\s*")
_FLAG = re.compile(r"\(\s*([A-Za-z][\w -]*?)\s*!\s*\)")
_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)(?:\.\s*|\s+)(?=[^\d\s])")
_LEFTOVER_LINK = re.compile(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(([^)]*)\)")
_TRAILING = " \t-\u2013\u2014:|,;"
_MODALITY_COLUMNS = (
    ("model_type", ("model", "type")),
    ("input_modality", ("input",)),
    ("output_modality", ("output",)),
    ("primary_role", ("role",)),
    ("trade_off", ("trade",)),
)


@dataclass(frozen=True)
class Heading:
    """A Markdown heading, cleaned of numbering and flags, with its path from level 2 down."""

    level: int
    text: str
    raw: str
    number: str | None
    line: int
    path: tuple[str, ...]
    flags: frozenset[str]


@dataclass(frozen=True)
class Link:
    """A link as listed: its destination and its label without brackets."""

    url: str
    label: str


@dataclass(frozen=True)
class Entry:
    """One bullet of the list: a paper title with its links, under a heading."""

    title: str
    links: tuple[Link, ...]
    year_added: int | None
    flags: frozenset[str]
    section: Heading
    line: int
    raw: str


@dataclass(frozen=True)
class Problem:
    """Something in the list that could not be parsed as it stands, with its line."""

    line: int
    message: str
    raw: str


@dataclass(frozen=True)
class ModalityRow:
    """One row of the survey's Modality table, bold markup stripped."""

    model_type: str
    input_modality: str
    output_modality: str
    primary_role: str
    trade_off: str
    line: int


@dataclass(frozen=True)
class ParsedList:
    """Everything parse_list found in one list file."""

    source: str
    headings: tuple[Heading, ...]
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    modality_rows: tuple[ModalityRow, ...]

    def parent_of(self, heading: Heading) -> Heading | None:
        """Return the heading directly above *heading* in the outline, or None."""
        return _parents(self.headings).get(heading)

    def taxonomy_headings(self) -> tuple[Heading, ...]:
        """Return the headings (level 2 and below) that hold entries or have descendants that do.

        A level-1 heading (the document title) is included only if entries sit directly under it.
        """
        parents = _parents(self.headings)
        keep = {entry.section for entry in self.entries}
        for section in list(keep):
            node = parents.get(section)
            while node is not None and node.level >= 2 and node not in keep:
                keep.add(node)
                node = parents.get(node)
        return tuple(h for h in self.headings if h in keep)


def _parents(headings: Sequence[Heading]) -> dict[Heading, Heading | None]:
    """Map each heading to its nearest preceding heading of a smaller level."""
    stack: list[Heading] = []
    parents: dict[Heading, Heading | None] = {}
    for heading in headings:
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        parents[heading] = stack[-1] if stack else None
        stack.append(heading)
    return parents


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


class _Parser:
    """One pass over the token stream, collecting records."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.headings: list[Heading] = []
        self.entries: list[Entry] = []
        self.problems: list[Problem] = []
        self.linkless: list[Entry] = []
        self.rows: list[ModalityRow] = []

    def problem(self, line: int, message: str, raw: str) -> None:
        """Record a problem and log it."""
        LOG.warning("%s:%d: %s", self.source, line, message)
        self.problems.append(Problem(line, message, raw))

    def entry(self, inline: Token, section: Heading | None) -> None:
        """Turn one bullet's first paragraph into an Entry (or a Problem)."""
        start, end = inline.map or (0, 1)
        line, raw = start + 1, "\n".join(self.lines[start:end]).strip()
        text, links = _split_inline(inline.children or [])
        marker = _YEAR_MARKER.match(text)
        year = int(marker.group(1)) if marker else None
        text = text[marker.end() :] if marker else text
        bad = [m.group(1) for m in _LEFTOVER_LINK.finditer(text)]
        text, flags = _take_flags(_LEFTOVER_LINK.sub(" ", text))
        title = text.strip(_TRAILING)
        if not (links or bad or marker):
            if title and section is not None:
                self.linkless.append(Entry(title, (), None, flags, section, line, raw))
            return
        if section is None:
            return self.problem(line, "list entry before any heading", raw)
        if not title:
            return self.problem(line, "list entry has no title", raw)
        for dest in bad:
            self.problem(line, f"link {dest!r} could not be parsed; entry kept without it", raw)
        good = []
        for link in links:
            try:
                good.append(Link(check_iri(link.url), link.label))
            except ValueError as exc:
                self.problem(line, f"link {link.url!r} is not a valid IRI ({exc}); dropped", raw)
        self.entries.append(Entry(title, tuple(good), year, flags, section, line, raw))

    def table(self, tokens: list[Token], pos: int) -> None:
        """Read the Modality table starting at tokens[pos] (table_open)."""
        header: list[str] = []
        cells: list[str] = []
        line = 0
        for tok in tokens[pos + 1 :]:
            if tok.type == "table_close":
                break
            if tok.type == "tr_open":
                cells, line = [], (tok.map or (0, 0))[0] + 1
            elif tok.type == "inline":
                cells.append(" ".join(_plain(tok.children or []).split()))
            elif tok.type == "tr_close" and not header:
                header = [c.casefold() for c in cells]
            elif tok.type == "tr_close":
                model, inp, out, role, trade = _modality_cells(header, cells)
                self.rows.append(ModalityRow(model, inp, out, role, trade, line))

    def run(self, text: str) -> ParsedList:
        """Parse *text* and return the ParsedList."""
        md = MarkdownIt("commonmark").enable("table")
        md.normalizeLink = lambda url: url  # type: ignore[method-assign] # keep links exactly as listed; check_iri judges them
        tokens = md.parse(text)
        stack: list[Heading] = []
        lists: list[str] = []
        fresh_item = False
        for pos, tok in enumerate(tokens):
            if tok.type == "heading_open":
                self.headings.append(_make_heading(tok, tokens[pos + 1], self.lines, stack))
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                lists.append(tok.type)
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif tok.type in ("list_item_open", "list_item_close"):
                fresh_item = tok.nesting == 1 and lists[-1] == "bullet_list_open"
            elif tok.type == "inline" and fresh_item and tokens[pos - 1].type == "paragraph_open":
                fresh_item = False
                self.entry(tok, stack[-1] if stack else None)
            elif (
                tok.type == "table_open"
                and stack
                and stack[-1].text.casefold() in MODALITY_HEADINGS
            ):
                self.table(tokens, pos)
        self._keep_linkless()
        return ParsedList(
            self.source,
            tuple(self.headings),
            tuple(self.entries),
            tuple(sorted(self.problems, key=lambda p: p.line)),
            tuple(self.rows),
        )

    def _keep_linkless(self) -> None:
        """Keep link-less bullets as entries only in sections that hold linked entries."""
        sections = {e.section for e in self.entries}
        for entry in self.linkless:
            if entry.section in sections:
                self.problem(
                    entry.line, "list entry has no link; kept, keyed by its title", entry.raw
                )
                self.entries.append(entry)
        self.entries.sort(key=lambda e: e.line)


def _modality_cells(header: list[str], cells: list[str]) -> list[str]:
    """Order a Modality table row's cells by field, using the header names (or positions)."""
    out = []
    for index, (_field, words) in enumerate(_MODALITY_COLUMNS):
        col = next((i for i, h in enumerate(header) if all(w in h for w in words)), index)
        out.append(cells[col] if col < len(cells) else "")
    return out


def parse_list(text: str, source: str = "README.md") -> ParsedList:
    """Parse the Markdown text of the list; never raises for one bad entry.

    >>> p = parse_list("## A\\n### 1.2 B (new!)\\n- (2025)! T [[paper]](https://x.org/1)\\n")
    >>> p.entries[0].title, p.entries[0].year_added, p.entries[0].section.path
    ('T', 2025, ('A', 'B'))
    """
    return _Parser(text, source).run(text)


def read_list(path: str | Path, max_bytes: int = MAX_BYTES) -> ParsedList:
    """Read and parse a list file, raising InputError with a one-line message on bad input."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(f"{path}: not a regular file")
        if size > max_bytes:
            raise InputError(f"{path}: list file is {size} bytes, over the {max_bytes}-byte limit")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: list file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read list file ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise InputError(f"{path}: list file is over the {max_bytes}-byte limit")
    if not data.strip():
        raise InputError(f"{path}: list file is empty")
    if (nul := data.find(b"\x00")) >= 0:
        raise InputError(f"{path}: binary file, not Markdown (NUL byte at offset {nul})")
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        raise InputError(
            f"{path}: not UTF-8 text (byte 0x{data[offset]:02x} at offset {offset})"
        ) from None
    parsed = parse_list(text, source=path.name)
    if not parsed.headings:
        raise InputError(f"{path}: no Markdown headings found; not an awesome list")
    if not parsed.entries:
        raise InputError(f"{path}: {len(parsed.headings)} headings but no list entries")
    return parsed
