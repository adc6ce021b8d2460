"""HTTP plumbing shared by the remote modules: bounded reads and one-line errors."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import requests

from genrl_kg.errors import QueryError, SourceError
from genrl_kg.http import is_no_route

MAX_BODY = 256 * 1024 * 1024


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _first_line(body: bytes, limit: int = 200) -> str:
    text = body.decode("utf-8", "replace").strip()
    line = next((x.strip() for x in text.splitlines() if x.strip()), "")
    return line[:limit] or "(empty body)"


def _send(
    session: requests.Session, method: str, url: str, *, timeout: float, **kwargs: Any
) -> requests.Response:
    """Make one request; turn network failures into one-line SourceErrors; read the body."""
    deadline = time.monotonic() + timeout
    try:
        response = session.request(method, url, timeout=timeout, stream=True, **kwargs)
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_BODY:
                raise SourceError(f"{_host(url)}: answer larger than {MAX_BODY} bytes")
            if time.monotonic() > deadline:
                raise SourceError(f"{_host(url)}: no complete answer within {timeout:g} s")
            chunks.append(chunk)
        response._content = b"".join(chunks)
        response.close()
        return response
    except requests.Timeout:
        raise SourceError(f"{_host(url)}: no answer within {timeout:g} s") from None
    except requests.RequestException as exc:
        reason = "connection refused or host unknown" if is_no_route(exc) else type(exc).__name__
        raise SourceError(f"{_host(url)}: cannot reach the endpoint ({reason})") from None


def _check_status(response: requests.Response, url: str, what: str) -> None:
    status = response.status_code
    if status < 300:
        return
    message = _first_line(response.content)
    if status in (401, 403):
        raise SourceError(
            f"{_host(url)}: {what} refused, HTTP {status} (check the credentials): {message}"
        )
    if status == 404:
        raise SourceError(f"{_host(url)}: no {what} endpoint here (HTTP 404): {message}")
    if 400 <= status < 500:
        raise QueryError(f"{_host(url)}: {what} rejected, HTTP {status}: {message}")
    raise SourceError(f"{_host(url)}: server error HTTP {status} on {what}: {message}")
