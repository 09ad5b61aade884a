"""Claims: a sentence + the therapy it is about + a cue + its category and context.

The NLP pass finds mentions and cues; this stage decides which cues are the page's own claims
(not reported speech, not a question, not a quoted phrase, not a study question) and which
therapy and condition each is about: stated in the sentence, or inherited from its section
(earlier sentences, the section heading) or the page topic.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from checker.engine.lexicons import Lexicons
from checker.engine.nlp import doc_text, norm_text, sentence_spans


@dataclass(frozen=True)
class Segment:
    """A block of the checked text (one extracted HTML block, or one line of plain text)."""

    start: int
    end: int
    tag: str = "p"
    heading_path: tuple[str, ...] = ()
    region: str = "main"
    hidden: bool = False


@dataclass(frozen=True)
class TherapyRef:
    therapy: str
    source: str  # stated | section | page
    mention: str  # the words used, lower case
    strength: str  # strong | weak | fuzzy


@dataclass(frozen=True)
class Claim:
    sentence_start: int
    sentence_end: int
    cue_start: int
    cue_end: int
    cue_id: str
    category: str
    strength: str
    cue_severity: str
    candidates: tuple[TherapyRef, ...]  # best first; the comparator takes the first with a rule
    condition: str
    weeks: float | None
    negated: bool
    hedged: bool
    testimonial: bool
    disclaimer: bool
    region: str
    hidden: bool


_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "title"}
_TOPIC_TAGS = {"title", "meta", "h1"}
_PAGE_TAGS = {"title", "meta"}
# cue categories whose words name the therapy itself ("stem cell epidural", a service heading,
# "we use stem cells to treat")
_SUBJECT_CUES = frozenset({"conflation", "offer", "efficacy"})


class _Index:
    """Sentences, segments and mentions of one doc, in order, for inheritance look-ups."""

    def __init__(self, doc: Doc, segments: list[Segment], lex: Lexicons) -> None:
        text = doc_text(doc)
        self.sents = [s for s in sentence_spans(doc) if text[s.start_char : s.end_char].strip()]
        self.segments = segments
        seg_starts = [s.start for s in segments]
        self.seg_of = [_bisect(seg_starts, s.start_char) for s in self.sents]
        sent_starts = [s.start_char for s in self.sents]
        self.therapies: dict[int, list[Span]] = {}
        self.conditions: dict[int, list[Span]] = {}
        self.subjects: dict[int, list[Span]] = {}
        cues_by_sent: dict[int, list[Span]] = {}
        for cue in doc.spans.get("cues", []):
            cues_by_sent.setdefault(_bisect(sent_starts, cue.start_char), []).append(cue)
        for span in doc.spans.get("therapies", []):
            i = _bisect(sent_starts, span.start_char)
            self.therapies.setdefault(i, []).append(span)
            if not _is_object(span, cues_by_sent.get(i, []), lex):
                self.subjects.setdefault(i, []).append(span)
        for span in doc.spans.get("conditions", []):
            self.conditions.setdefault(_bisect(sent_starts, span.start_char), []).append(span)
        self.sent_starts = sent_starts
        self.cue_sents = cues_by_sent
        self.topic_therapy = self._topic(self.subjects) or _main_subject(self.subjects, lex)
        self.topic_condition = self._topic(self.conditions)
        self.trial_rx = _trial_regex(lex)
        self.norm = norm_text(doc)
        self.raw = text

    def _topic(self, mentions: dict[int, list[Span]]) -> Span | None:
        for i, seg_idx in enumerate(self.seg_of):
            if self.segments and self.segments[seg_idx].tag in _TOPIC_TAGS and mentions.get(i):
                return mentions[i][0]
        return None

    def section_of(self, i: int) -> tuple[str, ...]:
        return self.segments[self.seg_of[i]].heading_path if self.segments else ()


def extract_claims(doc: Doc, segments: list[Segment], lex: Lexicons) -> list[Claim]:
    """Every cue in the doc that is a claim in the page's own voice, with its context."""
    idx = _Index(doc, segments, lex)
    claims = []
    for cue in doc.spans.get("cues", []):
        claim = _claim(cue, idx, lex)
        if claim is not None:
            claims.append(claim)
    doc.spans["claims"] = [span for span in map(_claim_span(doc), claims) if span is not None]
    return claims


def _claim_span(doc: Doc):
    """A claim as a span of its cue in doc.spans["claims"] (label = category, kb_id = therapy),
    so spaCy tooling (displaCy, DocBin) sees the same claims the comparator does."""

    def make(claim: Claim) -> Span | None:
        return doc.char_span(
            claim.cue_start,
            claim.cue_end,
            label=claim.category,
            kb_id=claim.candidates[0].therapy,
            alignment_mode="expand",
        )

    return make


