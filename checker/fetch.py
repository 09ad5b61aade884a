"""Polite, guarded, bounded HTTP fetching for clinic pages.

Why it looks like this:
  * Never raises for network or content problems: every URL ends in a FetchResult whose outcome
    is one of OUTCOMES with a one-line reason, because an audit must account for every input.
  * Redirects are followed by hand so that every hop is re-checked (scheme, robots.txt, address
    guard) and captured.
  * The address guard runs inside the connection itself: the host is resolved once, every
    address checked, and the socket connected to the checked address (no second DNS lookup, so
    DNS rebinding between check and connect is not possible). TLS still verifies the hostname.
    Environment proxies are ignored (a proxy would make the guard check the wrong address).
  * Bodies are read with read1() under a per-response deadline (a server trickling one byte a
    second is cut at the deadline) and decompressed here with an output cap, so a gzip bomb is
    refused after at most max_bytes+1 decompressed bytes are held.
  * Politeness: one request at a time per host and `min_delay` (or a larger robots Crawl-delay)
    between the end of one response and the next request; sleeping happens only under that
    host's own lock.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.connection import create_connection

from checker.capture import HTML_TYPES, CaptureWriter, Exchange, split_content_type
from checker.records import FetchResult
from checker.robots import ROBOTS_MAX_BYTES, ROBOTS_MAX_REDIRECTS, RobotsCache, RobotsDecision
from checker.version import __version__

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 503})
CHUNK = 16 * 1024
SCHEMES = ("http", "https")

Resolver = Callable[[str, int], list[str]]  # host, port -> IP addresses
Guard = Callable[[str], str | None]  # IP -> refusal reason, None when allowed


# -- options --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FetchOptions:
    """Limits and manners of one fetching session."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 30.0  # total seconds per response, headers + body
    max_bytes: int = DEFAULT_MAX_BYTES  # decompressed
    max_redirects: int = 10
    allow_private: bool = False
    obey_robots: bool = True
    authority: str | None = None  # legal basis; required when obey_robots is False
    contact: str | None = None
    min_delay: float = 1.0  # seconds between requests to one host
    retries: int = 2  # extra attempts after a connection error, 429 or 503
    max_retry_after: float = 30.0  # a longer Retry-After means give up, not wait
    backoff: float = 1.0  # first retry wait without Retry-After; doubles per attempt

    def __post_init__(self) -> None:
        if not self.obey_robots and not (self.authority or "").strip():
            raise ValueError(
                "--ignore-robots requires --authority: the legal basis for not "
                "obeying robots.txt, recorded in the capture and report"
            )
        for name in ("connect_timeout", "read_timeout", "deadline"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.max_bytes <= 0 or self.max_redirects < 0 or self.retries < 0 or self.min_delay < 0:
            raise ValueError("max_bytes must be positive; max_redirects, retries, delay >= 0")

    @property
    def robots_label(self) -> str | None:
        return None if self.obey_robots else f"ignored: {self.authority}"


def options_from_args(args: argparse.Namespace) -> FetchOptions:
    """FetchOptions from the CLI's scraper options; ValueError on a usage error."""
    timeout = float(getattr(args, "timeout", 30.0))
    return FetchOptions(
        connect_timeout=min(10.0, timeout),
        read_timeout=timeout,
        deadline=timeout,
        max_bytes=int(getattr(args, "max_bytes", DEFAULT_MAX_BYTES)),
        allow_private=bool(getattr(args, "allow_private", False)),
        obey_robots=not getattr(args, "ignore_robots", False),
        authority=getattr(args, "authority", None),
        contact=getattr(args, "contact", None),
        min_delay=float(getattr(args, "delay", 1.0)),
    )


def user_agent(contact: str | None) -> str:
    tail = f"; contact: {contact}" if contact else ""
    return f"clinic-claims-checker/{__version__} (+regulatory audit{tail})"


# -- small helpers --------------------------------------------------------------------------------
class InvalidURL(ValueError):
    """A URL we will not even try: the message is the FetchResult reason."""


def validate_url(url: str) -> str:
    """The URL without its fragment, or InvalidURL("invalid URL: ..." / "unsupported ...")."""
    url = (url or "").strip()
    if not url or any(ord(c) < 33 for c in url):
        raise InvalidURL(f"invalid URL: {url!r}")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme or "://" not in url:
        raise InvalidURL(f"invalid URL: {url} (no http:// or https://)")
    if scheme not in SCHEMES:
        raise InvalidURL(f"unsupported scheme: {scheme}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise InvalidURL(f"invalid URL: {url} ({exc})") from exc
    if not host:
        raise InvalidURL(f"invalid URL: {url} (no host)")
    if parts.username or parts.password:
        raise InvalidURL(f"invalid URL: {url} (credentials in URL)")
    try:
        host.encode("idna")
    except UnicodeError as exc:
        raise InvalidURL(f"invalid URL: {url} (bad host name)") from exc
    del port
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None when absent/garbled."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _looks_like_html(head: bytes) -> bool:
    low = head[:1024].lstrip().lower()
    return low.startswith((b"<!doctype html", b"<html")) or b"<html" in low or b"<body" in low


# -- address guard --------------------------------------------------------------------------------
DNS_TIMEOUT = 10.0  # getaddrinfo has no timeout of its own; the deadline watchdog needs a socket
_DNS_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="checker-dns")


def system_resolver(host: str, port: int) -> list[str]:
    """getaddrinfo, bounded by DNS_TIMEOUT (a hung lookup leaves one pool thread busy, not us)."""
    future = _DNS_POOL.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=DNS_TIMEOUT)
    except FutureTimeout as exc:
        raise socket.gaierror(f"DNS lookup timed out after {DNS_TIMEOUT:g} s") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def address_refusal(ip: str, allow_private: bool = False) -> str | None:
    """Why connecting to `ip` is refused (loopback, private, link-local incl. cloud metadata,
    multicast, reserved, unspecified, other non-global), or None."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return f"unparseable address {ip!r}"
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if allow_private:
        return None
    checks = (
        ("loopback", addr.is_loopback),
        ("link-local", addr.is_link_local),
        ("multicast", addr.is_multicast),
        ("unspecified", addr.is_unspecified),
        ("reserved", addr.is_reserved),
        ("private", addr.is_private),
        ("non-global", not addr.is_global),
    )
    for label, hit in checks:
        if hit:
            return f"resolves to a {label} address ({ip})"
    return None


class AddressRefused(Exception):
    """Raised from inside the connection; deliberately not an OSError so urllib3 lets it through."""


_PEER = threading.local()  # this thread's last peer address and current watchdog


class _Watchdog:
    """Hard per-response deadline: a timer that shuts the socket down, so even a server that
    trickles its status line and headers one byte at a time (which no socket timeout catches)
    is cut at the deadline. The connection registers its socket here from the fetching thread."""

    def __init__(self, seconds: float):
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._done = False
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            fired = self.fired
        if fired:
            _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            sock = self._sock
        _shutdown(sock)


def _shutdown(sock: socket.socket | None) -> None:
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _GuardMixin:
    """Resolve, check every address, connect to a checked one (see module docstring)."""

    resolver: Resolver
    guard: Guard
    peer_ip: str | None = None

    def request(self, *args: object, **kwargs: object) -> None:
        """Publish the peer address to the calling thread: the connection may be back in the
        pool before the caller looks at the response (e.g. an empty redirect body)."""
        _PEER.ip = None
        watchdog = getattr(_PEER, "watchdog", None)
        if watchdog is not None and self.sock is not None:  # type: ignore[attr-defined]
            watchdog.watch(self.sock)  # type: ignore[attr-defined]
        try:
            super().request(*args, **kwargs)  # type: ignore[misc]
        finally:
            _PEER.ip = self.peer_ip

    def _new_conn(self) -> socket.socket:
        host, port = self._dns_host, self.port  # type: ignore[attr-defined]
        try:
            ips = type(self).resolver(host, port)
        except OSError as exc:
            raise NameResolutionError(host, self, socket.gaierror(str(exc))) from exc  # type: ignore[arg-type]
        if not ips:
            raise NameResolutionError(host, self, socket.gaierror("no address"))  # type: ignore[arg-type]
        for ip in ips:
            reason = type(self).guard(ip)
            if reason:
                raise AddressRefused(reason)
        last: OSError | None = None
        for ip in ips:
            try:
                sock = create_connection(
                    (ip, port),
                    self.timeout,  # type: ignore[attr-defined]
                    source_address=self.source_address,  # type: ignore[attr-defined]
                    socket_options=self.socket_options,
                )  # type: ignore[attr-defined]
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Connection to {host} timed out") from exc
            except OSError as exc:
                last = exc
                continue
            self.peer_ip = ip
            watchdog = getattr(_PEER, "watchdog", None)
            if watchdog is not None:
                watchdog.watch(sock)
            return sock
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}")  # type: ignore[arg-type]


def _pool_classes(resolver: Resolver, guard: Guard) -> dict[str, type]:
    attrs = {"resolver": staticmethod(resolver), "guard": staticmethod(guard)}
    http_conn = type("GuardedHTTPConnection", (_GuardMixin, HTTPConnection), attrs)
    https_conn = type("GuardedHTTPSConnection", (_GuardMixin, HTTPSConnection), attrs)
    return {
        "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, resolver: Resolver, guard: Guard, **kwargs: object):
        self._classes = _pool_classes(resolver, guard)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        self.poolmanager.pool_classes_by_scheme = self._classes


# -- politeness -----------------------------------------------------------------------------------
@dataclass
class _HostState:
    turn: threading.Lock = field(default_factory=threading.Lock)
    last_end: float = float("-inf")
    not_before: float = float("-inf")


class HostGate:
    """One request at a time per host, `delay` seconds apart; shared by all fetching threads.
    The global lock guards only the table and timestamps, never a sleep."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._lock = threading.Lock()
        self._hosts: dict[str, _HostState] = {}
        self._clock, self._sleep = clock, sleep

    def _state(self, host: str) -> _HostState:
        with self._lock:
            return self._hosts.setdefault(host, _HostState())

    @contextmanager
    def slot(self, host: str, delay: float) -> Iterator[None]:
        state = self._state(host)
        with state.turn:
            while True:
                with self._lock:
                    ready = max(state.last_end + delay, state.not_before)
                wait = ready - self._clock()
                if wait <= 0:
                    break
                self._sleep(wait)
            try:
                yield
            finally:
                with self._lock:
                    state.last_end = self._clock()

    def defer(self, host: str, seconds: float) -> None:
        """No request to `host` for `seconds` (Retry-After, backoff), from any thread."""
        state = self._state(host)
        with self._lock:
            state.not_before = max(state.not_before, self._clock() + seconds)


