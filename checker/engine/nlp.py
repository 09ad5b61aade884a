"""The spaCy pipeline: sentences, therapy / condition mentions, claim cues and their context.

Built from lexicons/ on `spacy.blank("en")` (no model download). Each stage is one registered
component with a JSON-serialisable config (negspacy style), writing to `doc.spans`:

    checker_sentences   sentence starts at block breaks, sentence punctuation and bullet marks
    checker_therapies   doc.spans["therapies"]: exact PhraseMatcher pass, then rapidfuzz on
                        the few leftover words that could be typos ("steriod", "Mesenchymel")
    checker_conditions  doc.spans["conditions"]
    checker_cues        doc.spans["cues"]: claim cues (regex rules as data), durations in weeks
    checker_context     doc.spans["modifiers"] and, on each cue, its ConText-style context:
                        negated, hedged, attributed, hypothetical, question, mention, ...

The engine imports nothing from fetching, the audit or the CLI.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import numpy
import spacy
from rapidfuzz import fuzz
from spacy.attrs import IDX, IS_LOWER, IS_SPACE, LENGTH, ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from checker.engine import lexicons as lexmod
from checker.engine.literal_index import (
    WORD_START,
    LiteralIndex,
    index_for,
    pattern_reach,
    required_literals,
    scan,
)
from checker.engine.sentence_cuts import SEPARATORS, cut_long_sentences
from checker.engine.text import normalise

CUE_ATTRS = (
    "negation_nearby",
    "weeks",
    "negated",
    "hedged",
    "attributed",
    "hypothetical",
    "question",
    "mention",
    "testimonial",
    "trial",
    "disclaimer",
    "relayed",
    "generic",
)
for _attr in CUE_ATTRS:
    if not Span.has_extension(_attr):
        Span.set_extension(_attr, default=None)
if not Doc.has_extension("norm_text"):
    Doc.set_extension("norm_text", default=None)

_SENT_END = {".", "!", "?", "…", "!!", "?!", "..."}
_CLOSERS = {'"', "'", "”", "’", ")", "]", "»"}
_WORD = re.compile(r"\b[a-z]{6,}\b")
_DASHES = {"—", "–", "-"}
_BULLETS = {"✔", "✓", "•", "·", "|", "✅", "☑"}
# abbreviations whose full stop does not end a sentence ("Smith et al. found ...")
_ABBREVIATIONS = {"al", "vs", "approx", "fig", "figs", "ca", "cf"}


def _lex(config_dir: str | None, lang: str = "en") -> lexmod.Lexicons:
    """The pack's entries for one language (the English ones alone for "en")."""
    return lexmod.load_cached(config_dir or None).view(lang)


def doc_text(doc: Doc) -> str:
    """doc.text, computed once (each access of doc.text re-joins every token)."""
    text = doc.user_data.get("checker_text")
    if text is None:
        text = doc.user_data["checker_text"] = doc.text
    return text


def norm_text(doc: Doc) -> str:
    """The normalised text of the doc (same length as doc.text), computed once."""
    if doc._.norm_text is None:
        doc._.norm_text = normalise(doc_text(doc))
    return doc._.norm_text


