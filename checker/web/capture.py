"""Evidence capture: every HTTP response the checker receives (robots.txt, sitemaps, redirect hops,
errors, pages) goes into `capture.warc.gz` as a WARC/1.1 response + request pair, and one JSON line
per response into `capture.manifest.jsonl` beside it, so a finding can be traced to the exact bytes
and a WARC can be re-analysed with no network.

What is stored: the body *after* transfer/content decoding (what was analysed, and what the
manifest's sha256 covers). The original `Content-Encoding`, `Transfer-Encoding` and
`Content-Length` headers are kept as `X-Archive-Orig-*` (the pywb convention) and `Content-Length`
is rewritten to the stored length. Bodies cut short (size cap, deadline, non-HTML not downloaded)
carry the standard `WARC-Truncated` header.

Crash safety: each record is its own gzip member; an exchange (response + request records) is
written, flushed and fsync'ed before its manifest line, which is flushed and fsync'ed too. On
reopen, a torn gzip member or a record with no manifest line at the end of the WARC is cut off,
and a torn last manifest line dropped, so appending resumes from a consistent state. An exclusive
flock stops two processes writing the same capture (one CaptureWriter per directory; it is
thread-safe).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from checker.engine.pdf_text import PDF_TYPES, looks_like_pdf
from checker.records import FetchResult
from checker.version import __version__

try:  # POSIX only; elsewhere the single-writer rule is simply documented
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

WARC_NAME = "capture.warc.gz"
MANIFEST_NAME = "capture.manifest.jsonl"
HTML_TYPES = ("text/html", "application/xhtml+xml")
PAGE_TYPES = (*HTML_TYPES, *PDF_TYPES)  # what a crawl reads as a page: HTML and PDF documents
_RENAMED = ("content-encoding", "transfer-encoding", "content-length")


@dataclass(frozen=True)
class Exchange:
    """One request and the response to it, as the fetcher saw them."""

    requested_url: str  # the URL the caller asked for (start of a redirect chain)
    target_uri: str  # the URL this response answered
    status: int
    reason_phrase: str = ""
    response_headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""  # decoded body as stored (maybe truncated)
    request_headers: tuple[tuple[str, str], ...] = ()
    method: str = "GET"
    http_version: str = "HTTP/1.1"
    ip: str | None = None
    fetched_at: str = ""  # ISO 8601 UTC, 'Z'
    robots: str = ""
    kind: str = "page"  # page | robots | sitemap
    truncated: str | None = None  # WARC-Truncated value: length | time | unspecified
    authority: str | None = None
    sha256: str = field(default="")

    @property
    def content_type(self) -> str | None:
        for k, v in self.response_headers:
            if k.lower() == "content-type":
                return v
        return None


def split_content_type(value: str | None) -> tuple[str, str | None]:
    """`text/html; charset=UTF-8` -> ("text/html", "UTF-8")."""
    if not value:
        return "", None
    mime, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("'\"")
    return mime.strip().lower(), charset


def manifest_path(warc: Path) -> Path:
    name = warc.name
    stem = name[: -len(".warc.gz")] if name.endswith(".warc.gz") else warc.stem
    return warc.with_name(stem + ".manifest.jsonl")


# -- writing --------------------------------------------------------------------------------------
class CaptureWriter:
    """Append-only, thread-safe WARC + manifest writer for one directory."""

    def __init__(
        self,
        directory: Path | str,
        authority: str | None = None,
        info: dict[str, str] | None = None,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.warc_path = self.directory / WARC_NAME
        self.manifest_path = self.directory / MANIFEST_NAME
        self.authority = authority
        self._lock = threading.Lock()
        self._warc = open(self.warc_path, "a+b")  # noqa: SIM115 - held open until close()
        if fcntl is not None:
            try:
                fcntl.flock(self._warc.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                self._warc.close()
                raise RuntimeError(f"{self.warc_path} is being written by another process") from exc
        self._recover()
        self._manifest = open(self.manifest_path, "a", encoding="utf-8")  # noqa: SIM115
        self._writer = WARCWriter(self._warc, gzip=True, warc_version="1.1")
        self.count = 0
        self._info = dict(info or {})
        self._policy: dict[str, str] = {}
        self._info_written = False  # written before the first exchange of this session

    # recovery ------------------------------------------------------------------------------------
    def _recover(self) -> None:
        """Cut a torn manifest line and a WARC tail not backed by the manifest (module doc)."""
        ids: set[str] = set()
        if self.manifest_path.exists():
            data = self.manifest_path.read_bytes()
            keep = data[: data.rfind(b"\n") + 1]
            good = bytearray()
            for line in keep.splitlines(keepends=True):
                try:
                    ids.add(json.loads(line)["warc_record_id"])
                    good += line
                except (ValueError, KeyError, TypeError):
                    break
            if len(good) != len(data):
                self.manifest_path.write_bytes(bytes(good))
        cut = None
        for start, _end, headers in _scan_members(self.warc_path):
            if headers is None:
                cut = start
                break
            rtype = headers.get("warc-type")
            rid = headers.get("warc-record-id")
            linked = headers.get("warc-concurrent-to")
            if rtype in ("response", "request") and rid not in ids and linked not in ids:
                cut = start
                break
        if cut is not None:
            self._warc.truncate(cut)
            self._sync(self._warc)

    # records -------------------------------------------------------------------------------------
    def set_policy(self, *, obey_robots: bool, authority: str | None, user_agent: str) -> None:
        """Called by the Fetcher so the warcinfo record states how robots.txt was treated."""
        self._policy = {
            "robots": "obeyed" if obey_robots else f"ignored: {authority}",
            "http-header-user-agent": user_agent,
        }
        if authority:
            self.authority = authority

    def _write_warcinfo(self) -> None:
        """One warcinfo per writing session (a resumed capture has several); caller holds lock."""
        info = {
            "software": f"clinic-claims-checker/{__version__}",
            "format": "WARC File Format 1.1",
            **self._policy,
            **self._info,
        }
        if self.authority:
            info["authority"] = self.authority
        self._writer.write_record(self._writer.create_warcinfo_record(WARC_NAME, info))
        self._info_written = True

    def write_exchange(self, ex: Exchange) -> str:
        """Write response + request records and the manifest line; return the response record id."""
        sha = ex.sha256 or hashlib.sha256(ex.body).hexdigest()
        response = self._response_record(ex)
        rid = response.rec_headers.get_header("WARC-Record-ID")
        request = self._request_record(ex, rid)
        line = {
            "url": ex.requested_url,
            "final_url": ex.target_uri,
            "status": ex.status,
            "fetched_at": ex.fetched_at,
            "sha256": sha,
            "warc_record_id": rid,
            "robots": ex.robots,
            "content_type": ex.content_type,
            "authority": ex.authority or self.authority,
            "kind": ex.kind,
            "truncated": ex.truncated,
            "ip": ex.ip,
            "length": len(ex.body),
        }
        with self._lock:
            if not self._info_written:
                self._write_warcinfo()
            self._writer.write_record(response)
            self._writer.write_record(request)
            self._sync(self._warc)
            self._manifest.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._sync(self._manifest)
            self.count += 1
        return rid

    def _response_record(self, ex: Exchange):
        headers = []
        for k, v in ex.response_headers:
            if k.lower() in _RENAMED:
                headers.append((f"X-Archive-Orig-{k}", v))
            else:
                headers.append((k, v))
        headers.append(("Content-Length", str(len(ex.body))))
        http = StatusAndHeaders(
            f"{ex.status} {ex.reason_phrase}".strip(), headers, protocol=ex.http_version
        )
        warc = {"WARC-Date": ex.fetched_at}
        if ex.ip:
            warc["WARC-IP-Address"] = ex.ip
        if ex.truncated:
            warc["WARC-Truncated"] = ex.truncated
        return self._writer.create_warc_record(
            ex.target_uri,
            "response",
            payload=io.BytesIO(ex.body),
            length=len(ex.body),
            http_headers=http,
            warc_headers_dict=warc,
        )

    def _request_record(self, ex: Exchange, concurrent_to: str):
        parts = urlsplit(ex.target_uri)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        http = StatusAndHeaders(
            f"{ex.method} {path} {ex.http_version}", list(ex.request_headers), is_http_request=True
        )
        warc = {"WARC-Date": ex.fetched_at, "WARC-Concurrent-To": concurrent_to}
        if ex.ip:
            warc["WARC-IP-Address"] = ex.ip
        return self._writer.create_warc_record(
            ex.target_uri,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=http,
            warc_headers_dict=warc,
        )

    @staticmethod
    def _sync(fh) -> None:
        fh.flush()
        os.fsync(fh.fileno())

    def close(self) -> None:
        with self._lock:
            if self._warc.closed:
                return
            self._sync(self._warc)
            self._manifest.close()
            self._warc.close()  # releases the flock

    def __enter__(self) -> CaptureWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _scan_members(path: Path) -> Iterator[tuple[int, int, dict[str, str] | None]]:
    """Yield (start, end, WARC headers) per gzip member, streaming; headers None for a torn or
    corrupt member (always the last thing yielded)."""
    if not path.exists():
        return
    with open(path, "rb") as fh:
        pos, pending = 0, b""
        while True:
            d = zlib.decompressobj(31)
            head = bytearray()
            consumed = 0
            while not d.eof:
                chunk = pending or fh.read(1 << 20)
                pending = b""
                if not chunk:
                    if consumed:
                        yield pos, pos + consumed, None
                    return
                try:
                    piece = d.decompress(chunk)
                except zlib.error:
                    yield pos, pos + consumed, None
                    return
                if len(head) < 65536:
                    head += piece[:65536]
                consumed += len(chunk) - len(d.unused_data)
            pending = d.unused_data
            yield pos, pos + consumed, _warc_headers(bytes(head))
            pos += consumed


def _warc_headers(block: bytes) -> dict[str, str] | None:
    head, sep, _ = block.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", errors="replace").split("\r\n")
    if not sep or not lines[0].startswith("WARC/"):
        return None
    out = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        out[k.strip().lower()] = v.strip()
    return out


# -- reading --------------------------------------------------------------------------------------
class CaptureUnreadable(Exception):
    """The WARC or its manifest cannot be read at all (exit 2 of `checker verify`)."""


def read_manifest(path: Path) -> list[dict]:
    mpath = manifest_path(Path(path))
    if not mpath.exists():
        raise CaptureUnreadable(f"no manifest beside the WARC: {mpath}")
    rows = []
    with open(mpath, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                raise CaptureUnreadable(f"{mpath.name} line {n}: not JSON ({exc})") from exc
    return rows


@dataclass(frozen=True)
class _Stored:
    record_id: str
    uri: str
    status: int | None
    headers: tuple[tuple[str, str], ...]
    body: bytes
    date: str
    ip: str | None
    truncated: str | None


def _iter_responses(path: Path) -> Iterator[_Stored]:
    try:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                rid = rec.rec_headers.get_header("WARC-Record-ID")
                if not rid or not rec.rec_headers.protocol.startswith("WARC/"):
                    raise CaptureUnreadable(
                        f"{path}: not a WARC record near offset {it.get_record_offset()}"
                    )
                if rec.rec_type != "response":
                    continue
                body = rec.raw_stream.read()
                http = rec.http_headers
                status = int(http.get_statuscode()) if http and http.get_statuscode() else None
                yield _Stored(
                    record_id=rid,
                    uri=rec.rec_headers.get_header("WARC-Target-URI"),
                    status=status,
                    headers=tuple(http.headers) if http else (),
                    body=body,
                    date=rec.rec_headers.get_header("WARC-Date") or "",
                    ip=rec.rec_headers.get_header("WARC-IP-Address"),
                    truncated=rec.rec_headers.get_header("WARC-Truncated"),
                )
    except CaptureUnreadable:
        raise
    except Exception as exc:  # warcio raises a variety of types on garbage input
        raise CaptureUnreadable(f"{path}: {type(exc).__name__}: {exc}") from exc


def verify_report(path: Path) -> tuple[int, str]:
    """(0 ok | 1 mismatch | 2 unreadable, one-line message)."""
    path = Path(path)
    try:
        if not path.exists():
            raise CaptureUnreadable(f"no such file: {path}")
        rows = read_manifest(path)
        expected = {r.get("warc_record_id"): r for r in rows}
        seen: set[str] = set()
        for stored in _iter_responses(path):
            row = expected.get(stored.record_id)
            if row is None:
                return 1, (
                    f"{stored.uri}: record {stored.record_id} is in the WARC "
                    "but not in the manifest"
                )
            digest = hashlib.sha256(stored.body).hexdigest()
            if digest != row.get("sha256"):
                return 1, (
                    f"{stored.uri}: sha256 mismatch in record {stored.record_id} "
                    f"(manifest {row.get('sha256')}, WARC body {digest})"
                )
            seen.add(stored.record_id)
        for rid, row in expected.items():
            if rid not in seen:
                return 1, (
                    f"{row.get('final_url')}: record {rid} is in the manifest "
                    "but missing from the WARC"
                )
    except CaptureUnreadable as exc:
        return 2, f"unreadable: {exc}"
    return 0, f"ok: {len(seen)} responses match {manifest_path(path).name}"


def verify_capture(path: Path | str) -> tuple[bool, str]:
    """Recompute every stored body's SHA-256 against the manifest; name the first mismatch."""
    code, message = verify_report(Path(path))
    return code == 0, message


