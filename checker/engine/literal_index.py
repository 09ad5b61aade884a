"""Required literal words of a regular expression, to skip patterns that cannot match.

A cue pattern can only match a page that contains one of its required literals (the idea
behind Hyperscan's literal pre-filter). Checking a handful of substrings is far cheaper than
scanning a page with every pattern, and it changes no result: a pattern is skipped only when a
match is impossible. Patterns whose required literals cannot be worked out always run.
"""

from __future__ import annotations

import re
from bisect import bisect_left
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


_WORD = re.compile(r"\w+")
REACH = 300  # characters a cue match may extend on either side of its literal


class LiteralIndex:
    """Where each literal occurs in one text, and the windows a pattern can match in; both
    cached, because many patterns share literals ("pain", "safe", "relief")."""

    def __init__(self, text: str, reach: int = REACH) -> None:
        self.text, self.reach = text, reach
        self._positions: dict[str, list[int]] = {}
        self._windows: dict[tuple[frozenset[str], int], list[tuple[int, int]]] = {}
        self._sorted_hits: dict[frozenset[str], list[tuple[int, int]]] = {}
        self._words: tuple[list[str], dict[str, list[int]]] | None = None

    def positions(self, literal: str) -> list[int]:
        found = self._positions.get(literal)
        if found is None:
            if literal.startswith(WORD_START):
                found = self._word_start_positions(literal[1:])
            else:
                found = self._find_all(literal)
            self._positions[literal] = found
        return found

    def _find_all(self, needle: str) -> list[int]:
        found, i = [], self.text.find(needle)
        while i >= 0:
            found.append(i)
            i = self.text.find(needle, i + 1)
        return found

    def _word_start_positions(self, literal: str) -> list[int]:
        """Starts of the words that begin with the literal, from a word index built once per
        text: one pass over the text instead of one `find` scan per literal."""
        keys, where = self._word_index()
        head = _WORD.match(literal)
        if head is None:
            return self._find_all(literal)
        if head.end() < len(literal):  # "my pain": the word is exactly "my", then the rest
            text = self.text
            return [i for i in where.get(head.group(), ()) if text.startswith(literal, i)]
        found: list[int] = []
        k = bisect_left(keys, literal)
        while k < len(keys) and keys[k].startswith(literal):
            found.extend(where[keys[k]])
            k += 1
        return sorted(found)

    def _word_index(self) -> tuple[list[str], dict[str, list[int]]]:
        if self._words is None:
            where: dict[str, list[int]] = {}
            for m in _WORD.finditer(self.text):
                where.setdefault(m.group(), []).append(m.start())
            self._words = (sorted(where), where)
        return self._words

    def has(self, literals: frozenset[str] | None) -> bool:
        return literals is None or any(self.positions(x) for x in literals)

    def windows(
        self, literals: frozenset[str] | None, reach: int | None = None
    ) -> list[tuple[int, int]]:
        """Disjoint spans within `reach` of an occurrence of one of the literals: every match
        of a pattern requiring them (and no longer than `reach`) lies inside one."""
        if literals is None:
            return [(0, len(self.text))]
        reach = self.reach if reach is None else min(reach, self.reach)
        key = (literals, reach)
        cached = self._windows.get(key)
        if cached is None:
            cached = self._windows[key] = self._merge(literals, reach)
        return cached

    def _hits(self, literals: frozenset[str]) -> list[tuple[int, int]]:
        """(start, end) of every occurrence of the literals, in order; sorted once per literal
        set, since patterns of different reach share a set."""
        hits = self._sorted_hits.get(literals)
        if hits is None:
            hits = self._sorted_hits[literals] = sorted(
                (i, i + len(lit.lstrip(WORD_START)))
                for lit in literals
                for i in self.positions(lit)
            )
        return hits

    def _merge(self, literals: frozenset[str], reach: int) -> list[tuple[int, int]]:
        n = len(self.text)
        merged: list[tuple[int, int]] = []
        lo = hi = -1
        for i, j in self._hits(literals):
            a, b = max(0, i - reach), min(n, j + reach)
            if a <= hi:
                hi = max(hi, b)
                continue
            if hi >= 0:
                merged.append((lo, hi))
            lo, hi = a, b
        if hi >= 0:
            merged.append((lo, hi))
        return merged