# ----------------------------------------------------------------------------- sentences
@Language.component("checker_sentences")
def sentences(doc: Doc) -> Doc:
    """Block breaks ("\\n") and bullet marks are always boundaries, so a bullet never runs into
    the next one; . ! ? end a sentence too (spaCy's tokenizer keeps "Dr." and "e.g." whole).
    Computed on token-id arrays and written in one call: a Python loop over tokens is slow."""
    n = len(doc)
    if not n:
        return doc
    cols = doc.to_array([ORTH, IS_SPACE, IS_LOWER, IDX, LENGTH, SPACY])
    orth, space, lower = cols[:, 0], cols[:, 1].astype(bool), cols[:, 2].astype(bool)
    ids = _sentence_ids(doc.vocab)
    end, closer = numpy.isin(orth, ids["end"]), numpy.isin(orth, ids["closer"])
    newline = numpy.zeros(n, dtype=bool)
    text = doc_text(doc)
    for i in numpy.flatnonzero(space):
        newline[i] = "\n" in text[cols[i, 3] : cols[i, 3] + cols[i, 4]]
    start = numpy.zeros(n, dtype=bool)
    start[0] = True
    after_quote = numpy.zeros(n - 1, dtype=bool)
    after_quote[1:] = closer[1:-1] & end[:-2]
    abbrev_stop = numpy.zeros(n - 1, dtype=bool)
    abbrev_stop[1:] = numpy.isin(orth[:-2], ids["abbrev"]) & (orth[1:-1] == ids["stop"][0])
    # "et al. found", "Lu et al., in their study": a lower-case word or a comma goes on with
    # the sentence
    abbrev_stop &= lower[1:] | numpy.isin(orth[1:], ids["goes_on"])
    start[1:] = (
        newline[:-1]
        | numpy.isin(orth[1:], ids["bullet"])
        | (end[:-1] & ~abbrev_stop)
        | (after_quote & ~lower[1:])
    )
    if n > 2:  # "tissue.  If": a run of spaces after a full stop is its own token
        start[2:] |= end[:-2] & space[1:-1]
    # a closing quote or "— Name" stays with its sentence; but a line never opens with one: a
    # dash there is a bullet, a quote mark opens a quotation
    dash = numpy.isin(orth, ids["dash"])
    keep = space | closer | dash
    keep[1:] &= ~((dash[1:] | closer[1:]) & newline[:-1])
    start[1:] &= ~keep[1:]
    # an over-long run without sentence marks is cut into bounded pieces (sentence_cuts.py)
    gap = cols[:, 5].astype(bool) | space
    start = cut_long_sentences(
        start, cols[:, 3], cols[:, 4], numpy.isin(orth, ids["separator"]), gap, keep
    )
    doc.from_array([SENT_START], numpy.where(start, 1, -1).astype("int64")[:, None].view("uint64"))
    return doc


_MARK_IDS: dict[int, dict[str, numpy.ndarray]] = {}


def _sentence_ids(vocab) -> dict[str, numpy.ndarray]:
    """Hash ids of the sentence marks, per vocab (one pipeline per process in practice)."""
    ids = _MARK_IDS.get(id(vocab))
    if ids is None:
        marks = {
            "end": _SENT_END,
            "closer": _CLOSERS,
            "bullet": _BULLETS,
            "dash": _DASHES,
            "abbrev": _ABBREVIATIONS | {a.capitalize() for a in _ABBREVIATIONS},
            "stop": {"."},
            "goes_on": {",", ";", ":", ")"},
            "separator": SEPARATORS,
        }
        ids = _MARK_IDS[id(vocab)] = {
            k: numpy.array([vocab.strings.add(w) for w in sorted(v)], dtype="uint64")
            for k, v in marks.items()
        }
    return ids


def sentence_spans(doc: Doc) -> list[Span]:
    """doc.sents, computed once per doc (each call of doc.sents rescans every token)."""
    cached = doc.user_data.get("checker_sents")
    if cached is None:
        cached = doc.user_data["checker_sents"] = list(doc.sents)
    return cached


# ----------------------------------------------------------------------------- therapies
@Language.factory(
    "checker_therapies",
    default_config={"lexicons_dir": None, "fuzzy_cutoff": 85.0, "lang": "en"},
)
def make_therapies(
    nlp: Language, name: str, lexicons_dir: str | None, fuzzy_cutoff: float, lang: str
):
    return TherapyMatcher(nlp, _lex(lexicons_dir, lang), fuzzy_cutoff)


