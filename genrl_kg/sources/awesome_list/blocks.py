"""The block pass: one look at each line makes it a heading, a bullet, table, code or prose.

Line by line, with no nesting to track, so no depth of lists or indentation can stop the pass
early: each line is classified by one anchored regular expression. A bullet takes the text
lines that follow it (a title split over two lines) until a blank line or any other block.
Fenced code and HTML comments are prose; so is any line longer than ``MAX_LINE_CHARS``,
which is reported instead of read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from genrl_kg.sources.awesome_list.records import LineRole, Problem

__all__ = [
    "MAX_BULLETS",
    "MAX_LINES",
    "MAX_LINE_CHARS",
    "Blocks",
    "Bullet",
    "Lines",
    "RawHeading",
    "Table",
    "read_blocks",
    "split_lines",
]

MAX_LINE_CHARS = 16 * 1024
MAX_BULLETS = 100_000
MAX_LINES = 1_000_000
_KIND = re.compile(
    r"(?P<blank>[ \t]*$)"
    r"|(?P<rule>[ ]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$)"
    r"|(?P<bullet>[ \t]*[-*+](?:[ \t]|$))"
    r"|(?P<heading>[ ]{0,3}\#{1,6}(?:[ \t]|$))"
    r"|(?P<fence>[ \t]*(?:`{3,}|~{3,}))"
    r"|(?P<ordered>[ \t]*[0-9]{1,9}[.)](?:[ \t]|$))"
    r"|(?P<table>[ ]{0,3}\|)"
    r"|(?P<comment>[ ]{0,3}<!--)"
    r"|(?P<html>[ ]{0,3}<)"
)
_GLUED_HEADING = re.compile(r"[ ]{0,3}(?:<[^<>]{0,4096}>[ \t]*){1,16}(?=#{1,6}(?:[ \t]|$))")
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


@dataclass(frozen=True)
class RawHeading:
    """A heading as written: line index, number of ``#``, content and the line itself."""

    index: int
    hashes: int
    content: str
    raw: str


@dataclass(frozen=True)
class Bullet:
    """A bullet: the heading it sits under (-1: none), its lines [start, end), a length over cap."""

    heading: int
    start: int
    end: int
    too_long: int = 0


@dataclass(frozen=True)
class Table:
    """A run of table lines [start, end) under the heading of index *heading*."""

    heading: int
    start: int
    end: int


@dataclass
class Blocks:
    """What the block pass found; heading, blank and skipped lines already have their role."""

    lines: list[str]
    roles: list[LineRole]
    headings: list[RawHeading] = field(default_factory=list)
    bullets: list[Bullet] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    stopped_at: int = 0


@dataclass
class Lines:
    """The lines read (at most ``MAX_LINES``), how many more the text has, and what was fixed."""

    lines: list[str]
    unread: int
    problems: list[Problem]


