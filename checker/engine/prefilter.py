"""A lossless prefilter: can this page produce a finding at all? If not, skip bs4 and spaCy.

Why it is sound. A finding is a claim matched to a rule, and every claim's therapy is one of the
page's therapy mentions (stated, inherited from a section or the page topic). So a page with no
mention of a therapy that some rule covers yields no finding. Mentions come from three places
in `nlp.TherapyMatcher`, and the prefilter keys on a necessary condition of each, all generated
from the loaded lexicons and the built pipeline (never a hand-kept list):

* aliases (PhraseMatcher on LOWER): every token of a matched alias occurs, lower-cased, in the
  page text, so each word token of the alias is a literal of the page (the longest is looked up
  first, the others only where it occurs). A short one ("esi", "rfa", "stem") must also stand
  at a token edge: a non-word character or a markup gap on each side (spaCy splits two word
  characters only by a tokenizer exception; tokens an exception can cut out of a word are
  matched as bare substrings instead);
* described patterns: one of the pattern's required literals (`literal_index`), reduced to its
  longest run of word characters;
* typos (rapidfuzz): the page's candidate words are scored by the matcher's own `_best`, so a
  page passes whenever the matcher could find a typo; the candidates are every run of letters
  of the page, with each markup gap inside it taken as a possible edge.

Claim cues are not keyed on: some cue patterns (prices, proportions) have no required literal,
so "some cue may match" holds on every page; the therapy condition is the one that decides.

Literals are looked up with one Aho-Corasick automaton (pyahocorasick) in a cheap form of the
page, built in one linear left-to-right pass: tags, comments, scripts and styles taken out
(each leaves a gap marker), title and textarea text kept as text, alt and content attribute
values added (raw and unescaped), character references unescaped (HTML5 rules, as lxml's
parser), soft hyphens removed, lower case. This keeps every piece of text the extractor can
emit and joins the pieces an inline tag splits ("st<b>em</b> cell"); where the page's markup
defeats the cheap form, it keeps more text, never less. A pattern without a usable literal
makes every page pass. Plain text (check_text) is scanned the same way, with no markup.
"""

from __future__ import annotations

import html as htmlmod
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import ahocorasick

from checker.engine import lexicons as lexmod
from checker.engine.literal_index import WORD_START, required_literals

SKIPPED = "skipped by the prefilter: names no therapy that a rule covers"
GAP = "\x00"  # where markup was taken out: a possible token edge, or nothing at all
SHORT = 4  # literals this short must stand at a token edge ("esi" is in "design")
_WORD_RUN = re.compile(r"\w+")

# The view is built on UTF-8 bytes (regular expressions and lower-casing run several times
# faster there than on a str with non-ASCII text in it) and handed to the automaton as a latin-1
# str, one character per byte; literals are encoded the same way.
#
# The page is read left to right as an HTML tokenizer would: `_ORDINARY` takes text and plain
# markup up to the next comment, script, style or RCDATA element (a "<script" inside a quoted
# attribute is part of its tag, not an opener); each of those is skipped to its closer with
# find(). Every find() is memoised (`_Finder`), so the whole scan is linear in the page.
# the text inside these is text (tags in it are not parsed, as lxml reads them): kept whole
_RCDATA = ("title", "textarea", "xmp", "noembed", "noframes")
_SPECIALS = ("script", "style", *_RCDATA)
# Elements the extractor drops with their content (extract._DROP, those that have content):
# their content stays in the view (more text, never less), and the text just before and just
# after one is joined too, as the extractor joins it ("st<svg>...</svg>em").
DROPPED = (
    "svg",
    "math",
    "template",
    "iframe",
    "frameset",
    "object",
    "canvas",
    "audio",
    "video",
    "select",
    "datalist",
)
_DROPPED = re.compile(rb"<(" + b"|".join(n.encode() for n in DROPPED) + rb")(?=[\s/>])")
_JOIN_REACH = 64  # bytes of text taken from either side of a dropped element
_TAG_BODY = rb"/?[a-z](?:[^<>=]++|=\s*\"[^\"]{0,2048}\"|=\s*'[^']{0,2048}'|=)*+>?"
_ORDINARY = re.compile(
    rb"(?:[^<]++|<(?!!--|(?:" + b"|".join(n.encode() for n in _SPECIALS) + rb")(?=[\s/>]))"
    rb"(?:" + _TAG_BODY + rb"|[!?][^<>]*+>?)?)*+"
)
_SPECIAL = re.compile(rb"<!--|<(" + b"|".join(n.encode() for n in _SPECIALS) + rb")")
_TAGS = re.compile(
    rb"<[!?][^<>]*>"  # doctype, CDATA and other bogus comments
    rb"|</(?![a-z])[^<>]*>"
    rb"|</?[a-z](?:[^<>=]++|=\s*\"[^\"]{0,2048}\"|=\s*'[^']{0,2048}'|=)*+>"  # a tag
)
_ATTR_VALUE = re.compile(rb"""\s*=\s*(?:"([^"]{0,4096})"|'([^']{0,4096})'|([^\s>"']{1,4096}))""")
_ENTITY = re.compile(rb"&(?:#[0-9]{1,8};?|#x[0-9a-f]{1,8};?|[a-z][a-z0-9]{1,31};?)")
_BGAP = GAP.encode()


