"""Capture: WARC + manifest for every response, verification, tamper detection, re-reading,
and safe reopening after a crash."""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import zlib
from pathlib import Path

import pytest
from localserver import HTML, LocalSite, html
from warcio.archiveiterator import ArchiveIterator

from checker.cli.commands import run_verify
from checker.web.capture import (
    MANIFEST_NAME,
    WARC_NAME,
    CaptureWriter,
    Exchange,
    iter_capture,
    verify_capture,
)
from checker.web.fetcher import Fetcher
from checker.web.options import FetchOptions

PAGE = "<html><body><p>Our stem cell therapy heals discs. MARKER-BODY</p></body></html>"


def opts(**kw) -> FetchOptions:
    base = dict(
        allow_private=True,
        min_delay=0.0,
        deadline=2.0,
        connect_timeout=1.0,
        read_timeout=1.0,
        backoff=0.05,
        retries=0,
    )
    base.update(kw)
    return FetchOptions(**base)


ROUTES = {
    "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
    "/start": (301, {"Location": "/middle"}, b""),
    "/middle": (302, {"Location": "/page"}, b""),
    "/page": html(PAGE),
    "/gz": (200, {**HTML, "Content-Encoding": "gzip"}, gzip.compress(b"<p>zipped page</p>")),
    "/missing": html("<p>nope</p>", status=404),
    "/pic.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n" * 100),
}


@pytest.fixture
def captured(tmp_path):
    """Fetch a small site with capture on; return (directory, results, site origin)."""
    with LocalSite(dict(ROUTES)) as site:
        capture = CaptureWriter(tmp_path / "cap")
        with Fetcher(opts(), capture=capture) as f:
            results = [f.fetch(site.url(p)) for p in ("/start", "/gz", "/missing", "/pic.png")]
        capture.close()
        return tmp_path / "cap", results, site.origin


def records(path: Path) -> list:
    out = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            body = rec.raw_stream.read()
            out.append((rec.rec_type, rec.rec_headers, rec.http_headers, body))
    return out


def test_every_response_has_request_and_response_records(captured):
    directory, results, origin = captured
    recs = records(directory / WARC_NAME)
    assert recs[0][0] == "warcinfo"
    assert b"clinic-claims-checker/" in recs[0][3] and b"robots: obeyed" in recs[0][3]
    responses = [r for r in recs if r[0] == "response"]
    requests = [r for r in recs if r[0] == "request"]
    uris = [r[1].get_header("WARC-Target-URI") for r in responses]
    # robots.txt, two redirect hops, the page, the gzip page, the 404, the picture (headers only)
    assert uris == [
        origin + p
        for p in ("/robots.txt", "/start", "/middle", "/page", "/gz", "/missing", "/pic.png")
    ]
    assert len(requests) == len(responses)
    for (_, resp_h, _, _), (_, req_h, req_http, _) in zip(responses, requests, strict=True):
        assert req_h.get_header("WARC-Concurrent-To") == resp_h.get_header("WARC-Record-ID")
        assert resp_h.get_header("WARC-IP-Address") == "127.0.0.1"
        assert resp_h.get_header("WARC-Date").endswith("Z")
        assert "clinic-claims-checker" in req_http.get_header("User-Agent")
    pic = responses[-1]
    assert pic[1].get_header("WARC-Truncated") == "unspecified" and pic[3] == b""
    gz = responses[4]
    assert gz[3] == b"<p>zipped page</p>"
    assert gz[2].get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    page = results[0]
    assert page.outcome == "checked" and page.warc_record_id == responses[3][1].get_header(
        "WARC-Record-ID"
    )


def test_manifest_lines_match_the_warc(captured):
    directory, results, origin = captured
    lines = [json.loads(x) for x in (directory / MANIFEST_NAME).read_text().splitlines()]
    assert len(lines) == 7
    page = next(x for x in lines if x["final_url"] == origin + "/page")
    assert page["url"] == origin + "/start" and page["status"] == 200
    assert page["sha256"] == results[0].sha256 and page["robots"] == "allowed"
    assert page["fetched_at"].endswith("Z") and page["content_type"].startswith("text/html")
    assert page["warc_record_id"] == results[0].warc_record_id and page["authority"] is None
    assert {x["kind"] for x in lines} == {"robots", "page"}
    ok, message = verify_capture(directory / WARC_NAME)
    assert ok and message == f"ok: 7 responses match {MANIFEST_NAME}"


def split_members(data: bytes) -> list[bytes]:
    members, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        d.decompress(data[pos:])
        end = len(data) - len(d.unused_data)
        members.append(data[pos:end])
        pos = end
    return members


def tamper(src: Path, dst: Path, marker: bytes) -> None:
    """Copy the WARC, flipping one byte of the body that contains `marker` (same length, so only
    the digest can tell)."""
    out = bytearray()
    for member in split_members(src.read_bytes()):
        raw = gzip.decompress(member)
        if marker in raw and raw.startswith(b"WARC/") and b"WARC-Type: response" in raw:
            i = raw.index(marker)
            raw = raw[:i] + b"N" + raw[i + 1 :]
            member = gzip.compress(raw)
        out += member
    dst.write_bytes(bytes(out))


