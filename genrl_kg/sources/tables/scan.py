"""Streams every XML part of a checked .xlsx archive against the caps, before openpyxl opens it.

openpyxl cannot be trusted with an unchecked sheet: in read-only mode it parses a whole sheet
that has no dimension tag just to size it, and trusts a dimension tag that lies. So each part
is read here first as a stream (start/end events, every finished row and top-level element
dropped at once), and the scan stops at the first row, column, cell text, shared string or
merged range past its cap: a million-row sheet is refused after its first couple of thousand
rows. The parts are scanned whatever their names, since the workbook's relations may point
anywhere; a part that is not XML at all (an image) is passed over.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.parsers import expat

from genrl_kg.errors import InputError
from genrl_kg.sources.tables.safety import ArchiveLimits
from genrl_kg.sources.tables.xlsx import SHEET_MAIN_NS, CellRange, coordinate_to_tuple

__all__ = ["SheetScan", "scan_workbook"]

log = logging.getLogger(__name__)

_ROW = f"{SHEET_MAIN_NS}}}row"  # expat's names with namespace_separator "}"
_TEXTS = frozenset({f"{SHEET_MAIN_NS}}}v", f"{SHEET_MAIN_NS}}}t"})
_FORMULA = f"{SHEET_MAIN_NS}}}f"
_MERGE = f"{SHEET_MAIN_NS}}}mergeCell"
_SHARED_STRING = f"{SHEET_MAIN_NS}}}si"
CHUNK = 2**16
MAX_DEPTH = 64  # OOXML parts nest about 15 deep at most (charts); openpyxl builds each level
# Empty cells may sit past the data (a Google Sheets export has 1,000 rows and columns A-Z);
# openpyxl pads every row it reads up to its last cell.
MAX_SHEET_COLUMNS = 64
_XML_NAMES = (".xml", ".rels")


@dataclass(frozen=True)
class SheetScan:
    """What the scan of one part found: rows holding data (the header included), merged
    ranges in order, whether it holds formulas."""

    data_rows: int
    merged: tuple[CellRange, ...]
    has_formulas: bool


def _row_number(text: str | None, previous: int) -> int | None:
    """The row number an ``r`` attribute gives (openpyxl accepts '5.0'); None when invalid.

    >>> _row_number("7", 3), _row_number(None, 3), _row_number("5.0", 3), _row_number("x", 3)
    (7, 4, 5, None)
    """
    if not text:
        return previous + 1
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


class _Scanner:
    """Running state of one part's scan; each check raises InputError naming file and part."""

    def __init__(self, where: str, limits: ArchiveLimits, row_limit: int) -> None:
        """Start a scan of the part named by *where*, allowed *row_limit* rows with data."""
        self.where, self.limits, self.row_limit = where, limits, row_limit
        self.row = self.column = self.strings = self.covered = self.data_rows = 0
        self.row_has_data = self.cell_has_data = False
        self.merged: dict[str, CellRange] = {}
        self.has_formulas = False

    def fail(self, message: str) -> InputError:
        """An InputError for this part."""
        return InputError(f"{self.where}: {message}")

    def start_row(self, number: str | None) -> None:
        """Open a row: numbers must rise (openpyxl would drop a row that goes back)."""
        row = _row_number(number, self.row)
        if row is None:
            raise self.fail(f"row number {number!r:.30} after row {self.row} is not a number")
        if row <= self.row:
            raise self.fail(f"row {row} comes after row {self.row} (rows out of order)")
        self.row, self.column, self.row_has_data = row, 0, False

    def end_row(self) -> None:
        """Close a row: count it if it holds data, up to the cap."""
        if self.row_has_data:
            self.data_rows += 1
            if self.data_rows > self.row_limit:
                raise self.fail(
                    f"more than {self.limits.max_rows} data rows (reached row {self.row}); a "
                    f"table may hold a header and at most {self.limits.max_rows} data rows"
                )

    def start_cell(self, coordinate: str | None) -> None:
        """Place a cell: columns must rise within the row; even empty cells stay near the data."""
        if coordinate:
            try:
                row, column = coordinate_to_tuple(coordinate)
            except (ValueError, TypeError):
                raise self.fail(f"row {self.row}: bad cell reference {coordinate!r:.30}") from None
            if row != self.row:
                raise self.fail(f"cell {coordinate} sits in row {self.row}")
        else:
            column = self.column + 1
        if column <= self.column:
            raise self.fail(f"row {self.row}: cells out of order at column {column}")
        if column > MAX_SHEET_COLUMNS:
            raise self.fail(
                f"row {self.row} has a cell in column {column}, past column {MAX_SHEET_COLUMNS}"
            )
        self.column, self.cell_has_data = column, False

    def data(self) -> None:
        """Note that the open cell holds a value: within the column cap."""
        self.cell_has_data = True
        if self.column > self.limits.max_columns:
            raise self.fail(
                f"row {self.row} has a value in column {self.column}, more than the cap of "
                f"{self.limits.max_columns} columns"
            )
        self.row_has_data = True

    def too_long(self) -> InputError:
        """The error for a text longer than the cell cap."""
        where = f"row {self.row} column {self.column}: a cell" if self.row else "a text"
        return self.fail(f"{where} longer than the cap of {self.limits.max_cell_chars} characters")

    def merge(self, ref: str | None) -> None:
        """Note a merged range: within the caps, covering no more than a full table."""
        limits = self.limits
        if len(self.merged) >= limits.max_merged_ranges:
            raise self.fail(f"more than {limits.max_merged_ranges} merged ranges")
        try:
            rng = CellRange(ref)
        except (ValueError, TypeError):
            raise self.fail(f"bad merged range {ref!r:.40}") from None
        if rng.max_col > limits.max_columns:
            raise self.fail(
                f"merged range {rng.coord} reaches past the cap of {limits.max_columns} columns"
            )
        if rng.coord not in self.merged:
            self.merged[rng.coord] = rng
            self.covered += rng.size["rows"] * rng.size["columns"]
        if self.covered > (limits.max_rows + 1) * limits.max_columns:
            raise self.fail(
                f"merged ranges cover {self.covered} cells, more than a table of "
                f"{limits.max_rows} rows and {limits.max_columns} columns"
            )

    def shared_string(self) -> None:
        """Count a shared string: a table cannot use more than it has cells."""
        self.strings += 1
        cap = (self.limits.max_rows + 1) * self.limits.max_columns
        if self.strings > cap:
            raise self.fail(f"more than {cap} shared strings (more than a table has cells)")

    def result(self) -> SheetScan:
        """What the scan found, merged ranges sorted by their top-left cell."""
        ranges = sorted(self.merged.values(), key=lambda r: (r.min_row, r.min_col, r.bounds))
        return SheetScan(self.data_rows, tuple(ranges), self.has_formulas)


