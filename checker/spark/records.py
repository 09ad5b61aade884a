"""One WARC file -> finding rows and one outcome row per record, with no Spark in sight.

What counts as a page is what `checker audit capture.warc.gz` checks (web.capture.iter_capture):
a 2xx response with an HTML content type, not truncated, and not a robots.txt or sitemap fetch
in the capture's manifest (when the manifest lies beside the WARC). Every record gets exactly one
outcome; a record warcio cannot read is an outcome too, and reading resumes at the next gzip
member (each WARC record is its own member), so a broken record never fails the job.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

OUTCOMES = (
    "checked",  # an HTML page analysed (it may have no findings)
    "skipped_by_prefilter",  # an HTML page that provably yields no finding
    "not_html",  # a response whose content type is not HTML (robots.txt, images, PDFs)
    "not_page",  # a response that is not a whole page: not 2xx, truncated, robots or sitemap
    "not_response",  # warcinfo, request, metadata, revisit ... records
    "analysis_error",  # the engine failed on the page
    "unreadable",  # the record (or the file) cannot be read
)
GZIP_MAGIC = b"\x1f\x8b\x08"


@dataclass(frozen=True)
class Outcome:
    """One WARC record's fate."""

    warc_file: str
    warc_offset: int
    warc_record_id: str
    record_type: str
    target_uri: str
    outcome: str
    findings: int = 0
    flags: int = 0
    reason: str = ""


class Checker:
    """The per-process engine: pipeline, prefilter and provenance built once (per executor)."""

    def __init__(self, lexicons_dir: str | None = None) -> None:
        from checker.engine.check import check_html, provenance
        from checker.engine.prefilter import prefilter_for

        self.lexicons_dir = lexicons_dir
        self.check_html = check_html
        self.prefilter = prefilter_for(lexicons_dir)
        stamp = provenance(lexicons_dir)
        self.stamp = {
            "checker_version": stamp.get("checker", ""),
            "lexicons_version": stamp.get("lexicons", ""),
            "lexicons_sha256": stamp.get("lexicons_sha256", ""),
            "evidence_sha256": stamp.get("evidence_sha256", ""),
        }
        check_html("<html><body><p>Warm-up.</p></body></html>", prefilter=False)


_CHECKERS: dict[str | None, Checker] = {}


def checker_for(lexicons_dir: str | None = None) -> Checker:
    """One Checker per process and rule pack (Spark reuses its Python workers)."""
    found = _CHECKERS.get(lexicons_dir)
    if found is None:
        found = _CHECKERS[lexicons_dir] = Checker(lexicons_dir)
    return found


def process_file(path: str, lexicons_dir: str | None = None) -> Iterator[tuple[str, dict]]:
    """("finding", row) and ("outcome", row) pairs for every record of one WARC file."""
    try:
        fh = _open(path)
    except Exception as exc:  # noqa: BLE001 - an unreadable input is an outcome
        yield "outcome", asdict(_unreadable(path, 0, f"cannot open: {_brief(exc)}"))
        return
    with fh:
        yield from _records(path, fh, _manifest(path), checker_for(lexicons_dir))


def _open(path: str):
    if "://" in path and not path.startswith("file://"):
        import fsspec  # only for remote paths (s3://, hdfs://, gs://): not a dependency

        return fsspec.open(path, "rb").open()
    return open(path.removeprefix("file://"), "rb")  # noqa: SIM115 - closed by the caller


def _manifest(path: str) -> dict[str, dict]:
    """The capture's manifest rows by record id, when it lies beside a local WARC."""
    from checker.web.capture import CaptureUnreadable, manifest_path, read_manifest

    local = path.removeprefix("file://")
    if "://" in local or not manifest_path(Path(local)).exists():
        return {}
    try:
        return {r.get("warc_record_id"): r for r in read_manifest(Path(local))}
    except CaptureUnreadable:
        return {}


