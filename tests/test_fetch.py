"""Fetcher: outcomes of every hostile case, within their time bounds, on 127.0.0.1 only."""

from __future__ import annotations

import argparse
import gzip
import socket
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from localserver import HTML, LocalSite, Request, html

from checker.records import OUTCOMES
from checker.version import __version__
from checker.web.address_guard import address_refusal
from checker.web.fetcher import Fetcher, parse_retry_after
from checker.web.options import FetchOptions, options_from_args
from checker.web.urls import validate_url

PAGE = (
    "<html><head><title>Clinic</title></head>"
    "<body><p>Stem cell therapy for back pain.</p></body></html>"
)


def opts(**kw) -> FetchOptions:
    base = dict(
        allow_private=True,
        min_delay=0.02,
        deadline=2.0,
        connect_timeout=1.0,
        read_timeout=1.0,
        backoff=0.05,
        retries=2,
        obey_robots=False,
        authority="test suite",
    )
    base.update(kw)
    return FetchOptions(**base)


def fetch(url: str, **kw):
    with Fetcher(opts(**kw)) as f:
        return f.fetch(url)


def assert_recorded(r) -> None:
    assert r.outcome in OUTCOMES and r.outcome != "duplicate"
    assert "\n" not in r.reason
    if r.outcome != "checked":
        assert r.reason


# -- ordinary pages -------------------------------------------------------------------------------
def test_checked_page_records_provenance():
    with LocalSite({"/": html(PAGE)}) as site:
        r = fetch(site.url("/"), contact="audit@regulator.example")
        ua = site.hits("/")[0].headers["User-Agent"]
    assert r.outcome == "checked" and r.status == 200 and "Stem cell" in r.text
    assert r.fetched_at.endswith("Z") and len(r.sha256) == 64 and r.ip == "127.0.0.1"
    assert ua == (
        f"clinic-claims-checker/{__version__} (+regulatory audit; contact: audit@regulator.example)"
    )
    assert r.robots == "ignored: test suite"


def test_misdeclared_charset_reads_right():
    body = "<html><body><p>Café naïve – “quoted” results</p></body></html>".encode("cp1252")
    with LocalSite({"/": (200, {"Content-Type": "text/html; charset=utf-8"}, body)}) as site:
        r = fetch(site.url("/"))
    assert r.outcome == "checked" and "Café naïve – “quoted”" in r.text


def test_gzip_encoded_page_is_decoded():
    headers = {**HTML, "Content-Encoding": "gzip"}
    with LocalSite({"/": (200, headers, gzip.compress(PAGE.encode()))}) as site:
        r = fetch(site.url("/"))
    assert r.outcome == "checked" and r.body == PAGE.encode()


def test_malformed_and_deep_html_is_fetched():
    deep = "<div>" * 20000 + "<p>deep claim" + "</span>" * 30 + "<<>>&#xZZ;<p <b"
    with LocalSite({"/": html(deep)}) as site:
        r = fetch(site.url("/"))
    assert r.outcome == "checked" and "deep claim" in r.text


# -- redirects ------------------------------------------------------------------------------------
def test_redirect_chain_of_three_hops():
    routes = {
        "/a": (301, {"Location": "/b"}, b""),
        "/b": (302, {"Location": "/c"}, b""),
        "/c": (307, {"Location": "/final"}, b""),
        "/final": html(PAGE),
    }
    with LocalSite(routes) as site:
        r = fetch(site.url("/a"))
    assert r.outcome == "checked" and r.final_url == site.url("/final")
    assert r.redirects == (site.url("/a"), site.url("/b"), site.url("/c"))


def test_redirect_loop():
    routes = {"/a": (302, {"Location": "/b"}, b""), "/b": (302, {"Location": "/a"}, b"")}
    with LocalSite(routes) as site:
        r = fetch(site.url("/a"))
    assert (r.outcome, r.reason) == ("http_error", "redirect loop")


def test_too_many_redirects():
    routes = {f"/r{i}": (302, {"Location": f"/r{i + 1}"}, b"") for i in range(20)}
    with LocalSite(routes) as site:
        r = fetch(site.url("/r0"), max_redirects=3)
    assert (r.outcome, r.reason) == ("http_error", "too many redirects (4)")


def test_redirect_to_unsupported_scheme():
    with LocalSite({"/": (302, {"Location": "ftp://files.example/x"}, b"")}) as site:
        r = fetch(site.url("/"))
    assert r.outcome == "http_error" and r.reason == "redirect to unsupported scheme: ftp"


