"""The survey's Modality table (a GitHub pipe table under a ``Modality`` heading)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from genrl_kg.sources.awesome_list.inline import visible_text
from genrl_kg.sources.awesome_list.records import ModalityRow

__all__ = ["MAX_TABLE_ROWS", "MODALITY_HEADINGS", "read_modality_table", "split_cells"]

MODALITY_HEADINGS = frozenset({"modality", "modalities"})
MAX_TABLE_ROWS = 1000
_PIPE = re.compile(r"(?<!\\)\|")
_DELIMITER = re.compile(r"[ \t]*:?-+:?[ \t]*")
_MODALITY_COLUMNS = (
    ("model_type", ("model", "type")),
    ("input_modality", ("input",)),
    ("output_modality", ("output",)),
    ("primary_role", ("role",)),
    ("trade_off", ("trade",)),
)


def split_cells(line: str) -> list[str]:
    r"""Split one table line into its cells (outer pipes dropped, ``\|`` kept in a cell).

    >>> split_cells("| **LLMs** | a \\| b |  |")
    ['**LLMs**', 'a \\| b', '']
    """
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip() for cell in _PIPE.split(body)]


def read_modality_table(lines: Sequence[str], start: int, end: int) -> list[ModalityRow]:
    """Read the rows of the table on lines [start, end) (header, delimiter, body rows).

    >>> text = ["| Model Type | Input | Output | Role | Trade-off |", "|-|-|-|-|-|",
    ...         "| **VLMs** | i | o | r | t |"]
    >>> read_modality_table(text, 0, 3)
    [ModalityRow(model_type='VLMs', input_modality='i', output_modality='o', \
primary_role='r', trade_off='t', line=3)]
    """
    if end - start < 2:
        return []
    header = [_cell_text(c).casefold() for c in split_cells(lines[start])]
    delimiter = split_cells(lines[start + 1])
    if len(delimiter) != len(header) or not all(_DELIMITER.fullmatch(c) for c in delimiter):
        return []
    order = _column_order(header)
    rows = []
    for index in range(start + 2, min(end, start + 2 + MAX_TABLE_ROWS)):
        cells = [_cell_text(c) for c in split_cells(lines[index])][: len(header)]
        model, inp, out, role, trade = (cells[c] if c < len(cells) else "" for c in order)
        rows.append(ModalityRow(model, inp, out, role, trade, index + 1))
    return rows


def _cell_text(cell: str) -> str:
    """Return the visible text of one cell, spaces collapsed."""
    return " ".join(visible_text(cell.replace("\\|", "|")).split())


def _column_order(header: list[str]) -> list[int]:
    """Return, for each Modality field, the column that holds it (by name, else by position)."""
    order = []
    for index, (_field, words) in enumerate(_MODALITY_COLUMNS):
        column = next((i for i, h in enumerate(header) if all(w in h for w in words)), index)
        order.append(column)
    return order
