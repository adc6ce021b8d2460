"""Builders of fixture workbooks for the table-reader tests (all written under tmp_path)."""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl

HEADER = [
    "Name",
    "Framework",
    "Taxonomy",
    "Code Available",
    "Dataset",
    "Modules",
    "Simulation or Real Exp",
]


def write_workbook(path: Path, rows: Sequence[Sequence[Any]], merges: Sequence[str] = ()) -> Path:
    """Write *rows* (first one the header) to a one-sheet workbook, merging the given ranges."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


def rewrite_entry(path: Path, name: str, transform: Any) -> None:
    """Rewrite one zip entry of *path* through transform(bytes) -> bytes."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            dst.writestr(info, transform(data) if info.filename == name else data)


def lie_about_dimension(path: Path, ref: str = "A1:B2") -> None:
    """Make the first sheet's <dimension ref> claim *ref*."""
    rewrite_entry(
        path,
        "xl/worksheets/sheet1.xml",
        lambda data: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data),
    )


def write_zip_bomb(path: Path, size: int = 200 * 2**20, chunk: int = 2**20) -> Path:
    """Write a zip whose one worksheet entry inflates to *size* zero bytes, streamed by chunks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            zeros = bytes(chunk)
            for _ in range(size // chunk):
                entry.write(zeros)
    return path


WORDS = [
    "diffusion",
    "policy",
    "reward",
    "world",
    "model",
    "transformer",
    "vision",
    "language",
    "robot",
    "manipulation",
    "offline",
    "online",
    "planner",
    "video",
    "agent",
    "control",
]


def write_source(
    root: Path, readme: str, workbooks: dict[str, list[list[Any]]] | None = None
) -> Path:
    """Write a list *readme* and workbooks {file stem: rows} into *root*/source; return it."""
    source = root / "source"
    source.mkdir(parents=True, exist_ok=True)
    (source / "README.md").write_text(readme, encoding="utf-8")
    for stem, sheet_rows in (workbooks or {}).items():
        write_workbook(source / f"{stem}.xlsx", sheet_rows)
    return source


def write_rows(path: Path, rows: Iterable[Sequence[Any]], sheet: str = "Sheet1") -> Path:
    """Stream *rows* (first one the header) into a one-sheet workbook with openpyxl write_only."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def made_up_rows(count: int, width: int = len(HEADER), seed: int = 11) -> Iterator[list[str]]:
    """Yield *count* rows of random field words, each with a unique citation key."""
    rng = random.Random(seed)
    for i in range(count):
        key = f"{rng.choice(WORDS)}{2018 + i % 8}{rng.choice(WORDS)}{i}"
        yield [key] + [rng.choice(WORDS) for _ in range(width - 1)]


def write_one_cell_rows(path: Path, count: int, header: Sequence[str] = HEADER) -> Path:
    """Write *header* with openpyxl write_only, then splice in *count* one-cell rows.

    The spliced rows carry no ``r`` attribute (valid OOXML), about 28 bytes a row, so a
    million of them stay under the 32 MiB unpacked cap; they are streamed into the archive.
    """
    skeleton = io.BytesIO()
    wb = openpyxl.Workbook(write_only=True)
    wb.create_sheet("Sheet1").append(list(header))
    wb.save(skeleton)
    with zipfile.ZipFile(skeleton) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                new.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with new.open(info.filename, "w", force_zip64=True) as out:
                out.write(head)
                for start in range(0, count, 50_000):
                    stop = min(count, start + 50_000)
                    out.write(
                        "".join(
                            f"<row><c><v>{i}</v></c></row>" for i in range(start, stop)
                        ).encode()
                    )
                out.write(b"</sheetData>" + tail)
    return path


_INLINE = re.compile(
    rb'<c r="([A-Z]+\d+)"([^>]*) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', re.S
)


def use_shared_strings(path: Path) -> Path:
    """Move the inline strings openpyxl writes into a shared-string table, as Excel stores them."""
    strings: list[bytes] = []

    def shared(match: re.Match[bytes]) -> bytes:
        strings.append(match[3])
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match[1], match[2], len(strings) - 1)

    rewrite_entry(path, "xl/worksheets/sheet1.xml", lambda data: _INLINE.sub(shared, data))
    items = b"".join(b'<si><t xml:space="preserve">%s</t></si>' % s for s in strings)
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d"'
        b' uniqueCount="%d">%s</sst>' % (len(strings), len(strings), items)
    )
    rel = (
        b'<Relationship Id="rIdSst" Target="sharedStrings.xml" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    )
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    rewrite_entry(path, "xl/_rels/workbook.xml.rels", lambda d: d.replace(b"</Relationships>", rel))
    rewrite_entry(path, "[Content_Types].xml", lambda d: d.replace(b"</Types>", override))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", sst)
    return path
