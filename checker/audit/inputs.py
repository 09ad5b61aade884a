"""Read an audit's input (URL list, CSV, folder of saved HTML/PDF, WARC capture) as a stream of
rows.

Every line or record becomes exactly one `InputRow`, bad ones included (with `error` set), so
that no input row can disappear between the input and the reports. Only an input that is unusable
as a whole (missing, a CSV without a `url` column, an unreadable WARC) raises `InputError`.
Rows are yielded one at a time: the audit streams them into SQLite, never into a list.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

KINDS = ("text", "csv", "folder", "warc")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
FOLDER_SUFFIXES = (*HTML_SUFFIXES, ".pdf")  # saved pages and saved PDFs (brochures)
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"  # BOMs and zero-width characters pasted with URLs
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_CSV_LIMIT = 1 << 24


class InputError(Exception):
    """The input as a whole cannot be used (exit status 2, one line on stderr)."""


@dataclass(frozen=True)
class InputRow:
    """One input row. `url` is what gets fetched or read; `key` detects duplicates; `site` groups
    rows and pages into one clinic. `error` is set (and `url` None) for an invalid row."""

    rowno: int  # line number in a text/CSV file, position in a folder listing or WARC
    raw: str  # the row as given (URL cell, file path, WARC target URI)
    url: str | None
    key: str | None
    site: str
    extra: dict[str, str] = field(default_factory=dict)  # carried CSV columns
    error: str = ""
    record_id: str | None = None  # WARC-Record-ID for WARC input


@dataclass(frozen=True)
class CheckedURL:
    """A URL cell after validation: the URL to fetch, its duplicate key and site, or an error."""

    url: str | None
    key: str | None
    site: str
    error: str = ""


def detect_kind(path: Path) -> str:
    """Folder, WARC, CSV or (default) a text list of URLs, from the path alone."""
    name = path.name.lower()
    if path.is_dir():
        return "folder"
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    if name.endswith((".csv", ".tsv")):
        return "csv"
    return "text"


def clean_cell(value: str | None) -> str:
    """Strip whitespace, BOMs, zero-width characters and line-end debris from a cell or line."""
    return _strip_invisible((value or "").strip()).strip()


def _strip_invisible(text: str) -> str:
    for ch in _INVISIBLE:
        text = text.replace(ch, "")
    return text


def site_of(url: str) -> str:
    """The clinic a URL belongs to: host (without `www.`) plus any non-default port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    host = f"[{host}]" if ":" in host else host.removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return f"{host}:{port}" if port and port != default else host


def check_url(raw: str) -> CheckedURL:
    """Validate one URL cell; say in one line what is wrong with it when it cannot be fetched."""
    text = clean_cell(raw)
    if not text:
        return CheckedURL(None, None, "", "empty")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return CheckedURL(None, None, "", "malformed URL: contains spaces or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return CheckedURL(None, None, "", f"malformed URL: {exc}")
    scheme = parts.scheme.lower()
    if not parts.netloc and (not scheme or "." in scheme):  # "clinic.example/x", "a.example:80"
        return CheckedURL(None, None, "", "no scheme: expected http:// or https://")
    if scheme not in ("http", "https"):
        return CheckedURL(None, None, "", f"unsupported scheme {scheme!r}: expected http or https")
    host = (parts.hostname or "").rstrip(".")
    error = _host_error(host)
    if error:
        return CheckedURL(None, None, "", error)
    if port == 0:
        return CheckedURL(None, None, "", "malformed URL: port 0")
    url = urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))
    return CheckedURL(url, _url_key(url), site_of(url))


def _host_error(host: str) -> str:
    if not host:
        return "malformed URL: no host"
    if ":" in host or _IPV4.match(host):  # IPv6 literal or dotted quad: urlsplit parsed it
        return ""
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return f"malformed URL: bad host name {host!r}"
    if not all(_HOST_LABEL.match(label) for label in ascii_host.split(".")):
        return f"malformed URL: bad host name {host!r}"
    return ""