def split_lines(text: str, max_lines: int = MAX_LINES) -> Lines:
    """Split *text* into lines (CR LF, CR or LF), strip C0 controls but tab, note what was fixed.

    >>> found = split_lines("a\\r\\nb\\x1bc\\n")
    >>> found.lines, found.unread, [(p.line, p.message) for p in found.problems]
    (['a', 'bc'], 0, [(2, 'removed 1 control character(s) (U+001B)')])
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    lines = text.split("\n", max_lines) if text else []
    unread = 0
    if len(lines) > max_lines:
        unread = lines.pop().count("\n") + 1
    problems: list[Problem] = []
    if _CONTROL.search(text):
        for index, line in enumerate(lines):
            if _CONTROL.search(line):
                found = _CONTROL.findall(line)
                lines[index] = _CONTROL.sub("", line)
                codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in found[:8]))
                message = f"removed {len(found)} control character(s) ({codes})"
                problems.append(Problem(index + 1, message, lines[index][:200]))
    return Lines(lines, unread, problems)


def read_blocks(lines: Lines) -> Blocks:
    """Classify every line in one pass; lines past the caps are one reported problem."""
    reader = _BlockPass(lines.lines, lines.unread)
    out = reader.run()
    if lines.unread and not out.stopped_at:
        reader.stop(len(lines.lines), f"more than {MAX_LINES} lines")
    return out


class _BlockPass:
    """The state of one block pass over a list of lines."""

    def __init__(self, lines: list[str], unread: int) -> None:
        self.out = Blocks(lines, [LineRole.PROSE] * len(lines))
        self.unread = unread
        self.item = -1  # first line of the open bullet
        self.item_end = 0
        self.item_text = False  # whether text lines continue the open bullet
        self.table = -1  # first line of the open table

    def run(self) -> Blocks:
        """Run the pass and return what it found."""
        lines, roles = self.out.lines, self.out.roles
        index, count = 0, len(lines)
        while index < count:
            line = lines[index]
            if len(line) > MAX_LINE_CHARS:
                self.close(index)
                self.too_long(index, line)
                index += 1
                continue
            match = _KIND.match(line)
            kind = match.lastgroup if match else None
            if kind is None and self.item_text:
                self.item_end = index + 1
                index += 1
                continue
            if (self.item >= 0 or self.table >= 0) and (kind != "table" or self.table < 0):
                self.close(index)
            if kind is None:
                pass
            elif kind == "blank":
                roles[index] = LineRole.BLANK
            elif kind == "bullet":
                if len(self.out.bullets) == MAX_BULLETS:
                    return self.stop(index, f"more than {MAX_BULLETS} list entries")
                self.item, self.item_end, self.item_text = index, index + 1, _has_text(line)
            elif kind == "heading":
                self.heading(index, line, len(line) - len(line.lstrip(" ")))
            elif kind == "table":
                self.table = index if self.table < 0 else self.table
            elif kind == "fence":
                index = self.skip_fence(index, line)
            elif kind == "comment":
                index = self.skip_comment(index, line)
            elif kind == "html" and (glued := _GLUED_HEADING.match(line)):
                self.heading(index, line, glued.end())
            index += 1
        self.close(count)
        return self.out

    def close(self, index: int) -> None:
        """Close the open bullet and the open table (which ends before line *index*)."""
        heading = len(self.out.headings) - 1
        if self.item >= 0:
            self.out.bullets.append(Bullet(heading, self.item, self.item_end))
            self.item, self.item_text = -1, False
        if self.table >= 0:
            self.out.tables.append(Table(heading, self.table, index))
            self.table = -1

    def heading(self, index: int, line: str, offset: int) -> None:
        """Record the heading on line *index*, whose ``#`` run starts at *offset*."""
        rest = line[offset:]
        hashes = len(rest) - len(rest.lstrip("#"))
        self.out.headings.append(RawHeading(index, hashes, _heading_content(rest[hashes:]), line))
        self.out.roles[index] = LineRole.HEADING

    def too_long(self, index: int, line: str) -> None:
        """Report a line over the length cap; a bullet counts as read (the parser reports it)."""
        head = _KIND.match(line[:64])
        if head is not None and head.lastgroup == "bullet":
            heading = len(self.out.headings) - 1
            self.out.bullets.append(Bullet(heading, index, index + 1, too_long=len(line)))
            return
        self.out.problems.append(Problem(index + 1, _too_long(len(line)), line[:200]))
        self.out.roles[index] = LineRole.PROBLEM

    def skip_fence(self, index: int, line: str) -> int:
        """Leave a fenced code block as prose; return the index of its closing line."""
        opening = _FENCE.match(line)
        mark = opening.group(1) if opening else "```"
        if mark[0] == "`" and "`" in line[opening.end() if opening else 0 :]:
            return index  # not a fence: a backtick fence's info string has no backtick
        lines = self.out.lines
        for end in range(index + 1, len(lines)):
            close = _FENCE.match(lines[end])
            if close and close.group(1).startswith(mark) and not lines[end][close.end() :].strip():
                return end
            self.check_length(end)
        return self.unclosed(index, "code block")

    def skip_comment(self, index: int, line: str) -> int:
        """Leave an HTML comment as prose; return the index of its last line."""
        lines = self.out.lines
        if "-->" in line[line.index("<!--") + 4 :]:
            return index
        for end in range(index + 1, len(lines)):
            if "-->" in lines[end]:
                return end
            self.check_length(end)
        return self.unclosed(index, "HTML comment")

    def check_length(self, index: int) -> None:
        """Report a line over the length cap inside code or a comment (it stays skipped)."""
        line = self.out.lines[index]
        if len(line) > MAX_LINE_CHARS:
            self.out.problems.append(Problem(index + 1, _too_long(len(line)), line[:200]))
            self.out.roles[index] = LineRole.PROBLEM

    def unclosed(self, index: int, what: str) -> int:
        """Report a block that runs to the end of the file; return the last index."""
        rest = len(self.out.lines) - index - 1
        message = (
            f"{what} opened here is never closed; the {rest} line(s) after it are read as {what}"
        )
        self.out.problems.append(Problem(index + 1, message, self.out.lines[index][:200]))
        return len(self.out.lines)

    def stop(self, index: int, why: str) -> Blocks:
        """Stop reading at line *index*: the rest of the lines is one reported problem."""
        self.close(index)
        lines, total = self.out.lines, len(self.out.lines) + self.unread
        message = f"{why}; lines {index + 1}-{total} not read"
        raw = lines[index][:200] if index < len(lines) else ""
        self.out.problems.append(Problem(index + 1, message, raw, last_line=total))
        self.out.roles[index:] = [LineRole.PROBLEM] * (total - index)
        self.out.stopped_at = index + 1
        return self.out


def _too_long(length: int) -> str:
    """Return the message for a line of *length* characters over the cap."""
    return f"line is {length} characters long, over the {MAX_LINE_CHARS}-character limit; skipped"


def _has_text(line: str) -> bool:
    """Return whether a bullet line has content, so that the next text lines continue it."""
    return bool(line.strip(" \t-*+"))


def _heading_content(rest: str) -> str:
    """Return an ATX heading's content without its closing ``#`` run.

    >>> _heading_content("  Policy Safety (new!) ##  "), _heading_content(" C#"), _heading_content("")
    ('Policy Safety (new!)', 'C#', '')
    """
    body = rest.strip(" \t")
    bare = body.rstrip("#")
    if bare != body and (not bare or bare[-1] in " \t"):
        body = bare.rstrip(" \t")
    return body
