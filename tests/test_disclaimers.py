"""Disclaimer proximity and sentence context: a disclaimer in the claim's block or the next one
is recorded on the finding with its text, from the rule pack's disclaimer triggers, and never
clears the claim; each finding carries the sentences before and after it."""

from __future__ import annotations

import shutil
from pathlib import Path

import checker
from checker.engine.check import check_html, check_text

ROOT = Path(__file__).resolve().parent.parent
CLAIM = "Our stem cell injections regenerate damaged discs."


def flag(report):
    (f,) = [f for f in report.flags if "regenerate" in f.sentence]
    return f


def test_a_disclaimer_in_the_same_or_next_block_is_recorded_with_its_text():
    same = flag(check_text(f"{CLAIM} Results may vary."))
    assert same.disclaimer_nearby == "Results may vary."
    after = flag(check_text(f"{CLAIM}\nStem cell therapy is not FDA approved."))
    assert after.disclaimer_nearby == "Stem cell therapy is not FDA approved."
    before = flag(check_html(f"<p>Results vary from patient to patient.</p><p>{CLAIM}</p>"))
    assert before.disclaimer_nearby == "Results vary from patient to patient."
    far = flag(check_text(f"{CLAIM}\nBook today.\nResults may vary."))
    assert far.disclaimer_nearby == ""  # two blocks away is not nearby


def test_a_disclaimer_never_clears_a_claim():
    plain = flag(check_text(CLAIM))
    disclaimed = flag(check_text(f"{CLAIM}\nStem cell therapy is not FDA approved."))
    assert disclaimed.disclaimer_nearby and not plain.disclaimer_nearby
    for field in ("verdict", "severity", "category", "rule", "evidence"):
        assert getattr(disclaimed, field) == getattr(plain, field), field


def test_context_sentences_either_side():
    report = check_text(f"Welcome to the clinic. {CLAIM} Book your consultation today!\nNext.")
    f = flag(report)
    assert f.context_before == "Welcome to the clinic."
    assert f.context_after == "Book your consultation today!"
    assert report.text[f.start : f.end] == CLAIM  # offsets untouched
    first = flag(check_text(CLAIM))
    assert first.context_before == "" and first.context_after == ""


def test_the_triggers_are_data(tmp_path, monkeypatch):
    """Change the disclaimer trigger in an edited copy of the rule pack and the finding follows."""
    pack = tmp_path / "lexicons"
    shutil.copytree(ROOT / "lexicons", pack)
    mods = pack / "modifiers.yaml"
    text = mods.read_text(encoding="utf-8")
    start = text.index("  - id: disclaimer.standard")
    line = text.index("    pattern:", start)
    end = text.index("\n", line)
    mods.write_text(
        text[:line] + "    pattern: '\\bask your doctor\\b'" + text[end:], encoding="utf-8"
    )
    edited = flag(check_text(f"{CLAIM}\nAsk your doctor first.", lexicons_dir=str(pack)))
    assert edited.disclaimer_nearby == "Ask your doctor first."
    assert (
        flag(check_text(f"{CLAIM}\nResults may vary.", lexicons_dir=str(pack))).disclaimer_nearby
        == ""
    )
    assert flag(checker.check_text(f"{CLAIM}\nAsk your doctor first.")).disclaimer_nearby == ""
