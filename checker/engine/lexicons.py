"""Load and validate lexicons/*.yaml at start-up.

Rules are data: a regulator edits YAML, never Python. So every file is checked when it loads,
and a mistake fails with the file, the entry and what is wrong (medspaCy #302 shows what
silently ignored categories cost).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from checker.engine import backtracking, morphology_es, predicates
from checker.engine.text import fold_accents
from checker.records import SEVERITIES, VERDICTS

FILES = (
    "evidence.yaml",
    "therapies.yaml",
    "conditions.yaml",
    "claims.yaml",
    "modifiers.yaml",
    "rules.yaml",
)
EVIDENCE_DOCUMENT = "evidence-base.md"
CATEGORIES = (
    "efficacy",
    "offer",
    "success_rate",
    "safety",
    "regulatory",
    "evidence",
    "standard_of_care",
    "alternative_to_surgery",
    "duration",
    "guarantee",
    "standalone",
    "conflation",
    "other",
)
STRENGTHS = ("strong", "benefit")
MODIFIER_CATEGORIES = (
    "negation",
    "reversal",
    "pseudo",
    "hedge",
    "attribution",
    "hypothetical",
    "testimonial",
    "trial",
    "disclaimer",
    "affirm",
    "rhetorical",
    "relay",
    "generic",
)
VOICE_KINDS = ("reporter", "own")
DIRECTIONS = ("forward", "backward", "both", "sentence")
CONDITIONS = ("spine", "other", "unspecified")


class LexiconError(ValueError):
    """A lexicon file is invalid; the message names the file, the entry and the reason."""

    def __init__(self, file: str, entry: str, reason: str) -> None:
        super().__init__(f"lexicons/{file}: {entry}: {reason}")
        self.file, self.entry, self.reason = file, entry, reason


@dataclass(frozen=True)
class EvidenceStatement:
    id: str
    therapy: str
    grade: str
    refs: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Therapy:
    id: str
    label: str
    priority: int
    in_evidence_base: bool
    aliases: tuple[str, ...]
    weak: tuple[str, ...]
    fuzzy: tuple[str, ...]
    sources: tuple[tuple[str, tuple[str, ...]], ...] = ()
    object_in: tuple[str, ...] = ()  # claim categories where a mention is the object
    # regexes naming the therapy by description ("injected into the facet joints"), for pages
    # that never use one of its names
    described: tuple[str, ...] = ()
    passing: bool = False  # named in passing: never takes a claim from the therapy in focus
    # therapies this one is an adjunct to: named in the same sentence, they take the claim
    # ("stem cells enhanced with PRP" is a stem cell claim)
    yields_to: tuple[str, ...] = ()

    def source_evidence(self, mention: str) -> tuple[str, ...]:
        return dict(self.sources).get(mention.lower(), ())


@dataclass(frozen=True)
class Cue:
    id: str
    category: str
    strength: str
    patterns: tuple[str, ...]
    severity: str = ""
    question_ok: bool = False
    whole_sentence: bool = False
    max_words: int = 0
    exceptions: tuple[str, ...] = ()
    lang: str = "en"
    acts_as: str = ""  # a language pack's cue: the English cue it stands for in rules.yaml

    @property
    def rule_id(self) -> str:
        """The cue id rules.yaml knows this cue by."""
        return self.acts_as or self.id


@dataclass(frozen=True)
class Durations:
    time: str
    numbers: tuple[tuple[str, float], ...]
    units_in_weeks: tuple[tuple[str, float], ...]
    bare_in_weeks: tuple[tuple[str, float], ...]
    vague: tuple[tuple[str, float], ...]
    contexts: tuple[str, ...]


@dataclass(frozen=True)
class Modifier:
    id: str
    category: str
    direction: str
    pattern: str
    crosses_clause: bool = False


@dataclass(frozen=True)
class VoiceCue:
    """A sign of who a page speaks for: a reporter (news, regulator, trial listing) or the
    page's own promotional voice."""

    id: str
    kind: str
    pattern: str


CONTINUES = "continues"  # the lead-in cue that takes the claim of the sentence before it


@dataclass(frozen=True)
class LeadIn:
    """A bare heading that introduces a list of claims ("Benefits", "Conditions we treat"):
    each item below it makes the claim of cue `cue`. The cue `continues` marks a lead-in that
    carries on the sentence before it ("... often benefit from it. These include:")."""

    id: str
    pattern: str
    cue: str


@dataclass(frozen=True)
class PageVoice:
    """Page-level voice settings (modifiers.yaml `page_voice`): each cue counts at most `cap`
    times; a page is a reporter's when reporter signs reach `reporter_min` and outnumber its
    own-voice signs `ratio` to one, and is speaking for itself when own signs reach `own_min`."""

    cues: tuple[VoiceCue, ...] = ()
    cap: int = 2
    reporter_min: int = 3
    ratio: int = 2
    own_min: int = 2
    lead_ins: tuple[LeadIn, ...] = ()
    cited_quotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    therapies: tuple[str, ...]
    categories: tuple[str, ...]
    strength: str
    verdict: str
    severity: str
    evidence: tuple[str, ...]
    rationale: str
    conditions: tuple[str, ...] = CONDITIONS
    cues: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    max_weeks: float | None = None
    verdict_other_condition: str = ""
    add_source_evidence: bool = False

    @property
    def specificity(self) -> int:
        return (2 if self.cues else 0) + (1 if self.mentions else 0)


