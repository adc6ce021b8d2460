"""Checks an .xlsx archive with zipfile before anything parses it; the caps of a table.

Costs are bounded in two steps: this check caps what can be unpacked at all, then
``scan.scan_workbook`` streams every part against the table caps below.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

from genrl_kg.errors import InputError

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_ENTRIES",
    "MAX_MERGED_RANGES",
    "MAX_OTHER_ELEMENTS",
    "MAX_ROWS",
    "MAX_TOTAL_UNCOMPRESSED",
    "MAX_XML_ELEMENTS",
    "ArchiveLimits",
    "check_workbook_archive",
]

log = logging.getLogger(__name__)

# Measured: openpyxl in normal mode takes ~7.5 MB of memory per MB of sheet XML (22 MB -> 210 MB,
# 7 s); the six real tables are 65-86 KB unpacked with a compression ratio of at most 11.4, and a
# 50k-row generated table compresses 18:1.  These caps keep a hostile file under ~250 MB.
MAX_ENTRIES = 256
MAX_TOTAL_UNCOMPRESSED = 32 * 2**20
MAX_COMPRESSION_RATIO = 100.0
RATIO_CHECK_MIN_SIZE = 2**20
REQUIRED_ENTRIES = ("[Content_Types].xml", "xl/workbook.xml")
# The real tables have 7-29 data rows, 7-9 columns and cells of at most 155 characters. A table
# may hold a header and MAX_ROWS data rows (all its sheets together). Linking costs grow with the
# rows and the length of the cells; the RDF, SHACL and load stages with rows x columns. The worst
# table under these caps (every cell 500 characters of title words) links in about 2 s
# ("table-cap-long" in bench/bench_tables.py), and a whole build with it, all 16 columns full,
# took 7.4 s and 340 MB; with 2,000 rows, or 32 columns, builds took over 10 s.
MAX_ROWS = 1_000
MAX_COLUMNS = 16
MAX_CELL_CHARS = 500
MAX_MERGED_RANGES = 10_000
# Every XML element of the workbook: a full table takes about 3 per cell (c, is, t), shared
# strings 2 per string; openpyxl took ~10 s and 1.6 GB on 3 million unknown elements.
MAX_XML_ELEMENTS = 4 * (MAX_ROWS + 1) * MAX_COLUMNS + 64_000
# ... of which outside cells and shared strings (styles, workbook, charts): openpyxl took
# 10 s on a styles.xml of 250,000 cell formats; real workbooks have some thousands.
MAX_OTHER_ELEMENTS = 100_000


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps applied to an .xlsx archive before it is parsed, and to each table it holds."""

    max_entries: int = MAX_ENTRIES
    max_total_uncompressed: int = MAX_TOTAL_UNCOMPRESSED
    max_compression_ratio: float = MAX_COMPRESSION_RATIO
    ratio_check_min_size: int = RATIO_CHECK_MIN_SIZE
    max_rows: int = MAX_ROWS  # data rows of one table (a header row comes on top)
    max_columns: int = MAX_COLUMNS
    max_cell_chars: int = MAX_CELL_CHARS
    max_merged_ranges: int = MAX_MERGED_RANGES
    max_xml_elements: int = MAX_XML_ELEMENTS  # all parts of the archive together
    max_other_elements: int = MAX_OTHER_ELEMENTS  # ... outside cells and shared strings


DEFAULT_LIMITS = ArchiveLimits()


def check_workbook_archive(path: Path, limits: ArchiveLimits = DEFAULT_LIMITS) -> list[str]:
    """Refuse *path* unless it is a zip within *limits*; return its worksheet entry names.

    The sizes checked are the central directory's declared sizes; zipfile never inflates an
    entry beyond its declared size (it stops and fails the CRC check), so they bound what
    openpyxl can be made to read.
    """
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path}: not an .xlsx workbook (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{path}: damaged zip archive ({exc})") from exc
    if len(infos) > limits.max_entries:
        raise InputError(
            f"{path}: {len(infos)} zip entries, more than the cap {limits.max_entries}"
        )
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_check_min_size and ratio > limits.max_compression_ratio:
            raise InputError(
                f"{path}: entry {info.filename} expands {ratio:.0f}:1, more than the cap "
                f"{limits.max_compression_ratio:.0f}:1 (zip bomb?)"
            )
    if total > limits.max_total_uncompressed:
        raise InputError(
            f"{path}: unpacks to {total} bytes, more than the cap {limits.max_total_uncompressed}"
        )
    names = {info.filename for info in infos}
    missing = [name for name in REQUIRED_ENTRIES if name not in names]
    if missing:
        raise InputError(f"{path}: not an .xlsx workbook (no {', '.join(missing)})")
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    log.debug("%s: %d entries, %d bytes unpacked, sheets %s", path, len(infos), total, sheets)
    return sheets