# -- HTTP errors and retries ----------------------------------------------------------------------
@pytest.mark.parametrize("status", [404, 500, 410])
def test_http_errors_are_not_retried(status):
    with LocalSite({"/": html("<p>error</p>", status=status)}) as site:
        r = fetch(site.url("/"))
        hits = len(site.hits("/"))
    assert (r.outcome, r.reason, r.status, hits) == ("http_error", f"HTTP {status}", status, 1)


def test_429_retry_after_is_honoured_then_succeeds():
    calls = []

    def handler(req: Request):
        calls.append(req.at)
        if len(calls) == 1:
            return 429, {"Retry-After": "1", **HTML}, b"slow down"
        return 200, HTML, PAGE.encode()

    with LocalSite({"/": handler}) as site:
        r = fetch(site.url("/"))
    assert r.outcome == "checked" and len(calls) == 2
    assert calls[1] - calls[0] >= 0.95


def test_retry_after_beyond_limit_gives_up_at_once():
    with LocalSite({"/": (429, {"Retry-After": "3600"}, b"")}) as site:
        t = time.monotonic()
        r = fetch(site.url("/"), max_retry_after=5)
        hits = len(site.hits("/"))
    assert r.outcome == "http_error" and "Retry-After 3600 s exceeds 5 s" in r.reason
    assert hits == 1 and time.monotonic() - t < 1


def test_503_forever_is_bounded():
    with LocalSite({"/": (503, HTML, b"down")}) as site:
        t = time.monotonic()
        r = fetch(site.url("/"), retries=2)
        hits = len(site.hits("/"))
    assert r.outcome == "http_error" and r.reason == "HTTP 503 (after 3 attempts)"
    assert hits == 3 and time.monotonic() - t < 2


def test_parse_retry_after_forms():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_connection_refused_is_bounded():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    t = time.monotonic()
    r = fetch(f"http://127.0.0.1:{port}/")
    assert r.outcome == "http_error" and r.reason.startswith("connection failed")
    assert time.monotonic() - t < 2


def test_dns_failure_is_not_retried():
    def resolver(host, port):
        raise socket.gaierror("Name or service not known")

    with Fetcher(opts(), resolver=resolver) as f:
        r = f.fetch("http://no-such-clinic.invalid/")
    assert (r.outcome, r.reason) == ("http_error", "cannot resolve host no-such-clinic.invalid")


# -- time and size bounds -------------------------------------------------------------------------
def test_slow_drip_is_cut_at_the_deadline():
    def drip(req):
        def body():
            yield b"<html><body>"
            for _ in range(100):
                time.sleep(0.1)
                yield b"x"

        return 200, HTML, body()

    with LocalSite({"/": drip}) as site:
        t = time.monotonic()
        r = fetch(site.url("/"), deadline=1.0, read_timeout=5.0)
        took = time.monotonic() - t
    assert r.outcome == "timeout" and r.reason == "timed out after 1 s"
    assert took < 1.6


def test_silent_server_times_out():
    def silent(req):
        time.sleep(3)
        return html(PAGE)

    with LocalSite({"/": silent}) as site:
        t = time.monotonic()
        r = fetch(site.url("/"), deadline=1.0, read_timeout=1.0)
    assert r.outcome == "timeout" and time.monotonic() - t < 1.6


def test_oversized_body_declared():
    big = b"<p>" + b"a" * 300_000
    with LocalSite({"/": (200, HTML, big)}) as site:
        r = fetch(site.url("/"), max_bytes=100_000)
    assert (r.outcome, r.reason) == ("too_large", "body larger than 100000 bytes")


def test_oversized_body_streamed_without_length():
    def stream(req):
        return 200, HTML, (b"<p>" + b"a" * 10_000 for _ in range(1000))

    with LocalSite({"/": stream}) as site:
        r = fetch(site.url("/"), max_bytes=100_000)
    assert r.outcome == "too_large" and len(r.body) == 100_000


