"""Reads the survey's .xlsx tables into TableRow records, safely and without trusting the sheet.

Three steps, each bounded by the one before: the zip archive is checked (safety.py), every
part is streamed against the table caps (scan.py), then openpyxl reads each sheet in read-only
mode with its dimension tag reset (grid.py). A table past a cap raises InputError naming it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import defusedxml  # noqa: F401  (openpyxl uses it automatically when it is importable)

from genrl_kg.errors import InputError
from genrl_kg.sources.tables.grid import Grid, read_grid
from genrl_kg.sources.tables.normalize import category_hint, fold_space
from genrl_kg.sources.tables.safety import DEFAULT_LIMITS, ArchiveLimits, check_workbook_archive
from genrl_kg.sources.tables.scan import SheetScan, scan_workbook
from genrl_kg.sources.tables.xlsx import get_column_letter, openpyxl

__all__ = [
    "FIELDS",
    "HEADER_VARIANTS",
    "Cell",
    "ParsedTable",
    "TableError",
    "TableRow",
    "TableWarning",
    "iter_table_files",
    "read_table",
    "read_tables",
]

log = logging.getLogger(__name__)

if not openpyxl.DEFUSEDXML:  # pragma: no cover - guards against a broken install
    raise ImportError("openpyxl does not see defusedxml; refusing to parse untrusted workbooks")

# The ONE place that maps header text (after strip, casefold, whitespace folding) to fields.
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "citation_key": ("Name", "Citation Key", "Citation", "Key", "Paper"),
    "framework": ("Framework", "Framework Name", "Name of the Framework"),
    "taxonomy": ("Taxonomy", "Taxonomy Tags", "Cross Categories", "Crosscategories"),
    "base_model": ("Base Model", "Base Models", "Model Used", "Model"),
    "code_available": ("Code Available", "Code Availabale", "Code Availability", "Code"),
    "dataset": ("Dataset", "Datasets"),
    "application": ("Modules", "Module", "Application", "Type of Application"),
    "evaluation": (
        "Simulation or Real Exp",
        "Simulation or Real Experiment",
        "Simulation vs Real",
        "Simulation vs. Real-World",
        "Experiment Evaluation",
    ),
}
FIELDS = tuple(HEADER_VARIANTS)


def _fold_header(text: str) -> str:
    """Normalise header text for matching.

    >>> _fold_header("  Code  Availabale ")
    'code availabale'
    """
    return fold_space(text).casefold()


_HEADER_LOOKUP = {_fold_header(v): field for field, vs in HEADER_VARIANTS.items() for v in vs}


@dataclass(frozen=True)
class Cell:
    """One original non-empty cell: header text as written, 1-based column, text value."""

    column: str
    column_index: int
    value: str


@dataclass(frozen=True)
class TableRow:
    """One data row of a survey table, canonical fields plus every original cell."""

    table: str
    source_file: str
    sheet: str
    row: int
    citation_key: str | None
    framework: str | None
    taxonomy: str | None
    base_model: str | None
    code_available: str | None
    dataset: str | None
    application: str | None
    evaluation: str | None
    extras: tuple[Cell, ...]
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class TableWarning:
    """Something worth reporting about a table that did not stop it being read."""

    source_file: str
    sheet: str
    row: int | None
    column: str | None
    message: str


@dataclass(frozen=True)
class TableError:
    """A table file that could not be read at all (non-strict mode)."""

    source_file: str
    message: str


@dataclass(frozen=True)
class ParsedTable:
    """Everything read from one table file."""

    path: Path
    table: str
    category_hint: tuple[str, ...]
    rows: tuple[TableRow, ...]
    warnings: tuple[TableWarning, ...]


def _read_sheet(grid: Grid, path: Path, sheet: str, warnings: list[TableWarning]) -> list[TableRow]:
    """Turn one sheet's text cells into rows: find the header, map columns to fields."""
    name, stem = path.name, path.stem
    if not grid:
        return []
    header_row = min(grid)
    headers = grid[header_row]
    data_cols = {c for r, cols in grid.items() if r > header_row for c in cols}
    columns: dict[int, str] = {}
    field_of: dict[int, str] = {}
    for col in sorted(set(headers) | data_cols):
        header = headers.get(col)
        if header is None:
            header = f"column {get_column_letter(col)}"
            warnings.append(
                TableWarning(
                    name,
                    sheet,
                    header_row,
                    get_column_letter(col),
                    "data under an empty header; kept as an extra column",
                )
            )
        columns[col] = header
        field = _HEADER_LOOKUP.get(_fold_header(header))
        if field is not None and field not in field_of.values():
            field_of[col] = field
        else:
            why = "duplicate of a known column" if field else "unknown column"
            warnings.append(
                TableWarning(
                    name,
                    sheet,
                    header_row,
                    header,
                    f"{why}; kept as an extra annotation on every row",
                )
            )
    if not field_of:
        warnings.append(
            TableWarning(
                name,
                sheet,
                header_row,
                None,
                "no known header in the first non-empty row; sheet skipped",
            )
        )
        return []
    for field in FIELDS:
        if field not in field_of.values():
            warnings.append(TableWarning(name, sheet, header_row, None, f"no column for {field}"))
    rows: list[TableRow] = []
    for r in sorted(grid):
        if r == header_row:
            continue
        cells = tuple(Cell(columns[c], c, v) for c, v in sorted(grid[r].items()))
        values = {
            field_of[c.column_index]: fold_space(c.value)
            for c in cells
            if c.column_index in field_of
        }
        extras = tuple(c for c in cells if c.column_index not in field_of)
        if not values.get("citation_key"):
            warnings.append(TableWarning(name, sheet, r, None, "row has no citation key"))
        rows.append(
            TableRow(
                table=stem,
                source_file=name,
                sheet=sheet,
                row=r,
                extras=extras,
                cells=cells,
                **{f: values.get(f) or None for f in FIELDS},
            )
        )
    return rows


