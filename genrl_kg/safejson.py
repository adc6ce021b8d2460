"""Safe JSON for caches and answers: bounded loading, checksummed files and checked values.

A sealed cache file is ``{"schema", "version", "sha256", "payload"}``; ``sha256`` is the digest
of the payload's canonical JSON (sorted keys, no spaces, ASCII). The ``check_*`` helpers read one
JSON value each and raise ValueError naming where it sits, so that a cache reader can refuse a
record before any of it is used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from genrl_kg.identifiers import check_iri

__all__ = [
    "CLOCK_SKEW",
    "MAX_DEPTH",
    "MAX_TEXT",
    "canonical_json",
    "check_http_iri",
    "check_int",
    "check_list",
    "check_object",
    "check_text",
    "check_time",
    "describe_problem",
    "load_json",
    "open_sealed",
    "read_capped",
    "seal_json",
]

MAX_DEPTH = 16  # an OpenAlex work needs 6 levels, a cache file 7; anything deeper is hostile
MAX_TEXT = 4000
CLOCK_SKEW = timedelta(days=1)
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_FILE_KEYS = frozenset({"schema", "version", "sha256", "payload"})
_HEX = re.compile(r"[0-9a-f]{64}", re.ASCII)


def read_capped(path: Path, max_bytes: int) -> bytes:
    """Return the bytes of the cache file *path*, refusing one larger than *max_bytes*.

    Raises FileNotFoundError when it is absent, ValueError when it is too large, OSError when
    it cannot be read.
    """
    if path.stat().st_size > max_bytes:
        raise ValueError(f"larger than {max_bytes} bytes")
    return path.read_bytes()


def load_json(data: bytes) -> Any:
    """Parse UTF-8 JSON no deeper than MAX_DEPTH, with no NaN and no repeated keys; else ValueError.

    >>> load_json(b'{"a": [1, "x"]}')
    {'a': [1, 'x']}
    >>> load_json(b"[" * 5000)
    Traceback (most recent call last):
    ValueError: JSON nested deeper than 16 levels
    >>> load_json(b'{"a": 1, "a": 2}')
    Traceback (most recent call last):
    ValueError: repeated key 'a'
    """
    text = data.decode("utf-8")  # UnicodeDecodeError is a ValueError
    brackets = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    depth = max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)
    if depth > MAX_DEPTH:
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_no_repeats)
    except RecursionError:  # unreachable after the depth check; kept as a guard
        raise ValueError("JSON nested too deeply") from None


def _no_constant(name: str) -> Any:
    """Refuse NaN and Infinity, which are not JSON."""
    raise ValueError(f"not JSON: {name}")


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build an object, refusing a key given twice."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"repeated key {key!r}")
        result[key] = value
    return result


def canonical_json(payload: dict[str, Any]) -> bytes:
    """Return the bytes a checksum is taken over: sorted keys, no spaces, ASCII only.

    >>> canonical_json({"work": None, "doi": "10.1/é"})
    b'{"doi":"10.1/\\\\u00e9","work":null}'
    """
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def seal_json(schema: str, version: int, payload: dict[str, Any]) -> bytes:
    """Return the file content holding *payload* with its schema, version and sha256 checksum.

    >>> open_sealed(load_json(seal_json("s", 1, {"a": 1})), "s", 1)
    {'a': 1}
    """
    content = {
        "schema": schema,
        "version": version,
        "sha256": hashlib.sha256(canonical_json(payload)).hexdigest(),
        "payload": payload,
    }
    return json.dumps(content, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def open_sealed(content: Any, schema: str, version: int) -> dict[str, Any]:
    """Return the payload of a sealed file's parsed *content*; ValueError unless layout and sum hold.

    >>> open_sealed({"a": 1}, "s", 1)
    Traceback (most recent call last):
    ValueError: not a cache file of the expected layout
    """
    if not isinstance(content, dict) or set(content) != _FILE_KEYS:
        raise ValueError("not a cache file of the expected layout")
    if content["schema"] != schema or content["version"] != version:
        found = f"{content['schema']!r} {content['version']!r}"
        raise ValueError(f"unknown schema {describe_problem(found, 80)}")
    digest, payload = content["sha256"], content["payload"]
    if not isinstance(digest, str) or not _HEX.fullmatch(digest):
        raise ValueError("checksum missing or malformed")
    if not isinstance(payload, dict):
        raise ValueError("payload is not an object")
    actual = hashlib.sha256(canonical_json(payload)).hexdigest()
    if not hmac.compare_digest(actual, digest):
        raise ValueError("checksum mismatch")
    return payload


def describe_problem(text: str, limit: int = 200) -> str:
    r"""Return *text* as one printable ASCII line of at most *limit* characters (for warnings).

    >>> describe_problem("bad \ud800\nvalue")
    'bad \\ud800 value'
    """
    line = " ".join(text.encode("ascii", "backslashreplace").decode("ascii").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def check_object(value: Any, where: str, keys: Collection[str]) -> dict[str, Any]:
    """Return *value* if it is an object with exactly *keys*, else ValueError.

    >>> check_object({"a": 1}, "x", {"b"})
    Traceback (most recent call last):
    ValueError: x: expected the keys ['b'], got ['a']
    """
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object, got {_kind(value)}")
    if set(value) != set(keys):
        got = describe_problem(str(sorted(value)[:10]), 120)
        raise ValueError(f"{where}: expected the keys {sorted(keys)}, got {got}")
    return value


def check_list(value: Any, where: str, max_len: int = 10_000) -> list[Any]:
    """Return *value* if it is an array of at most *max_len* members, else ValueError.

    >>> check_list("Q1", "value")
    Traceback (most recent call last):
    ValueError: value: expected an array, got string
    """
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected an array, got {_kind(value)}")
    if len(value) > max_len:
        raise ValueError(f"{where}: more than {max_len} members")
    return value


def check_text(value: Any, where: str, max_len: int = MAX_TEXT, *, empty: bool = True) -> str:
    r"""Return *value* if it is a string without controls or lone surrogates, else ValueError.

    >>> check_text("x \ud800", "title")
    Traceback (most recent call last):
    ValueError: title: forbidden character '\ud800' at 2
    """
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected a string, got {_kind(value)}")
    bad = _BAD_CHARS.search(value)
    if bad:
        raise ValueError(f"{where}: forbidden character {bad.group()!r} at {bad.start()}")
    if len(value) > max_len:
        raise ValueError(f"{where}: longer than {max_len} characters")
    if not empty and not value.strip():
        raise ValueError(f"{where}: empty")
    return value


def check_int(value: Any, where: str, minimum: int = 0, maximum: int = 2**31) -> int:
    """Return *value* if it is an integer (not a boolean) in [minimum, maximum], else ValueError.

    >>> check_int(True, "version")
    Traceback (most recent call last):
    ValueError: version: expected an integer, got boolean
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}: expected an integer, got {_kind(value)}")
    if not minimum <= value <= maximum:
        raise ValueError(f"{where}: {value} is outside {minimum}..{maximum}")
    return value


