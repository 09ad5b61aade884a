"""Predicate classes: claim verbs defined once, by lemma, and used by cue patterns as {NAME}.

Clinics word the same claim with many verbs and every inflection of each ("eases", "eased",
"easing"; "soothes", "alleviated"). Listing inflections by hand in each pattern misses some
and lets patterns drift apart. A class in claims.yaml names the lemmas once:

    predicates:
      RELIEVE:
        verbs: [relieve, ease, alleviate, soothe, reduce]   # every inflection is generated
        nouns: [backache, spasm]                             # singular and plural
        words: [relief]                                      # taken as written

and a cue pattern writes `\\b{RELIEVE}\\b`. At load time the class becomes one alternation of
whole words (longest first), so the literal pre-filter still applies and the pattern stays a
plain regular expression: matching cost is what it was. The pipeline has no statistical
lemmatiser (it is built on `spacy.blank`), so inflection is generated from the lemma by the
regular English rules plus a short table of irregular verbs.
"""

from __future__ import annotations

import re

# lemma -> (3rd person singular, past, past participle, -ing) for the verbs English inflects
# irregularly and that clinic copy uses in claims
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "be": ("is", "was", "were", "been", "being", "are"),
    "have": ("has", "had", "having"),
    "do": ("does", "did", "done", "doing"),
    "get": ("gets", "got", "gotten", "getting"),
    "feel": ("feels", "felt", "feeling"),
    "grow": ("grows", "grew", "grown", "growing"),
    "take": ("takes", "took", "taken", "taking"),
    "give": ("gives", "gave", "given", "giving"),
    "make": ("makes", "made", "making"),
    "go": ("goes", "went", "gone", "going"),
    "find": ("finds", "found", "finding"),
    "keep": ("keeps", "kept", "keeping"),
    "put": ("puts", "put", "putting"),
    "run": ("runs", "ran", "running"),
    "bring": ("brings", "brought", "bringing"),
    "lead": ("leads", "led", "leading"),
    "show": ("shows", "showed", "shown", "showing"),
    "rebuild": ("rebuilds", "rebuilt", "rebuilding"),
    "regrow": ("regrows", "regrew", "regrown", "regrowing"),
    "undo": ("undoes", "undid", "undone", "undoing"),
    "win": ("wins", "won", "winning"),
    "stop": ("stops", "stopped", "stopping"),
    "rid": ("rids", "rid", "ridding"),
    "begin": ("begins", "began", "begun", "beginning"),
    "become": ("becomes", "became", "becoming"),
    "overcome": ("overcomes", "overcame", "overcoming"),
    "fight": ("fights", "fought", "fighting"),
    "seek": ("seeks", "sought", "seeking"),
}

_VOWELS = set("aeiou")
_NAME = re.compile(r"\{([A-Z][A-Z_]+)\}")


class PredicateError(ValueError):
    """A pattern names a class that is not defined (the loader reports file and entry)."""


def inflect(lemma: str) -> frozenset[str]:
    """Every form of a verb lemma ("ease" -> ease, eases, eased, easing). A multi-word lemma
    inflects its first word ("get rid of" -> got rid of, ...)."""
    head, _, rest = lemma.lower().partition(" ")
    forms = {head, *_IRREGULAR.get(head, _regular(head))}
    return frozenset(f"{f} {rest}" if rest else f for f in forms)


def _regular(verb: str) -> tuple[str, str, str]:
    """Third person, past and -ing by the regular spelling rules."""
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        third = verb + "es"
    elif verb.endswith("y") and len(verb) > 1 and verb[-2] not in _VOWELS:
        third = verb[:-1] + "ies"
    else:
        third = verb + "s"
    if verb.endswith("e"):
        past = verb + "d"
        ing = verb[:-2] + "ying" if verb.endswith("ie") else verb[:-1] + "ing"
        if verb.endswith(("ee", "ye", "oe")):
            ing = verb + "ing"
    elif verb.endswith("y") and len(verb) > 1 and verb[-2] not in _VOWELS:
        past, ing = verb[:-1] + "ied", verb + "ing"
    elif _doubles(verb):
        past, ing = verb + verb[-1] + "ed", verb + verb[-1] + "ing"
    else:
        past, ing = verb + "ed", verb + "ing"
    return third, past, ing


def plural(noun: str) -> str:
    """The regular English plural of a noun; a compound pluralises its last word."""
    head, sep, last = noun.lower().rpartition(" ")
    if last.endswith(("s", "sh", "ch", "x", "z")):
        last += "es"
    elif last.endswith("y") and len(last) > 1 and last[-2] not in _VOWELS:
        last = last[:-1] + "ies"
    else:
        last += "s"
    return head + sep + last


def _doubles(verb: str) -> bool:
    """One-syllable consonant-vowel-consonant verbs double the last letter (stop, pin)."""
    if len(verb) < 3 or verb[-1] in _VOWELS or verb[-1] in "wxy":
        return False
    vowels = sum(1 for ch in verb if ch in _VOWELS)
    return vowels == 1 and verb[-2] in _VOWELS and verb[-3] not in _VOWELS


def class_forms(
    verbs: list[str] | tuple[str, ...],
    words: list[str] | tuple[str, ...],
    nouns: list[str] | tuple[str, ...] = (),
) -> str:
    """One regex for every form of a class, as a trie of characters ("reliev(?:e[ds]?|ing)"):
    the regex engine then tries each letter once instead of each of dozens of words at every
    position. Longer forms are tried first, so "eased" is preferred to "ease"; spaces match any
    run of whitespace."""
    forms: set[str] = set()
    for v in verbs:
        forms |= inflect(v)
    forms |= {w.lower() for w in words}
    forms |= {n.lower() for n in nouns} | {plural(n) for n in nouns}
    trie: dict = {}
    for form in forms:
        node = trie
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a form
    return "(?:" + _trie_regex(trie) + ")"


def _trie_regex(node: dict) -> str:
    """The alternation a trie node stands for; an end-of-form mark makes the rest optional."""
    branches = [_char(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body


def _char(ch: str) -> str:
    return r"\s+" if ch == " " else re.escape(ch)


def expand(pattern: str, classes: dict[str, str]) -> str:
    """A pattern with each {NAME} replaced by its class alternation. Regex counts such as
    {0,2} are untouched: class names are capital letters only."""

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in classes:
            raise PredicateError(f"unknown predicate class {{{name}}}")
        return classes[name]

    return _NAME.sub(sub, pattern)
