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
The parts live beside this file: `address_guard.py` (the guard and the deadline watchdog),
`host_gate.py` (politeness), `content_decoding.py` (capped decompression), `options.py`, `urls.py`.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from checker.engine.pdf_text import looks_like_pdf
from checker.records import FetchResult
from checker.web.address_guard import (
    PEER,
    AddressRefused,
    Guard,
    GuardedAdapter,
    Resolver,
    Watchdog,
    address_refusal,
    system_resolver,
)
from checker.web.capture import PAGE_TYPES, CaptureWriter, Exchange, split_content_type
from checker.web.content_decoding import BadEncoding, BodyDecoder
from checker.web.host_gate import HostGate
from checker.web.options import FetchOptions, user_agent
from checker.web.robots import ROBOTS_MAX_BYTES, ROBOTS_MAX_REDIRECTS, RobotsCache, RobotsDecision
from checker.web.urls import InvalidURL, validate_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 503})
CHUNK = 16 * 1024


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
        adapter = GuardedAdapter(
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
        """GET a page (HTML, or a PDF: `text` None, its bytes in `body`), following redirects;
        never raises for network/content problems."""
        return self._chain(
            url,
            accept=PAGE_TYPES,
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
        mime, charset = split_content_type(a.header("Content-Type"))
        if outcome == "checked" and accept == PAGE_TYPES and not looks_like_pdf(mime, a.body):
            from checker.engine.extract import decode_html

            text, encoding = decode_html(a.body, charset)
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
        watchdog = Watchdog(opts.deadline)
        PEER.ip, PEER.watchdog = None, watchdog
        watchdog.start()
        try:
            attempt = self._get(url, start, timeout, accept, max_bytes)
        finally:
            watchdog.cancel()
            PEER.watchdog = None
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
            ip=getattr(PEER, "ip", None),
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
            and accept == PAGE_TYPES
            and not mime
            and attempt.outcome == "checked"
            and not _looks_like_html(attempt.body)
            and not looks_like_pdf(None, attempt.body)
        ):
            return replace_attempt(
                attempt, "not_html", "not HTML or PDF: no Content-Type, not HTML-like"
            )
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
            decoder = BodyDecoder(headers.get("Content-Encoding"))
        except BadEncoding as exc:
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
            except BadEncoding as exc:
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
