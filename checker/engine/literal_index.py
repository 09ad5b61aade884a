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


WORD_START = "\x02"  # marks a literal that the pattern requires at the start of a word


def required_literals(pattern: str) -> frozenset[str] | None:
    """A set of strings one of which must occur in any match, or None if unknown. A literal the
    pattern requires at a word start (after `\\b`, `^` or a space) carries WORD_START, so the
    index counts "end" in "the end" but not in "recommend"."""
    try:
        tree = _parser.parse(pattern)
    except Exception:  # noqa: BLE001 - an unparseable pattern simply always runs
        return None
    found = _sequence(list(tree), False)
    return frozenset(found) if found else None


def _sequence(items: list, at_word_start: bool) -> set[str] | None:
    """Best candidate set of a sequence: the one whose shortest literal is longest."""
    candidates: list[set[str]] = []
    run: list[str] = []
    run_at_start = False
    boundary = at_word_start

    def close() -> None:
        if len(run) >= MIN_LITERAL:
            text = "".join(run)
            word = run_at_start and _is_word_char(text[0])
            candidates.append({WORD_START + text if word else text})
        run.clear()

    for op, av in items:
        if op is C.LITERAL:
            if not run:
                run_at_start = boundary
            run.append(chr(av))
            boundary = av == 32
            continue
        close()
        sub = _item(op, av, boundary)
        if sub:
            candidates.append(sub)
        boundary = _ends_at_word_gap(op, av)
    close()
    if not candidates:
        return None
    return max(candidates, key=lambda s: min(len(x.lstrip(WORD_START)) for x in s))


def _is_space(op, av) -> bool:
    if op is C.LITERAL:
        return av == 32
    if op is C.IN:
        return av == [(C.CATEGORY, C.CATEGORY_SPACE)]
    return False


def _ends_at_word_gap(op, av) -> bool:
    """Does this element guarantee that what follows it starts after a non-word position?"""
    if op is C.AT:
        return av in (C.AT_BOUNDARY, C.AT_BEGINNING, C.AT_BEGINNING_STRING)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        low, _, body = av
        body = list(body)
        return low >= 1 and len(body) == 1 and _is_space(*body[0])
    return _is_space(op, av)


def _item(op, av, boundary: bool) -> set[str] | None:
    if op is C.SUBPATTERN:
        return _sequence(list(av[-1]), boundary)
    if op is C.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            sub = _sequence(list(branch), boundary)
            if not sub:
                return None  # one branch without a literal: nothing is required
            union |= sub
        return union
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        low, _, body = av
        return _sequence(list(body), boundary) if low >= 1 else None
    if op is C.ATOMIC_GROUP:
        return _sequence(list(av), boundary)
    return None


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


REACH = 300  # characters a cue match may extend on either side of its literal


class LiteralIndex:
    """Where each literal occurs in one text, and the windows a pattern can match in; both
    cached, because many patterns share literals ("pain", "safe", "relief")."""

    def __init__(self, text: str, reach: int = REACH) -> None:
        self.text, self.reach = text, reach
        self._positions: dict[str, list[int]] = {}
        self._windows: dict[frozenset[str], list[tuple[int, int]]] = {}

    def positions(self, literal: str) -> list[int]:
        found = self._positions.get(literal)
        if found is None:
            text, word = self.text, literal.startswith(WORD_START)
            needle = literal[1:] if word else literal
            found, i = [], text.find(needle)
            while i >= 0:
                if not word or i == 0 or not _is_word_char(text[i - 1]):
                    found.append(i)
                i = text.find(needle, i + 1)
            self._positions[literal] = found
        return found

    def has(self, literals: frozenset[str] | None) -> bool:
        return literals is None or any(self.positions(x) for x in literals)

    def windows(self, literals: frozenset[str] | None) -> list[tuple[int, int]]:
        """Disjoint spans within `reach` of an occurrence of one of the literals: every match
        of a pattern requiring them (and no longer than `reach`) lies inside one."""
        if literals is None:
            return [(0, len(self.text))]
        cached = self._windows.get(literals)
        if cached is None:
            cached = self._windows[literals] = self._merge(literals)
        return cached

    def _merge(self, literals: frozenset[str]) -> list[tuple[int, int]]:
        n, reach = len(self.text), self.reach
        spans = sorted(
            (max(0, i - reach), min(n, i + len(lit.lstrip(WORD_START)) + reach))
            for lit in literals
            for i in self.positions(lit)
        )
        merged: list[tuple[int, int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged


def scan(rx, literals: frozenset[str] | None, index: LiteralIndex):
    """rx.finditer over the whole text, restricted to where a match is possible (the windows
    are disjoint and each match lies inside one, so nothing is found twice)."""
    for a, b in index.windows(literals):
        yield from rx.finditer(index.text, a, b)
