"""The obvious implementation, as a baseline: what a first version of the checker would do.

  * parse with bs4's pure-Python html.parser backend, drop <script>/<style>, `get_text("\\n")`;
  * split the text into sentences first (lines, then . ! ? followed by a space), and call
    `nlp()` once per sentence (spacy.blank("en") + sentencizer);
  * run every cue pattern of lexicons/claims.yaml (and every duration context and vague
    wording) as its own regex over every sentence, separately;
  * score every sentence against every therapy alias (strong and weak) with
    rapidfuzz `fuzz.partial_ratio`, and every condition term with a word-boundary regex;
  * flag a sentence that has a cue and a therapy (score >= 90).

It does the same job as the engine (a flag per sentence), not less: no early exits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import spacy
from bs4 import BeautifulSoup
from rapidfuzz import fuzz

from checker.engine import lexicons as lexmod

_SPLIT = re.compile(r"(?<=[.!?])\s+")


@dataclass
class NaiveChecker:
    nlp: spacy.language.Language
    cues: list[tuple[str, re.Pattern]]
    aliases: list[tuple[str, str]]
    conditions: list[tuple[str, re.Pattern]]

    @classmethod
    def build(cls) -> NaiveChecker:
        lex = lexmod.load_cached()
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        cues = [(c.id, re.compile(p, re.I)) for c in lex.cues for p in c.patterns]
        d = lex.durations
        cues += [("duration", re.compile(c.replace("{TIME}", f"(?:{d.time})"), re.I))
                 for c in d.contexts]
        cues += [("duration", re.compile(p, re.I)) for p, _ in d.vague]
        aliases = [(t.id, a.lower()) for t in lex.therapies for a in (*t.aliases, *t.weak)]
        conditions = [(cid, re.compile(rf"\b{re.escape(term)}\b", re.I))
                      for cid, terms in lex.conditions for term in terms]
        return cls(nlp, cues, aliases, conditions)

    def text_of(self, html: str | bytes) -> str:
        soup = BeautifulSoup(html, "html.parser")
        for tag in soup(["script", "style"]):
            tag.decompose()
        return soup.get_text("\n")

    def check(self, html: str | bytes) -> list[str]:
        """Sentences flagged as claims: a cue and a therapy in the same sentence."""
        flagged = []
        for line in self.text_of(html).split("\n"):
            for raw in _SPLIT.split(line.strip()):
                if not raw:
                    continue
                doc = self.nlp(raw)
                for sent in doc.sents:
                    text = sent.text
                    low = text.lower()
                    cues = [cid for cid, rx in self.cues if rx.search(low)]
                    scores = {}
                    for tid, alias in self.aliases:
                        score = fuzz.partial_ratio(alias, low)
                        if score >= 90 and score > scores.get(tid, 0):
                            scores[tid] = score
                    _conditions = [cid for cid, rx in self.conditions if rx.search(text)]
                    if cues and scores:
                        flagged.append(" ".join(text.split()))
        return flagged
