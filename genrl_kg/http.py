"""Polite HTTP, one client for every upstream: our User-Agent, a timeout on every request,
throttling, retries through urllib3's ``Retry`` (which honours Retry-After), a size cap on
bodies, and a no-route latch so a machine without a route goes offline at once.
"""

from __future__ import annotations

import errno
import logging
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from genrl_kg import settings
from genrl_kg.errors import SourceError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "RETRY_STATUSES",
    "BodyTooLargeError",
    "HttpClient",
    "NoRouteError",
    "RequestTimeoutError",
    "RetryExhaustedError",
    "Throttle",
    "backoff_delay",
    "describe_host",
    "is_no_route",
    "make_session",
    "parse_retry_after",
]

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


class RequestTimeoutError(RetryExhaustedError):
    """No complete answer came within the timeout (or the caller's deadline)."""


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
    if text.isascii() and text.isdigit():
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


def describe_host(url: str) -> str:
    """Return scheme://host:port of *url*, for messages that must not leak query strings.

    >>> describe_host("https://api.example.org/works?api_key=secret")
    'https://api.example.org'
    """
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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
        self.mark()

    def mark(self) -> None:
        """Record that a request starts now."""
        self._last = self._clock()


class _PoliteRetry(Retry):
    """urllib3's Retry with our backoff, a cap on Retry-After, the throttle and an injectable sleep.

    A Retry-After longer than *max_wait* stops at once (RetryExhaustedError) instead of
    sleeping for it; every wait goes through the client's throttle and sleep function.
    """

    client: HttpClient | None = None

    def new(self, **kw: Any) -> _PoliteRetry:
        """Carry the client over to the next Retry (urllib3 makes one per attempt)."""
        made = super().new(**kw)
        made.client = self.client
        return made

    def sleep(self, response: Any = None) -> None:
        """Wait before the next attempt: Retry-After if the server asked, else our backoff."""
        client = self.client
        if client is None:
            super().sleep(response)
            return
        asked = parse_retry_after(response.headers.get("Retry-After")) if response else None
        if asked is not None and asked > client.max_wait:
            status = getattr(response, "status", "?")
            raise RetryExhaustedError(
                f"server answered HTTP {status} asking to retry after {asked:.0f} s "
                f"(more than {client.max_wait:.0f} s)"
            )
        failures = max(1, len(self.history))
        wait = (
            asked
            if asked is not None
            else backoff_delay(failures - 1, client.backoff, client.max_wait)
        )
        wait = max(wait, client.throttle.min_interval)
        last = self.history[-1] if self.history else None
        why = (last.status or type(last.error).__name__) if last is not None else "?"
        log.info("retrying in %.1f s after %s", wait, why)  # never the URL: it may hold a key
        client._sleep(wait)
        client.throttle.mark()


class HttpClient:
    """Requests with our User-Agent, a timeout, throttling, retries and a no-route latch.

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
        retry_statuses: frozenset[int] = RETRY_STATUSES,
    ) -> None:
        """Set the retry policy; *max_wait* caps each backoff and the Retry-After we accept.

        *retry_statuses* are retried and, when retries run out, raised; pass an empty set to
        get every answer back as it is (a user's own endpoint, judged by the caller).
        """
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
        self.retry_statuses = retry_statuses
        retry = _PoliteRetry(
            total=None,
            connect=0,  # a refused or unresolvable host is no route, not worth retrying
            read=max_retries,
            other=max_retries,
            status=max_retries,
            status_forcelist=retry_statuses,
            allowed_methods=None,  # POST too: our POSTs are queries, safe to repeat
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.client = self
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

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
        return self.request("GET", url, params=params, headers=headers)

    def post(
        self,
        url: str,
        *,
        data: Mapping[str, str] | bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """POST *data* to *url*, with the same retries, limits and errors as :meth:`get`."""
        return self.request("POST", url, data=data, headers=headers)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | bytes | Iterable[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: Any = None,
        deadline: float | None = None,
    ) -> requests.Response:
        """Make one logical request (urllib3 retries inside it) and read the body within limits.

        *data* may be an iterable of byte chunks, streamed once; *deadline* (seconds) bounds
        the whole answer, body included, where the timeout bounds each wait for bytes.
        """
        if self.no_route is not None:
            raise NoRouteError(self.no_route)
        self.throttle.wait()
        ends = None if deadline is None else time.monotonic() + deadline
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                auth=auth,
                timeout=self.timeout,
                stream=True,
            )
        except requests.RequestException as exc:
            return self._fail(url, exc)
        except RetryExhaustedError as exc:  # a Retry-After longer than we wait, raised in Retry
            self.attempts += 1
            raise RetryExhaustedError(f"{describe_host(url)}: {exc}") from None
        retries = getattr(response.raw, "retries", None)
        self.attempts += 1 + len(getattr(retries, "history", ()))
        self._read_body(response, url, ends)
        if response.status_code in self.retry_statuses:
            raise RetryExhaustedError(
                f"{describe_host(url)}: HTTP {response.status_code} after "
                f"{self.max_retries + 1} attempts"
            )
        return response

    def _fail(self, url: str, exc: requests.RequestException) -> requests.Response:
        """Turn a failed request into NoRouteError (latched) or RetryExhaustedError."""
        history = len(
            getattr(getattr(exc.args[0] if exc.args else None, "retries", None), "history", ())
            or ()
        )
        if is_no_route(exc):
            self.attempts += 1
            self.no_route = f"cannot reach {describe_host(url)}: {_short(exc)}"
            raise NoRouteError(self.no_route) from exc
        attempts = self.max_retries + 1
        self.attempts += max(attempts, history + 1)
        reason = _describe(exc)
        kind = RequestTimeoutError if reason == "timeout" else RetryExhaustedError
        raise kind(f"{describe_host(url)}: {reason} after {attempts} attempts") from exc

    def _read_body(self, response: requests.Response, url: str, ends: float | None) -> None:
        """Read the body within the size limit (and the deadline) into ``response.content``."""
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise BodyTooLargeError(
                        f"{describe_host(url)}: body larger than {self.max_bytes} bytes"
                    )
                if ends is not None and time.monotonic() > ends:
                    raise RequestTimeoutError(f"{describe_host(url)}: no complete answer in time")
                chunks.append(chunk)
            response._content = b"".join(chunks)
        except requests.RequestException as exc:
            reason = _describe(exc)
            kind = RequestTimeoutError if reason == "timeout" else RetryExhaustedError
            raise kind(f"{describe_host(url)}: {reason} while reading the answer") from exc
        finally:
            response.close()


def _short(exc: BaseException) -> str:
    """Return the innermost useful message of a connection error."""
    for item in _causes(exc):
        if isinstance(item, ConnectionRefusedError):
            return "connection refused"
        if isinstance(item, socket.gaierror | urllib3.exceptions.NameResolutionError):
            return "name resolution failed"
    return type(exc).__name__


def _describe(exc: BaseException) -> str:
    """Return a short reason for a failed request."""
    for item in _causes(exc):
        if isinstance(item, requests.Timeout | urllib3.exceptions.TimeoutError | TimeoutError):
            return "timeout"
    if isinstance(exc, requests.ConnectionError):
        return "connection error"
    return type(exc).__name__
