"""Fetch arXiv records politely: cache first, then batched id_list queries; faults never raise."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from genrl_kg import settings
from genrl_kg.errors import SourceError
from genrl_kg.http import BodyTooLargeError, HttpClient, NoRouteError, RetryExhaustedError
from genrl_kg.sources.arxiv.cache import ArxivCache
from genrl_kg.sources.arxiv.feed import FeedError, parse_feed
from genrl_kg.sources.arxiv.models import ArxivRecord, split_arxiv_id

__all__ = [
    "ARXIV_URL_ENV",
    "DEFAULT_ARXIV_URL",
    "FetchResult",
    "FetchStats",
    "fetch_records",
    "plan_batches",
    "resolve_arxiv_url",
]

log = logging.getLogger(__name__)

DEFAULT_ARXIV_URL = "https://export.arxiv.org/api/query"
ARXIV_URL_ENV = settings.ARXIV_URL_ENV
MIN_BATCH = 100
MAX_BATCH = 1000
MAX_REQUESTS = 3
MIN_INTERVAL = 3.0
OFFLINE = "offline: not in the cache"
INVALID = "not a valid arXiv identifier"

ProgressCallback = Callable[[int, int], None]


@dataclass
class FetchStats:
    """Counts of one fetch run; ``requests`` counts HTTP attempts, retries included."""

    requested: int = 0
    fetched: int = 0
    from_cache: int = 0
    failed: int = 0
    requests: int = 0
    batches: int = 0
    kept_stale: int = 0
    went_offline: bool = False

    def summary(self) -> str:
        """Return the one-line summary: fetched, from cache, failed, requests."""
        extra = f", {self.kept_stale} stale kept" if self.kept_stale else ""
        offline = ", offline" if self.went_offline else ""
        return (
            f"arXiv: {self.fetched} fetched, {self.from_cache} from cache, {self.failed} failed"
            f"{extra} ({self.requests} requests{offline})"
        )


@dataclass
class FetchResult:
    """Records by versionless id, failed ids with a one-line reason, and the run's counts."""

    records: dict[str, ArxivRecord] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    stats: FetchStats = field(default_factory=FetchStats)


def resolve_arxiv_url(url: str | None = None) -> str:
    """Return *url*, else $GENRL_KG_ARXIV_URL, else arXiv's own query endpoint."""
    return url or settings.env(ARXIV_URL_ENV) or DEFAULT_ARXIV_URL


def plan_batches(ids: Sequence[str], batch_size: int | None = None) -> list[list[str]]:
    """Split *ids* into batches: *batch_size* each, or by default >= 100 and at most 3 batches.

    >>> [len(b) for b in plan_batches([str(i) for i in range(250)], 100)]
    [100, 100, 50]
    >>> [len(b) for b in plan_batches([str(i) for i in range(450)])]
    [150, 150, 150]
    >>> plan_batches([])
    []
    """
    if batch_size is None:
        batch_size = min(MAX_BATCH, max(MIN_BATCH, math.ceil(len(ids) / MAX_REQUESTS)))
    if batch_size < 1:
        raise ValueError(f"batch size must be positive, got {batch_size}")
    return [list(ids[i : i + batch_size]) for i in range(0, len(ids), batch_size)]


