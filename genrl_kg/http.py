"""Polite HTTP: our User-Agent, timeouts, throttling, retries with backoff, no-route detection."""

from __future__ import annotations

import errno
import logging
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from genrl_kg import settings
from genrl_kg.errors import SourceError

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_NO_ROUTE_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH})


class NoRouteError(SourceError):
    """The host cannot be reached at all (name resolution failed, connection refused)."""


class RetryExhaustedError(SourceError):
    """A request kept failing (connection error, timeout, 429 or 5xx) until the retries ran out."""


class BodyTooLargeError(SourceError):
    """A response body was larger than the caller allows."""


def make_session(user_agent: str = settings.USER_AGENT) -> requests.Session:
    """Return a requests session that sends *user_agent* and does no retries of its own."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    return session


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the wait in seconds a Retry-After header asks for, or None if absent or unreadable.

    >>> parse_retry_after("7")
    7.0
    >>> now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now)
    10.0
    >>> parse_retry_after("soon") is None
    True
    """
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Return the exponential backoff before retry number *attempt* (0-based), capped at *cap*.

    >>> [backoff_delay(i, 0.5, 3.0) for i in range(4)]
    [0.5, 1.0, 2.0, 3.0]
    """
    return min(cap, base * (2**attempt))


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """Yield *exc* and everything it wraps (causes, contexts, urllib3 reasons, args)."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None)])
        stack.extend(item.args)


def is_no_route(exc: BaseException) -> bool:
    """Tell whether a connection error means the host is unreachable (DNS failure, refused)."""
    for item in _causes(exc):
        if isinstance(item, socket.gaierror | urllib3.exceptions.NameResolutionError):
            return True
        if isinstance(item, ConnectionRefusedError):
            return True
        if isinstance(item, OSError) and item.errno in _NO_ROUTE_ERRNOS:
            return True
    return False


class Throttle:
    """Keep at least *min_interval* seconds between the starts of consecutive requests."""

    def __init__(
        self,
        min_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Remember the interval; the first request never waits."""
        self.min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        """Sleep until the interval since the previous request has passed, then mark a new start."""
        if self._last is not None:
            remaining = self._last + self.min_interval - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last = self._clock()


class HttpClient:
    """GET with our User-Agent, a timeout, throttling, retries with backoff and no-route latch.

    After a :class:`NoRouteError` every later call raises it at once without touching the network,
    so a run on a machine without a route goes on offline instead of retrying for minutes.
    """

    def __init__(
        self,
        *,
        timeout: float = settings.HTTP_TIMEOUT,
        max_retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        min_interval: float = 0.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Set the retry policy; *max_wait* caps each backoff and the Retry-After we accept."""
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.max_bytes = max_bytes
        self.session = session or make_session()
        self.throttle = Throttle(min_interval, sleep=sleep)
        self._sleep = sleep
        self.attempts = 0
        self.no_route: str | None = None

    def close(self) -> None:
        """Close the underlying session."""
        self.session.close()

    def __enter__(self) -> HttpClient:
        """Return self."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the session."""
        self.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """GET *url*; return the response (body read) unless it is retryable and retries ran out.

        Non-retryable statuses (e.g. 404) are returned to the caller to judge. Raises
        NoRouteError (first attempt could not connect at all), RetryExhaustedError, or
        BodyTooLargeError.
        """
        return self._request("GET", url, params, None, headers)

    def post(
        self,
        url: str,
        *,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """POST *data* as a form to *url*, with the same retries, limits and errors as :meth:`get`."""
        return self._request("POST", url, None, data, headers)

    def _request(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> requests.Response:
        if self.no_route is not None:
            raise NoRouteError(self.no_route)
        reason = "no attempt made"
        wait_next: float | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                delay = backoff_delay(attempt - 1, self.backoff, self.max_wait)
                self._sleep(delay if wait_next is None else wait_next)
            wait_next = None
            self.throttle.wait()
            self.attempts += 1
            try:
                response = self._attempt(method, url, params, data, headers)
            except requests.RequestException as exc:
                if attempt == 0 and is_no_route(exc):
                    self.no_route = f"cannot reach {_host(url)}: {_short(exc)}"
                    raise NoRouteError(self.no_route) from exc
                reason = _describe(exc)
                log.info("%s %s attempt %d failed: %s", method, url, attempt + 1, reason)
                continue
            if response.status_code not in RETRY_STATUSES:
                return response
            reason = f"HTTP {response.status_code}"
            log.info("%s %s attempt %d answered %s", method, url, attempt + 1, reason)
            wait_next = parse_retry_after(response.headers.get("Retry-After"))
            if wait_next is not None and wait_next > self.max_wait:
                raise RetryExhaustedError(
                    f"{_host(url)} answered {reason} asking to retry after {wait_next:.0f} s "
                    f"(more than {self.max_wait:.0f} s)"
                )
        raise RetryExhaustedError(f"{_host(url)}: {reason} after {self.max_retries + 1} attempts")

    def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> requests.Response:
        """Make one request and read its body within the size limit."""
        response = self.session.request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            timeout=self.timeout,
            stream=True,
        )
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise BodyTooLargeError(
                        f"{_host(url)}: body larger than {self.max_bytes} bytes"
                    )
                chunks.append(chunk)
            response._content = b"".join(chunks)
        finally:
            response.close()
        return response


def _host(url: str) -> str:
    """Return scheme://host:port of *url* for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _short(exc: BaseException) -> str:
    """Return the innermost useful message of a connection error."""
    for item in _causes(exc):
        if isinstance(item, ConnectionRefusedError):
            return "connection refused"
        if isinstance(item, socket.gaierror | urllib3.exceptions.NameResolutionError):
            return "name resolution failed"
    return type(exc).__name__


def _describe(exc: requests.RequestException) -> str:
    """Return a short reason for a failed attempt."""
    if isinstance(exc, requests.Timeout):
        return "timeout"
    if isinstance(exc, requests.ConnectionError):
        return "connection error"
    return type(exc).__name__
