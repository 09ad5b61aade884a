"""The Spanish gate: floors on the Spanish dev rows and page, and on the Spanish rows of
`../shared/realdev` for both site halves, each tied to its data set's SHA-256.

The real-text set is third-party text kept outside the project; where it is absent these tests
skip and say so. Floors are measured figures and only go up (tests/spanish_baseline.json says
which round tuned on which half).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.evaluation import realdev
from checker.evaluation.scoring import dataset_sha256, score_pages, score_sentences

ROOT = Path(__file__).resolve().parents[1]
DEV = Path(__file__).parent / "data" / "devset"
REAL = ROOT.parent / "shared" / "realdev"
BASELINE = json.loads((Path(__file__).parent / "spanish_baseline.json").read_text())
HALVES = {"A": "A", "B": "B", "all": None}

needs_realdev = pytest.mark.skipif(
    not (REAL / realdev.CLAIMS_FILE).is_file(),
    reason=f"the real-text set is not here ({REAL}): it lives in ../shared, outside the project",
)


@pytest.fixture(scope="module")
def dev_sentences():
    return score_sentences(DEV / "claims.jsonl", "es")


@pytest.fixture(scope="module")
def dev_pages():
    return score_pages(DEV / "pages", "es")


def test_the_dev_set_is_the_one_the_floors_were_measured_on() -> None:
    spec = BASELINE["devset"]
    assert dataset_sha256(DEV / "claims.jsonl") == spec["claims_sha256"]
    assert dataset_sha256(DEV / "pages" / "gold.jsonl") == spec["gold_sha256"]


def test_spanish_dev_rows_hold_their_floors(dev_sentences) -> None:
    spec = BASELINE["devset"]
    assert dev_sentences.rows == spec["rows"]
    s = dev_sentences.total
    assert s.precision >= spec["precision_floor"], [r["id"] for r in dev_sentences.false_flags]
    assert s.recall >= spec["recall_floor"], [r["id"] for r in dev_sentences.misses]


def test_the_spanish_page_holds_its_floors(dev_pages) -> None:
    spec = BASELINE["devset"]
    assert dev_pages.gold == spec["page_gold"]  # only the Spanish page is scored under "es"
    assert dev_pages.recalled / dev_pages.gold >= spec["page_recall_floor"], dev_pages.misses
    assert dev_pages.false_flags <= spec["page_must_not_flag_max"], dev_pages.bad_flags


@pytest.fixture(scope="module")
def real() -> dict[str, realdev.RealResult]:
    return {n: realdev.evaluate(REAL, realdev.Selection("es", h)) for n, h in HALVES.items()}


@needs_realdev
def test_the_real_text_set_is_the_one_the_floors_were_measured_on() -> None:
    assert dataset_sha256(REAL / realdev.CLAIMS_FILE) == BASELINE["realdev"]["claims_sha256"]


@needs_realdev
@pytest.mark.parametrize("name", sorted(HALVES))
def test_spanish_real_text_floors(real, name: str) -> None:
    spec = BASELINE["realdev"]
    s, floor = real[name].sentences.total, spec["floors"][name]
    errors = [e.line() for e in real[name].sentences.errors] if name == "A" else ["held out"]
    assert s.n == spec["rows"][name]
    assert s.precision >= floor["sentence_precision"], errors
    assert s.recall >= floor["sentence_recall"], errors
    assert s.mcc >= floor["sentence_mcc"], errors


def test_the_floors_meet_the_issue_minimum() -> None:
    minimum = BASELINE["realdev"]["issue_minimum"]
    for floor in BASELINE["realdev"]["floors"].values():
        assert floor["sentence_precision"] >= minimum["sentence_precision"]
        assert floor["sentence_recall"] >= minimum["sentence_recall"]


def test_eval_scores_the_spanish_dev_rows_and_page(capsys) -> None:
    from checker.cli.main import main

    args = ["eval", str(DEV / "claims.jsonl"), "--pages", str(DEV / "pages"), "--lang", "es"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "(17 rows, lang=es" in out
    assert "pages: recalled" in out and "/15 gold claims" in out


@needs_realdev
def test_eval_scores_the_spanish_real_text_rows(capsys) -> None:
    from checker.cli.main import main

    assert main(["eval", "--realdev", str(REAL), "--lang", "es"]) == 0
    out = capsys.readouterr().out
    assert "realdev (half A, lang es): sentences n=22" in out
    assert "realdev (half B, lang es): sentences n=34" in out
    assert "realdev (all sites, lang es): sentences n=56" in out