class _Parse(_Scanner):
    """expat callbacks over a _Scanner: no tree is built, so nothing is kept but counts."""

    def __init__(
        self, where: str, limits: ArchiveLimits, row_limit: int, budget: tuple[int, int]
    ) -> None:
        """Start with no element open; *budget*: elements, and elements outside cells and
        shared strings, still allowed."""
        super().__init__(where, limits, row_limit)
        self.depth = self.row_depth = self.text_depth = self.text_chars = self.string_depth = 0
        self.cell_depth = 0
        self.elements = self.others = 0
        self.budget = budget

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """An element opens: a row, a cell (any child of a row), a text, a formula, a string."""
        self.depth += 1
        self.elements += 1
        if self.elements > self.budget[0]:
            raise self.fail(
                f"more than {self.limits.max_xml_elements} XML elements in the workbook"
            )
        if not (self.row_depth or self.string_depth or name in (_ROW, _SHARED_STRING)):
            self.others += 1
            if self.others > self.budget[1]:
                raise self.fail(
                    f"more than {self.limits.max_other_elements} XML elements outside cells "
                    "and shared strings in the workbook"
                )
        if self.depth > MAX_DEPTH:
            raise self.fail(f"XML nested more than {MAX_DEPTH} deep")
        if name == _ROW:
            if self.row_depth:
                raise self.fail(f"a row inside row {self.row}")
            self.start_row(attrs.get("r"))
            self.row_depth = self.depth
        elif self.row_depth and self.depth == self.row_depth + 1:  # openpyxl: any child is a cell
            self.start_cell(attrs.get("r"))
            self.cell_depth = self.depth
        elif name in _TEXTS:
            self.text_depth, self.text_chars = self.depth, 0
        elif name == _MERGE:
            self.merge(attrs.get("ref"))
        elif name == _SHARED_STRING:
            self.shared_string()
            self.string_depth = self.depth
        elif name == _FORMULA:
            self.has_formulas = True

    def end(self, name: str) -> None:
        """An element closes."""
        if self.depth == self.row_depth:
            self.row_depth = 0
            self.end_row()
        if self.depth == self.cell_depth:
            self.cell_depth = 0
        if self.depth == self.text_depth:
            self.text_depth = 0
        if self.depth == self.string_depth:
            self.string_depth = 0
        self.depth -= 1

    def chars(self, data: str) -> None:
        """Count the characters of an open value or text element; note a cell's data."""
        if self.text_depth:
            self.text_chars += len(data)
            if self.text_chars > self.limits.max_cell_chars:
                raise self.too_long()
            if self.cell_depth and not self.cell_has_data and data.strip():
                self.data()


def _refuse_dtd(scan: _Scanner) -> Callable[..., None]:
    """A handler that refuses a DTD (no entity can be declared without one)."""

    def refuse(*_: object) -> None:
        raise scan.fail("has a DTD; refused (entity expansion)")

    return refuse


def _scan_part(source: IO[bytes], scan: _Parse) -> None:
    """Stream one part through *scan* with expat, 64 KiB at a time."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_dtd(scan)
    parser.EntityDeclHandler = _refuse_dtd(scan)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.chars
    while chunk := source.read(CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def scan_workbook(path: Path, limits: ArchiveLimits) -> dict[str, SheetScan]:
    """Scan every part of the checked archive *path*; return what each XML part holds.

    All parts together may hold a header row and ``limits.max_rows`` rows with data (empty
    rows count only as XML elements), and hold
    ``limits.max_xml_elements`` elements (openpyxl keeps the elements it does not know in
    memory while it reads a sheet). Raise InputError naming the file and the part at the first
    cap passed or damaged XML part.
    """
    scans: dict[str, SheetScan] = {}
    used = elements = others = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = "".join(c if c.isprintable() else "?" for c in info.filename)
            where = f"{path} ({name})"
            budget = (limits.max_xml_elements - elements, limits.max_other_elements - others)
            scan = _Parse(where, limits, limits.max_rows + 1 - used, budget)
            try:
                with archive.open(info) as source:
                    _scan_part(source, scan)
            except InputError:
                raise
            except Exception as exc:  # expat, defusedxml and zlib raise many types
                if not info.filename.endswith(_XML_NAMES) and not scan.elements:
                    continue  # not XML (an image): openpyxl does not read it as a sheet
                detail = " ".join(f"{type(exc).__name__}: {exc}".split())
                raise InputError(f"{where}: damaged XML ({detail:.200})") from exc
            scans[info.filename] = scan.result()
            used += scans[info.filename].data_rows
            elements, others = elements + scan.elements, others + scan.others
    log.debug("%s: %d rows with data in all", path, used)
    return scans
