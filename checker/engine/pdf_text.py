"""PDF bytes in, per-page paragraphs out: the extract step for clinic brochures and price lists.

Why it looks like this:
  * Bytes in, text out, nothing fetched: the same function reads a PDF from a live crawl, a file
    or a WARC record, so archived PDFs are re-analysed exactly as live ones were.
  * pypdf reads the file: it is pure Python, well kept, and bounds what a hostile file can make it
    decompress (its configured stream output limits), which matters for untrusted downloads.
  * A PDF has no paragraphs, only positioned runs of text; a sentence wrapped over three lines
    would reach the claims step as three fragments. So runs are regrouped into lines by their
    baseline and lines into paragraphs by line spacing, font size and bullets, and words
    hyphenated at a line end are re-joined ("treat-" + "ment"; "pain-" + "free" keeps its hyphen).
  * Bounded: a size cap (refused whole), a page cap and a time cap checked between pages (the
    pages read so far are kept and the reason says where reading stopped; the first page is
    always read). One page is bounded by a cap on its decoded drawing instructions, measured
    before they are parsed (parsing them is the slow part), and by pypdf's own decompression
    limits (a "zip bomb" stream stops there).
  * Never raises for a bad file: an encrypted (needs a password), image-only (no text layer) or
    broken/truncated PDF is its own outcome with a one-line reason. An owner-password PDF (an
    empty user password opens it, as every viewer does) is read.
May import: checker.records, checker.version (none needed here) and pypdf.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

PDF_TYPES = ("application/pdf", "application/x-pdf")
PDF_OUTCOMES = ("pdf_encrypted", "pdf_no_text", "pdf_unreadable")
_MAX_CONTENT_OBJECTS = 2000  # streams and dictionaries visited to size one page
MIN_TEXT_CHARS = 20  # fewer letters and digits than this on every page read: no text layer
_RUNNING_MAX_WORDS = 12  # a running header or footer is short
_BULLET = re.compile(r"^\s*(?:[-–—•·*▪►■➤→✔✓]|\d{1,2}[.)])\s")
_WORD_CHAR = re.compile(r"\w")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# the second halves of hyphenated compounds common in clinic copy ("pain-free", "long-term")
_COMPOUND_TAILS = frozenset(
    (
        "free",
        "term",
        "based",
        "approved",
        "invasive",
        "surgical",
        "lasting",
        "related",
        "proven",
        "cell",
        "cells",
        "year",
        "years",
        "old",
        "time",
        "day",
        "quality",
        "known",
        "like",
        "specific",
        "guided",
        "friendly",
    )
)

for _name in ("pypdf", "pypdf._reader", "pypdf._page", "pypdf.generic"):
    logging.getLogger(_name).setLevel(logging.ERROR)  # warnings about sloppy files are noise


@dataclass(frozen=True)
class PdfLimits:
    """How much of one PDF is read."""

    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 50
    max_seconds: float = 20.0  # checked between pages
    max_page_content: int = 512 * 1024  # decoded drawing instructions of one page


@dataclass(frozen=True)
class PdfText:
    """The text of a PDF: `pages[i]` holds page i+1's paragraphs, in reading order.

    `outcome` is "checked" or one of PDF_OUTCOMES / "too_large"; `reason` is one line (also set
    when reading stopped early at a cap or skipped a broken page, the outcome then "checked")."""

    outcome: str
    reason: str = ""
    pages: tuple[tuple[str, ...], ...] = ()
    page_count: int = 0  # pages in the document, as far as it says

    def running_lines(self) -> frozenset[int]:
        """Line numbers in `joined()`'s text of running headers and footers: a short paragraph
        (digits aside) found on at least two pages and half the pages, but not its first
        occurrence (it may be the title or a section heading), and every bare page number."""
        if len(self.pages) < 2:
            return frozenset()
        keys = [[_running_key(p) for p in page] for page in self.pages]
        seen = Counter(k for page in keys for k in set(page) if k is not None)
        need = max(2, (len(self.pages) + 1) // 2)
        running = {k for k, n in seen.items() if n >= need} | {""}
        flat = [k for page in keys for k in page]
        # the first may be the title or a section heading; a page number never is
        first = {k: flat.index(k) for k in running if k and k in flat}
        return frozenset(i for i, k in enumerate(flat) if k in running and first.get(k) != i)

    def joined(self) -> tuple[str, list[int]]:
        """(text with one paragraph per line, offset where each page starts in it)."""
        lines: list[str] = []
        starts: list[int] = []
        pos = 0
        for page in self.pages:
            starts.append(pos)
            for para in page:
                lines.append(para)
                pos += len(para) + 1
        return "\n".join(lines), starts


def _running_key(paragraph: str) -> str | None:
    """How a header or footer repeats: lowercase, digits, page words and punctuation dropped
    ("Page 3 of 12" -> ""); None for a paragraph too long to be one."""
    if len(paragraph.split()) > _RUNNING_MAX_WORDS:
        return None
    words = re.sub(r"\bpage\b|\bof\b|[\d\W_]+", " ", paragraph.lower()).split()
    return " ".join(words)


def looks_like_pdf(content_type: str | None, body: bytes) -> bool:
    """A PDF by its declared type, or with no type declared by its `%PDF-` signature."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime:
        return mime in PDF_TYPES
    return body[:1024].lstrip().startswith(b"%PDF-")


