"""The engine's front door: text or HTML in, a PageReport of findings out.

extract -> NLP -> claims -> compare. Imports nothing from fetching, the audit or the CLI, so it
runs unchanged over archived pages on a cluster. The pipeline is built once per process.
"""

from __future__ import annotations

import hashlib

from checker.engine import lexicons as lexmod
from checker.engine.claims import Segment, extract_claims
from checker.engine.compare import findings_for
from checker.engine.disclaimers import annotate
from checker.engine.extract import blocks_text, decode_html, extract_blocks
from checker.engine.nlp import pipeline
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


def _line_segments(text: str) -> list[Segment]:
    segments, pos = [], 0
    for line in text.split("\n"):
        segments.append(Segment(pos, pos + len(line)))
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


def check_text(text: str, url: str | None = None, lexicons_dir: str | None = None) -> PageReport:
    """Check plain text. Each line is a block; offsets index into `text`."""
    if not isinstance(text, str):
        raise TypeError("check_text takes a str; use check_html for bytes")
    findings = analyse(text, _line_segments(text), url, lexicons_dir)
    sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return PageReport(url=url, findings=findings, text=text, final_url=url, sha256=sha)


def check_html(
    html: str | bytes, url: str | None = None, lexicons_dir: str | None = None
) -> PageReport:
    """Check an HTML page: visible text blocks (hidden ones included, and marked) in page order.
    Offsets index into the report's `text`, the blocks joined by newlines."""
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "surrogatepass")
    if isinstance(html, bytes):
        html, _ = decode_html(html)
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