class TherapyMatcher:
    """Exact pass first (cheap), then fuzzy only for unmatched long words near a fuzzy term."""

    def __init__(self, nlp: Language, lex: lexmod.Lexicons, fuzzy_cutoff: float) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for t in lex.therapies:
            self.matcher.add(f"{t.id}|strong", [nlp.make_doc(a) for a in t.aliases])
            if t.weak:
                self.matcher.add(f"{t.id}|weak", [nlp.make_doc(a) for a in t.weak])
        self.fuzzy: dict[str, list[tuple[str, str]]] = {}
        self.exact_words: set[str] = set()
        for t in lex.therapies:
            for word in t.fuzzy:
                w = word.lower()
                self.fuzzy.setdefault(w[0], []).append((w, t.id))
                self.exact_words.update({w, w + "s", w + "es"})
            self.exact_words.update(a.lower() for a in t.aliases)
        self.cutoff = fuzzy_cutoff
        self.prefixes = {w[:2] for terms in self.fuzzy.values() for w, _ in terms}
        self.cache: dict[str, str | None] = {}
        self.described = [
            (t.id, re.compile(p), required_literals(p)) for t in lex.therapies for p in t.described
        ]

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in self.matcher(doc):
            tid, kind = doc.vocab.strings[match_id].split("|")
            spans.append(Span(doc, start, end, label=tid, kb_id=kind))
        spans = filter_spans(spans)
        covered = {i for s in spans for i in range(s.start, s.end)}
        spans.extend(self._fuzzy(doc, covered))
        spans.extend(self._described(doc, covered))
        doc.spans["therapies"] = sorted(spans, key=lambda s: s.start)
        return doc

    def _fuzzy(self, doc: Doc, covered: set[int]) -> list[Span]:
        """Only long words whose first two letters start some fuzzy term are scored, each
        distinct word once per process (a page repeats its words)."""
        out = []
        for m in _WORD.finditer(norm_text(doc)):
            word = m.group()
            if word[:2] not in self.prefixes or word in self.exact_words:
                continue
            tid = self._best(word)
            if tid is None:
                continue
            span = doc.char_span(m.start(), m.end())
            if span is not None and not covered.intersection(range(span.start, span.end)):
                out.append(Span(doc, span.start, span.end, label=tid, kb_id="fuzzy"))
        return out

    def _described(self, doc: Doc, covered: set[int]) -> list[Span]:
        """A therapy told by what is done ("steroid is injected into the facet joints") where
        no name of it is used: a page describing a procedure is about it all the same. Only
        where no named mention overlaps, and only near the patterns' literals."""
        if not self.described:
            return []
        text = norm_text(doc)
        index = index_for(text)
        out: list[Span] = []
        for tid, rx, lits in self.described:
            for m in scan(rx, lits, index):
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is None or covered.intersection(range(span.start, span.end)):
                    continue
                covered.update(range(span.start, span.end))
                out.append(Span(doc, span.start, span.end, label=tid, kb_id="described"))
        return out

    def _best(self, word: str) -> str | None:
        if word in self.cache:
            return self.cache[word]
        best, best_score = None, self.cutoff
        for term, tid in self.fuzzy.get(word[0], ()):
            if abs(len(term) - len(word)) > 2:
                continue
            score = fuzz.ratio(word, term, score_cutoff=best_score)
            if score >= best_score:
                best, best_score = tid, score
        if len(self.cache) < 100_000:
            self.cache[word] = best
        return best


# ----------------------------------------------------------------------------- conditions
@Language.factory("checker_conditions", default_config={"lexicons_dir": None, "lang": "en"})
def make_conditions(nlp: Language, name: str, lexicons_dir: str | None, lang: str):
    return ConditionMatcher(nlp, _lex(lexicons_dir, lang))


class ConditionMatcher:
    def __init__(self, nlp: Language, lex: lexmod.Lexicons) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for cid, terms in lex.conditions:
            self.matcher.add(cid, [nlp.make_doc(t) for t in terms])

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, s, e, label=m) for m, s, e in self.matcher(doc)]
        doc.spans["conditions"] = sorted(filter_spans(spans), key=lambda s: s.start)
        return doc


