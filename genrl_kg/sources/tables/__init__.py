"""Safe reading of the survey's Excel tables into frozen records (no RDF)."""

from __future__ import annotations

from genrl_kg.sources.tables.normalize import (
    BENCHMARK_ALIASES,
    FOUNDATION_MODEL_ALIASES,
    category_hint,
    extract_benchmarks,
    is_null,
    parse_framework,
    split_foundation_models,
    split_tags,
)
from genrl_kg.sources.tables.reader import (
    FIELDS,
    HEADER_VARIANTS,
    Cell,
    ParsedTable,
    TableError,
    TableRow,
    TableWarning,
    iter_table_files,
    read_table,
    read_tables,
)
from genrl_kg.sources.tables.safety import (
    DEFAULT_LIMITS,
    MAX_COMPRESSION_RATIO,
    MAX_ENTRIES,
    MAX_TOTAL_UNCOMPRESSED,
    ArchiveLimits,
    check_workbook_archive,
)

__all__ = [
    "BENCHMARK_ALIASES",
    "DEFAULT_LIMITS",
    "FIELDS",
    "FOUNDATION_MODEL_ALIASES",
    "HEADER_VARIANTS",
    "MAX_COMPRESSION_RATIO",
    "MAX_ENTRIES",
    "MAX_TOTAL_UNCOMPRESSED",
    "ArchiveLimits",
    "Cell",
    "ParsedTable",
    "TableError",
    "TableRow",
    "TableWarning",
    "category_hint",
    "check_workbook_archive",
    "extract_benchmarks",
    "is_null",
    "iter_table_files",
    "parse_framework",
    "read_table",
    "read_tables",
    "split_foundation_models",
    "split_tags",
]
