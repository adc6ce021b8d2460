"""On-disk cache of Wikidata answers: one checksummed JSON file per (kind, key), written atomically.

A file holds ``{"schema", "version", "sha256", "payload"}`` (see ``genrl_kg.safejson``); the
payload is ``{"kind", "key", "answers": {endpoint: {"retrieved", "value"}}}``. An empty answer
("no item") is a negative result and is cached like any other; errors are never written.

On read every answer is checked against the schema of its kind: endpoints are http(s) IRIs,
times are ISO 8601 with a time zone, Q-ids match ``Q[1-9][0-9]*``, names and ordinals are
strings without control characters or lone surrogates. A file that fails any check is dropped
with one warning and asked for again. A file of the older, unsealed format (``{"format": 1,
...}``) is read through the same checks, but its answers are stale: ``load`` leaves them out,
so they are asked for again, while ``load_all`` still offers them to an offline build.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from genrl_kg import settings
from genrl_kg.atomic import write_atomically
from genrl_kg.errors import SourceError
from genrl_kg.safejson import (
    check_http_iri,
    check_list,
    check_object,
    check_text,
    check_time,
    describe_problem,
    load_json,
    open_sealed,
    read_capped,
    seal_json,
)

__all__ = [
    "CACHE_SCHEMA",
    "CACHE_VERSION",
    "KINDS",
    "Answer",
    "WikidataCache",
    "cache_file_name",
    "check_answer_value",
    "check_qid",
    "default_wikidata_cache_dir",
]

log = logging.getLogger(__name__)

CACHE_SCHEMA = "genrl-kg/wikidata-answers"
CACHE_VERSION = 2  # 1 was the unsealed {"format": 1, "kind", "key", "answers"} layout
KINDS = ("arxiv", "doi", "openalex", "authors", "names")
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_ENDPOINTS = 16
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_QID = re.compile(r"Q[1-9][0-9]{0,11}", re.ASCII)
_PAYLOAD_KEYS = frozenset({"kind", "key", "answers"})
_LEGACY_KEYS = frozenset({"format", "kind", "key", "answers"})
_ANSWER_KEYS = frozenset({"retrieved", "value"})
_STATEMENT_KEYS = frozenset({"author", "ordinal"})


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
    digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{safe}-{digest}.json"


def check_qid(value: Any, where: str) -> str:
    """Return *value* if it is a Wikidata item id (ASCII ``Q[1-9][0-9]*``), else ValueError.

    >>> check_qid("Q42", "value[0]")
    'Q42'
    >>> check_qid("a", "value[0]")
    Traceback (most recent call last):
    ValueError: value[0]: not a Wikidata item id: 'a'
    """
    text = check_text(value, where, 16)
    if not _QID.fullmatch(text):
        raise ValueError(f"{where}: not a Wikidata item id: {describe_problem(text, 16)!r}")
    return text


def check_answer_value(kind: str, value: Any, where: str = "value") -> list[Any]:
    """Return an answer of *kind* if it has that kind's shape and contents, else ValueError.

    ``arxiv``/``doi``/``openalex``: [Q-id]; ``authors``: [{"author": Q-id, "ordinal": str}]; ``names``: [str].

    >>> check_answer_value("arxiv", {"a": 1})
    Traceback (most recent call last):
    ValueError: value: expected an array, got object
    """
    items = check_list(value, where)
    if kind in ("arxiv", "doi", "openalex"):
        return [check_qid(q, f"{where}[{i}]") for i, q in enumerate(items)]
    if kind == "authors":
        return [_statement(s, f"{where}[{i}]") for i, s in enumerate(items)]
    if kind == "names":
        return [check_text(n, f"{where}[{i}]", 1000, empty=False) for i, n in enumerate(items)]
    raise ValueError(f"unknown cache kind {kind!r}")


def _statement(value: Any, where: str) -> dict[str, str]:
    """Return one P50 statement: the author's Q-id and the series ordinal as a string."""
    statement = check_object(value, where, _STATEMENT_KEYS)
    return {
        "author": check_qid(statement["author"], f"{where}.author"),
        "ordinal": check_text(statement["ordinal"], f"{where}.ordinal", 32),
    }


@dataclass(frozen=True)
class Answer:
    """One endpoint's cached answer for one key: its value and when it was retrieved (UTC).

    *stale* answers come from a file of the older, unsealed format: usable, but asked again.
    """

    endpoint: str
    retrieved: str  # ISO 8601 with time zone
    value: Any
    stale: bool = False


