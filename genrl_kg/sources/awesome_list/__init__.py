"""Parse the awesome list (Markdown) into headings, entries, problems and Modality rows."""

from __future__ import annotations

from pathlib import Path

from genrl_kg.errors import InputError
from genrl_kg.sources.awesome_list.blocks import MAX_BULLETS, MAX_LINE_CHARS, MAX_LINES
from genrl_kg.sources.awesome_list.parser import MAX_ENTRY_CHARS, parse_text
from genrl_kg.sources.awesome_list.records import (
    Entry,
    Heading,
    LineRole,
    Link,
    ModalityRow,
    ParsedList,
    Problem,
)
from genrl_kg.sources.awesome_list.tables import MODALITY_HEADINGS

__all__ = [
    "MAX_BULLETS",
    "MAX_BYTES",
    "MAX_ENTRY_CHARS",
    "MAX_LINES",
    "MAX_LINE_CHARS",
    "MODALITY_HEADINGS",
    "Entry",
    "Heading",
    "LineRole",
    "Link",
    "ModalityRow",
    "ParsedList",
    "Problem",
    "parse_list",
    "read_list",
]

MAX_BYTES = 20 * 1024 * 1024


def parse_list(text: str, source: str = "README.md") -> ParsedList:
    """Parse the Markdown text of the list; never raises for one bad entry or line.

    Every bullet under a list heading becomes an entry, a placeholder or an unparsed problem
    (``bullets_read == len(entries) + len(placeholders) + len(unparsed)``), and every line
    gets a role in ``line_roles``.

    >>> p = parse_list("## A\\n### 1.2 B (new!)\\n- (2025)! T [[paper]](https://x.org/1)\\n- !\\n")
    >>> p.entries[0].title, p.entries[0].year_added, p.entries[0].section.path
    ('T', 2025, ('A', 'B'))
    >>> p.bullets_read, p.placeholders, [r.value for r in p.line_roles]
    (2, (4,), ['heading', 'heading', 'entry', 'placeholder'])
    """
    return parse_text(text, source)


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
    if parsed.stopped_at:
        stop = next(
            p for p in parsed.problems if p.line == parsed.stopped_at and "not read" in p.message
        )
        raise InputError(f"{path}:{stop.line}: {stop.message}; refusing a partial list")
    if not parsed.headings:
        raise InputError(f"{path}: no Markdown headings found; not an awesome list")
    if not parsed.bullets_read:
        raise InputError(f"{path}: {len(parsed.headings)} headings but no list entries")
    return parsed
