"""The engine's front door: text or HTML in, a PageReport of findings out.

extract -> NLP -> claims -> compare. Imports nothing from fetching, the audit or the CLI, so it
runs unchanged over archived pages on a cluster. The pipeline is built once per process.
"""

from __future__ import annotations

import hashlib
import re

from checker.engine import lexicons as lexmod
from checker.engine.claims import Segment, extract_claims
from checker.engine.compare import findings_for
from checker.engine.disclaimers import annotate
from checker.engine.extract import blocks_text, decode_html, extract_blocks
from checker.engine.nlp import pipeline
from checker.engine.prefilter import SKIPPED, prefilter_for
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


def _line_segments(text: str) -> list[Segment]:
    """Each line is a block. Plain text has no tags, so its layout is read from the lines: the
    first line, when it looks like a heading, is the title (tag h1, the page topic); later
    heading-like lines are section headings (h2), and lines below one belong to its section.
    Section and topic inheritance then work for pasted text as they do for HTML."""
    segments, pos = [], 0
    title: str | None = None
    section: str | None = None
    seen_text = False
    for line in text.split("\n"):
        stripped = line.strip()
        tag, path = "p", tuple(x for x in (title, section) if x)
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


def analyse(
    text: str, segments: list[Segment], url: str | None = None, lexicons_dir: str | None = None
) -> tuple:
    """Findings for text whose blocks are `segments` (offsets into `text`)."""
    lex = lexmod.load_cached(lexicons_dir)
    nlp = pipeline(lexicons_dir)
    doc = nlp.make_doc(text)
    doc.user_data["checker_text"] = text  # the components need it; doc.text re-joins tokens
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