def gzip_bomb(total: int = 1 << 30, member: int = 16 << 20) -> bytes:
    """~1 GB of zeros as 64 identical gzip members: about 1 MB on the wire, built in ~50 ms."""
    one = gzip.compress(b"\0" * member, compresslevel=9)
    return one * (total // member)


def test_gzip_bomb_refused_early_without_memory_blowup():
    bomb = gzip_bomb()
    assert len(bomb) < 2_000_000
    headers = {**HTML, "Content-Encoding": "gzip"}
    with LocalSite({"/": (200, headers, bomb)}) as site:
        tracemalloc.start()
        t = time.monotonic()
        r = fetch(site.url("/"))
        took = time.monotonic() - t
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert r.outcome == "too_large" and r.reason == "body larger than 5242880 bytes"
    assert took < 2 and peak < 64 * 1024 * 1024


@pytest.mark.parametrize("ctype", ["image/jpeg", "application/zip"])
def test_non_html_is_not_downloaded(ctype):
    def big(req):
        return 200, {"Content-Type": ctype}, (b"\x00" * 65536 for _ in range(2000))  # 128 MB

    with LocalSite({"/doc": big}) as site:
        t = time.monotonic()
        r = fetch(site.url("/doc"))
    assert (r.outcome, r.reason, r.body) == ("not_html", f"not HTML: {ctype}", b"")
    assert time.monotonic() - t < 1


# -- address guard --------------------------------------------------------------------------------
def test_loopback_refused_by_default_and_nothing_sent():
    with LocalSite({"/": html(PAGE)}) as site:
        r = fetch(site.url("/"), allow_private=False)
        assert site.requests == []
    assert r.outcome == "refused_address"
    assert r.reason == "refused: resolves to a loopback address (127.0.0.1)"


def only_loopback_allowed(ip: str) -> str | None:
    """The default guard, except 127.0.0.1 (where the test server lives) is let through."""
    return None if ip == "127.0.0.1" else address_refusal(ip, allow_private=False)


def test_redirect_to_cloud_metadata_is_refused():
    # What this proves: a redirect hop is re-checked by the guard before any connection is made
    # (the guard sees 169.254.169.254 and refuses); 127.0.0.1 is whitelisted by the injected
    # guard only so that the first hop can reach the local test server.
    target = "http://169.254.169.254/latest/meta-data/"
    with (
        LocalSite({"/": (302, {"Location": target}, b"")}) as site,
        Fetcher(opts(allow_private=False), guard=only_loopback_allowed) as f,
    ):
        r = f.fetch(site.url("/"))
    assert r.outcome == "refused_address" and r.final_url == target
    assert r.reason == "refused: resolves to a link-local address (169.254.169.254)"
    assert r.redirects == (site.url("/"),)


def test_redirect_to_name_resolving_private_and_connection_pinning():
    # An injected resolver stands in for DNS: clinic.test -> 127.0.0.1 (allowed by the test
    # guard), rebind.test -> 10.0.0.7. The first request reaching the server with Host
    # clinic.test shows the socket went to the address the guard checked (no second lookup);
    # the redirect to rebind.test is refused before connecting.
    resolved = []

    def resolver(host, port):
        resolved.append(host)
        return {"clinic.test": ["127.0.0.1"], "rebind.test": ["10.0.0.7"]}[host]

    with LocalSite({}) as site:
        site.routes["/"] = (302, {"Location": f"http://rebind.test:{site.port}/x"}, b"")
        with Fetcher(
            opts(allow_private=False), resolver=resolver, guard=only_loopback_allowed
        ) as f:
            r = f.fetch(f"http://clinic.test:{site.port}/")
        host_header = site.hits("/")[0].headers["Host"]
    assert host_header == f"clinic.test:{site.port}"
    assert r.outcome == "refused_address" and "private address (10.0.0.7)" in r.reason
    assert resolved == ["clinic.test", "rebind.test"]


@pytest.mark.parametrize(
    "ip,label",
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-global"),
    ],
)
def test_address_refusal_labels(ip, label):
    assert f"a {label} address" in address_refusal(ip)
    assert address_refusal(ip, allow_private=True) is None


def test_public_addresses_pass_the_guard():
    assert address_refusal("93.184.216.34") is None and address_refusal("2606:4700::1111") is None


# -- input validation -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url,reason",
    [
        ("ftp://example.com/x", "unsupported scheme: ftp"),
        ("javascript:alert(1)", "invalid URL"),
        ("example.com/page", "invalid URL"),
        ("http://", "invalid URL"),
        ("http://user:pw@example.com/", "credentials in URL"),
        ("http://exa mple.com/", "invalid URL"),
        ("http://example.com:99999/", "invalid URL"),
    ],
)
def test_invalid_urls(url, reason):
    with Fetcher(opts()) as f:
        r = f.fetch(url)
    assert r.outcome == "invalid_input" and reason in r.reason
    assert_recorded(r)


def test_validate_url_drops_fragment():
    assert validate_url("HTTP://Clinic.example/a#x") == "http://Clinic.example/a"