def _url_key(url: str) -> str:
    """Duplicate key: scheme and host lowercased, default port dropped, no fragment."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}[parts.scheme]
    netloc = host if port in (None, default) else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


class InputSource:
    """One audit input. `rows()` streams `InputRow`s in input order; `fingerprint()` is the
    SHA-256 that guards a resume against a changed input."""

    def __init__(self, path: Path, kind: str | None = None) -> None:
        if not path.exists():
            raise InputError(f"input not found: {path}")
        self.path = path
        self.kind = kind or detect_kind(path)
        self.columns: tuple[str, ...] = ()  # carried CSV columns, in header order
        if self.kind == "csv":
            self.columns = _csv_header(path)[1]
        elif self.kind == "warc":
            _probe_warc(path)
        elif self.kind == "text" and not path.is_file():
            raise InputError(f"input is not a file: {path}")

    def fingerprint(self) -> str:
        if self.kind == "folder":
            digest = hashlib.sha256()
            for rel, file in _html_files(self.path):
                digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
                digest.update(_file_sha256(file).encode() + b"\n")
            return digest.hexdigest()
        return _file_sha256(self.path)

    def rows(self) -> Iterator[InputRow]:
        readers = {"text": _text_rows, "csv": _csv_rows, "folder": _folder_rows, "warc": _warc_rows}
        yield from readers[self.kind](self.path)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(f"cannot read input {path}: {exc.strerror or exc}") from exc
    return digest.hexdigest()


def _url_row(
    rowno: int, raw: str, extra: dict[str, str] | None = None, empty: str = ""
) -> InputRow:
    checked = check_url(raw)
    error = checked.error
    if error == "empty":
        error = empty or "empty line"
    return InputRow(rowno, raw, checked.url, checked.key, checked.site, extra or {}, error)


def _open_text(path: Path):
    try:
        return path.open("r", encoding="utf-8-sig", errors="replace", newline="")
    except OSError as exc:
        raise InputError(f"cannot read input {path}: {exc.strerror or exc}") from exc


def _text_rows(path: Path) -> Iterator[InputRow]:
    """One URL per line; `#` starts a comment line. Blank lines are rows too (invalid: empty)."""
    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            text = clean_cell(line)
            if text.startswith("#"):
                continue
            yield _url_row(lineno, _strip_invisible(line.rstrip("\r\n")))


def _sniff_delimiter(header_line: str) -> str:
    if "," in header_line:
        return ","
    for delim in ("\t", ";", "|"):
        if delim in header_line:
            return delim
    return ","


def _csv_header(path: Path) -> tuple[str, tuple[str, ...], int]:
    """(delimiter, carried columns, index of the url column), or InputError."""
    with _open_text(path) as fh:
        first = fh.readline()
    delim = _sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delim), [])
    names = [clean_cell(h).lower() for h in header]
    if "url" not in names:
        shown = ", ".join(n for n in names if n) or "none"
        raise InputError(f"CSV input has no 'url' column (columns: {shown}): {path}")
    url_index = names.index("url")
    carried = tuple(n or f"column_{i + 1}" for i, n in enumerate(names) if i != url_index)
    return delim, carried, url_index


def _csv_rows(path: Path) -> Iterator[InputRow]:
    """One row per CSV record; row number = the line the record starts on (header is line 1)."""
    csv.field_size_limit(_CSV_LIMIT)
    delim, carried, url_index = _csv_header(path)
    with _open_text(path) as fh:
        reader = csv.reader(fh, delimiter=delim)
        next(reader, None)
        start = reader.line_num + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield InputRow(start, "", None, None, "", {}, f"malformed CSV record: {exc}")
                start = reader.line_num + 1
                continue
            yield _csv_row(start, reader.line_num, record, carried, url_index)
            start = reader.line_num + 1


def _csv_row(
    start: int, end: int, record: list[str], carried: tuple[str, ...], url_index: int
) -> InputRow:
    if not record:
        return InputRow(start, "", None, None, "", {}, "empty line")
    cells = [clean_cell(c) for c in record]
    cells += [""] * (len(carried) + 1 - len(cells))
    raw = record[url_index] if url_index < len(record) else ""
    others = cells[:url_index] + cells[url_index + 1 :]
    extra = dict(zip(carried, others, strict=False))
    if end > start and ("\n" in raw or "\r" in raw):
        return InputRow(
            start,
            raw,
            None,
            None,
            "",
            extra,
            f"malformed CSV record spanning lines {start}-{end} (unbalanced quote?)",
        )
    return _url_row(start, raw, extra, empty="empty url cell")


def _html_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """(relative path, path) of every saved HTML or PDF file under `folder`, sorted, recursively."""
    found = []
    for file in folder.rglob("*"):
        if file.suffix.lower() in FOLDER_SUFFIXES and file.is_file():
            found.append((file.relative_to(folder).as_posix(), file))
    found.sort()
    yield from found


def _folder_rows(folder: Path) -> Iterator[InputRow]:
    """Each saved page is a row; the site is its first sub-folder, or the file itself."""
    for rowno, (rel, file) in enumerate(_html_files(folder), start=1):
        parts = rel.split("/")
        site = parts[0] if len(parts) > 1 else rel
        yield InputRow(rowno, str(file), str(file), str(file.resolve()), site)


def _probe_warc(path: Path) -> None:
    try:
        from warcio.archiveiterator import ArchiveIterator

        with path.open("rb") as fh:
            record = next(iter(ArchiveIterator(fh)))
            is_warc = record.format.startswith("warc") and record.rec_headers.get_header(
                "WARC-Record-ID"
            )
    except StopIteration as exc:
        raise InputError(f"WARC input has no records: {path}") from exc
    except Exception as exc:  # noqa: BLE001 - any parse failure makes the input unusable
        raise InputError(f"unreadable WARC {path}: {type(exc).__name__}: {exc}") from exc
    if not is_warc:
        raise InputError(f"unreadable WARC {path}: the first record is not a WARC record")


def iter_warc_pages(path: Path):
    """The HTML and PDF responses of a capture (`checker.web.capture.iter_capture`); errors:
    InputError."""
    from checker.web.capture import iter_capture

    index = 0
    try:
        for result in iter_capture(path):
            index += 1
            yield result
    except Exception as exc:  # noqa: BLE001 - a broken capture is an input error, not a crash
        raise InputError(f"unreadable WARC {path} after {index} pages: {exc}") from exc


def _warc_rows(path: Path) -> Iterator[InputRow]:
    """Each HTML or PDF response in the capture is a row (the page's URL, its WARC-Record-ID)."""
    for rowno, result in enumerate(iter_warc_pages(path), start=1):
        url = result.final_url or result.url
        yield InputRow(
            rowno, url, url, None, site_of(url) or url, {}, record_id=result.warc_record_id
        )
