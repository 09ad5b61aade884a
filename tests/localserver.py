"""A programmable HTTP server on 127.0.0.1 for tests (no internet needed).

    routes = {"/": (200, {"Content-Type": "text/html"}, b"<p>hi</p>"),
              "/slow": lambda req: Reply(200, {...}, drip())}
    with LocalSite(routes) as site:
        fetch(site.url("/"))
        site.times("/")          # monotonic arrival times of each request to "/"

A route value is either a `(status, headers, body)` tuple or a callable taking a `Request` and
returning one. `body` may be bytes/str or an iterable of bytes chunks: each chunk is written and
flushed as it comes, so a generator that sleeps between chunks makes a slow-drip server. When the
body is bytes and no Content-Length is given, one is added. Unknown paths answer 404.
Routes can be changed while the server runs (`site.routes[path] = ...`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Body = bytes | str | Iterable[bytes]
Reply = tuple[int, Mapping[str, str], Body]
Route = Reply | Callable[["Request"], Reply]

HTML = {"Content-Type": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class Request:
    """What the server saw: enough for politeness and header assertions."""

    method: str
    path: str  # without the query
    query: str
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


def html(body: str, status: int = 200, **headers: str) -> Reply:
    """Shorthand for an HTML route."""
    return status, {**HTML, **headers}, body.encode("utf-8")


@dataclass
class LocalSite:
    """A threaded HTTP/1.0 server on 127.0.0.1:<free port>; use as a context manager."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    tls: tuple[str, str] | None = None  # (certfile, keyfile): serve https instead of http

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    def __enter__(self) -> LocalSite:
        site = self

        class Handler(_Handler):
            owner = site

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    # -- helpers ----------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def origin(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def times(self, path: str | None = None) -> list[float]:
        """Arrival times of requests to `path` (all paths when None), in order."""
        with self._lock:
            return [r.at for r in self.requests if path is None or r.path == path]

    def _record(self, req: Request) -> None:
        with self._lock:
            self.requests.append(req)


class _Handler(BaseHTTPRequestHandler):
    owner: LocalSite
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep tests quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve()

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def _serve(self, head: bool = False) -> None:
        parts = urlsplit(self.path)
        req = Request(
            self.command, parts.path, parts.query, dict(self.headers.items()), time.monotonic()
        )
        self.owner._record(req)
        route = self.owner.routes.get(parts.path)
        if route is None:
            reply: Reply = (404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>")
        elif callable(route):
            reply = route(req)
        else:
            reply = route
        status, headers, body = reply
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            self.send_response(status)
            names = {k.lower() for k in headers}
            for k, v in headers.items():
                self.send_header(k, v)
            if isinstance(body, bytes) and "content-length" not in names:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if head:
                return
            if isinstance(body, bytes):
                self.wfile.write(body)
            else:
                for chunk in body:
                    self.wfile.write(chunk)
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client hung up (deadline, size cap): that is what some tests want