def read_pdf(data: bytes, limits: PdfLimits | None = None) -> PdfText:
    """The paragraphs of each page of `data`; never raises for a bad file (module doc)."""
    limits = limits or PdfLimits()
    if len(data) > limits.max_bytes:
        return PdfText("too_large", f"PDF is {len(data)} bytes, over the {limits.max_bytes} cap")
    if b"%PDF-" not in data[:1024]:
        return PdfText("pdf_unreadable", "not a PDF: no %PDF- header")
    try:
        reader, count = _open(data)
    except _Refused as exc:
        return PdfText(exc.outcome, exc.reason)
    return _read_pages(reader, count, limits)


class _Refused(Exception):
    def __init__(self, outcome: str, reason: str) -> None:
        super().__init__(reason)
        self.outcome, self.reason = outcome, reason


def _open(data: bytes):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _Refused("pdf_encrypted", "encrypted: a password is needed to open it")
        count = len(reader.pages)
    except _Refused:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise _Refused(
            "pdf_encrypted", f"encrypted and cannot be opened: {_one_line(exc)}"
        ) from None
    except Exception as exc:  # noqa: BLE001 - hostile files raise anything; each is an outcome
        raise _Refused("pdf_unreadable", f"broken or truncated PDF: {_one_line(exc)}") from None
    if count == 0:
        raise _Refused("pdf_unreadable", "broken or truncated PDF: no pages found")
    return reader, count


def _read_pages(reader, count: int, limits: PdfLimits) -> PdfText:
    start = time.monotonic()
    pages: list[tuple[str, ...]] = []
    notes: list[str] = []
    skipped: dict[int, str] = {}  # page number -> "broken" | "oversized" (not read)
    for index in range(min(count, limits.max_pages)):
        if index and time.monotonic() - start > limits.max_seconds:  # the first page always
            notes.append(
                f"stopped after {index} of {count} pages (time cap {limits.max_seconds:g} s)"
            )
            break
        paragraphs, problem, note = _read_page(reader, index, limits)
        pages.append(paragraphs)
        if problem:
            skipped[index + 1] = problem
            notes.append(note)
    if count > limits.max_pages:
        notes.append(f"first {limits.max_pages} of {count} pages read (page cap)")
    return _outcome(pages, notes, skipped, count)


def _read_page(reader, index: int, limits: PdfLimits) -> tuple[tuple[str, ...], str, str]:
    """(paragraphs, problem "" | "broken" | "oversized", one-line note)."""
    try:
        page = reader.pages[index]
        if content_size(page, limits.max_page_content) > limits.max_page_content:
            return (
                (),
                "oversized",
                f"page {index + 1} skipped: over {limits.max_page_content} bytes of drawing "
                "instructions (page cap)",
            )
        return tuple(page_paragraphs(page)), "", ""
    except Exception as exc:  # noqa: BLE001 - one broken page must not lose the others
        return (), "broken", f"page {index + 1} unreadable ({_one_line(exc)[:80]})"


def _outcome(
    pages: list[tuple[str, ...]], notes: list[str], skipped: dict[int, str], count: int
) -> PdfText:
    if pages and list(skipped.values()).count("broken") == len(pages):
        return PdfText("pdf_unreadable", f"no page could be read: {notes[0]}", page_count=count)
    if _too_little(pages):
        if "oversized" in skipped.values():
            return PdfText("too_large", "; ".join(notes), page_count=count)
        return PdfText(
            "pdf_no_text",
            f"no text layer on {len(pages)} page(s) read (image-only or scanned; no OCR is done)",
            page_count=count,
        )
    blank = _blank_pages(pages, set(skipped))
    return PdfText("checked", "; ".join([*notes, blank] if blank else notes), tuple(pages), count)