def _records(path: str, fh, manifest: dict[str, dict], engine: Checker):
    """Records in file order. A gzip WARC is read member by member (one record each, in a
    capture and in Common Crawl) with zlib's own checks, so a corrupt or torn member is an
    "unreadable" outcome and reading goes on at the next member that decompresses; warcio
    alone would print the zlib error and return a cut body as if it were whole."""
    rowno = 0
    fh.seek(0)
    if fh.read(2) != GZIP_MAGIC[:2]:
        yield from _plain(path, fh, manifest, engine)
        return
    for offset, data, error in _members(fh):
        if error is not None:
            yield "outcome", asdict(_unreadable(path, offset, _brief(error)))
            continue
        for kind, row in _parse(path, offset, data, manifest, engine, rowno):
            if kind == "page":
                rowno += 1
                yield from _check(row, rowno, engine)
            else:
                yield kind, row


def _parse(path: str, offset: int, data: bytes, manifest, engine, rowno: int):
    """The records of one decompressed member (("page", _Page) or ("outcome", row))."""
    import io

    from warcio.archiveiterator import ArchiveIterator

    try:
        for rec in ArchiveIterator(io.BytesIO(data)):
            page = _page(path, offset, rec, manifest)
            yield ("outcome", asdict(page)) if isinstance(page, Outcome) else ("page", page)
    except Exception as exc:  # noqa: BLE001 - warcio raises many types on garbage
        yield "outcome", asdict(_unreadable(path, offset, _brief(exc)))


def _plain(path: str, fh, manifest, engine):
    """An uncompressed WARC: warcio reads it; an error ends the file (no members to resume at)."""
    from warcio.archiveiterator import ArchiveIterator

    fh.seek(0)
    it = ArchiveIterator(fh)
    rowno, offset = 0, 0
    try:
        for rec in it:
            offset = it.offset
            page = _page(path, offset, rec, manifest)
            if isinstance(page, Outcome):
                yield "outcome", asdict(page)
                continue
            rowno += 1
            yield from _check(page, rowno, engine)
    except Exception as exc:  # noqa: BLE001
        yield "outcome", asdict(_unreadable(path, max(offset, it.offset), _brief(exc)))


def _members(fh, chunk: int = 1 << 14):
    """(offset, decompressed bytes, None) per gzip member, or (offset, None, error) for one
    that zlib rejects or the file cuts short, then on from the next member that reads."""
    offset = 0
    while True:
        fh.seek(offset)
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        parts, fed = [], 0
        try:
            while not d.eof:
                data = fh.read(chunk)
                if not data:
                    if fed == 0:
                        return  # the end of the file, between members
                    raise EOFError("the file ends inside a gzip member (torn record)")
                parts.append(d.decompress(data))
                fed += len(data)
        except (zlib.error, EOFError) as exc:
            yield offset, None, exc
            offset = _next_member(fh, offset + 1)
            if offset < 0:
                return
            continue
        yield offset, b"".join(parts), None
        offset += fed - len(d.unused_data)


def _next_member(fh, after: int, chunk: int = 1 << 20) -> int:
    """Offset of the next gzip member after `after` whose start decompresses, or -1."""
    pos = after
    while True:
        fh.seek(pos)
        block = fh.read(chunk + len(GZIP_MAGIC))
        if len(block) < len(GZIP_MAGIC):
            return -1
        i = block.find(GZIP_MAGIC)
        while 0 <= i < chunk:
            fh.seek(pos + i)
            if _is_member(fh.read(4096)):
                return pos + i
            i = block.find(GZIP_MAGIC, i + 1)
        pos += chunk


def _is_member(head: bytes) -> bool:
    """Does a readable gzip member start with these bytes?"""
    try:
        zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except zlib.error:
        return False
    return True


@dataclass(frozen=True)
class _Page:
    warc_file: str
    offset: int
    record_id: str
    uri: str
    url: str
    fetched_at: str
    body: bytes
    charset: str | None