_LAST: tuple[str, LiteralIndex] | None = None


def index_for(text: str) -> LiteralIndex:
    """The index of this text, shared by the stages that scan the same normalised page text
    (cues, durations, modifiers, page voice), so its word index is built once per page."""
    global _LAST
    last = _LAST  # one read: another thread may replace it, never half of it
    if last is not None and last[0] == text:
        return last[1]
    index = LiteralIndex(text)
    _LAST = (text, index)
    return index


def scan(rx, literals: frozenset[str] | None, index: LiteralIndex):
    """rx.finditer over the whole text, restricted to where a match is possible (the windows
    are disjoint and each match lies inside one, so nothing is found twice)."""
    for a, b in index.windows(literals, pattern_reach(rx.pattern)):
        yield from rx.finditer(index.text, a, b)


MARGIN = 8  # characters past a match's widest reach, for \\b and the like at a window's end
_REACHES: dict[str, int] = {}


def pattern_reach(pattern: str) -> int:
    """How far from its literal a match can extend: the pattern's maximum width (plus a
    margin) when it is bounded and looks ahead of nothing, else REACH. Narrow windows for the
    many short patterns make scanning cheaper without changing a match."""
    reach = _REACHES.get(pattern)
    if reach is None:
        reach = REACH
        try:
            tree = _parser.parse(pattern)
            widest = _width(list(tree))
            if widest < REACH and not _looks_ahead(list(tree)):
                reach = min(REACH, widest + MARGIN)
        except Exception:  # noqa: BLE001 - an unparseable pattern keeps the default reach
            pass
        _REACHES[pattern] = reach
    return reach


RUN = 40  # the practical length of an unbounded run of one character class ("\\d+", "[\\w'-]+")
_UNBOUNDED = 1 << 30


def _width(items: list) -> int:
    """The widest match of a sequence, counting an unbounded run of one character class as RUN
    characters (like REACH, a practical bound: no cue word or number runs longer); anything
    else unbounded ("[^.]*", ".+") is unbounded."""
    return min(_UNBOUNDED, sum(_item_width(op, av) for op, av in items))


def _item_width(op, av) -> int:
    if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.CATEGORY):
        return 1
    if op is C.IN:
        return 1
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return 0
    if op is C.SUBPATTERN:
        return _width(list(av[-1]))
    if op is C.BRANCH:
        return max(_width(list(b)) for b in av[1])
    if op is C.ATOMIC_GROUP:
        return _width(list(av))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        _, high, body = av
        body = list(body)
        if high < C.MAXREPEAT:
            return min(_UNBOUNDED, high * _width(body))
        return RUN if len(body) == 1 and _is_plain_class(*body[0]) else _UNBOUNDED
    return _UNBOUNDED


def _is_plain_class(op, av) -> bool:
    """One character from a class that does not negate: a word, digit or space run ends."""
    if op is C.LITERAL:
        return True
    if op is C.IN:
        return not any(o is C.NEGATE for o, _ in av) and all(
            o is not C.CATEGORY or a in (C.CATEGORY_WORD, C.CATEGORY_DIGIT, C.CATEGORY_SPACE)
            for o, a in av
        )
    return False


def _looks_ahead(items: list) -> bool:
    """Does the pattern hold a lookahead anywhere? (it may read past the match's end)"""
    return any(_item_looks_ahead(op, av) for op, av in items)


def _item_looks_ahead(op, av) -> bool:
    if op in (C.ASSERT, C.ASSERT_NOT):
        return av[0] == 1 or _looks_ahead(list(av[1]))
    if op is C.SUBPATTERN:
        return _looks_ahead(list(av[-1]))
    if op is C.BRANCH:
        return any(_looks_ahead(list(b)) for b in av[1])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        return _looks_ahead(list(av[2]))
    if op is C.ATOMIC_GROUP:
        return _looks_ahead(list(av))
    return False