@dataclass(frozen=True)
class Detection:
    """How a page's language is told (lexicons/es/language.yaml): a block is in a language when
    it holds at least `min_words` of that language's function words and they outnumber the
    English ones `ratio` to one; a page is read with a language pack when its blocks in that
    language hold at least `page_share` of its words."""

    function_words: tuple[tuple[str, frozenset[str]], ...]
    min_words: int = 2
    ratio: float = 1.5
    page_share: float = 0.25


@dataclass(frozen=True)
class LanguagePack:
    """A language's own entries (lexicons/<lang>/*.yaml), added to the English ones when a page
    is in that language. Therapy aliases and condition terms are merged into the shared
    therapies and conditions at load time; everything else lives here."""

    lang: str
    cues: tuple[Cue, ...]
    durations: Durations
    modifiers: tuple[Modifier, ...]
    terminators: tuple[str, ...]
    voice_switch: tuple[str, ...]
    not_claims: tuple[str, ...]
    voice_cues: tuple[VoiceCue, ...]
    lead_ins: tuple[LeadIn, ...]
    detection: Detection


@dataclass(frozen=True)
class Lexicons:
    directory: Path
    version: str
    evidence_sha256: str
    evidence: dict[str, EvidenceStatement]
    therapies: tuple[Therapy, ...]
    conditions: tuple[tuple[str, tuple[str, ...]], ...]
    categories: tuple[str, ...]
    cues: tuple[Cue, ...]
    durations: Durations
    modifiers: tuple[Modifier, ...]
    terminators: tuple[str, ...]
    voice_switch: tuple[str, ...]
    rules: tuple[Rule, ...]
    not_claims: tuple[str, ...] = ()
    inherit_sentences: int = 6
    inherit_chars: int = 1500
    sha256: str = ""  # of the pack's rule files, in FILES order: stamped on every report
    page_voice: PageVoice = field(default_factory=PageVoice)
    _index: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    lang: str = "en"  # the language this set of entries reads (see `view`)
    packs: tuple[LanguagePack, ...] = ()
    extra_durations: tuple[Durations, ...] = ()  # a language view's own time expressions

    @property
    def languages(self) -> tuple[str, ...]:
        return ("en", *(p.lang for p in self.packs))

    def pack(self, lang: str) -> LanguagePack | None:
        return next((p for p in self.packs if p.lang == lang), None)

    def view(self, lang: str) -> Lexicons:
        """The entries that read a page in `lang`: the English ones alone for English (exactly
        what they were before any pack existed), English plus the pack for another language
        (a Spanish page quotes English product names and studies). One view per language."""
        if lang == self.lang or self.pack(lang) is None:
            return self
        views = self._index.setdefault("views", {})
        if lang not in views:
            views[lang] = _language_view(self, self.pack(lang))
        return views[lang]

    def therapy(self, therapy_id: str) -> Therapy:
        return self._index["therapies"][therapy_id]

    def cue(self, cue_id: str) -> Cue:
        return self._index["cues"][cue_id]


# ----------------------------------------------------------------------------- validation helpers
def _need(d: Any, key: str, kind: type | tuple[type, ...], file: str, entry: str) -> Any:
    if not isinstance(d, dict) or key not in d:
        raise LexiconError(file, entry, f"missing key '{key}'")
    value = d[key]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise LexiconError(file, entry, f"'{key}' must be {names}, not {type(value).__name__}")
    return value


def _only_keys(d: dict, allowed: set[str], file: str, entry: str) -> None:
    extra = sorted(set(d) - allowed)
    if extra:
        raise LexiconError(file, entry, f"unknown key(s) {', '.join(extra)}")


def _one_of(value: Any, allowed: tuple[str, ...], what: str, file: str, entry: str) -> None:
    if value not in allowed:
        raise LexiconError(file, entry, f"{what} '{value}' is not one of {', '.join(allowed)}")


def _regex(pattern: Any, file: str, entry: str) -> str:
    if not isinstance(pattern, str) or not pattern.strip():
        raise LexiconError(file, entry, "pattern must be a non-empty string")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise LexiconError(file, entry, f"pattern does not compile: {exc}") from None
    danger = backtracking.risk(pattern)
    if danger:
        raise LexiconError(file, entry, f"pattern risks catastrophic backtracking: {danger}")
    return pattern


def _str_list(d: dict, key: str, file: str, entry: str, required: bool = True) -> tuple[str, ...]:
    if key not in d and not required:
        return ()
    values = _need(d, key, list, file, entry)
    for v in values:
        if not isinstance(v, str) or not v.strip():
            raise LexiconError(file, entry, f"'{key}' holds an empty or non-string item: {v!r}")
    return tuple(values)


