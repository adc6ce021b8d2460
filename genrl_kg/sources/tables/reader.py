"""Reads the survey's .xlsx tables into TableRow records, safely and without trusting the sheet."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import defusedxml  # noqa: F401  (openpyxl uses it automatically when it is importable)
import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from genrl_kg.errors import InputError
from genrl_kg.sources.tables.normalize import category_hint, fold_space
from genrl_kg.sources.tables.safety import (
    DEFAULT_LIMITS,
    ArchiveLimits,
    archive_has_formulas,
    check_workbook_archive,
)

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


def cell_text(value: Any) -> str | None:
    """Turn a cell value into text, None when empty or whitespace only.

    >>> cell_text(3.0), cell_text(2.5), cell_text("  "), cell_text(True)
    ('3', '2.5', None, 'TRUE')
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _fill_merged(ws: Worksheet, name: str, sheet: str, warnings: list[TableWarning]) -> dict:
    """Map every covered cell of a merged range to its top-left value, noting each range."""
    filled: dict[tuple[int, int], Any] = {}
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        value = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                filled[(r, c)] = value
        warnings.append(
            TableWarning(
                name,
                sheet,
                rng.min_row,
                None,
                f"merged cells {rng.coord}: top-left value copied into every cell of the range",
            )
        )
    return filled


def _read_sheet(
    ws: Worksheet, formulas: Worksheet | None, path: Path, warnings: list[TableWarning]
) -> list[TableRow]:
    """Read one worksheet (normal mode: every row is parsed, the dimension tag is not used)."""
    name, sheet, stem = path.name, ws.title, path.stem
    merged = _fill_merged(ws, name, sheet, warnings)
    grid: dict[int, dict[int, str]] = {}
    for row in ws.iter_rows():
        for cell in row:
            value = merged.get((cell.row, cell.column), cell.value)
            if value is None and formulas is not None:
                source = formulas.cell(cell.row, cell.column)
                if source.data_type == "f":
                    warnings.append(
                        TableWarning(
                            name,
                            sheet,
                            cell.row,
                            cell.coordinate,
                            f"formula {source.value!r} has no cached value; cell read as empty",
                        )
                    )
            text = cell_text(value)
            if text is not None:
                grid.setdefault(cell.row, {})[cell.column] = text
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


def read_table(path: Path | str, limits: ArchiveLimits = DEFAULT_LIMITS) -> ParsedTable:
    """Read one survey table after checking the archive; raise InputError naming the file."""
    path = Path(path)
    sheet_entries = check_workbook_archive(path, limits)
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
        fwb = (
            openpyxl.load_workbook(path, data_only=False)
            if archive_has_formulas(path, sheet_entries)
            else None
        )
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(f"{path}: not a readable workbook ({type(exc).__name__}: {exc})") from exc
    warnings: list[TableWarning] = []
    rows: list[TableRow] = []
    for ws in wb.worksheets:
        fws = fwb[ws.title] if fwb is not None else None
        rows.extend(_read_sheet(ws, fws, path, warnings))
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
