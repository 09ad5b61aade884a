"""Regular expressions that risk catastrophic backtracking, found from their parse tree.

Python's `re` backtracks: a pattern with an unbounded repeat inside another unbounded repeat,
where the inner runs can be split between outer iterations in many ways ("(a+)+",
"(\\w+\\s*)*"), takes time exponential in the length of a text it fails on. A web page is such
a text whenever it holds a long run of the inner characters. The lexicon loader rejects these
patterns (rules are data, and a rule edited by hand must not be able to stall an audit).

A nested repeat is safe when each outer iteration must end on a character the inner repeats
cannot take: in "(?:\\w+ )*" every iteration needs its space, and a word run cannot swallow it,
so a text splits into iterations one way only. Bounded outer repeats ("{1,7}") are allowed:
their cost is polynomial with a small exponent, and the engine runs patterns over sentences of
bounded length.

`unbounded_run` finds the other way a pattern can cost a block's length squared without any
exponential blow-up: a pattern run over the whole page (cues, durations, described therapies,
page-voice signs) with an unbounded run across words ('[^.]*') reads from each place it starts
to the end of a block that has no full stop. Patterns run on one sentence (modifiers,
whole-sentence cues) may hold one: sentences are cut to a bounded length.

Imports nothing from the engine (the loader uses it).
"""

from __future__ import annotations

from re import _constants as C  # noqa: N812 - the parser's opcodes
from re import _parser

# a sample of characters standing for every class a pattern can name: ASCII, a few Latin
# letters, typographic punctuation and spaces
_ALPHABET = tuple(chr(i) for i in range(128)) + tuple("éñüßÀ’“”—–…\u00a0\u2009\u200b")
_ALL = frozenset(_ALPHABET)
_CATEGORIES = {
    C.CATEGORY_DIGIT: str.isdigit,
    C.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    C.CATEGORY_SPACE: str.isspace,
    C.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    C.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    C.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}


def risk(pattern: str) -> str | None:
    """Why the pattern risks catastrophic backtracking, or None when it does not (or does not
    parse: the caller reports that)."""
    try:
        tree = _parser.parse(pattern)
    except Exception:  # noqa: BLE001 - compile errors are reported by the caller
        return None
    return _sequence_risk(list(tree))


def _sequence_risk(items: list) -> str | None:
    for op, av in items:
        found = _item_risk(op, av)
        if found:
            return found
    return None


def _item_risk(op, av) -> str | None:
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        _, high, body = av
        body = list(body)
        if high == C.MAXREPEAT:
            inner = _unbounded_runs(body)
            if inner and not _delimited(body, inner):
                return "an unbounded repeat holds another unbounded repeat that can take the same characters (like (a+)+ or (\\w+\\s*)*)"  # noqa: E501
        return _sequence_risk(body)
    if op is C.SUBPATTERN:
        return _sequence_risk(list(av[-1]))
    if op is C.BRANCH:
        return next((r for b in av[1] if (r := _sequence_risk(list(b)))), None)
    if op in (C.ASSERT, C.ASSERT_NOT):
        return _sequence_risk(list(av[1]))
    return None  # atomic groups and possessive repeats never backtrack into themselves


def _unbounded_runs(items: list) -> list[frozenset[str]]:
    """The character sets of the unbounded repeats anywhere inside `items` (possessive and
    atomic ones excepted)."""
    out: list[frozenset[str]] = []
    for op, av in items:
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            _, high, body = av
            if high == C.MAXREPEAT:
                out.append(_chars_of(list(body)))
            out.extend(_unbounded_runs(list(body)))
        elif op is C.SUBPATTERN:
            out.extend(_unbounded_runs(list(av[-1])))
        elif op is C.BRANCH:
            for b in av[1]:
                out.extend(_unbounded_runs(list(b)))
    return out


def _delimited(body: list, inner: list[frozenset[str]]) -> bool:
    """Must every iteration of `body` take a character that no inner run can take?"""
    taken = frozenset().union(*inner)
    return any(not (chars & taken) for chars in _mandatory_chars(body))


def _mandatory_chars(items: list) -> list[frozenset[str]]:
    """Character sets of the single characters every match of the sequence must contain."""
    out: list[frozenset[str]] = []
    for op, av in items:
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            low, _, body = av
            if low >= 1:
                out.extend(_mandatory_chars(list(body)))
        elif op is C.SUBPATTERN:
            out.extend(_mandatory_chars(list(av[-1])))
        elif op is C.ATOMIC_GROUP:
            out.extend(_mandatory_chars(list(av)))
        else:
            chars = _one_char(op, av)
            if chars is not None:
                out.append(chars)
    return out


