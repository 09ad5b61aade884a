"""Required literal words of a regular expression, to skip patterns that cannot match.

A cue pattern can only match a page that contains one of its required literals (the idea
behind Hyperscan's literal pre-filter). Checking a handful of substrings is far cheaper than
scanning a page with every pattern, and it changes no result: a pattern is skipped only when a
match is impossible. Patterns whose required literals cannot be worked out always run.
"""

from __future__ import annotations

from re import _constants as C  # noqa: N812 - the parser's opcodes
from re import _parser

MIN_LITERAL = 3


def required_literals(pattern: str) -> frozenset[str] | None:
    """A set of strings one of which must occur in any match, or None if unknown."""
    try:
        tree = _parser.parse(pattern)
    except Exception:  # noqa: BLE001 - an unparseable pattern simply always runs
        return None
    found = _sequence(list(tree))
    return frozenset(found) if found else None


def _sequence(items: list) -> set[str] | None:
    """Best candidate set of a sequence: the one whose shortest literal is longest."""
    candidates: list[set[str]] = []
    run: list[str] = []

    def close() -> None:
        if len(run) >= MIN_LITERAL:
            candidates.append({"".join(run)})
        run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        close()
        sub = _item(op, av)
        if sub:
            candidates.append(sub)
    close()
    if not candidates:
        return None
    return max(candidates, key=lambda s: min(len(x) for x in s))


def _item(op, av) -> set[str] | None:
    if op is C.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is C.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            sub = _sequence(list(branch))
            if not sub:
                return None  # one branch without a literal: nothing is required
            union |= sub
        return union
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        low, _, body = av
        return _sequence(list(body)) if low >= 1 else None
    if op is C.ATOMIC_GROUP:
        return _sequence(list(av))
    return None


REACH = 300  # characters a cue match may extend on either side of its literal


def windows(
    text: str, literals: frozenset[str] | None, reach: int = REACH
) -> list[tuple[int, int]]:
    """Merged spans of `text` within `reach` of an occurrence of a literal: every match of a
    pattern whose required literals are `literals` (and no longer than `reach`) lies in one."""
    if literals is None:
        return [(0, len(text))]
    spans = []
    for lit in literals:
        i = text.find(lit)
        while i >= 0:
            spans.append((max(0, i - reach), min(len(text), i + len(lit) + reach)))
            i = text.find(lit, i + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def scan(rx, literals: frozenset[str] | None, text: str):
    """rx.finditer over the whole text, restricted to where a match is possible."""
    seen = set()
    for a, b in windows(text, literals):
        for m in rx.finditer(text, a, b):
            if m.span() not in seen:
                seen.add(m.span())
                yield m