class _StrictLoader(yaml.SafeLoader):
    """safe_load that refuses a key given twice (PyYAML silently keeps the last one)."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key '{key}' appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def _read(directory: Path, name: str, fold: bool = False) -> Any:
    """A YAML file of the pack; `fold` drops Spanish accents from the whole file first (its
    patterns then match text written with or without them, which is folded the same way)."""
    path = directory / name
    try:
        text = path.read_text(encoding="utf-8")
        if fold:
            text = fold_accents(text)
    except FileNotFoundError:
        raise LexiconError(name, "file", f"not found in {directory}") from None
    except UnicodeDecodeError as exc:
        raise LexiconError(name, "file", f"not UTF-8 ({exc})") from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise LexiconError(name, "file", f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise LexiconError(name, "file", "must be a mapping at the top level")
    return data


def _unique(ids: list[str], file: str, what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise LexiconError(file, f"{what} '{i}'", "duplicate id")
        seen.add(i)


# ----------------------------------------------------------------------------- per-file parsers
def _parse_evidence(data: dict) -> dict[str, EvidenceStatement]:
    f = "evidence.yaml"
    out: dict[str, EvidenceStatement] = {}
    for n, e in enumerate(_need(data, "statements", list, f, "top level")):
        entry = f"statements[{n}]"
        _only_keys(e, {"id", "therapy", "grade", "refs", "text"}, f, entry)
        sid = _need(e, "id", str, f, entry)
        entry = f"statements[{n}] ({sid})"
        refs = _need(e, "refs", list, f, entry)
        if not refs or not all(isinstance(r, int) and 1 <= r <= 5 for r in refs):
            raise LexiconError(f, entry, "refs must be reference numbers 1-5 of the document")
        if sid in out:
            raise LexiconError(f, entry, "duplicate id")
        out[sid] = EvidenceStatement(
            sid,
            _need(e, "therapy", str, f, entry),
            _need(e, "grade", str, f, entry),
            tuple(refs),
            " ".join(_need(e, "text", str, f, entry).split()),
        )
    return out


def _parse_therapies(data: dict, evidence: dict) -> tuple[Therapy, ...]:
    f = "therapies.yaml"
    out = []
    for n, t in enumerate(_need(data, "therapies", list, f, "top level")):
        entry = f"therapies[{n}]"
        _only_keys(
            t,
            {
                "id",
                "label",
                "priority",
                "in_evidence_base",
                "aliases",
                "weak",
                "fuzzy",
                "sources",
                "object_in",
                "described",
                "passing",
                "yields_to",
            },
            f,
            entry,
        )
        for cat in t.get("object_in") or []:
            _one_of(cat, CATEGORIES, "object_in category", f, entry)
        tid = _need(t, "id", str, f, entry)
        entry = f"therapies[{n}] ({tid})"
        sources = []
        for alias, ids in (t.get("sources") or {}).items():
            for sid in ids:
                if sid not in evidence:
                    raise LexiconError(f, entry, f"source '{alias}' cites unknown statement {sid}")
            sources.append((str(alias).lower(), tuple(ids)))
        out.append(
            Therapy(
                tid,
                _need(t, "label", str, f, entry),
                _need(t, "priority", int, f, entry),
                bool(t.get("in_evidence_base", False)),
                _str_list(t, "aliases", f, entry),
                _str_list(t, "weak", f, entry, False),
                _str_list(t, "fuzzy", f, entry, False),
                tuple(sources),
                _str_list(t, "object_in", f, entry, False),
                tuple(
                    _regex(p, f, f"{entry} described {i + 1}")
                    for i, p in enumerate(_str_list(t, "described", f, entry, False))
                ),
                bool(t.get("passing", False)),
                _str_list(t, "yields_to", f, entry, False),
            )
        )
    _unique([t.id for t in out], f, "therapy")
    known = {t.id for t in out}
    for n, t in enumerate(out):
        for other in t.yields_to:
            if other not in known:
                raise LexiconError(
                    f, f"therapies[{n}] ({t.id})", f"yields_to names unknown therapy '{other}'"
                )
    return tuple(out)


def _parse_conditions(data: dict) -> tuple[tuple[str, tuple[str, ...]], ...]:
    f = "conditions.yaml"
    out = []
    for n, c in enumerate(_need(data, "conditions", list, f, "top level")):
        entry = f"conditions[{n}]"
        _only_keys(c, {"id", "terms"}, f, entry)
        cid = _need(c, "id", str, f, entry)
        _one_of(cid, ("spine", "other"), "condition", f, entry)
        out.append((cid, _str_list(c, "terms", f, f"{entry} ({cid})")))
    return tuple(out)


def _parse_durations(d: dict, f: str = "claims.yaml") -> Durations:
    entry = "durations"
    time = _regex(_need(d, "time", str, f, entry), f, f"{entry}.time")
    vague = []
    for n, v in enumerate(_need(d, "vague", list, f, entry)):
        vague.append(
            (
                _regex(_need(v, "pattern", str, f, f"{entry}.vague[{n}]"), f, entry),
                float(_need(v, "weeks", (int, float), f, f"{entry}.vague[{n}]")),
            )
        )
    contexts = _str_list(d, "contexts", f, entry)
    for n, c in enumerate(contexts):
        if "{TIME}" not in c:
            raise LexiconError(f, f"{entry}.contexts[{n}]", "must contain {TIME}")
        _regex(c.replace("{TIME}", f"(?:{time})"), f, f"{entry}.contexts[{n}]")
    return Durations(
        time,
        tuple((k, float(v)) for k, v in _need(d, "numbers", dict, f, entry).items()),
        tuple((k, float(v)) for k, v in _need(d, "units_in_weeks", dict, f, entry).items()),
        tuple((k, float(v)) for k, v in _need(d, "bare_in_weeks", dict, f, entry).items()),
        tuple(vague),
        contexts,
    )


def _parse_predicates(data: Any, f: str = "claims.yaml", inflect: Any = None) -> dict[str, str]:
    """claims.yaml `predicates`: NAME -> {verbs: [lemmas], nouns: [singulars], words: [as
    written]}, each compiled to one alternation (predicates.py). Validated here so a typo names
    its class. `inflect` generates a language's verb forms (English by default; Spanish:
    morphology_es)."""
    if not isinstance(data, dict):
        raise LexiconError(f, "predicates", "must be a mapping of class names")
    classes: dict[str, str] = {}
    for name, body in data.items():
        entry = f"predicates.{name}"
        if not isinstance(name, str) or not re.fullmatch(r"[A-Z][A-Z_]+", name) or name == "TIME":
            raise LexiconError(f, entry, "a class name is capital letters (TIME is reserved)")
        if not isinstance(body, dict):
            raise LexiconError(f, entry, "must be a mapping with verbs, nouns and/or words")
        _only_keys(body, {"verbs", "nouns", "words"}, f, entry)
        verbs = _str_list(body, "verbs", f, entry, False)
        nouns = _str_list(body, "nouns", f, entry, False)
        words = _str_list(body, "words", f, entry, False)
        if not verbs and not nouns and not words:
            raise LexiconError(f, entry, "needs at least one verb, noun or word")
        if inflect is None:
            classes[name] = predicates.class_forms(verbs, words, nouns)
        else:
            forms = {form for v in verbs for form in inflect(v)}
            classes[name] = predicates.class_forms((), tuple(sorted(forms)) + words, nouns)
    return classes


def _expand(pattern: Any, classes: dict[str, str], entry: str, f: str = "claims.yaml") -> Any:
    """A cue pattern with its {CLASS} references replaced; an unknown class is an error."""
    if not isinstance(pattern, str):
        return pattern  # _regex reports the type
    try:
        return predicates.expand(pattern, classes)
    except predicates.PredicateError as e:
        raise LexiconError(f, entry, str(e)) from None


def _parse_claims(data: dict) -> tuple[tuple[str, ...], tuple[Cue, ...], Durations]:
    f = "claims.yaml"
    categories = _str_list(data, "categories", f, "top level")
    for c in categories:
        _one_of(c, CATEGORIES, "category", f, "categories")
    classes = _parse_predicates(data.get("predicates") or {})
    cues = _parse_cues(data, f, categories, classes)
    return (
        tuple(categories),
        cues,
        _parse_durations(_need(data, "durations", dict, f, "top level")),
    )


_CUE_KEYS = {
    "id",
    "category",
    "strength",
    "severity",
    "question_ok",
    "whole_sentence",
    "patterns",
    "max_words",
    "exceptions",
}


def _parse_cues(
    data: dict,
    f: str,
    categories: tuple[str, ...],
    classes: dict[str, str],
    lang: str = "en",
    english: frozenset[str] = frozenset(),
) -> tuple[Cue, ...]:
    """The `cues` list of a claims file. A language pack's cue may say which English cue it
    `acts_as` (for rules limited to cue ids); `english` holds the ids it may name."""
    cues = []
    keys = _CUE_KEYS | ({"acts_as"} if lang != "en" else set())
    for n, c in enumerate(_need(data, "cues", list, f, "top level")):
        entry = f"cues[{n}]"
        _only_keys(c, keys, f, entry)
        cid = _need(c, "id", str, f, entry)
        entry = f"cues[{n}] ({cid})"
        cat = _need(c, "category", str, f, entry)
        if cat not in categories:
            raise LexiconError(f, entry, f"category '{cat}' is not listed under categories")
        strength = c.get("strength", "strong")
        _one_of(strength, STRENGTHS, "strength", f, entry)
        severity = c.get("severity", "")
        if severity:
            _one_of(severity, SEVERITIES, "severity", f, entry)
        patterns = tuple(
            _regex(
                _expand(p, classes, f"{entry} pattern {i + 1}", f), f, f"{entry} pattern {i + 1}"
            )
            for i, p in enumerate(_need(c, "patterns", list, f, entry))
        )
        exceptions = tuple(
            _regex(
                _expand(p, classes, f"{entry} exception {i + 1}", f),
                f,
                f"{entry} exception {i + 1}",
            )
            for i, p in enumerate(c.get("exceptions") or [])
        )
        for group in (patterns, exceptions):  # the pipeline joins each list into one regex
            if group:
                _regex("|".join(f"(?:{p})" for p in group), f, f"{entry} (patterns joined)")
        max_words = c.get("max_words", 0)
        if not isinstance(max_words, int) or max_words < 0:
            raise LexiconError(f, entry, "max_words must be a whole number")
        acts_as = c.get("acts_as", "")
        if acts_as:
            _one_of(acts_as, tuple(sorted(english)), "acts_as cue", f, entry)
        cues.append(
            Cue(
                cid,
                cat,
                strength,
                patterns,
                severity,
                bool(c.get("question_ok", False)),
                bool(c.get("whole_sentence", False)),
                max_words,
                exceptions,
                lang,
                acts_as,
            )
        )
    _unique([c.id for c in cues], f, "cue")
    return tuple(cues)


def _parse_modifiers(
    data: dict, f: str = "modifiers.yaml"
) -> tuple[tuple[Modifier, ...], tuple[str, ...], tuple[str, ...]]:
    terminators = tuple(
        _regex(p, f, "terminators") for p in _str_list(data, "terminators", f, "top level")
    )
    voice = tuple(
        _regex(p, f, "voice_switch") for p in _str_list(data, "voice_switch", f, "top level")
    )
    mods = []
    for n, m in enumerate(_need(data, "modifiers", list, f, "top level")):
        entry = f"modifiers[{n}]"
        _only_keys(m, {"id", "category", "direction", "pattern", "crosses"}, f, entry)
        mid = _need(m, "id", str, f, entry)
        entry = f"modifiers[{n}] ({mid})"
        cat = _need(m, "category", str, f, entry)
        _one_of(cat, MODIFIER_CATEGORIES, "category", f, entry)
        direction = _need(m, "direction", str, f, entry)
        _one_of(direction, DIRECTIONS, "direction", f, entry)
        crosses = m.get("crosses", [])
        if crosses not in ([], ["clause"]):
            raise LexiconError(f, entry, "crosses may only be [clause]")
        mods.append(
            Modifier(mid, cat, direction, _regex(m.get("pattern"), f, entry), bool(crosses))
        )
    _unique([m.id for m in mods], f, "modifier")
    return tuple(mods), terminators, voice


_RULE_KEYS = {
    "id",
    "therapies",
    "categories",
    "strength",
    "conditions",
    "cues",
    "mentions",
    "max_weeks",
    "verdict",
    "verdict_other_condition",
    "severity",
    "add_source_evidence",
    "evidence",
    "rationale",
}


def _parse_rule(n: int, r: dict, known: dict[str, set[str]]) -> Rule:
    f, entry = "rules.yaml", f"rules[{n}]"
    _only_keys(r, _RULE_KEYS, f, entry)
    rid = _need(r, "id", str, f, entry)
    entry = f"rules[{n}] ({rid})"
    therapies = _str_list(r, "therapies", f, entry)
    for t in therapies:
        _one_of(t, tuple(sorted(known["therapies"])), "therapy", f, entry)
    categories = _str_list(r, "categories", f, entry)
    for c in categories:
        _one_of(c, tuple(sorted(known["categories"])), "category", f, entry)
    for cue in _str_list(r, "cues", f, entry, False):
        _one_of(cue, tuple(sorted(known["cues"])), "cue", f, entry)
    for sid in _str_list(r, "evidence", f, entry, False):
        if sid not in known["evidence"]:
            raise LexiconError(f, entry, f"cites unknown evidence statement '{sid}'")
    verdict = _need(r, "verdict", str, f, entry)
    _one_of(verdict, VERDICTS, "verdict", f, entry)
    other = r.get("verdict_other_condition", "")
    if other:
        _one_of(other, VERDICTS, "verdict_other_condition", f, entry)
    severity = r.get("severity", "")
    flags = verdict in ("contradicts", "unsupported")
    if flags:
        _one_of(severity, SEVERITIES, "severity", f, entry)
        if not r.get("evidence"):
            raise LexiconError(f, entry, "a flagging rule must cite at least one statement")
    strength = r.get("strength", "any")
    _one_of(strength, ("any", "strong"), "strength", f, entry)
    conditions = tuple(r.get("conditions", CONDITIONS))
    for c in conditions:
        _one_of(c, CONDITIONS, "condition", f, entry)
    max_weeks = r.get("max_weeks")
    if max_weeks is not None and not isinstance(max_weeks, (int, float)):
        raise LexiconError(f, entry, "max_weeks must be a number")
    return Rule(
        rid,
        therapies,
        categories,
        strength,
        verdict,
        severity,
        _str_list(r, "evidence", f, entry, False),
        " ".join(_need(r, "rationale", str, f, entry).split()),
        conditions,
        _str_list(r, "cues", f, entry, False),
        tuple(m.lower() for m in _str_list(r, "mentions", f, entry, False)),
        float(max_weeks) if max_weeks is not None else None,
        other,
        bool(r.get("add_source_evidence", False)),
    )


def _parse_inheritance(data: dict) -> tuple[int, int]:
    f, entry = "therapies.yaml", "inheritance"
    inh = _need(data, "inheritance", dict, f, "top level")
    _only_keys(inh, {"max_sentences_back", "max_chars_back"}, f, entry)
    values = (
        _need(inh, "max_sentences_back", int, f, entry),
        _need(inh, "max_chars_back", int, f, entry),
    )
    if min(values) < 0:
        raise LexiconError(f, entry, "limits must be zero or more")
    return values


# ----------------------------------------------------------------------------- loading
ENV_VAR = "CHECKER_LEXICONS"
# Inside an installed wheel the pack ships as package data beside the code; in a source
# checkout (or an editable install) it is the top-level lexicons/ folder, the source of truth.
BUNDLED_DIR = Path(__file__).resolve().parent.parent / "bundled_lexicons"
SOURCE_DIR = Path(__file__).resolve().parents[2] / "lexicons"


def default_directory() -> Path:
    """The rule pack to use: $CHECKER_LEXICONS, else the bundled pack (wheel or source tree)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    for candidate in (BUNDLED_DIR, SOURCE_DIR):
        if (candidate / "rules.yaml").is_file():
            return candidate
    return BUNDLED_DIR  # loading it fails with "not found in ...", naming the folder