def test_tampered_body_is_named(captured, tmp_path, capsys):
    directory, _, origin = captured
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(directory / MANIFEST_NAME, copy / MANIFEST_NAME)
    tamper(directory / WARC_NAME, copy / WARC_NAME, b"MARKER-BODY")
    ok, message = verify_capture(copy / WARC_NAME)
    assert not ok and message.startswith(f"{origin}/page: sha256 mismatch in record <urn:uuid:")
    assert run_verify(argparse.Namespace(capture=str(copy / WARC_NAME))) == 1
    assert run_verify(argparse.Namespace(capture=str(directory / WARC_NAME))) == 0
    assert "ok: 7 responses" in capsys.readouterr().out


def test_manifest_and_warc_disagreeing_on_records(captured):
    directory, _, _ = captured
    manifest = directory / MANIFEST_NAME
    lines = manifest.read_text().splitlines(keepends=True)
    manifest.write_text("".join(lines[:-1]))
    ok, message = verify_capture(directory / WARC_NAME)
    assert not ok and "in the WARC but not in the manifest" in message
    extra = json.loads(lines[-1]) | {"warc_record_id": "<urn:uuid:nope>"}
    manifest.write_text("".join(lines) + json.dumps(extra) + "\n")
    ok, message = verify_capture(directory / WARC_NAME)
    assert not ok and "<urn:uuid:nope> is in the manifest but missing from the WARC" in message


def test_unreadable_capture_exits_2(tmp_path, capsys):
    bad = tmp_path / WARC_NAME
    bad.write_bytes(b"this is not a warc")
    (tmp_path / MANIFEST_NAME).write_text("")
    assert run_verify(argparse.Namespace(capture=str(bad))) == 2
    assert run_verify(argparse.Namespace(capture=str(tmp_path / "none.warc.gz"))) == 2
    err = capsys.readouterr().err
    assert err.count("checker: unreadable:") == 2


def test_iter_capture_returns_the_same_pages(captured):
    directory, results, origin = captured
    pages = list(iter_capture(directory / WARC_NAME))
    assert [p.final_url for p in pages] == [origin + "/page", origin + "/gz"]
    live = {r.final_url: r for r in results if r.outcome == "checked"}
    for p in pages:
        r = live[p.final_url]
        assert (p.body, p.sha256, p.text, p.warc_record_id, p.url, p.status) == (
            r.body,
            r.sha256,
            r.text,
            r.warc_record_id,
            r.url,
            r.status,
        )


def exchange(n: int) -> Exchange:
    body = f"<p>page {n}</p>".encode()
    return Exchange(
        requested_url=f"http://c.example/{n}",
        target_uri=f"http://c.example/{n}",
        status=200,
        reason_phrase="OK",
        body=body,
        fetched_at="2026-01-01T00:00:00Z",
        response_headers=(("Content-Type", "text/html"),),
        ip="203.0.113.5",
    )


def test_reopen_appends_without_corruption(tmp_path):
    with CaptureWriter(tmp_path) as w:
        w.write_exchange(exchange(1))
    with CaptureWriter(tmp_path, authority="Order 7") as w:
        w.write_exchange(exchange(2))
    ok, message = verify_capture(tmp_path / WARC_NAME)
    assert ok and message.startswith("ok: 2 responses")
    infos = [r for r in records(tmp_path / WARC_NAME) if r[0] == "warcinfo"]
    assert len(infos) == 2 and b"authority: Order 7" in infos[1][3]


def test_reopen_after_crash_cuts_torn_tail(tmp_path):
    with CaptureWriter(tmp_path) as w:
        w.write_exchange(exchange(1))
    warc, manifest = tmp_path / WARC_NAME, tmp_path / MANIFEST_NAME
    # a crash mid-write: half a gzip member in the WARC and half a line in the manifest
    half = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"x" * 5000)[:200]
    with open(warc, "ab") as fh:
        fh.write(half)
    with open(manifest, "a") as fh:
        fh.write('{"url": "http://c.example/torn", "sha')
    with CaptureWriter(tmp_path) as w:
        w.write_exchange(exchange(2))
    ok, message = verify_capture(warc)
    assert ok and message.startswith("ok: 2 responses"), message


def test_reopen_drops_records_the_manifest_never_got(tmp_path):
    with CaptureWriter(tmp_path) as w:
        w.write_exchange(exchange(1))
        w.write_exchange(exchange(2))
    manifest = tmp_path / MANIFEST_NAME
    lines = manifest.read_text().splitlines(keepends=True)
    manifest.write_text(lines[0])  # crash after the WARC fsync, before the manifest line
    with CaptureWriter(tmp_path) as w:
        w.write_exchange(exchange(3))
    ok, message = verify_capture(tmp_path / WARC_NAME)
    assert ok and message.startswith("ok: 2 responses"), message
    uris = [
        r[1].get_header("WARC-Target-URI")
        for r in records(tmp_path / WARC_NAME)
        if r[0] == "response"
    ]
    assert uris == ["http://c.example/1", "http://c.example/3"]


def test_second_process_cannot_open_the_same_capture(tmp_path):
    import subprocess
    import sys

    with CaptureWriter(tmp_path):
        code = (
            "import sys; from checker.web.capture import CaptureWriter\n"
            "try:\n    CaptureWriter(sys.argv[1])\nexcept RuntimeError:\n    sys.exit(3)\n"
        )
        proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], timeout=30)
    assert proc.returncode == 3


def test_many_threads_write_one_capture(tmp_path):
    import threading

    with CaptureWriter(tmp_path) as w:
        threads = [
            threading.Thread(
                target=lambda n=n: [w.write_exchange(exchange(n * 100 + i)) for i in range(10)]
            )
            for n in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    ok, message = verify_capture(tmp_path / WARC_NAME)
    assert ok and message.startswith("ok: 80 responses"), message