# ----------------------------------------------------------------------------- cues
@dataclass(frozen=True)
class _CompiledCue:
    cue: lexmod.Cue
    regex: re.Pattern  # all patterns joined (whole-sentence cues)
    exceptions: re.Pattern | None
    parts: tuple[tuple[re.Pattern, frozenset[str] | None], ...]  # each pattern + its literals

    def active(self, index: LiteralIndex) -> bool:
        """Can any pattern match this text? (one of its required literals occurs)"""
        return any(index.has(lits) for _, lits in self.parts)

    def matches(self, index: LiteralIndex):
        """Every match of every pattern, scanning only near the patterns' literals."""
        for rx, lits in self.parts:
            yield from scan(rx, lits, index)


@Language.factory("checker_cues", default_config={"lexicons_dir": None, "lang": "en"})
def make_cues(nlp: Language, name: str, lexicons_dir: str | None, lang: str):
    return CueMatcher(_lex(lexicons_dir, lang))


class CueMatcher:
    """Claim cues as regular expressions over the normalised text (medspaCy's RegexMatcher
    idea). A pattern runs only on a page holding one of its required literals (literal_index.py):
    most pages lack most cue words, and a substring test is far cheaper than a regex scan."""

    def __init__(self, lex: lexmod.Lexicons) -> None:
        self.cues = [
            _CompiledCue(
                c,
                re.compile("|".join(f"(?:{p})" for p in c.patterns)),
                re.compile("|".join(f"(?:{p})" for p in c.exceptions)) if c.exceptions else None,
                tuple((re.compile(p), required_literals(p)) for p in c.patterns),
            )
            for c in lex.cues
            if c.patterns
        ]
        self.duration_id = next((c.id for c in lex.cues if c.category == "duration"), None)
        # English time expressions, then a language view's own ("seis meses", "de por vida")
        self.times = [_Durations(d) for d in (lex.durations, *lex.extra_durations)]
        self.not_claims = (
            re.compile("|".join(f"(?:{p})" for p in lex.not_claims)) if lex.not_claims else None
        )

    def __call__(self, doc: Doc) -> Doc:
        text = norm_text(doc)
        index = index_for(text)
        spans: list[Span] = []
        for cc in self.cues:
            if not cc.active(index):
                continue
            if cc.cue.whole_sentence:
                spans.extend(self._whole_sentence(doc, text, cc))
                continue
            for m in cc.matches(index):
                if cc.exceptions and _overlaps(cc.exceptions, text, m.start(), m.end()):
                    continue
                span = doc.char_span(
                    m.start(),
                    m.end(),
                    label=cc.cue.category,
                    kb_id=cc.cue.id,
                    alignment_mode="expand",
                )
                if span is not None and len(span):
                    spans.append(span)
        if self.duration_id:
            spans.extend(self._durations(doc, text))
        if self.not_claims is not None and spans:
            # one pass over the page for the look-alikes (addresses, dates), then a binary
            # search per cue: not a window search per cue
            spans = _outside(spans, list(self.not_claims.finditer(doc_text(doc))))
        doc.spans["cues"] = sorted(spans, key=lambda s: (s.start_char, -s.end_char))
        return doc

    def _whole_sentence(self, doc: Doc, text: str, cc: _CompiledCue) -> list[Span]:
        out: list[Span] = []
        for sent in sentence_spans(doc):
            chunk = text[sent.start_char : sent.end_char].strip()
            if chunk and cc.regex.fullmatch(chunk):
                span = Span(doc, sent.start, sent.end, label=cc.cue.category, kb_id=cc.cue.id)
                out.append(span)
        return out

    def _durations(self, doc: Doc, text: str) -> list[Span]:
        found: list[tuple[int, int, float]] = []
        starts: list[int] = []
        for times in self.times:
            explicit = times.explicit(text)
            starts.extend(s for s, _, _ in explicit)
            found.extend(explicit + times.vague_found(text))
        explicit_starts = sorted(starts)
        out = []
        for start, end, weeks in found:
            # an explicit time in the same sentence beats vague wording ("lasting a few weeks")
            if weeks >= 1000 and _near(explicit_starts, start, 40):
                continue
            span = doc.char_span(
                start, end, label="duration", kb_id=self.duration_id, alignment_mode="expand"
            )
            if span is not None and len(span):
                span._.weeks = weeks
                out.append(span)
        return out