def resolve_directory(directory: Path | str | None = None) -> str:
    """One absolute name per pack, so that caches never hold two copies of the same folder."""
    return str(Path(directory or default_directory()).expanduser().resolve())


def _digest(directory: Path) -> tuple[str, str]:
    h = hashlib.sha256()
    for name in pack_files(directory):
        h.update((directory / name).read_bytes())
    try:
        evidence_sha = hashlib.sha256((directory / EVIDENCE_DOCUMENT).read_bytes()).hexdigest()
    except FileNotFoundError:
        raise LexiconError(EVIDENCE_DOCUMENT, "file", f"not found in {directory}") from None
    return h.hexdigest(), evidence_sha


def _parse_page_voice(data: dict, f: str = "modifiers.yaml") -> PageVoice:
    """modifiers.yaml `page_voice`: the signs of a page's voice and the list lead-ins."""
    pv = data.get("page_voice")
    if pv is None:
        return PageVoice()
    if not isinstance(pv, dict):
        raise LexiconError(f, "page_voice", "must be a mapping")
    _only_keys(
        pv,
        {"cap", "reporter_min", "ratio", "own_min", "cues", "lead_ins", "cited_quotes"},
        f,
        "page_voice",
    )
    cues = []
    for n, c in enumerate(_need(pv, "cues", list, f, "page_voice")):
        entry = f"page_voice.cues[{n}]"
        _only_keys(c, {"id", "kind", "pattern"}, f, entry)
        cid = _need(c, "id", str, f, entry)
        entry = f"page_voice.cues[{n}] ({cid})"
        kind = _need(c, "kind", str, f, entry)
        _one_of(kind, VOICE_KINDS, "kind", f, entry)
        cues.append(VoiceCue(cid, kind, _regex(c.get("pattern"), f, entry)))
    _unique([c.id for c in cues], f, "page_voice cue")
    numbers = {}
    for key in ("cap", "reporter_min", "ratio", "own_min"):
        value = pv.get(key, getattr(PageVoice, key))
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise LexiconError(f, "page_voice", f"{key} must be a whole number of at least 1")
        numbers[key] = value
    lead_ins = []
    for n, c in enumerate(pv.get("lead_ins") or []):
        entry = f"page_voice.lead_ins[{n}]"
        _only_keys(c, {"id", "pattern", "cue"}, f, entry)
        lid = _need(c, "id", str, f, entry)
        entry = f"page_voice.lead_ins[{n}] ({lid})"
        lead_ins.append(
            LeadIn(lid, _regex(c.get("pattern"), f, entry), _need(c, "cue", str, f, entry))
        )
    cited = tuple(
        _regex(p, f, f"page_voice.cited_quotes[{n}]")
        for n, p in enumerate(_str_list(pv, "cited_quotes", f, "page_voice", False))
    )
    return PageVoice(tuple(cues), lead_ins=tuple(lead_ins), cited_quotes=cited, **numbers)