class _Finder:
    """bytes.find with memory: a needle already found at j from i is at j for any start in
    [i, j]; one not found from i is not found from any later start. Each needle's scans thus
    cover the page at most once."""

    def __init__(self, text: bytes) -> None:
        self.text = text
        self.memo: dict[bytes, tuple[int, int]] = {}

    def find(self, needle: bytes, start: int) -> int:
        known = self.memo.get(needle)
        if known is not None and known[0] <= start and (known[1] < 0 or start <= known[1]):
            return known[1]
        found = self.text.find(needle, start)
        self.memo[needle] = (start, found)
        return found


def _strip(low: bytes) -> tuple[bytes, list[bytes]]:
    """Markup replaced by GAP; comments, scripts and styles dropped with their content; the
    texts of RCDATA elements (title, textarea) taken out whole. An opener with no closer after
    it is a plain tag (keeping more text, never less)."""
    out: list[bytes] = []
    kept: list[bytes] = []
    finder = _Finder(low)
    pos, n = 0, len(low)
    while pos < n:
        run = _ORDINARY.match(low, pos).end()
        out.append(_TAGS.sub(_BGAP, low[pos:run]))
        if run >= n:
            break
        opener = _SPECIAL.match(low, run)
        end = _skip(low, run, opener, finder, kept) if opener else -1
        if end < 0:  # no closer: the opener is ordinary markup
            tag = _TAGS.match(low, run)
            end = tag.end() if tag else run + 1
            out.append(_BGAP if tag else low[run:end])
        else:
            out.append(_BGAP)
        pos = end
    if b"<plaintext" in low:  # all that follows <plaintext> is text
        kept.append(low[low.index(b"<plaintext") :])
    kept.extend(_joins(low, finder))
    return b"".join(out), kept


def _joins(low: bytes, finder: _Finder) -> list[bytes]:
    """For each dropped element, the text before it joined to the text after it (a word split
    by an inline <svg> icon is one word to the extractor). Each element is looked at once."""
    out = []
    for m in _DROPPED.finditer(low):
        close = finder.find(b"</" + m.group(1), m.end())
        gt = finder.find(b">", close) if close >= 0 else -1
        if gt < 0:
            continue
        before = _TAGS.sub(_BGAP, low[max(0, m.start() - _JOIN_REACH) : m.start()])
        after = _TAGS.sub(_BGAP, low[gt + 1 : gt + 1 + _JOIN_REACH])
        out.append(before + after)
    return out


