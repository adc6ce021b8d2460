"""A bounded LRU cache of complete successful responses, one per HTTP process.

The store never changes while a server runs, so a 200 answer is a function of the request:
the query text, the negotiated format, the dataset parameters and the base IRI (the endpoint
URL). Everything else that shapes an answer (row cap, limits) is a setting fixed for the
cache's lifetime, since the cache lives and dies with the application. A hit skips the guard
and the worker pool: the same text passed both before.

SPARQL entries are found without running the guard: the query form of every cached text is
remembered (for as long as an entry with that text lives), so content negotiation can be
redone on the new Accept header and format parameter before the lookup.
"""

from __future__ import annotations

import functools
import sys
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from genrl_kg.sparql import formats

__all__ = [
    "ENTRY_OVERHEAD",
    "MAX_ENTRY_BYTES",
    "CachedResponse",
    "ResponseCache",
    "make_cache",
    "negotiate_cached",
    "query_key",
]

MAX_ENTRY_BYTES = 1 << 20
ENTRY_OVERHEAD = 400  # key tuple, dict slot, entry object: a rough per-entry charge
_QUERY = "q"

Key = tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """A complete 200 answer: the body and its content type (with charset)."""

    body: bytes
    media_type: str


@functools.lru_cache(maxsize=256)
def negotiate_cached(kind: str, accept: str | None, format_param: str | None) -> str:
    """Return formats.negotiate(kind, accept, format_param), memoised (it is pure).

    >>> negotiate_cached('select', 'text/csv', None)
    'csv'
    """
    return formats.negotiate(kind, accept, format_param)


def _graphs(values: Sequence[str] | None) -> tuple[str, ...] | None:
    """Return a dataset parameter's IRIs as a tuple (order kept), None when absent.

    >>> _graphs(['urn:b', 'urn:a']), _graphs(None)
    (('urn:b', 'urn:a'), None)
    """
    return None if values is None else tuple(values)


def query_key(
    text: str,
    fmt: str,
    default_graphs: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
    base: str,
) -> Key:
    """Return the cache key of a SPARQL query answer.

    >>> query_key('ASK {}', 'json', None, ['urn:g'], 'http://h/sparql')
    ('q', 'ASK {}', 'json', None, ('urn:g',), 'http://h/sparql')
    """
    return (_QUERY, text, fmt, _graphs(default_graphs), _graphs(named_graphs), base)


class ResponseCache:
    """An LRU map from request keys to complete 200 responses, bounded by total bytes."""

    def __init__(self, max_bytes: int, max_entry_bytes: int = MAX_ENTRY_BYTES) -> None:
        """Hold at most *max_bytes* in all, and no entry over *max_entry_bytes*."""
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._entries: OrderedDict[Key, tuple[CachedResponse, int]] = OrderedDict()
        self._kinds: dict[str, list[Any]] = {}  # query text -> [kind, live entry count]
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def __len__(self) -> int:
        """Return the number of entries."""
        return len(self._entries)

    def get(self, key: Key) -> CachedResponse | None:
        """Return the entry for *key* (now the most recently used) and count a hit, or None."""
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return found[0]

    def put(self, key: Key, response: CachedResponse, extra: int = 0) -> bool:
        """Store *response* under *key*, evicting the least recently used; False if too big."""
        size = len(response.body) + len(response.media_type) + extra + ENTRY_OVERHEAD
        if size > self.max_entry_bytes:
            return False
        if key in self._entries:  # a concurrent miss answered first; the answer is the same
            self._entries.move_to_end(key)
            return True
        self._entries[key] = (response, size)
        self.bytes += size
        if key[0] == _QUERY:
            self._kinds[key[1]][1] += 1  # type: ignore[index]
        while self.bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))
            self.evictions += 1
        return True

    def _drop(self, key: Key) -> None:
        """Remove *key*, forgetting its text's query form when no entry uses it any more."""
        _, size = self._entries.pop(key)
        self.bytes -= size
        if key[0] == _QUERY:
            text = key[1]
            memo = self._kinds[text]  # type: ignore[index]
            memo[1] -= 1
            if memo[1] == 0:
                del self._kinds[text]  # type: ignore[arg-type]

    def lookup_query(
        self,
        text: str,
        accept: str | None,
        format_param: str | None,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        base: str,
    ) -> CachedResponse | None:
        """Return the cached answer to a SPARQL query request, or None."""
        memo = self._kinds.get(text)
        if memo is None:
            return None
        try:
            fmt = negotiate_cached(memo[0], accept, format_param)
        except formats.NotAcceptable:
            return None
        return self.get(query_key(text, fmt, default_graphs, named_graphs, base))

    def store_query(
        self,
        text: str,
        kind: str,
        fmt: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        base: str,
        response: CachedResponse,
    ) -> bool:
        """Store the 200 answer to a SPARQL query of form *kind* negotiated to *fmt*."""
        memo = self._kinds.setdefault(text, [kind, 0])
        stored = self.put(
            query_key(text, fmt, default_graphs, named_graphs, base),
            response,
            extra=sys.getsizeof(text) + len(base),
        )
        if memo[1] == 0:
            del self._kinds[text]
        return stored

    def stats(self) -> dict[str, int]:
        """Return the counters and sizes (for /status)."""
        return {
            "entries": len(self._entries),
            "bytes": self.bytes,
            "max_bytes": self.max_bytes,
            "hits": self.hits,
            "misses": self.misses,
            "evictions": self.evictions,
        }


def make_cache(settings: Any) -> ResponseCache | None:
    """Return the response cache *settings* ask for, or None when it is off (cache_mb 0)."""
    size = int(settings.cache_mb * 1024 * 1024)
    return ResponseCache(size) if size > 0 else None
