"""On-disk cache of arXiv records: one checksummed JSON file per identifier, written atomically.

A file holds ``{"schema", "version", "sha256", "payload"}`` (see ``genrl_kg.safejson``); the
payload is the record in the layout of ``record_to_json``. On read the checksum is checked and
the record goes through the same reader as a feed entry (``schema.decode_record``), strictly.
A file that fails any check is dropped with one warning and asked for again. A file of the older,
unsealed format (``{"format": 1, ...}``, no checksum) is read through the same checks but counts
as stale: it is asked for again whenever arXiv can be reached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genrl_kg import settings
from genrl_kg.atomic import write_atomically
from genrl_kg.safejson import describe_problem, load_json, open_sealed, read_capped, seal_json
from genrl_kg.sources.arxiv.models import ArxivRecord, cache_file_name, record_to_json
from genrl_kg.sources.arxiv.schema import decode_record

__all__ = [
    "CACHE_SCHEMA",
    "CACHE_VERSION",
    "ArxivCache",
    "CachedRecord",
    "default_arxiv_cache_dir",
]

log = logging.getLogger(__name__)

CACHE_SCHEMA = "genrl-kg/arxiv-record"
CACHE_VERSION = 2  # 1 was the unsealed {"format": 1, "retrieved", "record"} layout
MAX_FILE_BYTES = 8 * 1024 * 1024
_LEGACY_KEYS = frozenset({"format", "retrieved", "record"})


@dataclass(frozen=True)
class CachedRecord:
    """A record read from the cache; *verified* is False for a file of the older format."""

    record: ArxivRecord
    verified: bool = True


def default_arxiv_cache_dir() -> Path:
    """Return the default cache directory for arXiv records (under the user's cache dir)."""
    return settings.default_cache_dir() / "arxiv"


class ArxivCache:
    """A directory of ``<id>.json`` files; only complete files ever carry their final name."""

    def __init__(self, directory: Path | str | None = None) -> None:
        """Use *directory* (created on first write), by default :func:`default_arxiv_cache_dir`."""
        self.directory = Path(directory) if directory is not None else default_arxiv_cache_dir()
        self._warned: set[Path] = set()

    def path_for(self, arxiv_id: str) -> Path:
        """Return the file that holds the record of the versionless *arxiv_id*."""
        return self.directory / cache_file_name(arxiv_id)

    def read(self, arxiv_id: str) -> CachedRecord | None:
        """Return the cached record of *arxiv_id*, or None if absent or invalid (one warning)."""
        path = self.path_for(arxiv_id)
        try:
            raw = read_capped(path, MAX_FILE_BYTES)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            self._drop(path, exc)
            return None
        try:
            found = _decode(raw, arxiv_id)
        except (ValueError, TypeError, KeyError) as exc:
            self._drop(path, exc)
            return None
        if not found.verified:
            log.info("arXiv cache: %s has the older format (no checksum); stale", path)
        return found

    def load(self, arxiv_id: str) -> ArxivRecord | None:
        """Return the cached record of *arxiv_id* (stale or not), or None; see :meth:`read`."""
        found = self.read(arxiv_id)
        return None if found is None else found.record

    def store(self, record: ArxivRecord) -> Path:
        """Write *record* atomically (temp file, fsync, rename) with its checksum; return the path."""
        data = seal_json(CACHE_SCHEMA, CACHE_VERSION, record_to_json(record))
        path = write_atomically(self.path_for(record.arxiv_id), data, sync_dir=True)
        self._warned.discard(path)
        return path

    def ids(self) -> list[str]:
        """Return the identifiers that have a cache file (sorted; files are not validated)."""
        if not self.directory.is_dir():
            return []
        return sorted(
            p.stem.replace("_", "/") for p in self.directory.glob("*.json") if p.name[0] != "."
        )

    def _drop(self, path: Path, exc: Exception) -> None:
        """Warn once per file (per cache object) that *path* was dropped and why."""
        if path in self._warned:
            return
        self._warned.add(path)
        reason = describe_problem(str(exc) or type(exc).__name__)
        log.warning("arXiv cache: dropped %s (%s); will ask again", path, reason)


def _decode(raw: bytes, arxiv_id: str) -> CachedRecord:
    """Check a cache file's layout, checksum and record; ValueError says what is wrong."""
    content = load_json(raw)
    if isinstance(content, dict) and "format" in content:
        return CachedRecord(_legacy(content, arxiv_id), verified=False)
    record = decode_record(open_sealed(content, CACHE_SCHEMA, CACHE_VERSION))
    if record.arxiv_id != arxiv_id:
        raise ValueError(f"holds the record of {record.arxiv_id}")
    return CachedRecord(record)


def _legacy(content: dict[str, Any], arxiv_id: str) -> ArxivRecord:
    """Read a file of the older, unsealed layout through the same checks."""
    if set(content) != _LEGACY_KEYS or type(content["format"]) is not int or content["format"] != 1:
        raise ValueError("not a cache file of the expected layout")
    record = decode_record(content["record"])
    if record.arxiv_id != arxiv_id:
        raise ValueError(f"holds the record of {record.arxiv_id}")
    return record
