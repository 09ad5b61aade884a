"""Disclaimer proximity and sentence context for findings: what an investigator reads around a
claim before deciding on it.

`disclaimer_nearby` is the text of a disclaimer ("not FDA approved", "results vary") found in the
claim's own block or the block just before or after it, using the `disclaimer` triggers of
lexicons/modifiers.yaml (rules are data: no term lives here). It is information for the reader
and for the re-check diff (a disclaimer added is a softening); it never clears a claim, so the
verdict and severity are left exactly as the comparator set them.

`context_before` / `context_after` are the sentences either side of the claim's sentence, so the
report can show a claim in its context without storing the page text.

Imports only the engine's own modules and checker.records (see checker/engine/__init__.py).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from checker.engine.claims import Segment
from checker.engine.language import normalised
from checker.engine.lexicons import Lexicons
from checker.records import Finding

MAX_TEXT = 300  # characters of a disclaimer or context sentence kept on a finding
# A display-level sentence split: the engine's own boundaries live in the spaCy pipeline, but
# the neighbours are only shown to a reader, so a plain end-of-sentence split is enough.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+")


@lru_cache(maxsize=8)
def _trigger(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def disclaimer_pattern(lex: Lexicons) -> re.Pattern[str] | None:
    """One regex of every `disclaimer` trigger of the rule pack (None when it has none)."""
    return _trigger(tuple(m.pattern for m in lex.modifiers if m.category == "disclaimer"))


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


def _sentence_around(text: str, lo: int, hi: int, at: int) -> str:
    """The sentence of text[lo:hi] that contains offset `at`."""
    start = lo
    for m in _SENTENCE_END.finditer(text, lo, hi):
        if m.end() > at:
            return text[start : m.start() + len(m.group().rstrip())].strip()
        start = m.end()
    return text[start:hi].strip()


def _block_index(segments: Sequence[Segment], starts: list[int], offset: int) -> int:
    i = bisect.bisect_right(starts, offset) - 1
    return max(0, min(i, len(segments) - 1))


def _disclaimer(
    finding: Finding,
    text: str,
    norm: str,
    segments: Sequence[Segment],
    starts: list[int],
    pattern: re.Pattern[str],
    seen: dict[int, str | None],
) -> str:
    """The nearest disclaimer: the claim's block first, then the blocks before and after. Each
    block is searched once per page (`seen`), however many claims it holds: a long block with
    many claims would otherwise be scanned once for each of them."""
    i = _block_index(segments, starts, finding.start)
    for j in (i, i - 1, i + 1):
        if 0 <= j < len(segments):
            if j not in seen:
                seg = segments[j]
                m = pattern.search(norm, seg.start, seg.end)
                around = _sentence_around(text, seg.start, seg.end, m.start()) if m else None
                seen[j] = None if around is None else _clip(around)
            if seen[j] is not None:
                return seen[j]
    return ""


def _before(text: str, start: int) -> str:
    head = text[max(0, start - 2 * MAX_TEXT) : start].rstrip()
    parts = [p for p in re.split(r"\n|" + _SENTENCE_END.pattern, head) if p and p.strip()]
    return _clip(parts[-1]) if parts else ""


def _after(text: str, end: int) -> str:
    tail = text[end : end + 2 * MAX_TEXT].lstrip()
    parts = [p for p in re.split(r"\n|" + _SENTENCE_END.pattern, tail) if p and p.strip()]
    return _clip(parts[0]) if parts else ""


def annotate(
    findings: Sequence[Finding], text: str, segments: Sequence[Segment], lex: Lexicons
) -> tuple[Finding, ...]:
    """The findings with `disclaimer_nearby`, `context_before` and `context_after` filled in;
    verdicts and severities untouched (a disclaimer never clears a claim)."""
    if not findings:
        return tuple(findings)
    pattern = disclaimer_pattern(lex)
    norm = normalised(text, lex.lang) if pattern is not None else ""
    ordered = sorted(segments, key=lambda s: s.start)
    starts = [s.start for s in ordered]
    out: list[Finding] = []
    seen: dict[int, str | None] = {}
    for f in findings:
        nearby = (
            _disclaimer(f, text, norm, ordered, starts, pattern, seen)
            if pattern and ordered
            else ""
        )
        out.append(
            replace(
                f,
                disclaimer_nearby=nearby,
                context_before=_before(text, f.start),
                context_after=_after(text, f.end),
            )
        )
    return tuple(out)