def _skip(low: bytes, at: int, opener: re.Match, finder: _Finder, kept: list[bytes]) -> int:
    """The end of the comment or element opening at `at`, or -1 when it has no closer."""
    name = opener.group(1)
    if name is None:  # a comment (HTML5: "<!-->" and "<!--->" are empty ones)
        for empty in (b"<!-->", b"<!--->"):
            if low.startswith(empty, at):
                return at + len(empty)
        ends = [
            i + k
            for needle, k in ((b"-->", 3), (b"--!>", 4))
            if (i := finder.find(needle, at + 4)) >= 0
        ]
        return min(ends) if ends else -1
    tag = _TAGS.match(low, at)
    if tag is None or low[opener.end() : opener.end() + 1] not in (
        b" ",
        b"\t",
        b"\n",
        b"\r",
        b"\f",
        b"/",
        b">",
    ):
        return -1
    close = finder.find(b"</" + name, tag.end())
    if close < 0:
        return -1
    if name.decode() in _RCDATA:
        kept.append(low[tag.end() : close])
    gt = finder.find(b">", close)
    return gt + 1 if gt >= 0 else len(low)


def _attributes(low: bytes) -> list[bytes]:
    """Values of every alt= and content= in the page (the extractor reads img alt and meta
    description content; any other is a harmless extra). Found with find(), not a regex scan."""
    out: list[bytes] = []
    for name in (b"alt", b"content"):
        i = low.find(name)
        while i >= 0:
            m = _ATTR_VALUE.match(low, i + len(name))
            if m is not None:
                out.append(m.group(1) or m.group(2) or m.group(3) or b"")
            i = low.find(name, i + 1)
    return out


def _entity(m: re.Match) -> bytes:
    return htmlmod.unescape(m.group().decode("ascii")).lower().encode("utf-8", "surrogatepass")


def page_view(html: str) -> str:
    """The cheap form of an HTML page that the literals are looked up in (module docstring).
    ASCII is lower-cased before character references are unescaped: a letter's entity name
    lower-cases to the lower-case letter's."""
    low = html.encode("utf-8", "surrogatepass").lower()
    stripped, kept = _strip(low)
    attrs = _attributes(low)
    text = _BGAP.join([stripped, *kept, *attrs])
    if b"&" in text:
        text = _ENTITY.sub(_entity, text)
        if attrs:  # in an attribute, "&copy=" stays as written (HTML5), so both forms
            text = _BGAP.join([text, *attrs])
    return _finish(text)


def text_view(text: str) -> str:
    """The same form of plain text: nothing to take out."""
    return _finish(text.encode("utf-8", "surrogatepass").lower())


def _finish(text: bytes) -> str:
    """Non-ASCII runs lower-cased (Unicode rules), soft hyphens removed, one char per byte."""
    if not text.isascii():
        # a snippet or a capped attribute value may end inside a character: that one becomes
        # U+FFFD (at a snippet's outer edge, never inside a word the scan needs)
        text = text.decode("utf-8", "replace").lower().encode("utf-8", "surrogatepass")
        text = text.replace("\xad".encode(), b"")
    return text.decode("latin-1")


def _is_word(ch: str) -> bool:
    """A word character of the view: ASCII only. A non-ASCII byte may belong to a non-word
    character ("”" after "ESI"), so it always counts as a possible token edge."""
    return ch < "\x80" and (ch.isalnum() or ch == "_")


def _bytes_str(literal: str) -> str:
    """A literal as the view spells it: its UTF-8 bytes, one char per byte."""
    return literal.encode("utf-8", "surrogatepass").decode("latin-1")


@dataclass(frozen=True)
class Requirement:
    """Literals that all occur in any page where one lexicon entry can match; `anchor`, the
    longest, is looked up by the automaton, the others only on a page that has it."""

    literals: frozenset[str]
    anchor: str
    source: str  # e.g. "alias stem_cell: bmac"