class _Durations:
    """One language's time expressions: explicit times in a context of lasting benefit, and
    vague wording with the weeks it implies."""

    def __init__(self, d: lexmod.Durations) -> None:
        self.contexts = [re.compile(c.replace("{TIME}", f"(?:{d.time})")) for c in d.contexts]
        self.time = re.compile(re.sub(r"\?P<\w+>", "?:", d.time))
        self.time_literals = required_literals(self.time.pattern)  # the unit words
        self.chain = re.compile(_CHAIN_LEAD + f"(?:{d.time})")
        self.vague = [(re.compile(p), w, required_literals(p)) for p, w in d.vague]
        self.numbers = dict(d.numbers)
        self.units = dict(d.units_in_weeks)
        self.bare = dict(d.bare_in_weeks)

    def vague_found(self, text: str) -> list[tuple[int, int, float]]:
        """(start, end, weeks) of the vague wordings of duration."""
        index = index_for(text)
        return [
            (m.start(), m.end(), weeks)
            for rx, weeks, lits in self.vague
            for m in scan(rx, lits, index)
        ]

    def _weeks(self, m: re.Match) -> float:
        g = m.groupdict()
        if g.get("bare"):
            return self.bare.get(g["bare"], 12.0)
        unit = (g.get("unit") or "week").rstrip("s")
        values = [self._number(g.get(k)) for k in ("n1", "n2") if g.get(k)]
        return max(values or [1.0]) * self.units.get(unit, 1.0)

    def _number(self, word: str) -> float:
        try:
            return float(word)
        except ValueError:
            return self.numbers.get(word, 1.0)

    def explicit(self, text: str) -> list[tuple[int, int, float]]:
        """Time expressions first (one cheap pass), then the context patterns only in a small
        window around each: scanning the whole page with every context pattern is slow."""
        found: set[tuple[int, int, float]] = set()
        for t in scan(self.time, self.time_literals, index_for(text)):
            a = max(0, t.start() - _WINDOW_BEFORE)
            window = text[a : t.end() + _WINDOW_AFTER]
            for rx in self.contexts:
                for m in rx.finditer(window):
                    if m.start() + a <= t.start() and t.end() <= m.end() + a:
                        end, weeks = self._chained(text, m.end() + a, self._weeks(m))
                        found.add((m.start() + a, end, weeks))
        return sorted(found)

    def _chained(self, text: str, end: int, weeks: float) -> tuple[int, float]:
        """A list of times claims its longest ("for weeks, months, or years"; "four to eight
        weeks, and sometimes up to a year"): follow the list past the first time."""
        while True:
            m = self.chain.match(text, end, min(len(text), end + _CHAIN_REACH))
            if m is None or m.end() <= end:
                # an open upper end claims more than the time named ("six months or longer")
                more = _OPEN_END.match(text, end, min(len(text), end + 30))
                return (more.end(), weeks * 1.5) if more else (end, weeks)
            end, weeks = m.end(), max(weeks, self._weeks(m))


def _plain(literals: frozenset[str] | None) -> frozenset[str] | None:
    """Required literals as plain substrings (a word-start literal is still a substring)."""
    if literals is None:
        return None
    return frozenset(x.removeprefix(WORD_START) for x in literals)


def _outside(spans: list[Span], matches: list[re.Match]) -> list[Span]:
    """The spans no match overlaps. finditer's matches are in order and do not overlap, so
    their ends increase too: only the last match starting before a span's end can reach it."""
    if not matches:
        return spans
    starts = [m.start() for m in matches]
    out = []
    for s in spans:
        i = bisect_right(starts, s.end_char - 1) - 1
        if i < 0 or matches[i].end() <= s.start_char:
            out.append(s)
    return out