class WikidataCache:
    """A directory ``<kind>/<key>.json``; only complete files ever carry their final name."""

    def __init__(self, directory: Path | str | None = None) -> None:
        """Use *directory* (created on first write), by default :func:`default_wikidata_cache_dir`."""
        self.directory = Path(directory) if directory is not None else default_wikidata_cache_dir()
        self._warned: set[Path] = set()

    def path_for(self, kind: str, key: str) -> Path:
        """Return the file that holds the answers for *key* of *kind*."""
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}")
        return self.directory / kind / cache_file_name(key)

    def load_all(self, kind: str, key: str) -> dict[str, Answer]:
        """Return every valid cached answer for *key* by endpoint, stale ones included."""
        path = self.path_for(kind, key)
        try:
            return _decode(read_capped(path, MAX_FILE_BYTES), kind, key)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, KeyError) as exc:
            self._drop(path, exc)
            return {}

    def load(self, kind: str, key: str, endpoint: str) -> Answer | None:
        """Return the answer of *endpoint* for *key* that needs no new request, or None."""
        answer = self.load_all(kind, key).get(endpoint)
        return None if answer is None or answer.stale else answer

    def store(self, kind: str, key: str, endpoint: str, value: Any, retrieved: datetime) -> Path:
        """Add *endpoint*'s answer for *key* to its record, atomically; return the path.

        Raises SourceError when the answer does not fit the schema (nothing is written then).
        """
        try:
            answer = _answer(kind, endpoint, {"retrieved": retrieved.isoformat(), "value": value})
        except ValueError as exc:
            raise SourceError(f"Wikidata answer for {kind} {key!r} not cached: {exc}") from None
        answers = {u: a for u, a in self.load_all(kind, key).items() if not a.stale}
        answers[endpoint] = answer
        payload = {
            "kind": kind,
            "key": key,
            "answers": {
                url: {"retrieved": a.retrieved, "value": a.value} for url, a in answers.items()
            },
        }
        path = write_atomically(
            self.path_for(kind, key), seal_json(CACHE_SCHEMA, CACHE_VERSION, payload)
        )
        self._warned.discard(path)
        return path

    def _drop(self, path: Path, exc: Exception) -> None:
        """Warn once per file (per cache object) that *path* was dropped and why."""
        if path in self._warned:
            return
        self._warned.add(path)
        reason = describe_problem(str(exc) or type(exc).__name__)
        log.warning("Wikidata cache: dropped %s (%s); will ask again", path, reason)


def _decode(raw: bytes, kind: str, key: str) -> dict[str, Answer]:
    """Check a cache file's layout, checksum and answers; ValueError says what is wrong."""
    content = load_json(raw)
    legacy = isinstance(content, dict) and "format" in content
    if legacy:
        if set(content) != _LEGACY_KEYS or type(content["format"]) is not int:
            raise ValueError("not a cache file of the expected layout")
        if content["format"] != 1:
            raise ValueError(f"unknown format {content['format']}")
        payload = content
    else:
        payload = check_object(
            open_sealed(content, CACHE_SCHEMA, CACHE_VERSION), "payload", _PAYLOAD_KEYS
        )
    if payload["kind"] != kind or payload["key"] != key:
        raise ValueError(f"holds another record ({describe_problem(str(payload['key']), 80)})")
    answers = payload["answers"]
    if not isinstance(answers, dict) or len(answers) > MAX_ENDPOINTS:
        raise ValueError(f"answers: expected an object of at most {MAX_ENDPOINTS} endpoints")
    found = {}
    for endpoint, entry in answers.items():
        answer = _answer(kind, endpoint, entry)
        found[answer.endpoint] = Answer(answer.endpoint, answer.retrieved, answer.value, legacy)
    return found


def _answer(kind: str, endpoint: Any, entry: Any) -> Answer:
    """Return one endpoint's answer after checking the endpoint, the time and the value."""
    url = check_http_iri(endpoint, "endpoint")
    where = f"answers[{describe_problem(url, 80)}]"
    entry = check_object(entry, where, _ANSWER_KEYS)
    retrieved = check_time(entry["retrieved"], f"{where}.retrieved").isoformat()
    return Answer(url, retrieved, check_answer_value(kind, entry["value"], f"{where}.value"))
