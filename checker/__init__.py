"""Clinic-advertisement claims checker.

Finds claims about stem cell and spinal injection therapies in page text and says, with a
citation into the evidence base, which ones contradict it.
"""

from __future__ import annotations

from checker.records import Finding, PageReport
from checker.version import __version__

__all__ = [
    "Finding",
    "PageReport",
    "__version__",
    "check_html",
    "check_pdf",
    "check_text",
    "check_url",
]


def check_text(text: str, url: str | None = None) -> PageReport:
    """Check plain text; finding offsets index into `text`."""
    from checker.engine.check import check_text as _check_text

    return _check_text(text, url=url)


def check_html(html: str | bytes, url: str | None = None) -> PageReport:
    """Check an HTML page; finding offsets index into the report's `text` (the extracted text)."""
    from checker.engine.check import check_html as _check_html

    return _check_html(html, url=url)


def check_pdf(data: bytes, url: str | None = None) -> PageReport:
    """Check a PDF's text layer; each finding carries its 1-based `pdf_page`. An encrypted,
    image-only or broken PDF comes back with its outcome (pdf_encrypted, pdf_no_text,
    pdf_unreadable) and a one-line reason instead of findings."""
    from checker.engine.check import check_pdf as _check_pdf

    return _check_pdf(data, url=url)


def check_url(url: str, **options) -> list[PageReport]:
    """Fetch (and capture) a live page, or with crawl=True its site, then check it.

    Lives outside the engine: the engine never imports the scraper.
    """
    from checker.web.check_url import check_url as _check_url

    return _check_url(url, **options)