def _check_lead_ins(voice: PageVoice, cues: tuple[Cue, ...], f: str = "modifiers.yaml") -> None:
    known = {c.id for c in cues} | {CONTINUES}
    for n, li in enumerate(voice.lead_ins):
        if li.cue not in known:
            entry = f"page_voice.lead_ins[{n}] ({li.id})"
            raise LexiconError(f, entry, f"unknown cue '{li.cue}'")


# ----------------------------------------------------------------------------- language packs
# A language pack is a folder of the rule pack (lexicons/es/) with the same kinds of entries
# as the English files; the same rules and evidence statements judge its claims.
PACK_LANGUAGES = ("es",)
PACK_FILES = ("language.yaml", "therapies.yaml", "claims.yaml", "modifiers.yaml")
_INFLECTORS = {"es": morphology_es.conjugate}


def pack_files(directory: Path) -> list[str]:
    """The pack's rule files, English first, then each language folder present (digest order)."""
    names = list(FILES)
    for lang in PACK_LANGUAGES:
        if (Path(directory) / lang).is_dir():
            names.extend(f"{lang}/{name}" for name in PACK_FILES)
    return names


def _parse_detection(data: dict, lang: str) -> Detection:
    f = f"{lang}/language.yaml"
    _only_keys(data, {"version", "detection", "function_words"}, f, "top level")
    det = _need(data, "detection", dict, f, "top level")
    _only_keys(det, {"min_words", "ratio", "page_share"}, f, "detection")
    words = _need(data, "function_words", dict, f, "top level")
    if set(words) != {"en", lang}:
        raise LexiconError(f, "function_words", f"needs exactly the lists en and {lang}")
    lists = tuple(
        (k, frozenset(w.lower() for w in _str_list(words, k, f, f"function_words.{k}")))
        for k in ("en", lang)
    )
    min_words = _need(det, "min_words", int, f, "detection")
    ratio = float(_need(det, "ratio", (int, float), f, "detection"))
    share = float(_need(det, "page_share", (int, float), f, "detection"))
    if min_words < 1 or ratio <= 0 or not 0 < share <= 1:
        raise LexiconError(f, "detection", "min_words >= 1, ratio > 0 and 0 < page_share <= 1")
    return Detection(lists, min_words, ratio, share)


