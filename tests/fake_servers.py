"""A programmable local HTTP server for tests (real sockets on 127.0.0.1, never the internet).

Usage in a test module::

    import fake_servers
    from fake_servers import FakeResponse

    fake_server = fake_servers.fake_server  # makes the fixture visible in this module

    def test_x(fake_server):
        fake_server.route("/api", FakeResponse(body=b"hello"))
        fake_server.queue(FakeResponse(status=503, headers={"Retry-After": "1"}))
        ...  # client code against fake_server.url_for("/api")
        assert len(fake_server.requests) == 2
        assert fake_server.requests[0].query == {"q": ["1"]}

How a request is answered: the first queued one-shot response whose path matches (or that has no
path), else the route for the request path (a FakeResponse, or a callable taking the
RecordedRequest and returning one), else 404. Every request is recorded before it is answered.
Also: ``fake_server_factory`` (a callable fixture making several servers) and ``closed_port_url()``
(a URL on 127.0.0.1 where nothing listens).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass(frozen=True)
class FakeResponse:
    """One programmed answer: status, headers, body, a delay before answering, or a dropped line."""

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "text/plain; charset=utf-8"
    abort: bool = False  # close the connection without sending anything


@dataclass(frozen=True)
class RecordedRequest:
    """A request the server received: method, path, parsed query, headers (lower-case keys)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    time: float  # time.monotonic() on arrival
    client_port: int


Responder = FakeResponse | Callable[[RecordedRequest], FakeResponse]


class FakeServer:
    """A ThreadingHTTPServer on 127.0.0.1, port 0, in a background thread; see the module doc."""

    def __init__(self) -> None:
        """Start serving at once."""
        self.requests: list[RecordedRequest] = []
        self._queue: list[tuple[str | None, FakeResponse]] = []
        self._routes: dict[str, Responder] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self.port: int = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def url_for(self, path: str = "/") -> str:
        """Return the absolute URL of *path* on this server."""
        return self.url + (path if path.startswith("/") else "/" + path)

    def queue(self, *responses: FakeResponse, path: str | None = None) -> None:
        """Append one-shot responses, used in order for requests to *path* (None: any path)."""
        with self._lock:
            self._queue.extend((path, r) for r in responses)

    def route(self, path: str, responder: Responder) -> None:
        """Answer every request to *path* (any query) with *responder* when no queued one fits."""
        with self._lock:
            self._routes[path] = responder

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Return the recorded requests whose path is *path*."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def clear(self) -> None:
        """Forget recorded requests and queued responses (routes stay)."""
        with self._lock:
            self.requests.clear()
            self._queue.clear()

    def close(self) -> None:
        """Stop serving and release the port."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        """Return self."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the server."""
        self.close()

    def _answer(self, request: RecordedRequest) -> FakeResponse:
        """Record *request* and pick its response."""
        with self._lock:
            self.requests.append(request)
            for index, (path, response) in enumerate(self._queue):
                if path is None or path == request.path:
                    del self._queue[index]
                    return response
            responder = self._routes.get(request.path)
        if responder is None:
            return FakeResponse(status=404, body=f"no response programmed for {request.path}")
        return responder(request) if callable(responder) else responder


def _make_handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    """Return a handler class bound to *server*."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else ~44 ms per request (FACTS.md)
        timeout = 10

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = RecordedRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
                time=time.monotonic(),
                client_port=self.client_address[1],
            )
            response = server._answer(request)
            if response.delay:
                time.sleep(response.delay)
            if response.abort:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            body = response.body.encode() if isinstance(response.body, str) else response.body
            try:
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = do_POST = do_HEAD = _serve

        def log_message(self, format: str, *args: object) -> None:
            """Stay quiet."""

    return Handler


def closed_port_url(path: str = "/") -> str:
    """Return a URL on 127.0.0.1 at a port where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    """Yield a running FakeServer, closed after the test."""
    with FakeServer() as server:
        yield server


@pytest.fixture
def fake_server_factory() -> Iterator[Callable[[], FakeServer]]:
    """Yield a callable that starts new FakeServers; all are closed after the test."""
    servers: list[FakeServer] = []

    def make() -> FakeServer:
        server = FakeServer()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()