def _chars_of(items: list) -> frozenset[str]:
    """Every character a match of the sequence may contain (over the sample alphabet)."""
    out: set[str] = set()
    for op, av in items:
        chars = _one_char(op, av)
        if chars is not None:
            out |= chars
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            out |= _chars_of(list(av[2]))
        elif op is C.SUBPATTERN:
            out |= _chars_of(list(av[-1]))
        elif op is C.ATOMIC_GROUP:
            out |= _chars_of(list(av))
        elif op is C.BRANCH:
            for b in av[1]:
                out |= _chars_of(list(b))
        elif op is C.GROUPREF:
            return _ALL
    return frozenset(out)


def _one_char(op, av) -> frozenset[str] | None:
    """The characters one single-character element matches, None for anything else."""
    if op is C.LITERAL:
        return frozenset({chr(av)})
    if op is C.NOT_LITERAL:
        return _ALL - {chr(av)}
    if op is C.ANY:
        return _ALL - {"\n"}
    if op is C.CATEGORY:
        return _category(av)
    if op is C.IN:
        return _in(av)
    return None


def _category(cat) -> frozenset[str]:
    test = _CATEGORIES.get(cat)
    return frozenset(c for c in _ALPHABET if test(c)) if test else _ALL


def _in(items) -> frozenset[str]:
    negate = False
    chars: set[str] = set()
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            chars.add(chr(av))
        elif op is C.RANGE:
            lo, hi = av
            chars.update(c for c in _ALPHABET if lo <= ord(c) <= hi)
        elif op is C.CATEGORY:
            chars |= _category(av)
        else:  # a class the sample cannot tell: assume it takes anything
            chars |= _ALL
    return _ALL - chars if negate else frozenset(chars)


def unbounded_run(pattern: str) -> str | None:
    """Why a pattern run over a whole page could read a stretch that grows with the page, or
    None. An unbounded repeat of a class that takes both letters and spaces ('.*', '[^.]+',
    '[\\w\\s]*') runs across words to the end of a block without sentence marks, from every
    place the pattern starts: quadratic in the block. Bounded forms ('[^.]{0,80}') are not."""
    try:
        tree = _parser.parse(pattern)
    except Exception:  # noqa: BLE001 - compile errors are reported by the caller
        return None
    return _run_in(list(tree))


def _run_in(items: list) -> str | None:
    for op, av in items:
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            _, high, body = av
            body = list(body)
            if high == C.MAXREPEAT and _crosses_words(body):
                return "an unbounded repeat of characters that cross words (like .* or [^.]+)"
            found = _run_in(body)
        elif op is C.SUBPATTERN:
            found = _run_in(list(av[-1]))
        elif op is C.ATOMIC_GROUP:
            found = _run_in(list(av))
        elif op is C.BRANCH:
            found = next((r for b in av[1] if (r := _run_in(list(b)))), None)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            found = _run_in(list(av[1]))
        else:
            found = None
        if found:
            return found
    return None


def _crosses_words(body: list) -> bool:
    """Can repeating `body` run over arbitrary words? It must take spaces, and letters from a
    class that is itself repeated (or that is the whole body): "(?:\\w+ )*" can, while
    "(?: (?:is|are|now))*" repeats fixed words only."""
    free = _free_chars(body, whole=True)
    return any(c.isalpha() for c in free) and " " in _chars_of(body)


def _free_chars(items: list, whole: bool = False) -> frozenset[str]:
    """Characters of the classes in `items` that can repeat (under a repeat of more than one,
    or forming the whole repeated body)."""
    out: set[str] = set()
    if whole and len(items) == 1:
        chars = _one_char(*items[0])
        if chars is not None:
            return chars
    for op, av in items:
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            _, high, body = av
            body = list(body)
            if high > 1:
                out |= {
                    c
                    for op2, av2 in body
                    if (ch := _one_char(op2, av2)) is not None and op2 is not C.LITERAL
                    for c in ch
                }
            out |= _free_chars(body)
        elif op is C.SUBPATTERN:
            out |= _free_chars(list(av[-1]), whole and len(items) == 1)
        elif op is C.ATOMIC_GROUP:
            out |= _free_chars(list(av))
        elif op is C.BRANCH:
            for b in av[1]:
                out |= _free_chars(list(b), whole and len(items) == 1)
    return frozenset(out)
