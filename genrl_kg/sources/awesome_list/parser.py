"""Turn the block pass into headings, entries, placeholders, problems and Modality rows."""

from __future__ import annotations

import logging
import re

from genrl_kg.identifiers import check_iri
from genrl_kg.sources.awesome_list.blocks import (
    MAX_LINE_CHARS,
    Blocks,
    Bullet,
    read_blocks,
    split_lines,
)
from genrl_kg.sources.awesome_list.headings import make_headings, prose_sections, take_flags
from genrl_kg.sources.awesome_list.inline import (
    plain_text,
    split_inline,
    take_leftover_links,
)
from genrl_kg.sources.awesome_list.records import (
    Entry,
    LineRole,
    Link,
    ParsedList,
    Problem,
)
from genrl_kg.sources.awesome_list.tables import (
    MAX_TABLE_ROWS,
    MODALITY_HEADINGS,
    read_modality_table,
)

__all__ = ["MAX_ENTRY_CHARS", "MAX_WARNINGS", "MODALITY_HEADINGS", "parse_text"]

# The package's logger, as before the split, so messages keep their logger name.
LOG = logging.getLogger(__package__)

MAX_ENTRY_CHARS = 4096
MAX_WARNINGS = 10_000
_BULLET = re.compile(r"[ \t]*[-*+](?:[ \t]+|$)(?:[-*+](?:[ \t]+|$))*")
_MARKER = re.compile(r"\s*(?:\(\s*([0-9]{4})\s*\)\s*!|!(?=\s|$))\s*", re.ASCII)
_HTTP = re.compile(r"https?://[^/?#\s]", re.ASCII | re.IGNORECASE)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):", re.ASCII)
_TRAILING = " \t-\u2013\u2014:|,;"


def parse_text(text: str, source: str) -> ParsedList:
    """Parse the Markdown *text* of a list named *source*."""
    lines = split_lines(text)
    return _Builder(source, read_blocks(lines), lines.problems).run()


