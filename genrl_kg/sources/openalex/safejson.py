"""JSON reading that refuses what a cache or an API answer must never hold (deep nesting, NaN)."""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

__all__ = ["MAX_DEPTH", "load_json"]

MAX_DEPTH = 16  # a works answer needs 6 levels; anything deeper is hostile
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


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