# -- politeness -----------------------------------------------------------------------------------
def test_min_delay_between_requests_to_one_host_across_threads():
    routes = {f"/p{i}": html(PAGE) for i in range(4)}
    with LocalSite(routes) as site, Fetcher(opts(min_delay=0.2)) as f:
        threads = [threading.Thread(target=f.fetch, args=(site.url(f"/p{i}"),)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        times = sorted(site.times())
    assert len(times) == 4
    assert all(b - a >= 0.19 for a, b in zip(times, times[1:], strict=False))


# -- options --------------------------------------------------------------------------------------
def cli_args(**kw) -> argparse.Namespace:
    base = dict(
        allow_private=False,
        ignore_robots=False,
        authority=None,
        contact=None,
        delay=1.0,
        timeout=30.0,
        max_bytes=5 * 1024 * 1024,
    )
    base.update(kw)
    return argparse.Namespace(**base)


def test_ignore_robots_needs_authority():
    with pytest.raises(ValueError, match="--ignore-robots requires --authority"):
        options_from_args(cli_args(ignore_robots=True))


def test_options_from_args():
    o = options_from_args(
        cli_args(
            ignore_robots=True,
            authority="Order 12/2026",
            delay=2.5,
            timeout=7,
            max_bytes=1000,
            allow_private=True,
        )
    )
    assert (o.obey_robots, o.authority, o.min_delay, o.deadline, o.max_bytes, o.allow_private) == (
        False,
        "Order 12/2026",
        2.5,
        7.0,
        1000,
        True,
    )


def test_trickled_headers_are_cut_at_the_deadline():
    """A server that sends its status line and headers one byte every 0.1 s: each recv succeeds
    within the read timeout, so only the watchdog can enforce the deadline."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(5)
    stop = threading.Event()

    def serve():
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        with conn:
            conn.recv(4096)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + b"X-Pad: " + b"a" * 500
            for byte in head:
                if stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        t = time.monotonic()
        r = fetch(f"http://127.0.0.1:{srv.getsockname()[1]}/", deadline=1.0, read_timeout=1.0)
        took = time.monotonic() - t
    finally:
        stop.set()
        srv.close()
    assert (r.outcome, r.reason) == ("timeout", "timed out after 1 s")
    assert took < 1.6


# -- TLS ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory):
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl not available")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=clinic.test",
            "-addext",
            "subjectAltName=DNS:clinic.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return str(cert), str(key)


def test_https_through_the_guard_verifies_the_name_not_the_pinned_ip(tls_cert):
    # The socket goes to the resolver's (checked) 127.0.0.1, while TLS still checks the
    # certificate against the URL's host name: right name passes, another name fails.
    def resolver(host, port):
        return ["127.0.0.1"]

    with (
        LocalSite({"/": html(PAGE)}, tls=tls_cert) as site,
        Fetcher(opts(allow_private=False), resolver=resolver, guard=only_loopback_allowed) as f,
    ):
        f._session.verify = tls_cert[0]  # trust the test's self-signed certificate
        good = f.fetch(f"https://clinic.test:{site.port}/")
        bad = f.fetch(f"https://other.test:{site.port}/")
    assert good.outcome == "checked" and good.ip == "127.0.0.1"
    assert bad.outcome == "http_error" and bad.reason.startswith("TLS error"), bad.reason


def test_unrequested_content_encoding_is_an_error_not_garbage():
    headers = {**HTML, "Content-Encoding": "br"}
    with LocalSite({"/": (200, headers, b"\x8b\x02\x80hello\x03")}) as site:
        r = fetch(site.url("/"))
    assert (r.outcome, r.reason) == ("http_error", "unsupported Content-Encoding: br")


def test_raw_deflate_without_zlib_header_is_decoded():
    import zlib

    c = zlib.compressobj(wbits=-15)
    raw = c.compress(PAGE.encode()) + c.flush()
    with LocalSite({"/": (200, {**HTML, "Content-Encoding": "deflate"}, raw)}) as site:
        r = fetch(site.url("/"))
    assert r.outcome == "checked" and r.body == PAGE.encode()


def test_cookie_wall_redirect_to_self_is_not_a_loop():
    def wall(req: Request):
        if "seen=1" in req.headers.get("Cookie", ""):
            return html(PAGE)
        return 302, {"Location": "/", "Set-Cookie": "seen=1; Path=/"}, b""

    with LocalSite({"/": wall}) as site:
        r = fetch(site.url("/"))
    assert r.outcome == "checked" and r.redirects == (site.url("/"),)