def fetch_records(
    ids: Sequence[str],
    *,
    base_url: str | None = None,
    cache: ArxivCache | None = None,
    batch_size: int | None = None,
    min_interval: float = MIN_INTERVAL,
    timeout: float = settings.HTTP_TIMEOUT,
    max_retries: int = 3,
    backoff: float = MIN_INTERVAL,
    max_wait: float = 120.0,
    refresh: bool = False,
    offline: bool = False,
    max_age: timedelta | None = None,
    progress: ProgressCallback | None = None,
) -> FetchResult:
    """Return arXiv records for *ids* (any form: versioned, 'arXiv:' prefix), keyed versionless.

    Cached records are used unless *refresh*, older than *max_age* or stale (a cache file of the
    older format); the rest is asked for in batches of id_list queries. Offline, every valid
    cached record is used. Expected faults never raise: the affected ids land in ``failed``
    with a reason (a refetch that fails keeps the cached record), and one warning names them.
    """
    result = FetchResult()
    stats = result.stats
    cache = cache if cache is not None else ArxivCache()
    now = datetime.now(UTC)
    wanted: list[str] = []
    for text in ids:
        try:
            arxiv_id = split_arxiv_id(text)[0]
        except ValueError:
            result.failed[text] = INVALID
            continue
        if arxiv_id not in wanted:
            wanted.append(arxiv_id)
    stats.requested = len(wanted) + len(result.failed)

    stale: dict[str, ArxivRecord] = {}
    to_fetch: list[str] = []
    for arxiv_id in wanted:
        found = cache.read(arxiv_id)
        cached = None if found is None else found.record
        fresh = (
            found is not None
            and found.verified
            and (max_age is None or now - found.record.retrieved <= max_age)
        )
        if cached is not None and (offline or (fresh and not refresh)):
            result.records[arxiv_id] = cached
            stats.from_cache += 1
        elif offline:
            result.failed[arxiv_id] = OFFLINE
        else:
            to_fetch.append(arxiv_id)
            if cached is not None:
                stale[arxiv_id] = cached
    total = stats.requested
    done = total - len(to_fetch)
    if progress is not None:
        progress(done, total)

    if to_fetch:
        url = resolve_arxiv_url(base_url)
        client = HttpClient(
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
            max_wait=max_wait,
            min_interval=min_interval,
        )
        with client:
            for batch in plan_batches(to_fetch, batch_size):
                records, problems = _fetch_batch(client, url, batch)
                stats.batches += 1
                for record in records.values():
                    _store(cache, record)
                result.records.update(records)
                stats.fetched += len(records)
                for arxiv_id, reason in problems.items():
                    if arxiv_id in stale:
                        result.records[arxiv_id] = stale[arxiv_id]
                        stats.kept_stale += 1
                        stats.from_cache += 1
                    else:
                        result.failed[arxiv_id] = reason
                done += len(batch)
                if progress is not None:
                    progress(done, total)
            stats.requests = client.attempts
            stats.went_offline = client.no_route is not None
    stats.failed = len(result.failed)
    if result.failed:
        log.warning("%s", _failure_message(result.failed, client_note=stats.went_offline))
    return result


def _fetch_batch(
    client: HttpClient, url: str, batch: list[str]
) -> tuple[dict[str, ArxivRecord], dict[str, str]]:
    """Ask for one batch; return (records, problems) and never raise on expected faults."""
    if client.no_route is not None:
        return {}, dict.fromkeys(batch, f"offline: {client.no_route}")
    query = urlencode(
        {"id_list": ",".join(batch), "start": "0", "max_results": str(len(batch))}, safe=",/"
    )
    full = f"{url}{'&' if '?' in url else '?'}{query}"
    try:
        response = client.get(full)
    except NoRouteError as exc:
        return {}, dict.fromkeys(batch, f"offline: {exc}")
    except (RetryExhaustedError, BodyTooLargeError) as exc:
        log.info("arXiv batch of %d failed: %s", len(batch), exc)
        return {}, dict.fromkeys(batch, str(exc))
    if response.status_code != 200:
        reason = f"arXiv answered HTTP {response.status_code}"
        log.info("arXiv batch of %d failed: %s", len(batch), reason)
        return {}, dict.fromkeys(batch, reason)
    try:
        return parse_feed(response.content, batch, retrieved=datetime.now(UTC))
    except FeedError as exc:
        log.info("arXiv batch of %d failed: %s", len(batch), exc)
        return {}, dict.fromkeys(batch, str(exc))


def _store(cache: ArxivCache, record: ArxivRecord) -> None:
    """Cache *record*; a write failure costs a refetch next run, so it only warns."""
    try:
        cache.store(record)
    except (OSError, SourceError) as exc:
        log.warning("arXiv cache: cannot write %s (%s)", record.arxiv_id, exc)


def _failure_message(failed: dict[str, str], *, client_note: bool, limit: int = 20) -> str:
    """Return one warning line naming the failed ids, grouped by reason."""
    by_reason: dict[str, list[str]] = {}
    for arxiv_id, reason in failed.items():
        by_reason.setdefault(reason, []).append(arxiv_id)
    parts = []
    for reason, group in by_reason.items():
        shown = ", ".join(group[:limit]) + (
            f" (+{len(group) - limit} more)" if len(group) > limit else ""
        )
        parts.append(f"{reason}: {shown}")
    head = "went offline; " if client_note else ""
    return f"arXiv: {head}{len(failed)} identifiers not enriched; " + "; ".join(parts)
