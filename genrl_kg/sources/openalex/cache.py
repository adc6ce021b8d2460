"""On-disk cache of OpenAlex answers: one checksummed JSON file per DOI, written atomically.

A file holds ``{"schema", "version", "sha256", "payload"}``; ``payload`` is ``{"doi",
"retrieved", "work"}`` with the work in the API's own layout (null: OpenAlex has no work with
this DOI) and ``sha256`` is the digest of the payload's canonical JSON (sorted keys, no spaces,
ASCII). On read the digest is checked and the work goes through the same parser as an answer.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from genrl_kg import settings
from genrl_kg.atomic import write_atomically
from genrl_kg.errors import SourceError
from genrl_kg.safejson import canonical_json as canonical_payload
from genrl_kg.safejson import check_time, load_json, open_sealed, read_capped, seal_json
from genrl_kg.sources.openalex.models import OpenAlexWork, work_to_json
from genrl_kg.sources.openalex.parse import parse_work

__all__ = [
    "CACHE_SCHEMA",
    "CACHE_VERSION",
    "CachedAnswer",
    "OpenAlexCache",
    "canonical_payload",
    "default_openalex_cache_dir",
]

log = logging.getLogger(__name__)

CACHE_SCHEMA = "genrl-kg/openalex-work"
CACHE_VERSION = 1
MAX_FILE_BYTES = 4 * 1024 * 1024
_PAYLOAD_KEYS = frozenset({"doi", "retrieved", "work"})


@dataclass(frozen=True)
class CachedAnswer:
    """What OpenAlex said about one DOI and when: its work, or None for "no such work"."""

    doi: str
    retrieved: datetime
    work: OpenAlexWork | None


def default_openalex_cache_dir() -> Path:
    """Return the default cache directory for OpenAlex answers (under the user's cache dir)."""
    return settings.default_cache_dir() / "openalex"


class OpenAlexCache:
    """A directory of ``<sha256 of the DOI>.json`` files; only complete files carry that name."""

    def __init__(self, directory: Path | str | None = None) -> None:
        """Use *directory* (created on first write), by default :func:`default_openalex_cache_dir`."""
        self.directory = Path(directory) if directory is not None else default_openalex_cache_dir()

    def path_for(self, doi: str) -> Path:
        """Return the file that holds the answer for the lower-case *doi*."""
        return self.directory / f"{hashlib.sha256(doi.encode('utf-8')).hexdigest()}.json"

    def load(self, doi: str) -> CachedAnswer | None:
        """Return the cached answer for *doi*, or None if absent or invalid (one warning)."""
        path = self.path_for(doi)
        try:
            raw = read_capped(path, MAX_FILE_BYTES)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("OpenAlex cache: cannot use %s (%s); will ask again", path, exc)
            return None
        try:
            return _decode(raw, doi)
        except (ValueError, TypeError, KeyError, SourceError) as exc:
            log.warning("OpenAlex cache: dropped %s for %s (%s); will ask again", path, doi, exc)
            return None

    def store(self, answer: CachedAnswer) -> Path:
        """Write *answer* atomically (temp file, fsync, rename) with its checksum; return the path."""
        payload = {
            "doi": answer.doi,
            "retrieved": answer.retrieved.astimezone(UTC).isoformat(),
            "work": None if answer.work is None else work_to_json(answer.work),
        }
        data = seal_json(CACHE_SCHEMA, CACHE_VERSION, payload)
        # no directory fsync: a rename lost in a crash costs one request, never a wrong record
        return write_atomically(self.path_for(answer.doi), data)


def _decode(raw: bytes, doi: str) -> CachedAnswer:
    """Check a cache file's layout, checksum and contents; ValueError or WorkError says why."""
    payload = open_sealed(load_json(raw), CACHE_SCHEMA, CACHE_VERSION)
    if set(payload) != _PAYLOAD_KEYS:
        raise ValueError("payload of the wrong layout")
    if payload["doi"] != doi:
        raise ValueError(f"holds doi {str(payload['doi'])[:100]!r}")
    retrieved = check_time(payload["retrieved"], "retrieval time")
    if payload["work"] is None:
        return CachedAnswer(doi, retrieved, None)
    work = parse_work(payload["work"], retrieved=retrieved, strict=True)
    if work.doi != doi:
        raise ValueError(f"work has doi {work.doi!r}")
    return CachedAnswer(doi, retrieved, work)
