"""The engine's front door: text or HTML in, a PageReport of findings out.

extract -> NLP -> claims -> compare. Imports nothing from fetching, the audit or the CLI, so it
runs unchanged over archived pages on a cluster. The pipeline is built once per process.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import replace

from checker.engine import lexicons as lexmod
from checker.engine.claims import Segment, extract_claims
from checker.engine.compare import findings_for
from checker.engine.disclaimers import annotate
from checker.engine.extract import blocks_text, decode_html, extract_blocks
from checker.engine.language import normalised, page_language
from checker.engine.nlp import pipeline
from checker.engine.pdf_text import PdfLimits, read_pdf
from checker.engine.prefilter import SKIPPED, prefilter_for
from checker.engine.text import normalise
from checker.records import PageReport
from checker.version import __version__


def provenance(lexicons_dir: str | None = None) -> dict:
    """What every report is stamped with: tool version, the rule pack's version and SHA-256
    (so a report says which rules, edited or not, produced it) and the evidence hash."""
    lex = lexmod.load_cached(lexicons_dir)
    return {
        "checker": __version__,
        "lexicons": lex.version,
        "lexicons_sha256": lex.sha256,
        "evidence_sha256": lex.evidence_sha256,
    }


_MAX_HEADING_WORDS = 12
_NOT_HEADING_END = re.compile(r"[.!;,:\"”)]$")
_BULLET_START = re.compile(r"^(?:[-–—•·*✔✓✅☑▪►■➤→]|\d{1,2}[.)]\s)")


def _looks_like_heading(line: str) -> bool:
    """A short line that opens with a capital and does not end like a sentence: in plain text
    this is how a title, a section heading or an FAQ question shows itself."""
    return (
        bool(line)
        and len(line.split()) <= _MAX_HEADING_WORDS
        and (line[0].isupper() or line[0].isdigit())
        and any(c.isalpha() for c in line)
        and not _NOT_HEADING_END.search(line)
        and not _BULLET_START.match(line)
    )


def _line_segments(text: str, running: frozenset[int] = frozenset()) -> list[Segment]:
    """Each line is a block. Plain text has no tags, so its layout is read from the lines: the
    first line, when it looks like a heading, is the title (tag h1, the page topic); later
    heading-like lines are section headings (h2), and lines below one belong to its section.
    Section and topic inheritance then work for pasted text as they do for HTML.
    Lines numbered in `running` (a PDF's running headers and footers) are region "header" and
    never start a section, so a section goes on across a page break."""
    segments, pos = [], 0
    title: str | None = None
    section: str | None = None
    seen_text = False
    for n, line in enumerate(text.split("\n")):
        stripped = line.strip()
        tag, path = "p", tuple(x for x in (title, section) if x)
        if n in running and seen_text:
            segments.append(Segment(pos, pos + len(line), tag, path, "header"))
            pos += len(line) + 1
            continue
        if stripped and _looks_like_heading(stripped):
            if not seen_text:
                tag, path, title = "h1", (), stripped
            else:
                tag, path, section = "h2", (title,) if title else (), stripped
        if stripped:
            seen_text = True
        segments.append(Segment(pos, pos + len(line), tag, path))
        pos += len(line) + 1
    return segments


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """The text with each lone surrogate (which `json.loads` produces from "\\ud800", and no
    encoder accepts) replaced by U+FFFD: one character for one, so every offset still indexes
    the caller's text, and findings quote the caller's text itself."""
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def analyse(
    text: str, segments: list[Segment], url: str | None = None, lexicons_dir: str | None = None
) -> tuple:
    """Findings for text whose blocks are `segments` (offsets into `text`). A page in a language
    the pack has entries for (Spanish) is read with them, on its accent-folded text. The
    pipeline reads an encodable copy (a lone surrogate becomes U+FFFD, one for one, so offsets
    hold); findings quote the caller's text."""
    pack = lexmod.load_cached(lexicons_dir)
    safe = encodable(text)
    norm = normalise(safe)  # once: the language test and the pipeline both read it
    lang = page_language(safe, segments, pack, norm)
    lex = pack.view(lang)
    nlp = pipeline(lexicons_dir, lang)
    doc = nlp.make_doc(safe)
    doc.user_data["checker_text"] = safe  # the components need it; doc.text re-joins tokens
    doc._.norm_text = normalised(safe, lang, norm)
    doc = nlp(doc)
    findings = findings_for(extract_claims(doc, segments, lex), text, lex, url)
    return annotate(findings, text, segments, lex)  # disclaimers nearby, sentences either side


def check_text(
    text: str, url: str | None = None, lexicons_dir: str | None = None, prefilter: bool = True
) -> PageReport:
    """Check plain text. Each line is a block; offsets index into `text`. With `prefilter`, a
    text that provably cannot yield a finding (prefilter.py) skips the NLP pass."""
    if not isinstance(text, str):
        raise TypeError("check_text takes a str; use check_html for bytes")
    sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if prefilter and not prefilter_for(lexicons_dir).may_find_text(text):
        return PageReport(url=url, text=text, final_url=url, sha256=sha, reason=SKIPPED)
    findings = analyse(text, _line_segments(text), url, lexicons_dir)
    return PageReport(url=url, findings=findings, text=text, final_url=url, sha256=sha)


def check_html(
    html: str | bytes,
    url: str | None = None,
    lexicons_dir: str | None = None,
    prefilter: bool = True,
) -> PageReport:
    """Check an HTML page: visible text blocks (hidden ones included, and marked) in page order.
    Offsets index into the report's `text`, the blocks joined by newlines. With `prefilter`, a
    page that provably cannot yield a finding (prefilter.py) is not parsed: its report has no
    text and `reason` SKIPPED."""
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "surrogatepass")
    if isinstance(html, bytes):
        html, _ = decode_html(html)
    if prefilter and not prefilter_for(lexicons_dir).may_find(html):
        sha = hashlib.sha256(raw).hexdigest()
        return PageReport(url=url, final_url=url, sha256=sha, reason=SKIPPED)
    blocks = extract_blocks(html)
    text, offsets = blocks_text(blocks)
    segments = [
        Segment(s, e, b.tag, b.heading_path, b.region, b.hidden)
        for b, (s, e) in zip(blocks, offsets, strict=True)
    ]
    findings = analyse(text, segments, url, lexicons_dir)
    return PageReport(
        url=url, findings=findings, text=text, final_url=url, sha256=hashlib.sha256(raw).hexdigest()
    )


def check_pdf(
    data: bytes,
    url: str | None = None,
    lexicons_dir: str | None = None,
    limits: PdfLimits | None = None,
) -> PageReport:
    """Check a PDF's text layer. Each paragraph is a block, read like plain text's lines (a short
    capitalised first line is the title, later ones section headings); every finding carries its
    1-based `pdf_page`. An encrypted, image-only or broken PDF comes back unchecked, its outcome
    and one-line reason set (checker/engine/pdf_text.py); a cap reached is said in `reason`."""
    if not isinstance(data, bytes):
        raise TypeError("check_pdf takes the PDF's bytes")
    sha = hashlib.sha256(data).hexdigest()
    doc = read_pdf(data, limits)
    if doc.outcome != "checked":
        return PageReport(
            url=url, final_url=url, sha256=sha, outcome=doc.outcome, reason=doc.reason
        )
    text, starts = doc.joined()
    findings = analyse(text, _line_segments(text, doc.running_lines()), url, lexicons_dir)
    paged = tuple(replace(f, pdf_page=bisect.bisect_right(starts, f.start)) for f in findings)
    return PageReport(
        url=url, findings=paged, text=text, final_url=url, sha256=sha, reason=doc.reason
    )