def _overlaps(rx: re.Pattern, text: str, start: int, end: int, reach: int = 200) -> bool:
    """Does a match of rx overlap text[start:end]? Searched only near it, not the whole page:
    within `reach`, or within the pattern's own widest match where that is narrower."""
    reach = min(reach, pattern_reach(rx.pattern))
    for m in rx.finditer(text, max(0, start - reach), min(len(text), end + reach)):
        if m.start() < end and start < m.end():
            return True
    return False


_WINDOW_BEFORE, _WINDOW_AFTER = 90, 80  # wider than any context pattern's reach
# what may join the times of a list: "weeks, or even months", "and in some cases up to a year"
_JOINERS = (
    r"(?:or|and|to|but|even|sometimes|occasionally|often|up to|as long as|longer|more than|over|"
    r"beyond|in (?:some|rare|many|a few) cases|for some(?: people| patients)?|possibly|perhaps)"
)
_CHAIN_LEAD = rf"(?:\s*,\s*(?:{_JOINERS}[,\s]+)*|\s+(?:{_JOINERS}[,\s]+)+)"
_CHAIN_REACH = 70
_OPEN_END = re.compile(
    r"\s*,?\s*(?:or|and)\s+(?:sometimes\s+|even\s+|often\s+|possibly\s+)?(?:more|longer)\b", re.I
)


def _near(sorted_starts: list[int], pos: int, distance: int) -> bool:
    """Is some start within `distance` of pos? (binary search, not a scan)"""
    i = bisect_right(sorted_starts, pos + distance - 1)
    return i > 0 and sorted_starts[i - 1] > pos - distance


# ----------------------------------------------------------------------------- context
@Language.factory(
    "checker_context", default_config={"lexicons_dir": None, "max_quote_words": 8, "lang": "en"}
)
def make_context(
    nlp: Language, name: str, lexicons_dir: str | None, max_quote_words: int, lang: str
):
    return ContextComponent(_lex(lexicons_dir, lang), max_quote_words)


@dataclass(frozen=True)
class _Trigger:
    category: str
    id: str
    start: int
    end: int
    scope: tuple[int, int]


_QUOTED = re.compile(r""""([^"]{1,120})"|(?<![\w'])'([^']{1,120})'(?![\w'])""")
# a quoted word right after a modal or "to" is used, in scare quotes ('we can "repair" discs'),
# not mentioned
_SCARE_LEAD = re.compile(r"\b(?:can|could|will|may|might|would|should|to|helps?)\s*$", re.I)