# -- decoding -------------------------------------------------------------------------------------
class _BadEncoding(Exception):
    pass


class _Decoder:
    """Incremental Content-Encoding decoding (identity, gzip incl. multi-member, deflate) whose
    output per call is capped, so a compression bomb never inflates past the caller's limit."""

    def __init__(self, header: str | None):
        codings = [c.strip().lower() for c in (header or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise _BadEncoding(f"unsupported Content-Encoding: {header}")
        self.kind = codings[0] if codings else None
        self._raw_deflate = False
        self._done = False
        self._d = self._new()

    def _new(self):  # noqa: ANN202 - zlib's Decompress type is private
        if self.kind in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(-zlib.MAX_WBITS if self._raw_deflate else zlib.MAX_WBITS)

    def feed(self, data: bytes, limit: int) -> bytes:
        if self.kind is None:
            return data
        out = bytearray()
        while data and len(out) < limit and not self._done:
            try:
                piece = self._d.decompress(data, limit - len(out))
            except zlib.error as exc:
                if self.kind == "deflate" and not self._raw_deflate and not out:
                    self._raw_deflate = True  # raw deflate sent without the zlib header
                    self._d = self._new()
                    continue
                raise _BadEncoding(f"corrupt {self.kind} body ({exc})") from exc
            out += piece
            if self._d.eof:
                data = self._d.unused_data
                if self.kind == "deflate" or not data.strip(b"\0"):
                    self._done = True  # trailing garbage is ignored, as browsers do
                else:
                    self._d = self._new()  # next gzip member
            else:
                data = self._d.unconsumed_tail
        return bytes(out)


# -- one attempt ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Attempt:
    """One request/response (or the failure to get one)."""

    url: str
    outcome: str = "checked"  # provisional; redirects are decided by the chain
    reason: str = ""
    status: int | None = None
    reason_phrase: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    request_headers: tuple[tuple[str, str], ...] = ()
    http_version: str = "HTTP/1.1"
    body: bytes = b""
    ip: str | None = None
    fetched_at: str | None = None
    truncated: str | None = None
    retryable: bool = False
    record_id: str | None = None
    note: str = ""  # why retrying stopped, appended to the final reason

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


class Fetcher:
    """Fetch pages politely and safely; thread-safe (share one per audit)."""

    def __init__(
        self,
        options: FetchOptions | None = None,
        capture: CaptureWriter | None = None,
        *,
        resolver: Resolver | None = None,
        guard: Guard | None = None,
    ):
        self.options = options or FetchOptions()
        self.capture = capture
        self.user_agent = user_agent(self.options.contact)
        if capture is not None:
            capture.set_policy(
                obey_robots=self.options.obey_robots,
                authority=self.options.authority,
                user_agent=self.user_agent,
            )
        self._gate = HostGate()
        self.robots = RobotsCache(self._fetch_robots)
        guard = guard or (lambda ip: address_refusal(ip, self.options.allow_private))
        self._session = self._make_session(resolver or system_resolver, guard)

    def _make_session(self, resolver: Resolver, guard: Guard) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # no env proxies/netrc: the guard must see the real peer
        adapter = _GuardedAdapter(
            resolver, guard, pool_connections=64, pool_maxsize=64, max_retries=0
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        headers = {
            "User-Agent": self.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "en;q=0.9, *;q=0.5",
        }
        if self.options.contact and "@" in self.options.contact:
            headers["From"] = self.options.contact
        session.headers.update(headers)
        return session

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # public --------------------------------------------------------------------------------------
    def fetch(self, url: str) -> FetchResult:
        """GET an HTML page, following redirects; never raises for network/content problems."""
        return self._chain(
            url,
            accept=HTML_TYPES,
            kind="page",
            max_bytes=self.options.max_bytes,
            max_redirects=self.options.max_redirects,
            obey=self.options.obey_robots,
        )

    def fetch_document(self, url: str, accept: tuple[str, ...] | None, kind: str) -> FetchResult:
        """GET a non-page resource (sitemap...) under the same rules; `accept` None = any type."""
        return self._chain(
            url,
            accept=accept,
            kind=kind,
            max_bytes=self.options.max_bytes,
            max_redirects=self.options.max_redirects,
            obey=self.options.obey_robots,
        )

    def robots_decision(self, url: str) -> RobotsDecision:
        label = self.options.robots_label
        if label is not None:
            return RobotsDecision(True, label)
        return self.robots.decision(url)

    # chain ---------------------------------------------------------------------------------------
    def _fetch_robots(self, url: str) -> FetchResult:
        return self._chain(
            url,
            accept=None,
            kind="robots",
            max_bytes=ROBOTS_MAX_BYTES,
            max_redirects=ROBOTS_MAX_REDIRECTS,
            obey=False,
        )

    def _chain(
        self,
        url: str,
        *,
        accept: tuple[str, ...] | None,
        kind: str,
        max_bytes: int,
        max_redirects: int,
        obey: bool,
    ) -> FetchResult:
        try:
            current = validate_url(url)
        except InvalidURL as exc:
            return FetchResult(url=url, outcome="invalid_input", reason=str(exc), robots="n/a")
        hops: list[str] = []
        seen = {current}
        for _ in range(max_redirects + 1):
            decision = (
                self.robots_decision(current)
                if obey
                else RobotsDecision(True, self.options.robots_label or "n/a")
            )
            if not decision.allowed:
                return self._blocked(url, current, decision, hops)
            attempt = self._attempt(current, url, accept, max_bytes, kind, decision)
            location = attempt.header("Location")
            redirect = attempt.status in REDIRECT_STATUSES and attempt.outcome == "checked"
            if not redirect or not location:
                return self._result(url, attempt, hops, decision.label, accept, kind)
            nxt = urljoin(current, location.strip())
            try:
                nxt = validate_url(nxt)
            except InvalidURL as exc:
                return self._result(
                    url,
                    replace_attempt(attempt, "http_error", f"redirect to {exc}"),
                    hops,
                    decision.label,
                    accept,
                    kind,
                )
            if nxt in seen and not attempt.header("Set-Cookie"):  # cookie walls redirect to self
                return self._result(
                    url,
                    replace_attempt(attempt, "http_error", "redirect loop"),
                    hops,
                    decision.label,
                    accept,
                    kind,
                )
            hops.append(current)
            seen.add(nxt)
            current = nxt
        return self._result(
            url,
            replace_attempt(attempt, "http_error", f"too many redirects ({max_redirects + 1})"),
            hops[:-1],
            decision.label,
            accept,
            kind,
        )

    @staticmethod
    def _blocked(url: str, current: str, decision: RobotsDecision, hops: list[str]) -> FetchResult:
        if decision.refused:
            return FetchResult(
                url=url,
                outcome="refused_address",
                final_url=current,
                reason=decision.refused,
                robots="n/a",
                redirects=tuple(hops),
            )
        if decision.label == "disallowed":
            reason = "blocked by robots.txt"
        else:
            reason = f"blocked: robots.txt {decision.label}, treated as disallow-all"
        return FetchResult(
            url=url,
            outcome="blocked_by_robots",
            final_url=current,
            reason=reason,
            robots=decision.label,
            redirects=tuple(hops),
        )

    def _result(
        self,
        url: str,
        a: _Attempt,
        hops: list[str],
        robots: str,
        accept: tuple[str, ...] | None,
        kind: str,
    ) -> FetchResult:
        outcome, reason, text, encoding = a.outcome, a.reason, None, None
        if outcome == "checked" and a.status is not None and not 200 <= a.status < 300:
            outcome, reason = "http_error", f"HTTP {a.status}"
        if a.note:
            reason = f"{reason} ({a.note})"
        if outcome == "checked" and accept == HTML_TYPES:
            from checker.extract import decode_html

            text, encoding = decode_html(a.body, split_content_type(a.header("Content-Type"))[1])
        body = a.body
        return FetchResult(
            url=url,
            outcome=outcome,
            final_url=a.url,
            status=a.status,
            reason=reason,
            content_type=a.header("Content-Type"),
            body=body,
            text=text,
            encoding=encoding,
            fetched_at=a.fetched_at,
            sha256=hashlib.sha256(body).hexdigest() if a.status else None,
            warc_record_id=a.record_id,
            ip=a.ip,
            robots=robots,
            redirects=tuple(hops),
        )

    # attempts with retries -----------------------------------------------------------------------
    def _attempt(
        self,
        url: str,
        requested: str,
        accept: tuple[str, ...] | None,
        max_bytes: int,
        kind: str,
        decision: RobotsDecision,
    ) -> _Attempt:
        host = urlsplit(url).netloc.lower()
        delay = max(self.options.min_delay, decision.crawl_delay or 0.0)
        attempts = self.options.retries + 1
        for n in range(attempts):
            with self._gate.slot(host, delay):
                attempt = self._once(url, accept, max_bytes)
            if attempt.status is not None:
                attempt = self._record(attempt, requested, kind, decision.label)
            wait, why = self._retry_wait(attempt, n)
            if wait is None:
                return replace_attempt(attempt, attempt.outcome, attempt.reason, note=why)
            self._gate.defer(host, wait)
        return attempt  # pragma: no cover - the loop always returns

    def _retry_wait(self, a: _Attempt, n: int) -> tuple[float | None, str]:
        """(seconds to wait before retrying, or None to stop; note for the reason)."""
        retryable = a.retryable or (a.status in RETRY_STATUSES and a.outcome == "checked")
        if not retryable:
            return None, ""
        if n >= self.options.retries:
            return None, f"after {n + 1} attempts" if n else ""
        wait = self.options.backoff * (2**n)
        if a.status in RETRY_STATUSES:
            after = parse_retry_after(a.header("Retry-After"))
            if after is not None and after > self.options.max_retry_after:
                return None, f"Retry-After {after:.0f} s exceeds {self.options.max_retry_after:g} s"
            if after is not None:
                wait = after
        return wait, ""

    def _record(self, a: _Attempt, requested: str, kind: str, robots: str) -> _Attempt:
        if self.capture is None:
            return a
        ex = Exchange(
            requested_url=requested,
            target_uri=a.url,
            status=a.status or 0,
            reason_phrase=a.reason_phrase,
            response_headers=a.headers,
            body=a.body,
            request_headers=a.request_headers,
            http_version=a.http_version,
            ip=a.ip,
            fetched_at=a.fetched_at or utc_now(),
            robots=robots,
            kind=kind,
            truncated=a.truncated,
            authority=self.options.authority if not self.options.obey_robots else None,
        )
        return replace_attempt(a, a.outcome, a.reason, record_id=self.capture.write_exchange(ex))

    # one request ---------------------------------------------------------------------------------
    def _once(self, url: str, accept: tuple[str, ...] | None, max_bytes: int) -> _Attempt:
        opts = self.options
        start = time.monotonic()
        timeout = (min(opts.connect_timeout, opts.deadline), min(opts.read_timeout, opts.deadline))
        watchdog = _Watchdog(opts.deadline)
        _PEER.ip, _PEER.watchdog = None, watchdog
        watchdog.start()
        try:
            attempt = self._get(url, start, timeout, accept, max_bytes)
        finally:
            watchdog.cancel()
            _PEER.watchdog = None
        if watchdog.fired:  # whatever the socket said after the shutdown, the cause is the clock
            return replace_attempt(
                attempt,
                "timeout",
                f"timed out after {opts.deadline:g} s",
                truncated="time" if attempt.status else None,
                retryable=False,
            )
        return attempt

    def _get(
        self,
        url: str,
        start: float,
        timeout: tuple[float, float],
        accept: tuple[str, ...] | None,
        max_bytes: int,
    ) -> _Attempt:
        try:
            resp = self._session.get(url, stream=True, allow_redirects=False, timeout=timeout)
        except AddressRefused as exc:
            return _Attempt(url, "refused_address", f"refused: {exc}")
        except requests.Timeout:
            return _Attempt(url, "timeout", f"timed out after {self.options.deadline:g} s")
        except requests.exceptions.SSLError as exc:
            return _Attempt(url, "http_error", f"TLS error: {_tls_reason(exc)}")
        except requests.ConnectionError as exc:
            return _connection_failure(url, exc)
        except requests.RequestException as exc:
            return _Attempt(url, "http_error", f"request failed: {type(exc).__name__}")
        try:
            return self._response(url, resp, start, accept, max_bytes)
        finally:
            resp.close()

    def _response(
        self,
        url: str,
        resp: requests.Response,
        start: float,
        accept: tuple[str, ...] | None,
        max_bytes: int,
    ) -> _Attempt:
        raw = resp.raw
        conn = getattr(raw, "_connection", None)
        version = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(getattr(raw, "version", 11), "HTTP/1.1")
        headers = tuple((k, v) for k, v in raw.headers.iteritems())
        netloc = urlsplit(url).netloc
        base = _Attempt(
            url,
            status=resp.status_code,
            reason_phrase=resp.reason or "",
            headers=headers,
            request_headers=(("Host", netloc), *resp.request.headers.items()),
            http_version=version,
            ip=getattr(_PEER, "ip", None),
            fetched_at=utc_now(),
        )
        mime, _ = split_content_type(resp.headers.get("Content-Type"))
        ok = 200 <= resp.status_code < 300
        if ok and accept is not None and mime and mime not in accept:
            return replace_attempt(base, "not_html", f"not HTML: {mime}", truncated="unspecified")
        declared = resp.headers.get("Content-Length", "")
        if (
            declared.isdigit()
            and int(declared) > max_bytes
            and not resp.headers.get("Content-Encoding")
        ):
            return replace_attempt(
                base, "too_large", f"body larger than {max_bytes} bytes", truncated="length"
            )
        attempt = self._read_body(base, raw, conn, start, max_bytes, resp.headers)
        if (
            ok
            and accept == HTML_TYPES
            and not mime
            and attempt.outcome == "checked"
            and not _looks_like_html(attempt.body)
        ):
            return replace_attempt(attempt, "not_html", "not HTML: no Content-Type, not HTML-like")
        return attempt

    def _read_body(
        self,
        base: _Attempt,
        raw,
        conn,
        start: float,
        max_bytes: int,  # noqa: ANN001
        headers,
    ) -> _Attempt:  # noqa: ANN001
        opts = self.options
        try:
            decoder = _Decoder(headers.get("Content-Encoding"))
        except _BadEncoding as exc:
            return replace_attempt(base, "http_error", str(exc), truncated="unspecified")
        sock = getattr(conn, "sock", None)
        body = bytearray()
        while True:
            remaining = opts.deadline - (time.monotonic() - start)
            if remaining <= 0:
                return _cut(base, body, "timeout", f"timed out after {opts.deadline:g} s", "time")
            if sock is not None:
                try:
                    sock.settimeout(max(0.01, min(opts.read_timeout, remaining)))
                except OSError:
                    sock = None
            try:
                chunk = raw.read1(CHUNK, decode_content=False)
            except (ReadTimeoutError, TimeoutError):
                return _cut(base, body, "timeout", f"timed out after {opts.deadline:g} s", "time")
            except (ProtocolError, OSError, requests.RequestException) as exc:
                return _cut(
                    base,
                    body,
                    "http_error",
                    f"connection broken mid-body ({type(exc).__name__})",
                    "disconnect",
                )
            if not chunk:
                return replace_attempt(base, "checked", "", body=bytes(body))
            try:
                body += decoder.feed(chunk, max_bytes + 1 - len(body))
            except _BadEncoding as exc:
                return _cut(base, body, "http_error", str(exc), "unspecified")
            if len(body) > max_bytes:
                return _cut(
                    base,
                    body[:max_bytes],
                    "too_large",
                    f"body larger than {max_bytes} bytes",
                    "length",
                )


def replace_attempt(a: _Attempt, outcome: str, reason: str, **changes: object) -> _Attempt:
    from dataclasses import replace

    return replace(a, outcome=outcome, reason=reason, **changes)  # type: ignore[arg-type]


def _cut(base: _Attempt, body: bytearray, outcome: str, reason: str, truncated: str) -> _Attempt:
    return replace_attempt(base, outcome, reason, body=bytes(body), truncated=truncated)


def _tls_reason(exc: Exception) -> str:
    text = str(exc)
    for marker in (
        "certificate verify failed",
        "hostname mismatch",
        "wrong version number",
        "handshake failure",
        "unsupported protocol",
    ):
        if marker in text:
            detail = text[text.index(marker) :].split(")")[0].replace("'", "")
            return detail.strip().rstrip(".,")
    return type(exc).__name__


def _connection_failure(url: str, exc: requests.ConnectionError) -> _Attempt:
    """Map a requests ConnectionError: DNS failures are final, others worth a retry."""
    cause: BaseException | None = exc
    for _ in range(12):  # walk the wrapped-exception chain, bounded
        if cause is None:
            break
        if isinstance(cause, NameResolutionError):
            host = urlsplit(url).hostname
            return _Attempt(url, "http_error", f"cannot resolve host {host}")
        if isinstance(cause, NewConnectionError):  # (a subclass of ConnectTimeoutError)
            break
        if isinstance(cause, ConnectTimeoutError):
            return _Attempt(url, "timeout", "timed out connecting", retryable=True)
        nxt = cause.__cause__ or cause.__context__
        if nxt is None and cause.args and isinstance(cause.args[0], BaseException):
            nxt = cause.args[0]
        if nxt is None and hasattr(cause, "reason") and isinstance(cause.reason, BaseException):
            nxt = cause.reason
        cause = nxt if nxt is not cause else None
    return _Attempt(url, "http_error", "connection failed", retryable=True)
