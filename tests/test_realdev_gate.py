"""The real-text gate: floors on `../shared/realdev`, tied to its SHA-256, for both site halves.

The set is third-party text kept outside the project; where it is absent (a user's machine, a
checkout without `../shared`) these tests skip and say so. Floors are measured figures and only
go up; `issue_minimum` in the baseline is what issue 9 asks for, and the note says which
selections meet it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.evaluation import realdev

ROOT = Path(__file__).resolve().parents[1]
DIR = ROOT.parent / "shared" / "realdev"
BASELINE = json.loads((Path(__file__).parent / "realdev_baseline.json").read_text())
SELECTIONS = {"A": "A", "B": "B", "all": None}

pytestmark = pytest.mark.skipif(
    not (DIR / realdev.CLAIMS_FILE).is_file(),
    reason=f"the real-text set is not here ({DIR}): it lives in ../shared, outside the project",
)


@pytest.fixture(scope="module")
def results() -> dict[str, realdev.RealResult]:
    return {
        name: realdev.evaluate(DIR, realdev.Selection(BASELINE["lang"], half))
        for name, half in SELECTIONS.items()
    }


def _listed(name: str, errors: list[realdev.Error]) -> list[str]:
    """Errors of the tuning half for the failure message; the held-out half's stay unread."""
    if name != "A":
        return [f"{len(errors)} errors, not listed: {name} holds held-out sites"]
    return [e.line() for e in errors][:40]


def test_the_set_is_the_one_the_floors_were_measured_on() -> None:
    from checker.evaluation.scoring import dataset_sha256

    assert dataset_sha256(DIR / realdev.CLAIMS_FILE) == BASELINE["claims_sha256"]
    assert dataset_sha256(DIR / realdev.PAGES_FILE) == BASELINE["pages_sha256"]


@pytest.mark.parametrize("name", sorted(SELECTIONS))
def test_sentence_floors(results, name: str) -> None:
    res, floor = results[name], BASELINE["floors"][name]
    s = res.sentences.total
    listed = _listed(name, res.sentences.errors)
    assert s.precision >= floor["sentence_precision"], listed
    assert s.recall >= floor["sentence_recall"], listed
    assert s.mcc >= floor["sentence_mcc"], listed


@pytest.mark.parametrize("name", sorted(SELECTIONS))
def test_page_floors(results, name: str) -> None:
    res, floor = results[name], BASELINE["floors"][name]
    p = res.pages
    listed = _listed(name, p.errors)
    assert p.recall >= floor["page_recall"], listed
    assert p.precision >= floor["page_precision"], listed
    assert p.must_not_rate <= floor["page_must_not_max"], listed


def test_the_scorer_agrees_with_the_reference_scorer(results) -> None:
    """The project's figures are the reference scorer's, digit for digit, on the same engine."""
    out = subprocess.run(
        [sys.executable, str(DIR / "score.py"), "--half", "A"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=600,
    ).stdout
    assert out.strip().splitlines()[-1] == results["A"].summary()


def test_eval_lists_the_tuning_half_and_holds_back_the_other(capsys) -> None:
    from checker.cli.main import main

    assert main(["eval", "--realdev", str(DIR)]) == 0
    out = capsys.readouterr().out
    assert "realdev (half A, lang en)" in out and "realdev (half B, lang en)" in out
    assert "gap A-B:" in out and "per gold category:" in out
    listed = {line.split("\t")[0] for line in out.splitlines() if "\t" in line}
    assert listed <= {"half A"}
    assert "half B errors are not listed" in out


@pytest.mark.parametrize("name", ["A", "all"])
def test_the_floors_meet_the_issue_minimum(name: str) -> None:
    """Half A and all sites together hold the figures issue 9 asks for (half B, the sites
    first scored blind, is pinned at what it reaches, below the minimum for recall)."""
    floor, minimum = BASELINE["floors"][name], BASELINE["issue_minimum"]
    assert floor["sentence_precision"] >= minimum["sentence_precision"]
    assert floor["sentence_recall"] >= minimum["sentence_recall"]
    assert floor["page_recall"] >= minimum["page_recall"]
    assert floor["page_precision"] >= minimum["page_precision"]
    assert floor["page_must_not_max"] <= minimum["page_must_not_max"]