def _read_worksheet(
    path: Path, ws: Any, fws: Any | None, scan: SheetScan, limits: ArchiveLimits, row_limit: int
) -> tuple[list[TableRow], list[TableWarning], int]:
    """Read one checked sheet (and its formulas sheet, if any): rows, warnings, rows with text."""
    warnings: list[TableWarning] = []

    def note(row: int, column: str | None, message: str) -> None:
        warnings.append(TableWarning(path.name, ws.title, row, column, message))

    grid = read_grid(ws, fws, scan, f"{path}: sheet {ws.title!r}", limits, note, row_limit)
    return _read_sheet(grid, path, ws.title, warnings), warnings, len(grid)


def _read_workbook(path: Path, limits: ArchiveLimits) -> tuple[list[TableRow], list[TableWarning]]:
    """Scan every part against the caps, then read each sheet in read-only (streaming) mode."""
    scans = scan_workbook(path, limits)
    rows: list[TableRow] = []
    warnings: list[TableWarning] = []
    used = 0  # rows with text so far: a table holds a header and max_rows data rows
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    fwb = None
    try:
        for ws in wb.worksheets:
            # read-only openpyxl keeps each sheet's zip entry name in _worksheet_path
            scan = scans.get(ws._worksheet_path)
            if scan is None:
                raise InputError(f"{path}: sheet {ws.title!r} has no part in the archive")
            fws = None
            if scan.has_formulas:
                fwb = fwb or openpyxl.load_workbook(path, read_only=True, keep_links=False)
                fws = fwb[ws.title]
            limit = limits.max_rows + 1 - used
            sheet_rows, sheet_warnings, filled = _read_worksheet(path, ws, fws, scan, limits, limit)
            used += filled
            rows += sheet_rows
            warnings += sheet_warnings
    finally:
        wb.close()
        if fwb is not None:
            fwb.close()
    return rows, warnings


def read_table(path: Path | str, limits: ArchiveLimits = DEFAULT_LIMITS) -> ParsedTable:
    """Read one survey table after checking the archive and each sheet against the caps.

    Raise InputError naming the file (and sheet, row or cell) when it is damaged or over a cap.
    """
    path = Path(path)
    check_workbook_archive(path, limits)
    try:
        rows, warnings = _read_workbook(path, limits)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged files
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise InputError(f"{path}: not a readable workbook ({detail:.200})") from exc
    for w in warnings:
        log.info("%s [%s] row %s col %s: %s", w.source_file, w.sheet, w.row, w.column, w.message)
    return ParsedTable(
        path=path,
        table=path.stem,
        category_hint=category_hint(path.stem),
        rows=tuple(rows),
        warnings=tuple(warnings),
    )


def iter_table_files(source_dir: Path | str) -> list[Path]:
    """Return every *.xlsx file directly in *source_dir*, sorted by name."""
    return sorted(p for p in Path(source_dir).glob("*.xlsx") if not p.name.startswith("~$"))


def read_tables(
    source_dir: Path | str, strict: bool = False, limits: ArchiveLimits = DEFAULT_LIMITS
) -> tuple[list[ParsedTable], list[TableError]]:
    """Read every table in *source_dir*; a bad file is reported and skipped unless *strict*."""
    tables: list[ParsedTable] = []
    errors: list[TableError] = []
    for path in iter_table_files(source_dir):
        try:
            tables.append(read_table(path, limits))
        except InputError as exc:
            if strict:
                raise
            log.warning("skipping table: %s", exc)
            errors.append(TableError(path.name, str(exc)))
    return tables, errors
