"""Frozen records that flow between the stages:
fetch -> capture -> extract -> NLP -> compare -> report.

Every stage hands the next one of these, never a live object, so a record can be pickled to a
worker process, written to SQLite, or rebuilt from a WARC capture.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Outcomes added after the first reports were read by other tools: report files that have a
# column per outcome (sites.csv) put these at the end, so existing columns keep their places.
ADDED_OUTCOMES = (
    "pdf_encrypted",  # a PDF that needs a password to open
    "pdf_no_text",  # a PDF with no text layer (scanned or image-only; no OCR is done)
    "pdf_unreadable",  # a broken or truncated PDF
    "analysis_timeout",  # fetched, but its analysis ran past the CPU budget (--page-seconds)
)
# Outcomes a URL (or input row) can end in. Every input row ends in exactly one of them.
OUTCOMES = (
    "checked",
    "blocked_by_robots",
    "http_error",
    "timeout",
    "not_html",
    "too_large",
    "refused_address",
    "invalid_input",
    "duplicate",
    "analysis_error",  # fetched, but the engine failed on it: recorded, never silently dropped
    *ADDED_OUTCOMES,
)
VERDICTS = ("contradicts", "unsupported", "consistent", "out_of_scope")
FLAG_VERDICTS = frozenset({"contradicts", "unsupported"})
SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class Block:
    """One visible piece of page text, in page order (heading, paragraph, bullet, cell, alt...)."""

    text: str
    tag: str  # title | meta | h1..h6 | p | li | td | th | blockquote | button | a | img | div...
    heading_path: tuple[str, ...] = ()  # texts of the enclosing headings, outermost first
    region: str = "main"  # header | nav | main | aside | footer
    hidden: bool = False  # hidden, aria-hidden, display:none, <noscript>, collapsed <details>


@dataclass(frozen=True)
class Finding:
    """One claim and its verdict. Field names are the public interface (DESIGN.md)."""

    sentence: str
    claim: str  # the matched cue text
    start: int  # offsets of the sentence in the checked text
    end: int
    therapy: str
    therapy_source: str  # stated | section | page
    condition: str  # spine | other | unspecified
    category: str
    verdict: str
    severity: str  # high | medium | low | "" for non-flags
    hedged: bool
    evidence: tuple[str, ...]  # evidence statement ids (lexicons/evidence.yaml)
    refs: tuple[int, ...]  # reference numbers of the evidence document
    rationale: str
    url: str | None = None
    rule: str = ""  # id of the rules.yaml entry that produced the verdict
    claim_start: int = -1  # offsets of the cue inside the checked text
    claim_end: int = -1
    modifiers: tuple[
        str, ...
    ] = ()  # ConText-style modifiers seen on the claim (hedge, testimonial...)
    region: str = "main"
    hidden: bool = False
    # a disclaimer in the claim's block or an adjacent one ("" when none): shown, never clears it
    disclaimer_nearby: str = ""
    context_before: str = ""  # the sentence before the claim's sentence, for the reader
    context_after: str = ""  # the sentence after it
    pdf_page: int | None = None  # 1-based page of a PDF the claim is on; None for HTML and text

    @property
    def is_flag(self) -> bool:
        return self.verdict in FLAG_VERDICTS

    def to_dict(self) -> dict:
        d = asdict(self)
        d["evidence"] = list(self.evidence)
        d["refs"] = list(self.refs)
        d["modifiers"] = list(self.modifiers)
        return d


@dataclass(frozen=True)
class PageReport:
    """The result of checking one page (or one text). `findings` holds every verdict, flags first
    class citizens; `flags` the contradicts/unsupported subset."""

    url: str | None
    findings: tuple[Finding, ...] = ()
    text: str = ""  # the text the offsets point into
    final_url: str | None = None
    outcome: str = "checked"
    status: int | None = None
    fetched_at: str | None = None  # ISO 8601 UTC
    sha256: str | None = None  # of the raw body as received (or the file's bytes)
    warc_record_id: str | None = None
    reason: str = ""  # one line, why a page was not checked
    robots: str = ""  # allowed | disallowed | ignored: <authority> | unavailable | n/a

    @property
    def flags(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_flag)

    def page_dict(self) -> dict:
        """The page object of `--format json` (DESIGN.md)."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "outcome": self.outcome,
            "status": self.status,
            "fetched_at": self.fetched_at,
            "sha256": self.sha256,
            "warc_record_id": self.warc_record_id,
            "reason": self.reason,
            "robots": self.robots,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class FetchResult:
    """What the scraper got for one URL, whether or not it could be checked."""

    url: str  # as requested
    outcome: str  # one of OUTCOMES (never "duplicate": that is the audit's call)
    final_url: str | None = None
    status: int | None = None
    reason: str = ""  # one line for humans: "blocked by robots.txt", "timed out after 30 s", ...
    content_type: str | None = None
    body: bytes = b""  # decompressed body as received
    text: str | None = None  # decoded HTML, when outcome == "checked"
    encoding: str | None = None
    fetched_at: str | None = None  # ISO 8601 UTC of the final response
    sha256: str | None = None  # SHA-256 hex of `body`
    warc_record_id: str | None = None
    ip: str | None = None
    robots: str = ""
    redirects: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RowRecord:
    """One input row with its outcome, as `urls.csv` and `errors.csv` show it."""

    rowno: int
    raw: str
    site: str
    extra: dict[str, str]
    outcome: str | None
    final_url: str | None
    status: int | None
    sha256: str | None
    pages: int
    flags: int
    reason: str