def content_size(page, cap: int) -> int:
    """Decoded bytes of a page's content streams and the form XObjects they can draw (nested
    forms included, each once); counting stops once past `cap`. Parsing content is the slow
    part of text extraction (pure Python, roughly linear in these bytes), so this bounds a
    page's time before it is spent."""
    total, seen, steps = 0, set(), 0
    todo = [page.get("/Contents"), page.get("/Resources")]
    while todo and total <= cap:
        steps += 1
        if steps > _MAX_CONTENT_OBJECTS:  # a maze of empty forms costs as much as a big one
            return cap + 1
        item = todo.pop()
        obj = item.get_object() if hasattr(item, "get_object") else item
        if obj is None or id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, list):
            todo.extend(obj)
            continue
        if hasattr(obj, "get_data"):
            total += len(obj.get_data())
        resources = obj.get("/Resources") if hasattr(obj, "get") else None
        xobjects = obj.get("/XObject") if hasattr(obj, "get") else None
        if resources is not None and resources is not item:
            todo.append(resources)
        if xobjects is not None:
            xobjects = xobjects.get_object()
            todo.extend(x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Form")
    return total


def _too_little(pages: list[tuple[str, ...]]) -> bool:
    return sum(_chars(page) for page in pages) < MIN_TEXT_CHARS


def _chars(page: tuple[str, ...]) -> int:
    return sum(len(_WORD_CHAR.findall(para)) for para in page)


def _blank_pages(pages: list[tuple[str, ...]], skipped: set[int]) -> str:
    """A brochure that mixes text pages with scanned ones: name the pages with (almost) no text,
    so "no findings" is never read as covering pictures nobody read. Skipped pages (unreadable,
    over the cap) already have their own note."""
    blank = [n for n, page in enumerate(pages, 1) if n not in skipped and _chars(page) < 20]
    if not blank:
        return ""
    shown = ", ".join(str(n) for n in blank[:5]) + (", …" if len(blank) > 5 else "")
    return f"no text layer on {len(blank)} of {len(pages)} page(s) read ({shown}; images only?)"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


# -- layout: runs -> lines -> paragraphs ----------------------------------------------------------
@dataclass(frozen=True)
class _Run:
    text: str
    y: float  # baseline in page space
    size: float  # effective font size


@dataclass
class _Line:
    text: str
    y: float
    size: float


def page_paragraphs(page) -> list[str]:
    """A pypdf page's text as paragraphs (module doc)."""
    runs: list[_Run] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text and text.strip():
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
            runs.append(_Run(text, y, (size or 1.0) * scale))

    plain = page.extract_text(visitor_text=visit) or ""
    if not runs:  # no positions reported: fall back to the extractor's own lines
        return [" ".join(line.split()) for line in plain.split("\n") if line.strip()]
    lines = _lines(runs)
    vocabulary = frozenset(w.lower() for line in lines for w in _WORD.findall(line.text))
    return list(_paragraphs(lines, vocabulary))


def _lines(runs: list[_Run]) -> list[_Line]:
    lines: list[_Line] = []
    for run in runs:
        pieces = run.text.split("\n")
        for n, piece in enumerate(pieces):
            current = lines[-1] if lines else None
            same = n == 0 and current is not None and abs(current.y - run.y) < 0.4 * run.size
            if same:
                current.text += piece
                current.size = max(current.size, run.size)
            elif piece.strip():
                lines.append(_Line(piece, run.y - n * 1.2 * run.size, run.size))
    for line in lines:
        line.text = " ".join(line.text.split())
    return [line for line in lines if line.text]


def _paragraphs(lines: list[_Line], vocabulary: frozenset[str]) -> Iterator[str]:
    para: list[str] = []
    prev: _Line | None = None
    for line in lines:
        if prev is not None and _breaks(prev, line):
            yield _join(para, vocabulary)
            para = []
        para.append(line.text)
        prev = line
    if para:
        yield _join(para, vocabulary)


def _breaks(prev: _Line, line: _Line) -> bool:
    """A new paragraph: a gap wider than about one and a half lines, a move up the page (a new
    column or text box), a change of font size (a heading), or a bullet."""
    gap = prev.y - line.y
    size = max(prev.size, line.size)
    return (
        gap < 0.4 * size
        or gap > 1.6 * size
        or abs(prev.size - line.size) > 0.15 * size
        or bool(_BULLET.match(line.text))
    )


def _join(lines: list[str], vocabulary: frozenset[str] = frozenset()) -> str:
    out = lines[0]
    for line in lines[1:]:
        if re.search(r"[^\W\d_]-$", out) and line[:1].islower():
            out = _dehyphenate(out, line, vocabulary)
        else:
            out = f"{out} {line}"
    return out


def _dehyphenate(left: str, right: str, vocabulary: frozenset[str]) -> str:
    """Join a line ending in "word-" to the next: "treat-" + "ment" is one word, "pain-" +
    "free" a compound whose hyphen stays. The page's own words decide when they can (the
    joined or the hyphenated form seen elsewhere on it), else a short list of compound tails."""
    head = re.search(r"([^\W\d_]+)-$", left).group(1).lower()  # type: ignore[union-attr]
    tail = re.match(r"[^\W\d_]*", right).group(0).lower()  # type: ignore[union-attr]
    if f"{head}-{tail}" in vocabulary or (
        f"{head}{tail}" not in vocabulary and tail in _COMPOUND_TAILS
    ):
        return left + right
    return left[:-1] + right