def _with_folded(words: tuple[str, ...]) -> tuple[str, ...]:
    """Each word as written and without its accents (pages drop them), once each."""
    return tuple(dict.fromkeys(v for w in words for v in (w, fold_accents(w))))


def _merge_therapies(data: dict, lang: str, therapies: tuple[Therapy, ...]) -> tuple[Therapy, ...]:
    """A pack's therapy aliases added to the shared therapies, so every consumer of a
    Therapy (the matcher, the pre-filter) sees them; the id must be a known therapy."""
    f = f"{lang}/therapies.yaml"
    by_id = {t.id: t for t in therapies}
    added: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for n, t in enumerate(_need(data, "therapies", list, f, "top level")):
        entry = f"therapies[{n}]"
        _only_keys(t, {"id", "aliases", "weak"}, f, entry)
        tid = _need(t, "id", str, f, entry)
        entry = f"therapies[{n}] ({tid})"
        _one_of(tid, tuple(sorted(by_id)), "therapy", f, entry)
        if tid in added:
            raise LexiconError(f, entry, "duplicate id")
        added[tid] = (
            _with_folded(_str_list(t, "aliases", f, entry, False)),
            _with_folded(_str_list(t, "weak", f, entry, False)),
        )
    out = []
    for t in therapies:
        aliases, weak = added.get(t.id, ((), ()))
        new_aliases = tuple(a for a in aliases if a not in t.aliases)
        new_weak = tuple(w for w in weak if w not in t.weak and w not in new_aliases)
        out.append(replace(t, aliases=t.aliases + new_aliases, weak=t.weak + new_weak))
    return tuple(out)