def check_http_iri(value: Any, where: str) -> str:
    """Return *value* if it is an http(s) URL that pyoxigraph accepts as an IRI, else ValueError.

    >>> check_http_iri("http://arxiv.org/pdf/1 2", "pdf_url")
    Traceback (most recent call last):
    ValueError: pdf_url: IRI contains ' ' at position 22
    """
    text = check_text(value, where, 2000)
    if not text.startswith(("https://", "http://")):
        raise ValueError(f"{where}: not an http(s) URL: {describe_problem(text, 80)!r}")
    try:
        return check_iri(text)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def check_time(value: Any, where: str) -> datetime:
    """Return an ISO 8601 time with a time zone, in UTC and not in the future, else ValueError.

    >>> check_time("2026-01-02T03:04:05+01:00", "retrieved").isoformat()
    '2026-01-02T02:04:05+00:00'
    """
    text = check_text(value, where, 64)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}: not an ISO 8601 time: {describe_problem(text, 64)!r}") from None
    if when.tzinfo is None:
        raise ValueError(f"{where}: time without time zone")
    when = when.astimezone(UTC)
    if when > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError(f"{where}: {text} lies in the future")
    return when


def _kind(value: Any) -> str:
    """Return the JSON name of *value*'s type."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", float: "number"}
    return "null" if value is None else names.get(type(value), "integer")
