"""A checked sheet's cells as text: values streamed by openpyxl, merged ranges filled, formulas noted.

The workbook has passed ``scan_workbook`` first, so the rows, columns and merged ranges read
here are within the caps; openpyxl reads the sheet in read-only mode (a stream) with its
dimension tag reset.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from genrl_kg.errors import InputError
from genrl_kg.sources.tables.safety import ArchiveLimits
from genrl_kg.sources.tables.scan import SheetScan
from genrl_kg.sources.tables.xlsx import get_column_letter

__all__ = ["Grid", "cell_text", "read_grid"]

log = logging.getLogger(__name__)

Grid = dict[int, dict[int, str]]  # row -> column -> text
Note = Callable[[int, str | None, str], None]  # (row, column, message): a warning on the sheet
_MERGE_NOTE = "top-left value copied into every cell of the range"


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


def _values(ws: Any, want: Callable[[Any], bool]) -> dict[tuple[int, int], Any]:
    """Stream a read-only sheet; keep the values of the cells *want* accepts."""
    ws.reset_dimensions()  # never trust the dimension tag
    return {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if want(c)}


def read_grid(
    ws: Any,
    formulas: Any | None,
    scan: SheetScan,
    where: str,
    limits: ArchiveLimits,
    note: Note,
    row_limit: int,
) -> Grid:
    """Read a checked sheet into text cells; fill merged ranges, note formulas without values.

    *ws* and *formulas* are the same sheet of a read-only workbook opened with data_only True
    and False (None when the sheet has no formula). At most *row_limit* rows may hold text,
    merged cells included.
    """
    values = _values(ws, lambda c: c.value is not None)
    hidden = {
        (r, c) for rng in scan.merged for r, c in rng.cells if (r, c) != (rng.min_row, rng.min_col)
    }
    for rng in scan.merged:
        corner = (rng.min_row, rng.min_col)
        top = values.get(corner) if corner not in hidden else None
        for cell in rng.cells:
            values[cell] = top
        note(rng.min_row, None, f"merged cells {rng.coord}: {_MERGE_NOTE}")
    if formulas is not None:
        for (r, c), formula in sorted(_values(formulas, lambda x: x.data_type == "f").items()):
            if values.get((r, c)) is None:
                note(
                    r,
                    f"{get_column_letter(c)}{r}",
                    f"formula {formula!r} has no cached value; cell read as empty",
                )
    grid: Grid = {}
    for (r, c), value in sorted(values.items()):
        text = cell_text(value)
        if text is None:
            continue
        if len(text) > limits.max_cell_chars:
            raise InputError(
                f"{where}: cell {get_column_letter(c)}{r} holds {len(text)} characters, more "
                f"than the cap of {limits.max_cell_chars}"
            )
        grid.setdefault(r, {})[c] = text
    if len(grid) > row_limit:
        raise InputError(
            f"{where}: more than {limits.max_rows} data rows once merged cells are filled; "
            f"a table may hold a header and at most {limits.max_rows} data rows"
        )
    return grid
