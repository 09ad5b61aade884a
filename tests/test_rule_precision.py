"""Stable finding ids and measured precision per rule (rules.csv, and `checker eval
--rules-out`)."""

from __future__ import annotations

import csv
import json

import pytest

from checker.cli.main import main
from checker.report.rule_precision import RuleTally, tally, wilson
from checker.report.site_claims import finding_id

BASE = {
    "sentence": "Our stem cells regenerate discs.",
    "category": "efficacy",
    "rule": "SC-EFFICACY",
    "start": 10,
    "claim_start": 25,
}


def test_finding_id_is_stable_and_ignores_offsets_times_and_layout():
    fid = finding_id("clinic.example", BASE)
    assert fid.startswith("F") and len(fid) == 17
    moved = {**BASE, "start": 900, "claim_start": 915, "fetched_at": "2027", "warc": "x"}
    assert finding_id("clinic.example", moved) == fid
    spaced = {**BASE, "sentence": "  OUR stem-cells regenerate\n discs! "}
    assert finding_id("clinic.example", spaced) == fid  # the normalised sentence
    assert finding_id("other.example", BASE) != fid
    assert finding_id("clinic.example", {**BASE, "category": "safety"}) != fid
    assert finding_id("clinic.example", {**BASE, "rule": "SC-OTHER"}) != fid
    assert finding_id("clinic.example", {**BASE, "sentence": "Stem cells heal."}) != fid


def test_wilson_interval():
    assert wilson(0, 0) == (0.0, 1.0)
    low, high = wilson(10, 10)
    assert high == pytest.approx(1.0) and low == pytest.approx(0.7225, abs=1e-4)
    low, high = wilson(44, 48)
    assert low == pytest.approx(0.8046, abs=1e-3) and high == pytest.approx(0.9671, abs=1e-3)


def test_tally_and_label():
    tallies = tally(
        [("A", "confirmed")] * 44
        + [("A", "false_positive")] * 4
        + [("A", None), ("A", "needs_review"), ("B", None)]
    )
    a, b = tallies["A"], tallies["B"]
    assert (a.findings, a.confirmed, a.false_positives, a.undecided) == (50, 44, 4, 2)
    assert a.label() == "rule precision 0.92, 48 reviewed"
    assert b.precision is None and b.label() == "rule precision not yet measured (0 reviewed)"
    assert RuleTally("C").interval is None


def test_eval_writes_the_same_per_rule_table(tmp_path, capsys):
    labelled = tmp_path / "set.jsonl"
    rows = [
        ("Our stem cell injections regenerate damaged discs.", "flag"),
        ("Stem cell injections repair your spine.", "flag"),
        ("Our stem cell injections heal worn discs.", "ok"),  # a false flag, by this label
        ("Physiotherapy helps many patients.", "ok"),
    ]
    labelled.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"r{i}",
                    "text": text,
                    "label": label,
                    "category": "efficacy",
                    "therapy": "stem_cell",
                    "lang": "en",
                }
            )
            + "\n"
            for i, (text, label) in enumerate(rows)
        ),
        encoding="utf-8",
    )
    out = tmp_path / "rules.csv"
    assert main(["eval", str(labelled), "--quiet", "--rules-out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    with out.open(encoding="utf-8", newline="") as fh:
        table = {r["rule"]: r for r in csv.DictReader(fh)}
    sc = table["SC-EFFICACY"]
    assert (sc["findings"], sc["confirmed"], sc["false_positives"], sc["undecided"]) == (
        "3",
        "2",
        "1",
        "0",
    )
    assert sc["precision"] == "0.667" and float(sc["precision_low_95"]) < 0.667
    assert list(table) == sorted(table)