class ContextComponent:
    """ConText for advertising: triggers with a direction and a scope that ends at a
    terminator; a reversal ("wrong to say") flips negation; pseudo-triggers mask look-alikes."""

    def __init__(self, lex: lexmod.Lexicons, max_quote_words: int) -> None:
        self.mods = [(m, re.compile(m.pattern)) for m in lex.modifiers]
        # each modifier's required words (plain substrings): a sentence lacking all of them
        # cannot hold a match, so its regex is not run there
        self.mod_literals = [_plain(required_literals(m.pattern)) for m in lex.modifiers]
        self.terminators = re.compile("|".join(f"(?:{t})" for t in lex.terminators))
        self.voice = re.compile("|".join(f"(?:{v})" for v in lex.voice_switch))
        self.max_quote_words = max_quote_words

    def __call__(self, doc: Doc) -> Doc:
        text = norm_text(doc)
        sents = sentence_spans(doc)
        cues = list(doc.spans.get("cues", []))
        modifiers: list[Span] = []
        by_sent: dict[int, list[Span]] = {}
        starts = [s.start_char for s in sents]
        for cue in cues:
            idx = max(0, bisect_right(starts, cue.start_char) - 1)
            by_sent.setdefault(idx, []).append(cue)
        # modifiers none of whose words occur on the page are not tried sentence by sentence
        active = [
            (mr, lits)
            for mr, lits in zip(self.mods, self.mod_literals, strict=True)
            if lits is None or any(x in text for x in lits)
        ]
        for idx, sent_cues in by_sent.items():
            sent = sents[idx]
            triggers = self._triggers(text, sent.start_char, sent.end_char, active)
            for t in triggers:
                span = doc.char_span(
                    t.start, t.end, label=t.category, kb_id=t.id, alignment_mode="expand"
                )
                if span is not None:
                    modifiers.append(span)
            nxt = sents[idx + 1] if idx + 1 < len(sents) else None
            for cue in sent_cues:
                self._assign(cue, triggers, text, sent, nxt)
        doc.spans["modifiers"] = modifiers
        return doc

    # -- triggers and scopes
    def _triggers(self, text: str, s0: int, s1: int, active: list | None = None) -> list[_Trigger]:
        chunk = text[s0:s1]
        terms = [(m.start() + s0, m.end() + s0) for m in self.terminators.finditer(chunk)]
        voices = [(m.start() + s0, m.end() + s0) for m in self.voice.finditer(chunk)]
        raw = []
        if active is None:
            active = list(zip(self.mods, self.mod_literals, strict=True))
        for (mod, rx), literals in active:
            if literals is not None and not any(x in chunk for x in literals):
                continue
            for m in rx.finditer(chunk):
                if m.end() == m.start():
                    continue
                a, b = m.start() + s0, m.end() + s0
                raw.append(
                    _Trigger(
                        mod.category, mod.id, a, b, self._scope(mod, a, b, s0, s1, terms, voices)
                    )
                )
        return _dedupe(raw)

    @staticmethod
    def _scope(mod, a: int, b: int, s0: int, s1: int, terms, voices) -> tuple[int, int]:
        if mod.direction == "sentence":
            lo, hi = s0, s1
            for v0, v1 in voices:
                if v0 >= b:
                    hi = min(hi, v0)
                elif v1 <= a:
                    lo = max(lo, v1)
            return lo, hi
        fwd_end = s1 if mod.crosses_clause else next((t0 for t0, _ in terms if t0 >= b), s1)
        back_start = max((t1 for _, t1 in terms if t1 <= a), default=s0)
        if mod.direction == "forward":
            return a, fwd_end
        if mod.direction == "backward":
            return back_start, b  # the trigger's own words too ("only brief relief")
        return back_start, fwd_end  # both

    # -- assignment to cues
    def _assign(
        self, cue: Span, triggers: list[_Trigger], text: str, sent: Span, nxt: Span | None
    ) -> None:
        c0, c1 = cue.start_char, cue.end_char

        def covering(category: str, inside: bool = False) -> list[_Trigger]:
            return [
                t
                for t in triggers
                if t.category == category
                and (t.scope[0] <= c0 < t.scope[1] or (inside and c0 <= t.start < c1))
                and (inside or not (c0 <= t.start and t.end <= c1))
            ]

        cue._.negated = bool(covering("negation")) != (len(covering("reversal")) % 2 == 1)
        # a negation inside a cue is part of the claim ("no more pain"); a hedge inside one
        # ("may help") still softens it
        cue._.hedged = bool(covering("hedge", inside=True))
        cue._.attributed = bool(covering("attribution"))
        cue._.relayed = bool(covering("relay"))
        cue._.generic = bool(covering("generic"))
        cue._.hypothetical = bool(covering("hypothetical"))
        cue._.testimonial = any(t.category == "testimonial" for t in triggers)
        cue._.trial = any(t.category == "trial" for t in triggers)
        cue._.disclaimer = any(t.category == "disclaimer" for t in triggers)
        cue._.negation_nearby = any(t.category == "negation" for t in triggers)
        cue._.mention = self._quoted_mention(text, sent, c0, c1)
        cue._.question = self._question(text, sent, triggers, nxt)

    def _quoted_mention(self, text: str, sent: Span, c0: int, c1: int) -> bool:
        """A short phrase in quotes inside a longer sentence is mentioned, not used
        ('phrases such as "clinically proven"'); a whole quoted sentence is a testimonial."""
        s0 = sent.start_char
        chunk = text[s0 : sent.end_char]
        for m in _QUOTED.finditer(chunk):
            q0, q1 = m.start() + s0, m.end() + s0
            if q0 <= c0 and c1 <= q1:
                words = len((m.group(1) or m.group(2)).split())
                whole = not chunk[: m.start()].strip() and len(chunk[m.end() :].strip()) < 40
                if words <= 2 and _SCARE_LEAD.search(chunk[max(0, m.start() - 12) : m.start()]):
                    return False
                return words <= self.max_quote_words and not whole
        return False

    def _question(self, text: str, sent: Span, triggers: list[_Trigger], nxt: Span | None) -> bool:
        chunk = text[sent.start_char : sent.end_char].rstrip().rstrip("\"')]")
        if not chunk.endswith("?"):
            return False
        if any(t.category == "rhetorical" for t in triggers):
            return False
        if nxt is not None and "\n" not in text[sent.start_char : nxt.start_char]:
            following = text[nxt.start_char : nxt.end_char]
            for mod, rx in self.mods:
                if mod.category == "affirm" and rx.search(following):
                    return False
        return True


