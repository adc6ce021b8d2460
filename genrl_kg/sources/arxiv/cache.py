"""On-disk cache of arXiv records: one JSON file per identifier, written atomically."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from genrl_kg import settings
from genrl_kg.atomic import write_atomically
from genrl_kg.sources.arxiv.models import (
    ArxivRecord,
    cache_file_name,
    record_from_json,
    record_to_json,
)

log = logging.getLogger(__name__)

CACHE_FORMAT = 1


def default_arxiv_cache_dir() -> Path:
    """Return the default cache directory for arXiv records (under the user's cache dir)."""
    return settings.default_cache_dir() / "arxiv"


class ArxivCache:
    """A directory of ``<id>.json`` files; only complete files ever carry their final name."""

    def __init__(self, directory: Path | str | None = None) -> None:
        """Use *directory* (created on first write), by default :func:`default_arxiv_cache_dir`."""
        self.directory = Path(directory) if directory is not None else default_arxiv_cache_dir()

    def path_for(self, arxiv_id: str) -> Path:
        """Return the file that holds the record of the versionless *arxiv_id*."""
        return self.directory / cache_file_name(arxiv_id)

    def load(self, arxiv_id: str) -> ArxivRecord | None:
        """Return the cached record of *arxiv_id*, or None if absent or unreadable (warned)."""
        path = self.path_for(arxiv_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("arXiv cache: cannot read %s (%s); will refetch", path, exc)
            return None
        try:
            data = json.loads(raw)
            if data.get("format") != CACHE_FORMAT:
                raise ValueError(f"unknown cache format {data.get('format')!r}")
            record = record_from_json(data["record"])
            if record.arxiv_id != arxiv_id:
                raise ValueError(f"holds {record.arxiv_id!r}")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("arXiv cache: ignoring corrupt file %s (%s); will refetch", path, exc)
            return None
        return record

    def store(self, record: ArxivRecord) -> Path:
        """Write *record* atomically (temp file in the same dir, fsync, rename); return its path."""
        path = self.path_for(record.arxiv_id)
        payload = {
            "format": CACHE_FORMAT,
            "retrieved": record.retrieved.isoformat(),
            "record": record_to_json(record),
        }
        data = json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        write_atomically(path, data, sync_dir=True)
        return path

    def ids(self) -> list[str]:
        """Return the identifiers that have a cache file (sorted; files are not validated)."""
        if not self.directory.is_dir():
            return []
        return sorted(
            p.stem.replace("_", "/") for p in self.directory.glob("*.json") if p.name[0] != "."
        )
