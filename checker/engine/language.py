"""Which language a page is in, told block by block from the function words of the rule pack
(lexicons/es/language.yaml), with no model and nothing downloaded.

Function words ("el", "que", "para"; "the", "that", "for") are in every sentence whatever it is
about, so a few of them tell Spanish from English even in a heading. A block counts as a
pack language's when its function words of that language reach a minimum and outnumber its
English ones; a page is read with that language's entries when such blocks hold a set share of
its words. One pass over the words: the cost is linear in the page's length.
Imports only the engine's lexicons and text helpers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from checker.engine.lexicons import Detection, Lexicons
from checker.engine.text import fold_accents, normalise

ENGLISH = "en"
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


class _Block(Protocol):
    start: int
    end: int


def block_language(words: list[str], detection: Detection, lang: str) -> str:
    """`lang` when the words read as that language by the pack's function words, else English."""
    lists = dict(detection.function_words)
    theirs = sum(1 for w in words if w in lists[lang])
    ours = sum(1 for w in words if w in lists[ENGLISH])
    if theirs >= detection.min_words and theirs >= detection.ratio * max(ours, 1):
        return lang
    return ENGLISH


def page_language(
    text: str, segments: Sequence[_Block], lex: Lexicons, norm: str | None = None
) -> str:
    """The language to read the page with: a pack's language when its blocks hold at least the
    pack's share of the page's words, else English (the English entries alone). `norm` is the
    text already normalised, when the caller has it (it is the same length as `text`)."""
    if not lex.packs:
        return ENGLISH
    folded = fold_accents(normalise(text) if norm is None else norm)
    spans = [(s.start, s.end) for s in segments] or [(0, len(text))]
    for pack in lex.packs:
        total = theirs = 0
        for start, end in spans:
            words = _WORD.findall(folded, start, end) if start < end else []
            total += len(words)
            if words and block_language(words, pack.detection, pack.lang) == pack.lang:
                theirs += len(words)
        if total and theirs >= pack.detection.page_share * total:
            return pack.lang
    return ENGLISH


def normalised(text: str, lang: str, norm: str | None = None) -> str:
    """The text the patterns of `lang` run on: normalised, and for a pack language folded
    (its patterns were folded when loaded), same length as `text` either way."""
    norm = normalise(text) if norm is None else norm
    return norm if lang == ENGLISH else fold_accents(norm)
