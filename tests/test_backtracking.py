"""Patterns that risk catastrophic backtracking are refused by the lexicon loader, naming the
file and the entry; safe nested repeats (each iteration ends on its own delimiter) load."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import yaml

from checker.engine import lexicons
from checker.engine.backtracking import risk, unbounded_run

RISKY = [
    r"(a+)+",
    r"(a*)*",
    r"(\w+\s*)*",
    r"^(\s*\w+)*$",
    r"(?:[\w-]+ ?)+",
    r"(?:(?:a+)b?)+",
    r"(?:x[^.]*)+y",
    r"\b(?:stem cells? ?(?:[a-z]+ ?)+)+\b",
    r"(?:\d+(?:,\d+)*)*%",
    r"(.*a){2,}",
    r"(?:a+)*?b",
]
SAFE = [
    r"a+b+",
    r"(?:\w+ )*",
    r"(?:\d+,)*\d+",
    r"(?:[\w'-]+ ){0,4}?therapy",
    r"(?:(?!not\b)[\w'&,/()-]+ ?){1,7}",  # bounded outer repeat: polynomial, and bounded
    r"(?:a+)++",  # possessive: no backtracking into it
    r"(?>a+)+",  # atomic
    r"\bstem cells?\b[^.]{0,80}\bcure\b",
    r"(?:weeks?|months?)(?:,? (?:or|and) (?:weeks?|months?))*",
]


@pytest.mark.parametrize("pattern", RISKY)
def test_risky_patterns_are_found(pattern: str) -> None:
    assert risk(pattern), pattern


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_patterns_pass(pattern: str) -> None:
    assert risk(pattern) is None, pattern


def test_a_found_pattern_really_backtracks_and_a_safe_one_does_not() -> None:
    """The classification matches what `re` does: the risky form's time grows with each added
    character (doubling), the delimited form's does not. Compared as a ratio in one process."""

    def cost(pattern: str, n: int) -> float:
        rx, text = re.compile(pattern), "a" * n + "!"
        t0 = time.perf_counter()
        rx.fullmatch(text)
        return time.perf_counter() - t0

    assert risk(r"(a+)+$") and risk(r"(?:a+ )+$") is None
    slow = cost(r"(a+)+$", 22) / max(cost(r"(a+)+$", 16), 1e-7)
    fast = cost(r"(?:a+ )+$", 22) / max(cost(r"(?:a+ )+$", 16), 1e-7)
    assert slow > 8 > fast


def test_every_bundled_pattern_is_safe() -> None:
    lexicons.load()  # raises on the first risky pattern


@pytest.mark.parametrize(
    ("name", "change", "entry"),
    [
        (
            "claims.yaml",
            lambda d: d["cues"][1]["patterns"].append(r"\b(?:stem cell\w*\s*)+ cures?\b"),
            "claims.yaml: cues[1]",
        ),
        (
            "modifiers.yaml",
            lambda d: d["modifiers"][0].update(pattern=r"\bnot(?:\s*\w+)*\b"),
            "modifiers.yaml: modifiers[0] (negation.simple)",
        ),
        (
            "therapies.yaml",
            lambda d: d["therapies"][0].update(described=[r"injected (?:\w+\s*)+ joint"]),
            "therapies.yaml: therapies[0]",
        ),
    ],
)
def test_loader_refuses_them_naming_file_and_entry(tmp_path: Path, name, change, entry) -> None:
    target = tmp_path / "lexicons"
    shutil.copytree(lexicons.default_directory(), target)
    path = target / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(lexicons.LexiconError) as err:
        lexicons.load(target)
    assert entry in str(err.value)
    assert "catastrophic backtracking" in str(err.value)


CROSSING = [r".*", r"\bstem cells?\b[^.]*\bcure", r"[\w\s]+ therapy", r"(?:\w+ )*pain", r"(?s:.+)"]
WITHIN = [
    r"\W*",
    r"\S+",
    r"\w+",
    r"[^.]{0,80}",
    r"\bcure\w*\b",
    r"[\d,.]+%",
    r"(?: (?:are|is|can be|now))* done",  # fixed words repeated, not any text
    r"(?:x[^.])*",
]


@pytest.mark.parametrize("pattern", CROSSING)
def test_runs_that_cross_words_are_found(pattern: str) -> None:
    assert unbounded_run(pattern), pattern


@pytest.mark.parametrize("pattern", WITHIN)
def test_bounded_or_in_word_runs_pass(pattern: str) -> None:
    assert unbounded_run(pattern) is None, pattern


def test_page_wide_patterns_may_not_run_across_words(tmp_path: Path) -> None:
    """A cue pattern runs over the whole page: '[^.]*' would read to the end of a block without
    full stops from every place it starts. A whole-sentence cue runs on one (bounded) sentence,
    so it may; and a modifier runs per sentence too."""
    target = tmp_path / "lexicons"
    shutil.copytree(lexicons.default_directory(), target)
    path = target / "claims.yaml"
    original = path.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    data["cues"][1]["patterns"].append(r"\bstem cells?\b[^.]*\bcure\b")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(lexicons.LexiconError) as err:
        lexicons.load(target)
    assert "claims.yaml: cues[1]" in str(err.value) and "bound it" in str(err.value)
    data = yaml.safe_load(original)
    data["cues"][1]["patterns"].append(r"\bstem cells?\b[^.]{0,80}\bcure\b")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    lexicons.load(target)
    assert any(c.whole_sentence and ".*" in "".join(c.patterns) for c in lexicons.load().cues)
