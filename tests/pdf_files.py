"""Tiny PDF files the tests make themselves (no fixture files, no PDF-writing dependency).

    make_pdf([["Our clinic", "Stem cells cure back pain."], ["Page two text."]])

Each page is a list of paragraphs; a paragraph is a string or a list of lines (a wrapped
paragraph, set on consecutive baselines as a layout program would). Text is set in Helvetica
(one of the standard 14 fonts, so nothing is embedded), WinAnsi-encoded. `image_only_pdf` draws a
picture and no text (a scanned page), `encrypt` password-protects a PDF with pypdf, `truncate`
cuts one short the way an interrupted download does; `raw_content_pdf` draws a page with any
content stream (hostile ones: huge, a decompression bomb, deep nesting).
"""

from __future__ import annotations

import io
import zlib

Paragraph = str | list[str]


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(paragraphs: list[Paragraph]) -> bytes:
    """A content stream: each paragraph's lines 14 pt apart, paragraphs 30 pt apart."""
    out, y = [], 760
    for para in paragraphs:
        lines = [para] if isinstance(para, str) else para
        for line in lines:
            out.append(b"BT /F1 11 Tf 72 %d Td (%s) Tj ET" % (y, _escape(line)))
            y -= 14
        y -= 16
    return b"\n".join(out)


def _image_content() -> bytes:
    return b"q 400 0 0 300 72 400 cm /Im1 Do Q"


def _assemble(streams: list[bytes], image: bool = False, flate: bool = False) -> bytes:
    """Objects 1 catalog, 2 pages, 3 font, 4 image (when used), then page + content pairs."""
    n = len(streams)
    first = 5
    kids = " ".join(f"{first + 2 * i} 0 R" for i in range(n))
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    pixels = zlib.compress(bytes((x * 7 + y * 3) % 256 for y in range(60) for x in range(80)))
    objects[4] = (
        b"<< /Type /XObject /Subtype /Image /Width 80 /Height 60 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(pixels)
        + pixels
        + b"\nendstream"
    )
    xobject = b" /XObject << /Im1 4 0 R >>" if image else b""
    for i, stream in enumerate(streams):
        page, content = first + 2 * i, first + 2 * i + 1
        objects[page] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >>%s >> /Contents %d 0 R >>" % (xobject, content)
        )
        data = zlib.compress(stream, 9) if flate else stream
        filt = b" /Filter /FlateDecode" if flate else b""
        objects[content] = b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), filt, data)
    buf = io.BytesIO()
    buf.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = buf.tell()
        buf.write(b"%d 0 obj\n%s\nendobj\n" % (num, objects[num]))
    xref = buf.tell()
    size = max(objects) + 1
    buf.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for num in range(1, size):
        buf.write(b"%010d 00000 n \n" % offsets[num])
    buf.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return buf.getvalue()


def make_pdf(pages: list[list[Paragraph] | None]) -> bytes:
    """A PDF with a text layer: one content stream per page (None: a page that is a picture)."""
    streams = [_image_content() if p is None else _content(p) for p in pages]
    return _assemble(streams, image=None in pages)


def image_only_pdf(pages: int = 2) -> bytes:
    """A PDF whose pages are pictures only (what a scanner makes): no text layer at all."""
    return _assemble([_image_content() for _ in range(pages)], image=True)


def encrypt(pdf: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    """The same PDF, AES-256 encrypted with pypdf (an empty user password opens without one)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password, owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncate(pdf: bytes, keep: float = 0.6) -> bytes:
    """The first `keep` share of the file: a download cut off before the cross-reference table."""
    return pdf[: int(len(pdf) * keep)]


def raw_content_pdf(content: bytes, flate: bool = False) -> bytes:
    """One page drawn by `content` as given (compressed when `flate`): for hostile pages."""
    return _assemble([content], flate=flate)