class Prefilter:
    """Built once per pipeline (`prefilter_for`). `may_find(html)` is False only for a page
    that provably yields no finding."""

    def __init__(self, lex: lexmod.Lexicons, nlp) -> None:
        covered = frozenset(t for r in lex.rules for t in r.therapies)
        self.therapies = covered
        self.always = ""  # why every page passes ("" when literals decide)
        self.edge: dict[str, bool] = {}  # literal -> must it stand at a token edge?
        reqs: list[Requirement] = []
        cut = _exception_pieces(nlp.tokenizer)
        for t in lex.therapies:
            if t.id not in covered:
                continue
            for alias in (*t.aliases, *t.weak):
                reqs.append(_requirement(self._alias(nlp, alias, cut), f"alias {t.id}: {alias}"))
            for pattern in t.described:
                for lit in self._pattern(pattern):
                    reqs.append(_requirement(frozenset({lit} - {""}), f"described {t.id}: {lit}"))
        empty = next((r for r in reqs if not r.literals), None)
        if empty is not None:
            self.always = f"{empty.source} has no literal"
        self.requirements = tuple(reqs)
        self.needing: dict[str, list[Requirement]] = {}
        for r in reqs:
            if r.literals:
                self.needing.setdefault(r.anchor, []).append(r)
        self.automaton = _automaton(self.needing)
        self.matcher = nlp.get_pipe("checker_therapies")
        self.fuzzy = any(
            tid in covered for terms in self.matcher.fuzzy.values() for _, tid in terms
        )
        self.prefixes = frozenset(p.encode() for p in self.matcher.prefixes)
        # the matcher scores a word only within two letters of a fuzzy term's length
        terms = [w for found in self.matcher.fuzzy.values() for w, _ in found]
        self.longest = max(map(len, terms), default=0) + 2

    def _need(self, literal: str, edge: bool) -> str:
        literal = _bytes_str(literal)
        self.edge[literal] = self.edge.get(literal, True) and edge  # one loose need: loose
        return literal

    def _alias(self, nlp, alias: str, cut: frozenset[str]) -> frozenset[str]:
        """Every word token of the alias as the tokenizer splits it (what PhraseMatcher
        compares); a short one must stand at a token edge. A token with other characters in it
        gives its longest word run, as a bare substring."""
        tokens = [t.lower_ for t in nlp.make_doc(alias)]
        words = [t for t in tokens if _WORD_RUN.fullmatch(t)]
        if not words:
            runs = [r for t in tokens for r in _WORD_RUN.findall(t)]
            return frozenset(self._need(max(runs, key=len), False) for _ in runs[:1])
        return frozenset(self._need(w, len(w) <= SHORT and w not in cut) for w in words)

    def _pattern(self, pattern: str) -> list[str]:
        """One of the pattern's required literals occurs in any match: each one's longest run of
        word characters (the page's spacing and punctuation may differ from the pattern's).
        No usable literal: an empty string, which makes every page pass."""
        literals = required_literals(pattern)
        if not literals:
            return [""]
        out = []
        for lit in literals:
            runs = _WORD_RUN.findall(lit.removeprefix(WORD_START))
            out.append(self._need(max(runs, key=len), False) if runs else "")
        return out

    # -- the decision
    def may_find(self, html: str) -> bool:
        """Can this HTML page produce a finding? False only when it provably cannot."""
        return bool(self.reason(page_view(html)))

    def may_find_text(self, text: str) -> bool:
        """The same for plain text (check_text)."""
        return bool(self.reason(text_view(text)))

    def explain(self, html: str) -> str:
        """Why a page passes (the entry that may match), or "" when it is skipped."""
        return self.reason(page_view(html))

    def reason(self, view: str) -> str:
        """The lexicon entry that may match in this view, or "" when none can."""
        if self.always:
            return self.always
        joined = view.replace(GAP, "") if GAP in view else view
        gaps = _Gaps(view)
        seen: set[str] = set()
        for end, anchor in self.automaton.iter(joined):
            if anchor in seen:
                continue
            if self.edge[anchor] and not _at_edges(joined, end - len(anchor) + 1, end, gaps):
                continue
            seen.add(anchor)
            for req in self.needing[anchor]:
                if all(lit in seen or self._occurs(joined, lit, gaps) for lit in req.literals):
                    return req.source
        if self.fuzzy:
            word = self._typo(view)
            if word:
                return f"typo: {word}"
        return ""

    def _occurs(self, joined: str, lit: str, gaps: _Gaps) -> bool:
        if not self.edge[lit]:
            return lit in joined
        i = joined.find(lit)
        while i >= 0:
            if _at_edges(joined, i, i + len(lit) - 1, gaps):
                return True
            i = joined.find(lit, i + 1)
        return False

    def _typo(self, view: str) -> str:
        """A word of the page the matcher would take for a typo of a covered therapy."""
        m = self.matcher
        for word in _candidate_words(view.encode("latin-1"), self.prefixes, self.longest):
            if word in m.exact_words:
                continue
            tid = m._best(word)  # the matcher's own scoring (and cache): covered by construction
            if tid is not None and tid in self.therapies:
                return word
        return ""


