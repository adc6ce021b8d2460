"""The remote modules' side of the one HTTP client: no retries, bounded reads, one-line errors.

Requests go through :class:`genrl_kg.http.HttpClient` on the caller's session (our User-Agent,
a timeout, a size cap) with no retries: a Graph Store push streams its body once, and a query
against a user's endpoint should fail fast and clearly.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from genrl_kg.errors import QueryError, SourceError
from genrl_kg.http import (
    BodyTooLargeError,
    HttpClient,
    NoRouteError,
    RequestTimeoutError,
    RetryExhaustedError,
)

__all__ = [
    "MAX_BODY",
    "check_endpoint_url",
    "check_status",
    "describe_endpoint",
    "first_line",
    "send_request",
]

MAX_BODY = 256 * 1024 * 1024


def check_endpoint_url(url: str, what: str = "endpoint") -> str:
    """Return *url* when it is an http(s) URL with a host; raise a one-line SourceError if not.

    >>> check_endpoint_url("http://[::1")
    Traceback (most recent call last):
    genrl_kg.errors.SourceError: endpoint 'http://[::1' is not an http(s) URL with a host
    """
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        valid = False
    if not valid:
        raise SourceError(f"{what} {url!r} is not an http(s) URL with a host")
    return url


def describe_endpoint(url: str) -> str:
    """Return scheme://host/path of *url* (no query string, which may hold secrets).

    >>> describe_endpoint("http://h:7878/query?token=x")
    'http://h:7878/query'
    """
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def first_line(body: bytes, limit: int = 200) -> str:
    """Return the first non-empty line of *body*, cut to *limit* characters.

    >>> first_line(b"\\n  Bad request: no query\\nmore"), first_line(b"")
    ('Bad request: no query', '(empty body)')
    """
    text = body.decode("utf-8", "replace").strip()
    line = next((x.strip() for x in text.splitlines() if x.strip()), "")
    return line[:limit] or "(empty body)"


def send_request(
    session: requests.Session, method: str, url: str, *, timeout: float, **kwargs: Any
) -> requests.Response:
    """Make one request through the project's HTTP client, without retries; read the body.

    Network failures become one-line SourceErrors; every status comes back to the caller,
    who judges it (:func:`check_status`). *timeout* bounds the whole answer.
    """
    check_endpoint_url(url)
    where = describe_endpoint(url)
    client = HttpClient(
        timeout=timeout,
        max_retries=0,
        max_bytes=MAX_BODY,
        session=session,
        retry_statuses=frozenset(),
    )
    try:
        return client.request(method, url, deadline=timeout, **kwargs)
    except RequestTimeoutError:
        raise SourceError(f"{where}: no answer within {timeout:g} s") from None
    except BodyTooLargeError:
        raise SourceError(f"{where}: answer larger than {MAX_BODY} bytes") from None
    except NoRouteError:
        reason = "connection refused or host unknown"
        raise SourceError(f"{where}: cannot reach the endpoint ({reason})") from None
    except RetryExhaustedError as exc:
        reason = str(exc).rsplit(": ", 1)[-1]
        raise SourceError(f"{where}: cannot reach the endpoint ({reason})") from None


def check_status(response: requests.Response, url: str, what: str) -> None:
    """Raise a one-line error for a non-2xx *response* to the *what* request at *url*."""
    status = response.status_code
    if status < 300:
        return
    message = first_line(response.content)
    where = describe_endpoint(url)
    if status in (401, 403):
        raise SourceError(
            f"{where}: {what} refused, HTTP {status} (check the credentials): {message}"
        )
    if status == 404:
        raise SourceError(f"{where}: no {what} endpoint here (HTTP 404): {message}")
    if 400 <= status < 500:
        raise QueryError(f"{where}: {what} rejected, HTTP {status}: {message}")
    raise SourceError(f"{where}: server error HTTP {status} on {what}: {message}")
