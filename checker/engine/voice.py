"""Who a page speaks for: a reporter, or itself.

A news story, a regulator's notice or a trial listing describes what clinics say; its
sentences are not the page's claims even where they repeat a clinic's words without a "they
say" in the same sentence. A clinic's promotional page speaks for itself, so a study it relays
("one trial found that ...") is offered as proof of its treatment. The signs of each voice are
data (modifiers.yaml `page_voice`); this module only counts them, once over the page, so the
cost stays linear in the page's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.engine.lexicons import Lexicons
from checker.engine.literal_index import LiteralIndex, index_for, required_literals, scan

REPORTER, OWN, UNKNOWN = "reporter", "own", "unknown"


@dataclass(frozen=True)
class Voice:
    """A page's voice and the signs that decided it (for explanations and tests)."""

    kind: str
    reporter: int
    own: int


_Compiled = list[tuple[str, re.Pattern, frozenset[str] | None]]


def _compiled(lex: Lexicons) -> _Compiled:
    """The voice cues with their required literals, compiled once per loaded lexicon."""
    rx = lex._index.get("voice_rx")
    if rx is None:
        rx = lex._index["voice_rx"] = [
            (c.kind, re.compile(c.pattern), required_literals(c.pattern))
            for c in lex.page_voice.cues
        ]
    return rx


def _count(rx: re.Pattern, literals: frozenset[str] | None, index: LiteralIndex, cap: int) -> int:
    """Matches of one sign, up to its cap, scanning only near the sign's required words."""
    n = 0
    for _ in scan(rx, literals, index):
        n += 1
        if n >= cap:
            break
    return n


def page_voice(norm: str, lex: Lexicons) -> Voice:
    """The voice of a page from its normalised text: reporter, own, or unknown (too little
    to tell, as for a single sentence)."""
    pv = lex.page_voice
    scores = {REPORTER: 0, OWN: 0}
    index = index_for(norm)
    for kind, rx, literals in _compiled(lex):
        scores[kind] += _count(rx, literals, index, pv.cap)
    reporter, own = scores[REPORTER], scores[OWN]
    if reporter >= pv.reporter_min and reporter >= pv.ratio * max(own, 1):
        return Voice(REPORTER, reporter, own)
    if own >= pv.own_min and own > reporter:
        return Voice(OWN, reporter, own)
    return Voice(UNKNOWN, reporter, own)