def _claim(cue: Span, idx: _Index, lex: Lexicons) -> Claim | None:
    info = lex.cue(cue.kb_id_)
    if cue._.attributed or cue._.hypothetical or cue._.mention:
        return None
    i = _bisect(idx.sent_starts, cue.start_char)
    answer = None
    if cue._.question and not info.question_ok:
        answer = _affirming_answer(idx, i, lex)
        if answer is None:
            return None
    if info.max_words and len(_sent_text(idx, i).split()) > info.max_words:
        return None
    stated, inside = _stated(cue, idx.therapies.get(i, []), lex)
    if info.category == "offer" and not _is_offer(cue, stated + inside, idx, i):
        return None
    candidates = stated + _inherited(idx, i, lex) + inside
    if not candidates:
        return None
    sent = idx.sents[i] if answer is None else answer
    seg = idx.segments[idx.seg_of[i]] if idx.segments else Segment(0, 0)
    end = max(sent.end_char, cue.end_char) if answer is None else answer.end_char
    c0, c1 = (cue.start_char, cue.end_char) if answer is None else (sent.start_char, end)
    return Claim(
        sent.start_char,
        end,
        c0,
        c1,
        info.id,
        info.category,
        info.strength,
        info.severity,
        tuple(candidates),
        _condition(cue, idx, i, lex),
        cue._.weeks,
        bool(cue._.negated),
        bool(cue._.hedged),
        bool(cue._.testimonial),
        bool(cue._.disclaimer),
        seg.region,
        seg.hidden,
    )


def _affirming_answer(idx: _Index, i: int, lex: Lexicons) -> Span | None:
    """The next sentence when it only answers the question yes ("Is it safe?" / "Yes, we
    believe so."): the answer asserts what the question asked, so it is the claim. An answer
    that holds its own cue is judged on its own words instead."""
    if i + 1 >= len(idx.sents):
        return None
    nxt = idx.sents[i + 1]
    text = idx.norm[nxt.start_char : nxt.end_char]
    if idx.cue_sents.get(i + 1) or not _affirm_regex(lex).search(text):
        return None
    return nxt


def _affirm_regex(lex: Lexicons) -> re.Pattern:
    """The affirm modifiers as one regex, compiled once per loaded lexicon."""
    rx = lex._index.get("affirm_rx")
    if rx is None:
        rx = lex._index["affirm_rx"] = re.compile(
            "|".join(f"(?:{m.pattern})" for m in lex.modifiers if m.category == "affirm")
        )
    return rx


def _stated(
    cue: Span, mentions: list[Span], lex: Lexicons
) -> tuple[list[TherapyRef], list[TherapyRef]]:
    """Therapies named in the sentence, nearest first (a mention before the cue is preferred:
    it is usually the subject), and apart from them the mentions inside the cue ("no physical
    therapy"): those come last, after inherited ones, except for conflation, where the cue is
    the therapy ("stem cell epidural")."""
    scored, inside_cue = [], []
    for m in mentions:
        inside = m.start_char >= cue.start_char and m.end_char <= cue.end_char
        if cue.label_ in lex.therapy(m.label_).object_in:
            inside = True
        if inside and cue.label_ not in _SUBJECT_CUES:
            inside_cue.append(TherapyRef(m.label_, "stated", m.text.lower(), m.kb_id_))
            continue
        if m.end_char <= cue.start_char:
            distance = cue.start_char - m.end_char
        elif m.start_char >= cue.end_char:
            distance = m.start_char - cue.end_char + 30
        else:
            distance = 0
        scored.append((distance, m))
    scored.sort(key=lambda x: x[0])
    refs = [TherapyRef(m.label_, "stated", m.text.lower(), m.kb_id_) for _, m in scored]
    return _adjuncts_last(refs, lex), inside_cue


def _adjuncts_last(refs: list[TherapyRef], lex: Lexicons) -> list[TherapyRef]:
    """A therapy named beside one it yields to (therapies.yaml `yields_to`) is its adjunct:
    the claim is about the main therapy, whichever mention is nearer the cue."""
    named = {r.therapy for r in refs}
    adjunct = {r.therapy for r in refs if named.intersection(lex.therapy(r.therapy).yields_to)}
    if not adjunct:
        return refs
    return [r for r in refs if r.therapy not in adjunct] + [r for r in refs if r.therapy in adjunct]


def _inherited(idx: _Index, i: int, lex: Lexicons) -> list[TherapyRef]:
    """The nearest earlier mention in the same section, then the section headings, then the
    page topic. Only the nearest one: an older mention is not what the sentence is about."""
    found = _walk_back(idx, i, idx.subjects, lex)
    if found is not None:
        span, source = found
        return [TherapyRef(span.label_, source, span.text.lower(), span.kb_id_)]
    if idx.topic_therapy is not None:
        t = idx.topic_therapy
        return [TherapyRef(t.label_, "page", t.text.lower(), t.kb_id_)]
    return []


def _walk_back(
    idx: _Index, i: int, mentions: dict[int, list[Span]], lex: Lexicons
) -> tuple[Span, str] | None:
    section = idx.section_of(i)
    start_char = idx.sent_starts[i]
    for j in range(i - 1, max(-1, i - 1 - lex.inherit_sentences), -1):
        if start_char - idx.sent_starts[j] > lex.inherit_chars:
            break
        if not _same_section(idx.section_of(j), section):
            break
        if idx.segments and idx.segments[idx.seg_of[j]].tag in _PAGE_TAGS:
            continue  # the title and meta description are the page topic, not the section
        if mentions.get(j):
            return _main_mention(mentions[j], lex), "section"
    return _from_headings(idx, i, section, mentions, lex)


