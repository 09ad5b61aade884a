"""The real-text scorer on small invented inputs: the half split, overlap rules, the counts.

These run everywhere (no third-party text needed); the gate on the real set itself is in
test_realdev_gate.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker.evaluation import realdev
from checker.evaluation.realdev import Selection, half_of, score_pages, score_sentences


@dataclass(frozen=True)
class _F:
    start: int
    end: int
    is_flag: bool = True


@dataclass(frozen=True)
class _R:
    findings: tuple[_F, ...]


def _flag_word(word: str):
    """A fake checker that flags the whole text span of each sentence holding `word`."""

    def check(text: str) -> _R:
        out, pos = [], 0
        for part in text.split("\n\n"):
            if word in part:
                out.append(_F(pos, pos + len(part)))
            pos += len(part) + 2
        return _R(tuple(out))

    return check


@pytest.mark.parametrize(
    ("url", "half"),
    [
        ("https://example.com/a", "A"),
        ("http://www.example.com/b?q=1", "A"),
        ("https://EXAMPLE.com", "A"),
        ("https://clinic.example/stem-cells", "B"),
        ("https://a.org", "A"),
    ],
)
def test_half_is_a_fixed_hash_of_the_domain(url: str, half: str) -> None:
    assert half_of(url) == half


def _row(i: int, text: str, label: str, context: str = "", **kw) -> dict:
    return {
        "id": f"T{i}",
        "text": text,
        "context": context,
        "label": label,
        "category": kw.get("category", "efficacy" if label == "flag" else "neutral"),
        "therapy": "stem_cell",
        "source_kind": kw.get("kind", "clinic_page"),
        "source_url": kw.get("url", "https://example.com"),
    }


def test_a_flag_in_the_context_does_not_count_for_the_sentence() -> None:
    rows = [
        _row(1, "Call us today.", "ok", context="Stem cells CURE back pain."),
        _row(2, "Stem cells CURE discs.", "flag"),
        _row(3, "Results vary.", "ok"),
        _row(4, "Our cells rebuild the disc.", "flag", category="duration"),
    ]
    res = score_sentences(rows, _flag_word("CURE"))
    t = res.total
    assert (t.tp, t.fp, t.fn, t.tn) == (1, 0, 1, 2)
    assert [(e.item, e.kind) for e in res.errors] == [("T4", "MISS")]
    assert res.by_category["duration"].fn == 1 and res.by_category["efficacy"].tp == 1
    assert t.mcc == pytest.approx(0.57735, abs=1e-4)


def test_a_crash_is_a_listed_miss() -> None:
    def boom(text: str):
        raise RuntimeError("parser fell over")

    res = score_sentences([_row(1, "Stem cells CURE.", "flag")], boom)
    assert res.total.fn == 1
    assert [e.kind for e in res.errors] == ["CRASH", "MISS"]


def test_pages_count_recall_precision_and_must_not_lines() -> None:
    text = "Stem cells CURE pain.\n\nWe are open daily.\n\nResults vary. CURE is a word."
    page = {
        "id": "P1",
        "source_kind": "clinic_page",
        "source_url": "https://example.com",
        "text": text,
        "flags": [{"text": "Stem cells CURE pain."}, {"text": "We are open daily."}],
        "must_not_flag": [{"text": "Results vary."}],
    }
    res = score_pages([page], _flag_word("CURE"))
    assert (res.gold, res.recalled) == (2, 1)
    assert (res.flagged, res.flagged_on_gold) == (2, 1)
    assert (res.must_not, res.must_not_flagged) == (1, 1)
    assert sorted(e.kind for e in res.errors) == ["PAGE-EXTRA", "PAGE-MISS"]


def test_selection_keeps_language_and_half(tmp_path: Path) -> None:
    rows = [
        {**_row(1, "x", "ok"), "lang": "en"},
        {**_row(2, "y", "ok", url="https://clinic.example"), "lang": "en"},
        {**_row(3, "z", "ok"), "lang": "es"},
    ]
    (tmp_path / "claims.jsonl").write_text("\n".join(map(json.dumps, rows)) + "\n")
    ids = lambda sel: [r["id"] for r in realdev.load(tmp_path, "claims.jsonl", sel)]  # noqa: E731
    assert ids(Selection("en")) == ["T1", "T2"]
    assert ids(Selection("en", "B")) == ["T2"]
    assert ids(Selection("all", "A")) == ["T1", "T3"]


def test_eval_refuses_a_missing_real_text_folder(tmp_path: Path, capsys) -> None:
    from checker.cli.main import main

    assert main(["eval", "--realdev", str(tmp_path / "nowhere")]) == 2
    assert "no real-text set at" in capsys.readouterr().err


def test_eval_without_any_set_is_an_error(capsys) -> None:
    from checker.cli.main import main

    assert main(["eval"]) == 2
    assert "give a dev-set FILE" in capsys.readouterr().err
