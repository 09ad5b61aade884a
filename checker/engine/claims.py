"""Claims: a sentence + the therapy it is about + a cue + its category and context.

The NLP pass finds mentions and cues; this stage decides which cues are the page's own claims
(not reported speech, not a question, not a quoted phrase, not a study question) and which
therapy and condition each is about: stated in the sentence, or inherited from its section
(earlier sentences, the section heading) or the page topic.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span

from checker.engine.lexicons import CONTINUES, Lexicons
from checker.engine.nlp import doc_text, norm_text, sentence_spans
from checker.engine.voice import OWN, REPORTER, page_voice


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
    lead_in: bool = False  # an item that takes its claim from the list lead-in above it


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
        self.topic_therapy = self._topic(self.subjects) or _dominant(self.subjects, lex)
        self.topic_condition = self._topic(self.conditions)
        self.trial_rx = _trial_regex(lex)
        self.norm = norm_text(doc)
        self.raw = text
        self.voice = page_voice(self.norm, lex)
        self.cited = _cited_blocks(self.norm, segments, lex)

    def _topic(self, mentions: dict[int, list[Span]]) -> Span | None:
        for i, seg_idx in enumerate(self.seg_of):
            if self.segments and self.segments[seg_idx].tag in _TOPIC_TAGS and mentions.get(i):
                return mentions[i][0]
        return None

    def headings_with(self, mentions: dict[int, list[Span]]) -> dict[str, list[int]]:
        """Per heading text, the heading sentences (in order) that hold one of `mentions`;
        built once per mention kind (therapies, conditions) and page."""
        cache = self.__dict__.setdefault("_headings", {})
        entry = cache.get(id(mentions))
        if entry is None or entry[0] is not mentions:
            found: dict[str, list[int]] = {}
            for j in sorted(mentions):
                if mentions[j] and self.segments[self.seg_of[j]].tag in _HEADING_TAGS:
                    found.setdefault(_sent_text(self, j).strip(), []).append(j)
            entry = cache[id(mentions)] = (mentions, found)
        return entry[1]

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
    if idx.voice.kind != REPORTER:
        claims.extend(_list_items(claims, idx, lex))
        claims.extend(_answers(doc, idx, lex))
    doc.spans["claims"] = [span for span in map(_claim_span(doc), claims) if span is not None]
    return claims


def _cited_blocks(norm: str, segments: list[Segment], lex: Lexicons) -> frozenset[int]:
    """Blocks that quote outside authors with a citation ('"..." -- A. Author, Journal, 2021
    [1]'): reported, like a study's conclusion attributed in the sentence. One regex test per
    block that opens with a quote mark; a patient's testimonial ('"..." - Mary K.') carries no
    citation and stays a claim."""
    rxs = lex._index.get("cited_rx")
    if rxs is None:
        rxs = lex._index["cited_rx"] = [re.compile(p) for p in lex.page_voice.cited_quotes]
    if not rxs:
        return frozenset()
    out = set()
    for k, seg in enumerate(segments):
        block = norm[seg.start : seg.end]
        if block.lstrip().startswith('"') and any(rx.search(block) for rx in rxs):
            out.add(k)
    return frozenset(out)


def _dominant(subjects: dict[int, list[Span]], lex: Lexicons) -> Span | None:
    """A page whose title names no therapy is still about one when its strong mentions clearly
    lead with one therapy (at least three, twice the next): an FAQ page about "the cells". A
    page that shares itself between two therapies has no topic."""
    first: dict[str, Span] = {}
    counts: dict[str, int] = {}
    for i in sorted(subjects):
        for m in subjects[i]:
            if m.kb_id_ != "strong" or lex.therapy(m.label_).passing:
                continue
            first.setdefault(m.label_, m)
            counts[m.label_] = counts.get(m.label_, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < _TOPIC_MIN_MENTIONS:
        return None
    if len(ranked) > 1 and 2 * ranked[1][1] > ranked[0][1]:
        return None  # two therapies share the page: no topic for sentences that name none
    return first[ranked[0][0]]


_TOPIC_MIN_MENTIONS = 3


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


def _claim(cue: Span, idx: _Index, lex: Lexicons, answered: bool = False) -> Claim | None:
    info = lex.cue(cue.kb_id_)
    if cue._.attributed or cue._.hypothetical or cue._.mention or cue._.generic:
        return None
    if idx.voice.kind == REPORTER:
        return None  # a news story, notice or trial listing describes claims; it makes none
    if cue._.relayed and idx.voice.kind != OWN:
        return None  # a study reported as a result, on a page that is not selling
    if cue._.question and not info.question_ok and not answered:
        return None
    i = _bisect(idx.sent_starts, cue.start_char)
    if idx.segments and idx.seg_of[i] in idx.cited:
        return None  # a passage quoted from named outside authors, with its citation
    if info.max_words and len(_sent_text(idx, i).split()) > info.max_words:
        return None
    stated, passing, inside = _stated(cue, idx.therapies.get(i, []), lex, idx.raw, idx.sents[i])
    if info.category == "offer" and not _is_offer(cue, stated + inside, idx, i, lex):
        return None
    inherited = _inherited(idx, i, lex)
    if passing and not _said_just_before(idx, i, lex):
        candidates = stated + passing + inherited + inside  # a heading far away does not win
    else:
        candidates = stated + inherited + passing + inside
    if not candidates:
        return None
    sent = idx.sents[i]
    seg = idx.segments[idx.seg_of[i]] if idx.segments else Segment(0, 0)
    end = max(sent.end_char, cue.end_char)
    return Claim(
        sent.start_char,
        end,
        cue.start_char,
        cue.end_char,
        info.rule_id,
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


def _stated(
    cue: Span, mentions: list[Span], lex: Lexicons, raw: str, sent: Span
) -> tuple[list[TherapyRef], list[TherapyRef], list[TherapyRef]]:
    """Therapies named in the sentence, nearest first (a mention before the cue is preferred:
    it is usually the subject); then the therapies named in passing (physical therapy,
    medication), which come after the inherited one unless they open the sentence ("after the
    epidural, physical therapy helps" is about the epidural); and apart from them the mentions
    inside the cue ("no physical therapy"): those come last, after inherited ones, except for
    conflation, where the cue is the therapy ("stem cell epidural")."""
    scored, inside_cue, passing = [], [], []
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
    named = {m.label_ for _, m in scored}
    demoted = {t for t in named if set(lex.therapy(t).yields_to) & named}
    scored.sort(key=lambda x: (x[1].label_ in demoted, lex.therapy(x[1].label_).passing, x[0]))
    main = []
    for _, m in scored:
        ref = TherapyRef(m.label_, "stated", m.text.lower(), m.kb_id_)
        lone = len(main) == 0 and _leads(raw, sent, m)
        if lex.therapy(m.label_).passing and not lone:
            passing.append(ref)
        else:
            main.append(ref)
    return main, passing, inside_cue


_OPENERS = re.compile(r"[\s\-–—•·*✔✓▪►\d.)(]*(?:(?:the|a|an|our|your|this|regular|gentle)\s+)?")


def _leads(raw: str, sent: Span, mention: Span) -> bool:
    """Does the mention open its sentence (its subject, as in "Physical therapy helps ...")?"""
    head = raw[sent.start_char : mention.start_char]
    m = _OPENERS.match(head.lower())
    return m is not None and m.end() == len(head)


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


def _said_just_before(idx: _Index, i: int, lex: Lexicons) -> bool:
    """Did an earlier sentence of the same section name the therapy this one inherits? Only
    then does it beat a therapy this sentence names in passing ("It is often part of a physical
    therapy plan" after a sentence about dry needling); a heading or page topic does not."""
    return _walk_sentences(idx, i, idx.subjects, lex) is not None


def _walk_back(
    idx: _Index, i: int, mentions: dict[int, list[Span]], lex: Lexicons
) -> tuple[Span, str] | None:
    found = _walk_sentences(idx, i, mentions, lex)
    if found is not None:
        return found, "section"
    return _from_headings(idx, i, idx.section_of(i), mentions, lex)


def _walk_sentences(
    idx: _Index, i: int, mentions: dict[int, list[Span]], lex: Lexicons
) -> Span | None:
    """The main mention of the nearest earlier sentence of the same section that has one."""
    section = idx.section_of(i)
    start_char = idx.sent_starts[i]
    for j in range(i - 1, max(-1, i - 1 - lex.inherit_sentences), -1):
        if start_char - idx.sent_starts[j] > lex.inherit_chars:
            break
        if not _same_section(idx.section_of(j), section):
            break
        if idx.segments and idx.segments[idx.seg_of[j]].tag in _PAGE_TAGS:
            continue  # the title and meta description are the page topic, not the section
        found = [m for m in mentions.get(j, ()) if not _aside(idx, j, m, lex)]
        if found:
            return _main_mention(found, lex)
    return None


def _aside(idx: _Index, j: int, mention: Span, lex: Lexicons) -> bool:
    """Care named in passing and not as its sentence's subject ("you may take your usual
    medicines afterwards"): what follows is still about the treatment before it."""
    therapy = lex._index["therapies"].get(mention.label_)
    return therapy is not None and therapy.passing and not _leads(idx.raw, idx.sents[j], mention)


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
    # the nearest earlier heading sentence with a mention whose text is one of the section's
    # headings, found by binary search (a walk back over every sentence is quadratic)
    by_text = idx.headings_with(mentions)
    best = -1
    for text in set(section):
        found = by_text.get(text, ())
        k = bisect_left(found, i) - 1
        if k >= 0:
            best = max(best, found[k])
    return (_main_mention(mentions[best], lex), "section") if best >= 0 else None


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


def _negation_rx(lex: Lexicons) -> re.Pattern:
    """The negation modifiers as one regex, compiled once per loaded lexicon."""
    rx = lex._index.get("negation_rx")
    if rx is None:
        rx = lex._index["negation_rx"] = re.compile(
            "|".join(f"(?:{m.pattern})" for m in lex.modifiers if m.category == "negation")
        )
    return rx


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


def _offerable(lex: Lexicons) -> frozenset[str]:
    """Therapies a rule flags when offered or sold by a service heading (stem cells; trigger
    points and facet joint injections, whose every claim of treatment is flagged)."""
    found = lex._index.get("offerable")
    if found is None:
        found = lex._index["offerable"] = frozenset(
            t
            for r in lex.rules
            if "offer" in r.categories and r.verdict in ("contradicts", "unsupported")
            for t in r.therapies
        )
    return found


def _is_offer(cue: Span, stated: list[TherapyRef], idx: _Index, i: int, lex: Lexicons) -> bool:
    """An offer line must itself name a stem cell product (not just "cell therapy") and a
    spinal condition, outside a trial context: prices and booking lines alone are not claims,
    and a heading over a section that calls the therapy experimental is a topic, not an offer."""
    if cue._.trial or cue._.negated or cue._.negation_nearby:
        return False  # "paid $5,000 for injections that have never been shown to work"
    if idx.trial_rx.search(_section_text(idx, i)):
        return False
    offerable = _offerable(lex)
    if not any(t.therapy in offerable and t.strength == "strong" for t in stated):
        return False
    return any(c.label_ == "spine" for c in idx.conditions.get(i, []))


def _bisect(starts: list[int], pos: int) -> int:
    """Index of the last start at or before pos (0 when there is none)."""
    return max(0, bisect_right(starts, pos) - 1)


# ----------------------------------------------------------------------------- FAQ answers
def _answers(doc: Doc, idx: _Index, lex: Lexicons) -> list[Claim]:
    """An FAQ answer that affirms its question makes the question's claim: "Is the procedure
    safe?" then "Yes, we believe so." The question alone only asks; the answer asserts."""
    affirm = _affirm_rx(lex)
    out: list[Claim] = []
    for cue in doc.spans.get("cues", []):
        if not cue._.question:
            continue
        i = _bisect(idx.sent_starts, cue.start_char)
        if i + 1 >= len(idx.sents):
            continue
        nxt = idx.sents[i + 1]
        if not affirm.search(idx.norm[nxt.start_char : nxt.end_char].strip()):
            continue
        claim = _claim(cue, idx, lex, answered=True)
        if claim is not None:
            a, b = _stripped_bounds(idx, i + 1)
            out.append(replace(claim, sentence_start=a, sentence_end=b, cue_start=a, cue_end=b))
    return out


def _affirm_rx(lex: Lexicons) -> re.Pattern:
    """The affirm modifiers as one regex, compiled once per loaded lexicon."""
    rx = lex._index.get("affirm_rx")
    if rx is None:
        rx = lex._index["affirm_rx"] = re.compile(
            "|".join(f"(?:{m.pattern})" for m in lex.modifiers if m.category == "affirm")
        )
    return rx


# ----------------------------------------------------------------------------- list lead-ins
_ITEM_MARK = re.compile(r"\s*(?:[-–—•·*✔✓✅☑▪►■➤→]|\d{1,2}[.)])\s*\S")
_MAX_ITEMS, _MAX_PLAIN_ITEM_WORDS, _MAX_LEAD_IN_CHARS = 30, 10, 160


def _list_items(claims: list[Claim], idx: _Index, lex: Lexicons) -> list[Claim]:
    """A lead-in that claims ("Stem cells can help treat:", a "Benefits" heading) makes each
    item of the list below it a claim too: the item inherits the lead-in's claim and therapy.
    One pass over the sentences; each list is read once, from its lead-in."""
    by_sent: dict[int, list[Claim]] = {}
    for c in claims:
        by_sent.setdefault(_bisect(idx.sent_starts, c.cue_start), []).append(c)
    out: list[Claim] = []
    for i in range(len(idx.sents)):
        if next(_items(idx, i), None) is None:
            # no list item below it (a list the page lost, or one it shows as a picture):
            # a bare lead-in ("They work by:") still makes its own claim
            if _sent_text(idx, i).rstrip().endswith(":") and not by_sent.get(i):
                out.extend(_lead_in_claims(idx, i, [], lex, by_sent.get(i - 1, [])))
            continue
        own = by_sent.get(i, [])
        leads = _lead_in_claims(idx, i, own, lex, by_sent.get(i - 1, []))
        if not leads:
            continue
        if not own:
            # a bare lead-in ("The goal is to:", "These include:") makes the claim its items make
            out.extend(leads if leads[0].lead_in else _at_sentence(leads, idx, i))
        items = list(_items(idx, i))
        topic = tuple(t for t in leads[0].candidates if not lex.therapy(t.therapy).passing)
        for j in items:
            out.extend(_rebased(by_sent.get(j, []), topic, lex))
            if _names_passing(idx, j, lex):
                continue  # "participate in physical therapy": care the evidence supports
            out.extend(_at_sentence(leads, idx, j))
    return out


def _at_sentence(leads: list[Claim], idx: _Index, j: int) -> list[Claim]:
    """The lead-in's claims, restated at sentence j (the lead-in itself or one of its items)."""
    a, b = _stripped_bounds(idx, j)
    return [
        replace(c, sentence_start=a, sentence_end=b, cue_start=a, cue_end=b, lead_in=True)
        for c in leads
    ]


def _rebased(own: list[Claim], topic: tuple[TherapyRef, ...], lex: Lexicons) -> list[Claim]:
    """An item's own claims are about the list's therapy unless the item names another one:
    a sibling bullet's passing mention ("physical rehabilitation") is not what it is about."""
    out = []
    for c in own:
        first = c.candidates[0] if c.candidates else None
        if first is None or (first.source == "stated" and not lex.therapy(first.therapy).passing):
            continue
        out.append(replace(c, candidates=topic + c.candidates, lead_in=True))
    return out


def _lead_in_claims(
    idx: _Index, i: int, own: list[Claim], lex: Lexicons, before: list[Claim]
) -> list[Claim]:
    """The claims a lead-in (sentence i) passes to its list: its own when it ends with a colon,
    else the claim its wording makes (a lead-in pattern), or, for a lead-in that carries on
    the sentence before it in the same block, that sentence's claims."""
    text = _sent_text(idx, i).strip()
    if text.endswith(":") and own:
        return [c for c in own if not c.lead_in]
    if len(text) > _MAX_LEAD_IN_CHARS:
        return []
    norm = idx.norm[idx.sents[i].start_char : idx.sents[i].end_char].strip()
    if _negation_rx(lex).search(norm):
        return []  # "has not been shown to treat:" introduces no claims
    for li, rx in _lead_in_regexes(lex):
        if not rx.fullmatch(norm):
            continue
        if li.cue == CONTINUES:
            same_block = not idx.segments or idx.seg_of[i] == idx.seg_of[i - 1]
            carried = [c for c in before if not c.lead_in] if same_block and i > 0 else []
            return _at_sentence(carried, idx, i)
        claim = _heading_claim(idx, i, li.cue, lex)
        return [claim] if claim is not None else []
    return []


def _lead_in_regexes(lex: Lexicons) -> list[tuple]:
    """The lead-in patterns, compiled once per loaded lexicon."""
    rx = lex._index.get("lead_in_rx")
    if rx is None:
        rx = lex._index["lead_in_rx"] = [
            (li, re.compile(li.pattern)) for li in lex.page_voice.lead_ins
        ]
    return rx


def _heading_claim(idx: _Index, i: int, cue_id: str, lex: Lexicons) -> Claim | None:
    """The claim a bare lead-in heading makes ("Benefits"): the cue's category, about the
    therapy the heading names or the one its section and page are about."""
    info = lex.cue(cue_id)
    sent = idx.sents[i]
    stated = [
        TherapyRef(m.label_, "stated", m.text.lower(), m.kb_id_)
        for m in idx.therapies.get(i, [])
        if not lex.therapy(m.label_).passing
    ]
    candidates = stated + _inherited(idx, i, lex)
    if not candidates:
        return None
    seg = idx.segments[idx.seg_of[i]] if idx.segments else Segment(0, 0)
    hedged = bool(
        re.search(r"\b(?:potential|possible)\b", idx.norm[sent.start_char : sent.end_char])
    )
    return Claim(
        sent.start_char,
        sent.end_char,
        sent.start_char,
        sent.end_char,
        info.rule_id,
        info.category,
        info.strength,
        info.severity,
        tuple(candidates),
        _condition(sent, idx, i, lex),
        None,
        False,
        hedged,
        False,
        False,
        seg.region,
        seg.hidden,
    )


def _items(idx: _Index, i: int):
    """The sentences that are items of the list a lead-in (sentence i) opens: lines that start
    with a bullet mark (or are <li> blocks), else short lines; the list ends at the first line
    that is neither. At most a fixed number of sentences is read, so pages stay linear."""
    bulleted = None
    n = 0
    for j in range(i + 1, min(len(idx.sents), i + 1 + _MAX_ITEMS * 3)):
        if not _starts_line(idx, j):
            continue  # a second sentence of the same item
        item = _is_bullet(idx, j)
        if bulleted is None:
            bulleted = item
        if bulleted and not item:
            return
        if not bulleted and not _short_line(idx, j):
            return
        yield j
        n += 1
        if n >= _MAX_ITEMS:
            return


def _starts_line(idx: _Index, j: int) -> bool:
    start = idx.sent_starts[j]
    if idx.segments and idx.seg_of[j] != idx.seg_of[j - 1]:
        return True
    # the line's start is looked for only back to the previous sentence: a line that began
    # before it holds that sentence's words, so j does not start it (and one long line of
    # many sentences is not rescanned for each of them)
    k = idx.raw.rfind("\n", idx.sent_starts[j - 1] if j else 0, start)
    if k < 0 and j:
        return False
    return not idx.raw[k + 1 : start].strip()


def _is_bullet(idx: _Index, j: int) -> bool:
    if idx.segments and idx.segments[idx.seg_of[j]].tag == "li":
        return True
    return _ITEM_MARK.match(_sent_text(idx, j)) is not None


def _short_line(idx: _Index, j: int) -> bool:
    text = _sent_text(idx, j).strip()
    return 0 < len(text.split()) <= _MAX_PLAIN_ITEM_WORDS and not text.endswith(("?", ":"))


def _names_passing(idx: _Index, j: int, lex: Lexicons) -> bool:
    return any(lex.therapy(m.label_).passing for m in idx.therapies.get(j, []))


def _stripped_bounds(idx: _Index, j: int) -> tuple[int, int]:
    """Sentence j's span without its surrounding white space."""
    s = idx.sents[j]
    text = idx.raw[s.start_char : s.end_char]
    lead = len(text) - len(text.lstrip())
    return s.start_char + lead, s.start_char + len(text.rstrip())