def _dedupe(triggers: list[_Trigger]) -> list[_Trigger]:
    """Overlapping negation-like triggers count once (the longest); a pseudo-trigger masks
    every negation it overlaps ("not unusual" is not a negation)."""
    pseudo = [t for t in triggers if t.category == "pseudo"]
    out: list[_Trigger] = []
    for t in sorted(triggers, key=lambda t: (t.start, -(t.end - t.start))):
        if t.category == "negation":
            if any(p.start < t.end and t.start < p.end for p in pseudo):
                continue
            if any(
                o.category in ("negation", "reversal") and o.start < t.end and t.start < o.end
                for o in out
            ):
                continue
        out.append(t)
    return out


# ----------------------------------------------------------------------------- assembly
PIPES = (
    "checker_sentences",
    "checker_therapies",
    "checker_conditions",
    "checker_cues",
    "checker_context",
)


# Token boundaries for web copy. The engine matches cues on characters, not tokens, so it
# needs tokens only for phrase matching (aliases are tokenised the same way) and sentence
# marks; spaCy's full English affix rules cost 2.5x more and change nothing it uses.
_PREFIX = re.compile(r"""^[\["'“‘(«✔✓✘•·|$£€¿¡*#@]""")
_SUFFIX = re.compile(r"""(?:[\]"'”’)».,;:!?…%*]|'s|’s)$""")
_INFIX = re.compile(r"""(?<=\w)[-–—/](?=\w)|(?<=[a-z0-9])[.,:;!?](?=[A-Za-z])|[✔✓✘•·|]""")


def _tokenizer(nlp: Language) -> Tokenizer:
    return Tokenizer(
        nlp.vocab,
        rules=nlp.Defaults.tokenizer_exceptions,
        prefix_search=_PREFIX.search,
        suffix_search=_SUFFIX.search,
        infix_finditer=_INFIX.finditer,
        url_match=nlp.tokenizer.url_match,
    )


def build(lexicons_dir: str | None = None, lang: str = "en") -> Language:
    """A fresh pipeline for pages in `lang` (the English entries, plus a language pack's for
    another language). Build it once per process (see `pipeline`), never per page."""
    _lex(lexicons_dir, lang)  # validate before building anything
    nlp = spacy.blank("en")
    nlp.tokenizer = _tokenizer(nlp)
    cfg = {"lexicons_dir": lexicons_dir, "lang": lang}
    nlp.add_pipe("checker_sentences")
    nlp.add_pipe("checker_therapies", config=cfg)
    nlp.add_pipe("checker_conditions", config=cfg)
    nlp.add_pipe("checker_cues", config=cfg)
    nlp.add_pipe("checker_context", config=cfg)
    nlp.max_length = 20_000_000
    return nlp


def pipeline(lexicons_dir: str | None = None, lang: str = "en") -> Language:
    """The process's pipeline for a rule pack (the default pack when None) and a page
    language, built once."""
    return _pipeline(lexmod.resolve_directory(lexicons_dir), lang)


@lru_cache(maxsize=4)
def _pipeline(lexicons_dir: str, lang: str = "en") -> Language:
    return build(lexicons_dir, lang)