def iter_capture(path: Path | str) -> Iterator[FetchResult]:
    """The HTML and PDF pages of a capture as FetchResults (outcome "checked"), for offline
    re-analysis; a PDF's `text` is None (its bytes are in `body`).

    Robots.txt, sitemaps, redirect hops, errors and truncated bodies are skipped.
    """
    from checker.engine.extract import decode_html

    path = Path(path)
    try:
        rows = {r.get("warc_record_id"): r for r in read_manifest(path)}
    except CaptureUnreadable:
        rows = {}
    for stored in _iter_responses(path):
        row = rows.get(stored.record_id, {})
        ctype = next((v for k, v in stored.headers if k.lower() == "content-type"), None)
        mime, charset = split_content_type(ctype)
        if (
            stored.status is None
            or not 200 <= stored.status < 300
            or not (mime in PAGE_TYPES or (not mime and looks_like_pdf(None, stored.body)))
            or stored.truncated
            or row.get("kind", "page") != "page"
        ):
            continue
        text, encoding = decode_html(stored.body, charset) if mime in HTML_TYPES else (None, None)
        yield FetchResult(
            url=row.get("url") or stored.uri,
            outcome="checked",
            final_url=stored.uri,
            status=stored.status,
            content_type=ctype,
            body=stored.body,
            text=text,
            encoding=encoding,
            fetched_at=row.get("fetched_at") or stored.date,
            sha256=hashlib.sha256(stored.body).hexdigest(),
            warc_record_id=stored.record_id,
            ip=stored.ip,
            robots=row.get("robots", ""),
        )