def _page(path: str, offset: int, rec, manifest: dict[str, dict]) -> _Page | Outcome:
    from checker.web.capture import HTML_TYPES, split_content_type

    head = rec.rec_headers
    rid = head.get_header("WARC-Record-ID") or ""
    uri = head.get_header("WARC-Target-URI") or ""
    if not rid or not head.protocol.startswith("WARC/"):
        raise ValueError(f"not a WARC record at offset {offset}")
    base = (path, offset, rid, rec.rec_type or "", uri)
    if rec.rec_type != "response":
        return Outcome(*base, "not_response")
    body = rec.content_stream().read()
    http = rec.http_headers
    status = int(http.get_statuscode()) if http and http.get_statuscode() else None
    ctype = http.get_header("Content-Type") if http else None
    mime, charset = split_content_type(ctype)
    row = manifest.get(rid, {})
    if status is None or not 200 <= status < 300:
        return Outcome(*base, "not_page", reason=f"HTTP status {status}")
    if mime not in HTML_TYPES:
        return Outcome(*base, "not_html", reason=mime or "no content type")
    if head.get_header("WARC-Truncated") or row.get("kind", "page") != "page":
        return Outcome(
            *base,
            "not_page",
            reason="truncated" if head.get_header("WARC-Truncated") else row.get("kind", ""),
        )
    fetched = row.get("fetched_at") or head.get_header("WARC-Date") or ""
    return _Page(path, offset, rid, uri, row.get("url") or uri, fetched, body, charset)


def _check(page: _Page, rowno: int, engine: Checker):
    from checker.audit.inputs import site_of
    from checker.engine.extract import decode_html
    from checker.records import FLAG_VERDICTS
    from checker.report.site_claims import finding_id

    base = (page.warc_file, page.offset, page.record_id, "response", page.uri)
    try:
        text, _ = decode_html(page.body, page.charset)
        if not engine.prefilter.may_find(text):
            yield "outcome", asdict(Outcome(*base, "skipped_by_prefilter"))
            return
        report = engine.check_html(
            text, url=page.uri, lexicons_dir=engine.lexicons_dir, prefilter=False
        )
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop the job
        yield "outcome", asdict(Outcome(*base, "analysis_error", reason=_brief(exc)))
        return
    site = site_of(page.url) or page.url
    sha = hashlib.sha256(page.body).hexdigest()
    flags = 0
    for f in report.findings:
        finding = f.to_dict()
        flags += f.is_flag
        yield (
            "finding",
            {
                "row": rowno,
                "site": site,
                "page_url": page.url,
                "final_url": page.uri,
                "fetched_at": page.fetched_at,
                "page_sha256": sha,
                "warc_record_id": page.record_id,
                **finding,
                "is_flag": finding.get("verdict") in FLAG_VERDICTS,
                "finding_id": finding_id(site, finding),
                **engine.stamp,
                "warc_file": page.warc_file,
                "warc_offset": page.offset,
            },
        )
    yield "outcome", asdict(Outcome(*base, "checked", len(report.findings), flags))


def _unreadable(path: str, offset: int, reason: str) -> Outcome:
    return Outcome(path, offset, "", "", "", "unreadable", reason=reason)


def _brief(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def expand(inputs: list[str]) -> list[str]:
    """Local globs and folders expanded (sorted); remote paths (s3://...) passed through."""
    import glob

    out: list[str] = []
    for arg in inputs:
        if "://" in arg and not arg.startswith("file://"):
            out.append(arg)
            continue
        local = arg.removeprefix("file://")
        if os.path.isdir(local):
            found = [
                str(p) for p in Path(local).rglob("*") if p.name.endswith((".warc", ".warc.gz"))
            ]
        else:
            found = glob.glob(local)
        out.extend(sorted(os.path.abspath(p) for p in found))
    return list(dict.fromkeys(out))
