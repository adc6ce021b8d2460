"""One pass over the list's Markdown tokens, collecting headings, entries and problems."""

from __future__ import annotations

import logging
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from genrl_kg.identifiers import check_iri
from genrl_kg.sources.awesome_list.markup import (
    _make_heading,
    _modality_cells,
    _plain,
    _split_inline,
    _take_flags,
)
from genrl_kg.sources.awesome_list.records import (
    Entry,
    Heading,
    Link,
    ModalityRow,
    ParsedList,
    Problem,
)

# The package's logger, as before the split, so warnings keep their logger name.
LOG = logging.getLogger(__package__)

MODALITY_HEADINGS = frozenset({"modality", "modalities"})
_YEAR_MARKER = re.compile(r"^\s*\(\s*(\d{4})\s*\)\s*!\s*")
_LEFTOVER_LINK = re.compile(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(([^)]*)\)")
_TRAILING = " \t-\u2013\u2014:|,;"


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
