"""On-disk cache of Wikidata answers: one JSON file per (kind, key), written atomically.

A record holds, per endpoint, the answer and its retrieval time. An empty answer ("no item")
is a negative result and is cached like any other; errors are never written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from genrl_kg import settings
from genrl_kg.atomic import write_atomically

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
KINDS = ("arxiv", "doi", "authors", "names")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_wikidata_cache_dir() -> Path:
    """Return the default cache directory for Wikidata answers (under the user's cache dir)."""
    return settings.default_cache_dir() / "wikidata"


def cache_file_name(key: str) -> str:
    """Return a safe, unique file name for *key* (DOIs hold slashes and odd characters).

    >>> cache_file_name("2303.04137")
    '2303.04137.json'
    >>> cache_file_name("10.1109/ICRA.2024.1")[:20]
    '10.1109_ICRA.2024.1-'
    """
    safe = _SAFE.sub("_", key)[:100]
    if safe == key:
        return f"{key}.json"
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
    return f"{safe}-{digest}.json"


@dataclass(frozen=True)
class Answer:
    """One endpoint's cached answer for one key: its value and when it was retrieved."""

    endpoint: str
    retrieved: str  # ISO 8601 with time zone
    value: Any


class WikidataCache:
    """A directory ``<kind>/<key>.json``; only complete files ever carry their final name."""

    def __init__(self, directory: Path | str | None = None) -> None:
        """Use *directory* (created on first write), by default :func:`default_wikidata_cache_dir`."""
        self.directory = Path(directory) if directory is not None else default_wikidata_cache_dir()

    def path_for(self, kind: str, key: str) -> Path:
        """Return the file that holds the answers for *key* of *kind*."""
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}")
        return self.directory / kind / cache_file_name(key)

    def load_all(self, kind: str, key: str) -> dict[str, Answer]:
        """Return every cached answer for *key* by endpoint (empty if none or unreadable)."""
        path = self.path_for(kind, key)
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("Wikidata cache: ignoring unreadable %s (%s); will refetch", path, exc)
            return {}
        try:
            if data.get("format") != CACHE_FORMAT or data.get("key") != key:
                raise ValueError("unknown format or wrong key")
            return {
                url: Answer(url, str(entry["retrieved"]), entry["value"])
                for url, entry in data["answers"].items()
            }
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("Wikidata cache: ignoring corrupt %s (%s); will refetch", path, exc)
            return {}

    def load(self, kind: str, key: str, endpoint: str) -> Answer | None:
        """Return the cached answer of *endpoint* for *key*, or None."""
        return self.load_all(kind, key).get(endpoint)

    def store(self, kind: str, key: str, endpoint: str, value: Any, retrieved: datetime) -> Path:
        """Add *endpoint*'s answer for *key* to its record, atomically; return the path."""
        answers = {
            url: {"retrieved": a.retrieved, "value": a.value}
            for url, a in self.load_all(kind, key).items()
        }
        answers[endpoint] = {"retrieved": retrieved.isoformat(), "value": value}
        payload = {"format": CACHE_FORMAT, "kind": kind, "key": key, "answers": answers}
        path = self.path_for(kind, key)
        data = json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        write_atomically(path, data)
        return path