class _Builder:
    """Builds the records of one list from its blocks."""

    def __init__(self, source: str, blocks: Blocks, problems: list[Problem]) -> None:
        self.source = source
        self.blocks = blocks
        self.lines = blocks.lines
        self.roles = blocks.roles
        self.warnings = [*problems, *blocks.problems]
        self.unparsed: list[Problem] = []
        self.entries: list[Entry] = []
        self.placeholders: list[int] = []
        self.headings = make_headings(blocks.headings)
        self.prose = prose_sections(self.headings)

    def run(self) -> ParsedList:
        """Read every bullet and table, then assemble the ParsedList."""
        read = 0
        for bullet in self.blocks.bullets:
            if bullet.heading in self.prose:
                continue
            read += 1
            self.read_bullet(bullet)
        rows = []
        for table in self.blocks.tables:
            section = self.headings[table.heading] if table.heading >= 0 else None
            if section is not None and section.text.casefold() in MODALITY_HEADINGS:
                rows.extend(read_modality_table(self.lines, table.start, table.end))
                if table.end - table.start - 2 > MAX_TABLE_ROWS:
                    line = table.start + 3 + MAX_TABLE_ROWS
                    message = (
                        f"Modality table has over {MAX_TABLE_ROWS} rows; rows from here skipped"
                    )
                    self.warn(line, message, self.lines[line - 1])
        problems = sorted([*self._capped_warnings(), *self.unparsed], key=lambda p: p.line)
        for problem in problems:
            LOG.debug("%s:%d: %s", self.source, problem.line, problem.message)
        return ParsedList(
            self.source,
            tuple(self.headings),
            tuple(self.entries),
            tuple(problems),
            tuple(rows),
            placeholders=tuple(self.placeholders),
            unparsed=tuple(self.unparsed),
            bullets_read=read,
            line_roles=tuple(self.roles),
            stopped_at=self.blocks.stopped_at,
        )

    def _capped_warnings(self) -> list[Problem]:
        """Return the warnings, the ones past ``MAX_WARNINGS`` folded into one."""
        if len(self.warnings) <= MAX_WARNINGS:
            return self.warnings
        self.warnings.sort(key=lambda p: p.line)
        rest = self.warnings[MAX_WARNINGS:]
        note = f"{len(rest)} more warnings not listed (lines {rest[0].line}-{rest[-1].line})"
        return [*self.warnings[:MAX_WARNINGS], Problem(rest[0].line, note, "")]

    def read_bullet(self, bullet: Bullet) -> None:
        """Make one bullet an entry, a placeholder or an unparsed problem."""
        lines = self.lines[bullet.start : bullet.end]
        raw = "\n".join(lines).strip()
        section = self.headings[bullet.heading] if bullet.heading >= 0 else None
        if bullet.too_long:
            limit = f"over the {MAX_LINE_CHARS}-character limit; list entry not read"
            return self.reject(bullet, f"line is {bullet.too_long} characters long, {limit}", raw)
        if section is None:
            return self.reject(bullet, "list entry before any heading", raw)
        content = _content(lines)
        if len(content) > MAX_ENTRY_CHARS:
            message = f"list entry is {len(content)} characters long, over the {MAX_ENTRY_CHARS}-character limit"
            return self.reject(bullet, message, raw)
        inline = split_inline(content)
        if inline.overflow:
            return self.reject(bullet, f"list entry has {inline.overflow}; not read", raw)
        text, leftovers = take_leftover_links(inline.text)
        year, new, text = self.take_markers(bullet, plain_text(text), raw)
        text, flags = take_flags(text)
        title = text.strip(_TRAILING)
        if not title:
            if leftovers or any(link.url.strip() for link in inline.links):
                return self.reject(bullet, "list entry has no title", raw)
            self.placeholders.append(bullet.start + 1)
            self.mark(bullet, LineRole.PLACEHOLDER)
            return None
        line = bullet.start + 1
        for dest in leftovers:
            self.warn(line, f"link {dest!r} could not be parsed; entry kept without it", raw)
        links = tuple(link for link in inline.links if self.check_link(line, link, raw))
        if not (inline.links or leftovers):
            self.warn(line, "list entry has no link; kept, keyed by its title", raw)
        flags = flags | {"new"} if new else flags
        self.entries.append(Entry(title, links, year, flags, section, line, raw))
        self.mark(bullet, LineRole.ENTRY)
        return None

    def take_markers(self, bullet: Bullet, text: str, raw: str) -> tuple[int | None, bool, str]:
        """Strip leading ``(YYYY)!`` and ``!`` markers; return (year, new flag, rest)."""
        years: list[int] = []
        new = False
        while match := _MARKER.match(text):
            text = text[match.end() :]
            if match.group(1) is None:
                new = True
            elif 1900 <= (year := int(match.group(1))) <= 2100:
                years.append(year)
            else:
                self.warn(bullet.start + 1, f"year marker ({year})! is out of range; ignored", raw)
        return (min(years) if years else None), new, text

    def check_link(self, line: int, link: Link, raw: str) -> bool:
        """Return whether *link* is a usable http(s) IRI, warning with the line if not."""
        url = link.url
        if not url.strip():
            self.warn(line, f"link {link.label!r} has no destination; dropped", raw)
            return False
        scheme = _SCHEME.match(url)
        if scheme is None or scheme.group(1).lower() not in ("http", "https"):
            kind = f"a {scheme.group(1)}: link" if scheme else "a relative link"
            self.warn(line, f"link {url!r} is {kind}, not http(s); dropped", raw)
            return False
        try:
            check_iri(url)
        except ValueError as exc:
            self.warn(line, f"link {url!r} is not a valid IRI ({exc}); dropped", raw)
            return False
        if not _HTTP.match(url):
            self.warn(line, f"link {url!r} has no host; dropped", raw)
            return False
        if not url.isascii() and any(c.isdecimal() and not c.isascii() for c in url):
            self.warn(line, f"link {url!r} has non-ASCII digits; dropped", raw)
            return False
        return True

    def reject(self, bullet: Bullet, message: str, raw: str) -> None:
        """Report a bullet that became no entry."""
        last = bullet.end if bullet.end > bullet.start + 1 else 0
        self.unparsed.append(Problem(bullet.start + 1, message, raw[:500], last_line=last))
        self.mark(bullet, LineRole.PROBLEM)

    def warn(self, line: int, message: str, raw: str) -> None:
        """Record a problem that costs no entry."""
        self.warnings.append(Problem(line, message, raw[:500]))

    def mark(self, bullet: Bullet, role: LineRole) -> None:
        """Give every line of *bullet* the role *role*."""
        self.roles[bullet.start : bullet.end] = [role] * (bullet.end - bullet.start)


def _content(lines: list[str]) -> str:
    """Return a bullet's text: its first line after the marker(s), then its continuation lines.

    >>> _content(["  - - Deep [[p]](u)", "   more"])
    'Deep [[p]](u)\\nmore'
    """
    marker = _BULLET.match(lines[0])
    first = lines[0][marker.end() :] if marker else lines[0]
    return "\n".join([first, *(line.lstrip() for line in lines[1:])])
