"""Fetch OpenAlex works by DOI: cache first, then at most 100 DOIs per filter call; faults never raise."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from genrl_kg import settings
from genrl_kg.errors import SourceError
from genrl_kg.http import BodyTooLargeError, HttpClient, NoRouteError, RetryExhaustedError
from genrl_kg.identifiers import normalize_doi
from genrl_kg.sources.openalex.answer import AnswerError, BatchAnswer, parse_answer
from genrl_kg.sources.openalex.cache import CachedAnswer, OpenAlexCache
from genrl_kg.sources.openalex.result import FetchResult

__all__ = [
    "MAX_PER_REQUEST",
    "SELECT_FIELDS",
    "fetch_works",
    "plan_batches",
]

log = logging.getLogger(__name__)

MAX_PER_REQUEST = 100  # OpenAlex ORs at most 100 values in one filter
PER_PAGE = 100
SELECT_FIELDS = (
    "id",
    "doi",
    "title",
    "publication_year",
    "cited_by_count",
    "referenced_works",
    "authorships",
    "primary_location",
    "locations",
    "open_access",
)
MAX_BYTES = 32 * 1024 * 1024
OFFLINE = "offline: not in the cache"
NOT_A_DOI = "not a DOI"
UNFILTERABLE = "DOI holds ',' or '|', which an OpenAlex filter cannot carry"
VANISHED = "OpenAlex no longer finds this DOI"

ProgressCallback = Callable[[int, int], None]


def plan_batches(dois: Sequence[str], limit: int = MAX_PER_REQUEST) -> list[list[str]]:
    """Split *dois* into the fewest batches of at most *limit*, as even as possible.

    >>> [len(b) for b in plan_batches([str(i) for i in range(250)])]
    [84, 83, 83]
    >>> [len(b) for b in plan_batches([str(i) for i in range(100)])]
    [100]
    >>> plan_batches([])
    []
    """
    if not dois:
        return []
    count = math.ceil(len(dois) / limit)
    size, extra = divmod(len(dois), count)
    batches, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        batches.append(list(dois[start:end]))
        start = end
    return batches


def fetch_works(
    dois: Iterable[str],
    base_url: str,
    cache: OpenAlexCache,
    *,
    mailto: str | None = None,
    api_key: str | None = None,
    refresh: bool = False,
    offline: bool = False,
    max_age: timedelta | None = None,
    http: HttpClient | None = None,
    progress: ProgressCallback | None = None,
) -> FetchResult:
    """Return the OpenAlex works of *dois* (any DOI form), keyed by lower-case DOI.

    Cached answers (works and "not found") are used unless *refresh* or older than *max_age*;
    the rest is asked for with ``GET {base_url}/works?filter=doi:…``. Expected faults never
    raise: affected DOIs keep their cached answer or land in ``failed``, with one warning.
    """
    if not base_url.startswith(("https://", "http://")):
        raise SourceError(f"OpenAlex base URL must be http(s): {base_url!r}")
    result = FetchResult()
    wanted = _wanted(dois, result.failed)
    result.stats.requested = len(wanted) + len(result.failed)
    stale, to_fetch = _from_cache(wanted, cache, result, refresh, offline, max_age)
    total, done = result.stats.requested, result.stats.requested - len(to_fetch)
    if progress is not None:
        progress(done, total)
    result.stats.went_offline = offline
    if to_fetch:
        client = http or HttpClient(
            timeout=settings.HTTP_TIMEOUT, max_retries=3, min_interval=0.1, max_bytes=MAX_BYTES
        )
        before = client.attempts
        params = _params(mailto, api_key)
        try:
            for batch in plan_batches(to_fetch):
                answer = _ask(client, base_url.rstrip("/") + "/works", params, batch)
                _apply(answer, cache, result, stale)
                done += len(batch)
                if progress is not None:
                    progress(done, total)
        finally:
            result.stats.requests = client.attempts - before
            result.stats.went_offline = client.no_route is not None
            if http is None:
                client.close()
    result.stats.failed = len(result.failed)
    result.stats.not_found = len(result.not_found)
    if result.failed or result.stats.kept_stale:
        log.warning("%s", result.describe_problems())
    return result


def _wanted(dois: Iterable[str], failed: dict[str, str]) -> list[str]:
    """Return the distinct lower-case DOIs to answer; unusable ones go to *failed*."""
    wanted: dict[str, None] = {}
    for text in dois:
        doi = normalize_doi(text) if isinstance(text, str) else None
        if doi is None:
            failed[str(text)[:200]] = NOT_A_DOI
        elif "," in doi or "|" in doi:
            failed[doi] = UNFILTERABLE
        else:
            wanted[doi] = None
    return list(wanted)


def _from_cache(
    wanted: list[str],
    cache: OpenAlexCache,
    result: FetchResult,
    refresh: bool,
    offline: bool,
    max_age: timedelta | None,
) -> tuple[dict[str, CachedAnswer], list[str]]:
    """Use fresh cached answers; return (stale answers, DOIs to ask for)."""
    now = datetime.now(UTC)
    stale: dict[str, CachedAnswer] = {}
    to_fetch: list[str] = []
    for doi in wanted:
        cached = cache.load(doi)
        fresh = cached is not None and (max_age is None or now - cached.retrieved <= max_age)
        if cached is not None and (offline or (fresh and not refresh)):
            _use(result, cached)
        elif offline:
            result.failed[doi] = OFFLINE
        else:
            to_fetch.append(doi)
            if cached is not None:
                stale[doi] = cached
    return stale, to_fetch


def _params(mailto: str | None, api_key: str | None) -> dict[str, str]:
    """Return the query parameters every request carries (besides the filter)."""
    params = {"per-page": str(PER_PAGE), "select": ",".join(SELECT_FIELDS)}
    if api_key:
        params["api_key"] = api_key
    elif mailto:
        params["mailto"] = mailto
    return params


def _ask(client: HttpClient, url: str, params: dict[str, str], batch: list[str]) -> BatchAnswer:
    """Ask for one batch; a fault becomes an answer where every DOI failed with the reason."""
    if client.no_route is not None:
        return _all_failed(batch, f"offline: {client.no_route}")
    try:
        response = client.get(url, params={**params, "filter": "doi:" + "|".join(batch)})
    except NoRouteError as exc:
        return _all_failed(batch, f"offline: {exc}")
    except (RetryExhaustedError, BodyTooLargeError) as exc:
        return _all_failed(batch, str(exc))
    if response.status_code != 200:
        return _all_failed(batch, f"OpenAlex answered HTTP {response.status_code}")
    try:
        return parse_answer(response.content, batch, retrieved=datetime.now(UTC))
    except AnswerError as exc:
        return _all_failed(batch, str(exc))


def _all_failed(batch: list[str], reason: str) -> BatchAnswer:
    """Return an answer in which every DOI of *batch* failed for *reason*."""
    log.info("OpenAlex batch of %d failed: %s", len(batch), reason)
    return BatchAnswer({}, (), dict.fromkeys(batch, reason), (), ())


def _apply(
    answer: BatchAnswer,
    cache: OpenAlexCache,
    result: FetchResult,
    stale: dict[str, CachedAnswer],
) -> None:
    """Record and cache what *answer* says; a failure or a vanished work keeps the cached one."""
    for doi, work in answer.works.items():
        _store(cache, CachedAnswer(doi, work.retrieved, work))
        result.records[doi] = work
        result.stats.fetched += 1
    now = datetime.now(UTC)
    for doi in answer.not_found:
        if doi in stale and stale[doi].work is not None:
            _keep_stale(result, stale[doi], VANISHED)
        else:
            _store(cache, CachedAnswer(doi, now, None))
            result.not_found[doi] = now
    for doi, reason in answer.failed.items():
        if doi in stale:
            _keep_stale(result, stale[doi], reason)
        else:
            result.failed[doi] = reason
    if answer.foreign:
        log.warning(
            "OpenAlex answered %d works for DOIs not asked for (ignored): %s",
            len(answer.foreign),
            "; ".join(answer.foreign[:10]),
        )
    if answer.notes:
        log.warning("OpenAlex answer: %s", "; ".join(answer.notes[:20]))


def _use(result: FetchResult, cached: CachedAnswer) -> None:
    """Put a cached answer into *result*."""
    if cached.work is None:
        result.not_found[cached.doi] = cached.retrieved
    else:
        result.records[cached.doi] = cached.work
    result.stats.from_cache += 1


def _keep_stale(result: FetchResult, cached: CachedAnswer, reason: str) -> None:
    """Use a cached answer because the refetch failed for *reason*."""
    _use(result, cached)
    result.stale[cached.doi] = reason
    result.stats.kept_stale += 1


def _store(cache: OpenAlexCache, answer: CachedAnswer) -> None:
    """Cache *answer*; a write failure costs a request next run, so it only warns."""
    try:
        cache.store(answer)
    except (OSError, ValueError, SourceError) as exc:
        log.warning("OpenAlex cache: cannot write the answer for %s (%s)", answer.doi, exc)
