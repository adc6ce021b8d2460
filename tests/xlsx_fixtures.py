"""Builders of fixture workbooks for the table-reader tests (all written under tmp_path)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
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