def _merge_conditions(
    data: dict, lang: str, conditions: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    f = f"{lang}/therapies.yaml"
    added: dict[str, tuple[str, ...]] = {}
    for n, c in enumerate(_need(data, "conditions", list, f, "top level")):
        entry = f"conditions[{n}]"
        _only_keys(c, {"id", "terms"}, f, entry)
        cid = _need(c, "id", str, f, entry)
        _one_of(cid, ("spine", "other"), "condition", f, entry)
        added[cid] = added.get(cid, ()) + _with_folded(_str_list(c, "terms", f, f"{entry} ({cid})"))
    return tuple(
        (cid, terms + tuple(t for t in dict.fromkeys(added.get(cid, ())) if t not in terms))
        for cid, terms in conditions
    )


def _parse_pack(
    directory: Path, lang: str, categories: tuple[str, ...], english_cues: tuple[Cue, ...]
) -> tuple[LanguagePack, dict]:
    """One language folder: its detection settings, cues, durations, modifiers and voice signs
    (patterns folded: they match text with or without accents). Returns the pack and its
    therapies file, which the caller merges into the shared therapies and conditions."""
    detection = _parse_detection(_read(directory, f"{lang}/language.yaml", fold=True), lang)
    therapies = _read(directory, f"{lang}/therapies.yaml")
    f = f"{lang}/claims.yaml"
    claims = _read(directory, f, fold=True)
    _only_keys(claims, {"version", "predicates", "cues", "durations", "not_claims"}, f, "top level")
    classes = _parse_predicates(claims.get("predicates") or {}, f, _INFLECTORS[lang])
    english = frozenset(c.id for c in english_cues)
    cues = _parse_cues(claims, f, categories, classes, lang, english)
    clash = sorted({c.id for c in cues} & english)
    if clash:
        raise LexiconError(f, f"cue '{clash[0]}'", "an English cue already has this id")
    durations = _parse_durations(_need(claims, "durations", dict, f, "top level"), f)
    not_claims = tuple(
        _regex(p, f, f"not_claims[{n}]")
        for n, p in enumerate(_str_list(claims, "not_claims", f, "top level", False))
    )
    fm = f"{lang}/modifiers.yaml"
    mods_raw = _read(directory, fm, fold=True)
    modifiers, terminators, voice_switch = _parse_modifiers(mods_raw, fm)
    voice = _parse_page_voice(mods_raw, fm)
    _check_lead_ins(voice, english_cues + cues, fm)
    pack = LanguagePack(
        lang,
        cues,
        durations,
        modifiers,
        terminators,
        voice_switch,
        not_claims,
        voice.cues,
        voice.lead_ins,
        detection,
    )
    return pack, therapies


def _language_view(lex: Lexicons, pack: LanguagePack) -> Lexicons:
    """English entries plus a pack's, as one Lexicons the pipeline reads a page with."""
    pv = lex.page_voice
    view = replace(
        lex,
        cues=lex.cues + pack.cues,
        modifiers=lex.modifiers + pack.modifiers,
        terminators=lex.terminators + pack.terminators,
        voice_switch=lex.voice_switch + pack.voice_switch,
        not_claims=lex.not_claims + pack.not_claims,
        page_voice=replace(
            pv, cues=pv.cues + pack.voice_cues, lead_ins=pv.lead_ins + pack.lead_ins
        ),
        extra_durations=(pack.durations,),
        lang=pack.lang,
        _index={},
    )
    view._index["therapies"] = {t.id: t for t in view.therapies}
    view._index["cues"] = {c.id: c for c in view.cues}
    view._index["views"] = {"en": lex, pack.lang: view}
    return view


def load(directory: Path | str | None = None) -> Lexicons:
    """Read and validate every lexicon file; raise LexiconError on the first problem."""
    directory = Path(resolve_directory(directory))
    if not directory.is_dir():
        raise LexiconError("(pack)", "folder", f"{directory} is not a folder")
    raw = {name: _read(directory, name) for name in FILES}
    evidence = _parse_evidence(raw["evidence.yaml"])
    therapies = _parse_therapies(raw["therapies.yaml"], evidence)
    conditions = _parse_conditions(raw["conditions.yaml"])
    categories, cues, durations = _parse_claims(raw["claims.yaml"])
    modifiers, terminators, voice = _parse_modifiers(raw["modifiers.yaml"])
    voice_page = _parse_page_voice(raw["modifiers.yaml"])
    _check_lead_ins(voice_page, cues)
    known = {
        "therapies": {t.id for t in therapies},
        "categories": set(categories),
        "cues": {c.id for c in cues},
        "evidence": set(evidence),
    }
    packs = []
    for lang in PACK_LANGUAGES:
        if (directory / lang).is_dir():
            pack, pack_therapies = _parse_pack(directory, lang, categories, cues)
            therapies = _merge_therapies(pack_therapies, lang, therapies)
            conditions = _merge_conditions(pack_therapies, lang, conditions)
            packs.append(pack)
    rules_raw = _need(raw["rules.yaml"], "rules", list, "rules.yaml", "top level")
    rules = tuple(_parse_rule(n, r, known) for n, r in enumerate(rules_raw))
    _unique([r.id for r in rules], "rules.yaml", "rule")
    digest, evidence_sha = _digest(directory)
    versions = sorted({str(raw[n].get("version", "?")) for n in FILES})
    inherit = _parse_inheritance(raw["therapies.yaml"])
    not_claims = tuple(
        _regex(p, "claims.yaml", f"not_claims[{n}]")
        for n, p in enumerate(
            _str_list(raw["claims.yaml"], "not_claims", "claims.yaml", "top level", False)
        )
    )
    lex = Lexicons(
        directory,
        f"{'.'.join(versions)}+{digest[:12]}",
        evidence_sha,
        evidence,
        therapies,
        conditions,
        categories,
        cues,
        durations,
        modifiers,
        terminators,
        voice,
        rules,
        not_claims,
        *inherit,
        sha256=digest,
        page_voice=voice_page,
        packs=tuple(packs),
    )
    lex._index["therapies"] = {t.id: t for t in therapies}
    lex._index["cues"] = {c.id: c for c in cues}
    _check_page_wide(lex)
    return lex


def _page_wide_patterns(lex: Lexicons):
    """(file, entry, pattern) of every pattern the engine runs over a whole page rather than
    one sentence: cues (but whole-sentence ones), durations, described therapies, voice signs."""
    d = lex.durations
    yield "claims.yaml", "durations.time", d.time
    for n, (p, _) in enumerate(d.vague):
        yield "claims.yaml", f"durations.vague[{n}]", p
    for n, c in enumerate(d.contexts):
        yield "claims.yaml", f"durations.contexts[{n}]", c.replace("{TIME}", f"(?:{d.time})")
    for n, c in enumerate(lex.cues):
        if not c.whole_sentence:
            for i, p in enumerate(c.patterns):
                yield "claims.yaml", f"cues[{n}] ({c.id}) pattern {i + 1}", p
    for n, t in enumerate(lex.therapies):
        for i, p in enumerate(t.described):
            yield "therapies.yaml", f"therapies[{n}] ({t.id}) described {i + 1}", p
    for n, c in enumerate(lex.page_voice.cues):
        yield "modifiers.yaml", f"page_voice.cues[{n}] ({c.id})", c.pattern


def _check_page_wide(lex: Lexicons) -> None:
    """A pattern run over a whole page may not read a stretch that grows with the page (an
    unbounded run across words, backtracking.unbounded_run): that costs a block without full
    stops its length squared. Patterns run on one sentence may: sentences are bounded."""
    for file, entry, pattern in _page_wide_patterns(lex):
        run = backtracking.unbounded_run(pattern)
        if run:
            raise LexiconError(
                file,
                entry,
                f"pattern runs over whole pages and holds {run}: bound it, e.g. [^.]{{0,80}}",
            )


def load_cached(directory: Path | str | None = None) -> Lexicons:
    """One validated load per process and folder."""
    return _load_resolved(resolve_directory(directory))


@lru_cache(maxsize=4)
def _load_resolved(directory: str) -> Lexicons:
    return load(directory)


def coverage(lex: Lexicons) -> dict[str, list[str]]:
    """Evidence statement id -> the rules that enforce it (source statements through the
    rules that add source evidence). A statement with no rule is a gap."""
    cov: dict[str, list[str]] = {sid: [] for sid in lex.evidence}
    for rule in lex.rules:
        for sid in rule.evidence:
            cov[sid].append(rule.id)
        if rule.add_source_evidence:
            for tid in rule.therapies:
                for _, ids in lex.therapy(tid).sources:
                    for sid in ids:
                        if rule.id not in cov[sid]:
                            cov[sid].append(rule.id)
    return cov
