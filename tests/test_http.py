"""Tests for genrl_kg.http against a local server: retries, backoff, Retry-After, no route."""

from __future__ import annotations

import itertools
import socket

import fake_servers
import pytest
import requests
from fake_servers import FakeResponse, FakeServer, closed_port_url

from genrl_kg import settings
from genrl_kg.http import (
    BodyTooLargeError,
    HttpClient,
    NoRouteError,
    RetryExhaustedError,
    is_no_route,
)

fake_server = fake_servers.fake_server  # the fixture


class RecordingSleep:
    """A sleep that records the waits asked for instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client(**kwargs: object) -> tuple[HttpClient, RecordingSleep]:
    """Return a client with a recording sleep and small test settings."""
    sleep = RecordingSleep()
    options: dict = {"timeout": 2.0, "max_retries": 2, "backoff": 0.5, "sleep": sleep}
    options.update(kwargs)
    return HttpClient(**options), sleep


def test_sends_user_agent_and_returns_body(fake_server: FakeServer) -> None:
    fake_server.route("/x", FakeResponse(body=b"hello"))
    http, _ = client()
    response = http.get(fake_server.url_for("/x"), params={"a": "1"})
    assert response.content == b"hello"
    [request] = fake_server.requests
    assert request.headers["user-agent"] == settings.USER_AGENT
    assert request.query == {"a": ["1"]}
    assert http.attempts == 1


def test_retries_503_with_exponential_backoff(fake_server: FakeServer) -> None:
    fake_server.queue(FakeResponse(status=503), FakeResponse(status=502))
    fake_server.route("/x", FakeResponse(body=b"ok"))
    http, sleep = client()
    assert http.get(fake_server.url_for("/x")).content == b"ok"
    assert len(fake_server.requests) == 3
    assert sleep.waits == [0.5, 1.0]


def test_honours_retry_after_instead_of_backoff(fake_server: FakeServer) -> None:
    fake_server.queue(FakeResponse(status=429, headers={"Retry-After": "7"}))
    fake_server.route("/x", FakeResponse(body=b"ok"))
    http, sleep = client(max_wait=60.0)
    assert http.get(fake_server.url_for("/x")).status_code == 200
    assert sleep.waits == [7.0]
    assert len(fake_server.requests) == 2


def test_gives_up_when_retry_after_exceeds_max_wait(fake_server: FakeServer) -> None:
    fake_server.route("/x", FakeResponse(status=503, headers={"Retry-After": "3600"}))
    http, sleep = client(max_wait=60.0)
    with pytest.raises(RetryExhaustedError, match="3600"):
        http.get(fake_server.url_for("/x"))
    assert len(fake_server.requests) == 1
    assert sleep.waits == []


def test_gives_up_after_max_retries(fake_server: FakeServer) -> None:
    fake_server.route("/x", FakeResponse(status=503))
    http, sleep = client(max_retries=3)
    with pytest.raises(RetryExhaustedError, match="HTTP 503 after 4 attempts"):
        http.get(fake_server.url_for("/x"))
    assert len(fake_server.requests) == 4
    assert sleep.waits == [0.5, 1.0, 2.0]


def test_non_retryable_status_is_returned_at_once(fake_server: FakeServer) -> None:
    http, _ = client()
    assert http.get(fake_server.url_for("/missing")).status_code == 404
    assert len(fake_server.requests) == 1


def test_timeout_is_retried_then_reported(fake_server: FakeServer) -> None:
    fake_server.route("/slow", FakeResponse(body=b"late", delay=0.6))
    http, _ = client(timeout=0.15, max_retries=1)
    with pytest.raises(RetryExhaustedError, match="timeout after 2 attempts"):
        http.get(fake_server.url_for("/slow"))
    assert len(fake_server.requests) == 2


def test_dropped_connection_is_retried_not_taken_for_no_route(fake_server: FakeServer) -> None:
    fake_server.queue(FakeResponse(abort=True))
    fake_server.route("/x", FakeResponse(body=b"ok"))
    http, _ = client()
    assert http.get(fake_server.url_for("/x")).content == b"ok"
    assert len(fake_server.requests) == 2
    assert http.no_route is None


def test_closed_port_is_no_route_after_one_attempt_and_latches() -> None:
    http, sleep = client(max_retries=5)
    url = closed_port_url("/x")
    with pytest.raises(NoRouteError, match="connection refused"):
        http.get(url)
    assert http.attempts == 1
    with pytest.raises(NoRouteError):
        http.get(url)
    assert http.attempts == 1
    assert sleep.waits == []


def test_name_resolution_failure_counts_as_no_route() -> None:
    inner = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    try:
        try:
            raise inner
        except OSError as exc:
            raise requests.ConnectionError("wrapped") from exc
    except requests.ConnectionError as outer:
        assert is_no_route(outer)
    assert not is_no_route(requests.ConnectionError("Remote end closed connection"))


def test_body_larger_than_limit_is_refused(fake_server: FakeServer) -> None:
    fake_server.route("/big", FakeResponse(body=b"x" * 1000))
    http, _ = client(max_bytes=100)
    with pytest.raises(BodyTooLargeError):
        http.get(fake_server.url_for("/big"))


def test_min_interval_between_consecutive_requests(fake_server: FakeServer) -> None:
    fake_server.route("/x", FakeResponse(body=b"ok"))
    http = HttpClient(timeout=2.0, min_interval=0.12)
    for _ in range(3):
        http.get(fake_server.url_for("/x"))
    times = [r.time for r in fake_server.requests]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 2
    assert all(gap >= 0.11 for gap in gaps), gaps