def _requirement(literals: frozenset[str], source: str) -> Requirement:
    anchor = max(sorted(literals), key=len) if literals else ""
    return Requirement(literals, anchor, source)


class _Gaps:
    """Positions in the gap-free text where markup was taken out (computed when first asked)."""

    def __init__(self, view: str) -> None:
        self.view = view
        self._at: list[int] | None = None

    def at(self, i: int) -> bool:
        if self._at is None:
            parts = self.view.split(GAP)
            self._at = list(accumulate(len(p) for p in parts[:-1])) if len(parts) > 1 else []
        k = bisect_left(self._at, i)
        return k < len(self._at) and self._at[k] == i


def _at_edges(text: str, start: int, end: int, gaps: _Gaps) -> bool:
    """Does text[start:end+1] stand at a token edge on both sides (a non-word character, the
    text's end, or a markup gap)?"""
    left = start == 0 or not _is_word(text[start - 1]) or gaps.at(start)
    if not left:
        return False
    after = end + 1
    return after >= len(text) or not _is_word(text[after]) or gaps.at(after)


def _exception_pieces(tokenizer) -> frozenset[str]:
    """Tokens that a tokenizer exception cuts out of a word ("gonna" -> "gon" "na"): such a
    token can sit beside a word character, so it is matched as a bare substring."""
    from spacy.attrs import ORTH

    out: set[str] = set()
    for key, pieces in tokenizer.rules.items():
        pos = 0
        for piece in pieces:
            orth = piece.get(ORTH, piece.get("ORTH", ""))
            a, b = pos, pos + len(orth)
            if (a > 0 and _is_word(key[a - 1]) and orth[:1] and _is_word(orth[0])) or (
                b < len(key) and _is_word(key[b]) and orth[-1:] and _is_word(orth[-1])
            ):
                out.add(orth.lower())
            pos = b
    return frozenset(out)


def _automaton(anchors) -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for literal in anchors:
        auto.add_word(literal, literal)
    if not anchors:
        auto.add_word(GAP * 3, GAP * 3)  # an automaton must hold a word; this one never matches
    auto.make_automaton()
    return auto


# every byte but a-z and the gap marker separates words
_LETTERS = bytes(range(ord("a"), ord("z") + 1)) + _BGAP
_SEPARATE = bytes.maketrans(
    bytes(b for b in range(256) if b not in _LETTERS), b" " * (256 - len(_LETTERS))
)


def _candidate_words(view: bytes, prefixes: frozenset[bytes], longest: int):
    """Every word the matcher's `\\b[a-z]{6,}\\b` could score in the extracted text (6 to
    `longest` letters, the first two starting a fuzzy term): runs of letters bounded by other
    characters, a gap inside a run taken as a possible edge, so every join of consecutive pieces
    is a word too (joins stop at `longest`: the work stays linear in the run)."""
    seen: set[bytes] = set()
    for run in set(view.translate(_SEPARATE).split()):
        if _BGAP not in run:
            if 6 <= len(run) <= longest and run[:2] in prefixes:
                yield run.decode("ascii")
            continue
        pieces = [p for p in run.split(_BGAP) if p]
        for i in range(len(pieces)):
            word = b""
            for j in range(i, len(pieces)):  # no slice: a copy per start would be quadratic
                word += pieces[j]
                if len(word) > longest or (len(word) >= 2 and word[:2] not in prefixes):
                    break
                if len(word) >= 6 and word not in seen:
                    seen.add(word)
                    yield word.decode("ascii")


def prefilter_for(lexicons_dir: str | None = None) -> Prefilter:
    """The process's prefilter for a rule pack, built once with its pipeline."""
    return _prefilter(lexmod.resolve_directory(lexicons_dir))


@lru_cache(maxsize=2)
def _prefilter(lexicons_dir: str) -> Prefilter:
    from checker.engine.nlp import pipeline

    return Prefilter(lexmod.load_cached(lexicons_dir), pipeline(lexicons_dir))