def _main_mention(mentions: list[Span], lex: Lexicons) -> Span:
    """What an earlier sentence was about: its highest-priority therapy ("Wharton's jelly spine
    injections" is about Wharton's jelly); conditions have no priority, so the last one."""
    index = lex._index["therapies"]
    if all(m.label_ in index for m in mentions):
        return min(mentions, key=lambda m: index[m.label_].priority)
    return mentions[-1]


def _from_headings(
    idx: _Index, i: int, section: tuple[str, ...], mentions: dict[int, list[Span]], lex: Lexicons
) -> tuple[Span, str] | None:
    if not section or not idx.segments:
        return None
    wanted = set(section)
    for j in range(i - 1, -1, -1):
        seg = idx.segments[idx.seg_of[j]]
        if seg.tag in _HEADING_TAGS and mentions.get(j) and _sent_text(idx, j).strip() in wanted:
            return _main_mention(mentions[j], lex), "section"
    return None


def _is_object(mention: Span, cues: list[Span], lex: Lexicons) -> bool:
    """A therapy named only as what a claim dismisses ("no physical therapy") is not what the
    text goes on to talk about, so later sentences do not inherit it."""
    object_in = lex.therapy(mention.label_).object_in
    for cue in cues:
        if cue.label_ in object_in:
            return True
        inside = cue.start_char <= mention.start_char and mention.end_char <= cue.end_char
        if inside and cue.label_ not in _SUBJECT_CUES:
            return True
    return False


def _main_subject(mentions: dict[int, list[Span]], lex: Lexicons) -> Span | None:
    """Without a title or top heading, the page's topic is the therapy most of its sentences
    talk about, if one clearly leads (an FAQ that names its stem cells only further down is
    still about them); a tie is no topic."""
    counts: dict[str, int] = {}
    first: dict[str, Span] = {}
    for i in sorted(mentions):
        for m in mentions[i]:
            counts[m.label_] = counts.get(m.label_, 0) + 1
            first.setdefault(m.label_, m)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if len(ranked) < 1 or ranked[0][1] < _TOPIC_MIN_MENTIONS:
        return None
    if len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]:
        return None
    return first[ranked[0][0]]


_TOPIC_MIN_MENTIONS = 3


def _sent_text(idx: _Index, i: int) -> str:
    """Sentence i's text, sliced from the doc text (Span.text rebuilds it token by token)."""
    return idx.raw[idx.sents[i].start_char : idx.sents[i].end_char]


def _same_section(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _condition(cue: Span, idx: _Index, i: int, lex: Lexicons) -> str:
    stated = idx.conditions.get(i, [])
    if stated:
        nearest = min(stated, key=lambda m: abs(m.start_char - cue.start_char))
        return nearest.label_
    found = _walk_back(idx, i, idx.conditions, lex)
    if found is not None:
        return found[0].label_
    if idx.topic_condition is not None:
        return idx.topic_condition.label_
    return "unspecified"


def _trial_regex(lex: Lexicons) -> re.Pattern:
    """The trial modifiers as one regex, compiled once per loaded lexicon."""
    rx = lex._index.get("trial_rx")
    if rx is None:
        rx = lex._index["trial_rx"] = re.compile(
            "|".join(f"(?:{m.pattern})" for m in lex.modifiers if m.category == "trial")
        )
    return rx


def _section_text(idx: _Index, i: int) -> str:
    """The normalised text of the section a heading heads (the whole page for the title;
    empty for a sentence that is not a heading)."""
    if not idx.segments:
        return ""
    k = idx.seg_of[i]
    seg = idx.segments[k]
    if seg.tag == "title":
        return idx.norm
    if seg.tag not in _HEADING_TAGS:
        return ""
    depth, heading = len(seg.heading_path), idx.raw[seg.start : seg.end]
    end = k + 1
    while end < len(idx.segments):
        path = idx.segments[end].heading_path
        if len(path) <= depth or path[depth] != heading:
            break
        end += 1
    return idx.norm[seg.end : idx.segments[end - 1].end] if end > k + 1 else ""


def _is_offer(cue: Span, stated: list[TherapyRef], idx: _Index, i: int) -> bool:
    """An offer line must itself name a stem cell product (not just "cell therapy") and a
    spinal condition, outside a trial context: prices and booking lines alone are not claims,
    and a heading over a section that calls the therapy experimental is a topic, not an offer."""
    if cue._.trial or cue._.negated or cue._.negation_nearby:
        return False  # "paid $5,000 for injections that have never been shown to work"
    if idx.trial_rx.search(_section_text(idx, i)):
        return False
    if not any(t.therapy == "stem_cell" and t.strength == "strong" for t in stated):
        return False
    return any(c.label_ == "spine" for c in idx.conditions.get(i, []))


def _bisect(starts: list[int], pos: int) -> int:
    """Index of the last start at or before pos (0 when there is none)."""
    return max(0, bisect_right(starts, pos) - 1)
