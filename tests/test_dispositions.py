"""Reviewer dispositions: a malformed file is a usage error naming its line, raised before the
audit fetches anything; a good one is read into one decision per finding id."""

from __future__ import annotations

import pytest
from localserver import LocalSite, html

from checker.cli.main import main
from checker.report.dispositions import (
    DispositionError,
    decision_for,
    load_dispositions,
    parse_dispositions,
)

HEADER = "finding_id,disposition,reviewer,reason,decided_at\n"


def test_a_good_file_is_one_decision_per_id():
    text = (
        HEADER
        + "F1,confirmed,ana,,2026-12-01\n"
        + "\n"
        + "F2,false_positive,ben,quoted a news story,2026-12-01T10:00:00Z\n"
        + "F3,needs_review,ana,ask counsel,\n"
        + "F1,confirmed,carl,second look,2026-12-02\n"  # the same decision again: later wins
    )
    decisions = parse_dispositions(text, "d.csv")
    assert sorted(decisions) == ["F1", "F2", "F3"]
    assert decisions["F1"].reviewer == "carl" and decisions["F1"].line == 6
    assert decisions["F2"].reason == "quoted a news story"
    claim = {"finding_id": "F9", "finding_ids": ["F9", "F2"]}  # a merged wording reaches it
    assert decision_for(claim, decisions).finding_id == "F2"
    assert decision_for({"finding_id": "F8", "finding_ids": ["F8"]}, decisions) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("finding_id,disposition,reviewer,reason\nF1,confirmed,a,,\n", "line 1: missing column"),
        (HEADER + "F1,confirmed,a,,\nF2,wrong,a,x,\n", "line 3: unknown disposition 'wrong'"),
        (
            HEADER + "F1,confirmed,a,,\nF2,confirmed,a,,\nF1,false_positive,b,no,\n",
            "line 4: F1 is false_positive here but confirmed on line 2",
        ),
        (HEADER + ",confirmed,a,,\n", "line 2: empty finding_id"),
        (HEADER + "F1,false_positive,a,,\n", "line 2: a false_positive needs a reason"),
        (HEADER + "F1,confirmed,,,\n", "line 2: empty reviewer"),
        (HEADER + "F1,confirmed,a,,yesterday\n", "line 2: decided_at 'yesterday'"),
    ],
)
def test_malformed_files_name_the_line(text, message):
    with pytest.raises(DispositionError, match=message):
        parse_dispositions(text, "d.csv")


def test_bad_encoding_names_the_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes((HEADER + "F1,confirmed,ana,,\n").encode() + b"F2,confirmed,J\xf6rg,,\n")
    with pytest.raises(DispositionError, match=r"d.csv, line 3: not valid UTF-8"):
        load_dispositions(path)
    with pytest.raises(DispositionError, match="no such dispositions file"):
        load_dispositions(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    "body",
    [
        HEADER + "F1,maybe,ana,,\n",
        "finding_id,disposition\nF1,confirmed\n",
        HEADER + "F1,confirmed,ana,,\nF1,false_positive,ana,no,\n",
    ],
)
def test_audit_refuses_a_malformed_file_before_fetching(tmp_path, capsys, body):
    decisions = tmp_path / "d.csv"
    decisions.write_text(body, encoding="utf-8")
    with LocalSite({"/": html("<p>Stem cells regenerate discs.</p>")}) as site:
        urls = tmp_path / "urls.txt"
        urls.write_text(site.url("/") + "\n", encoding="utf-8")
        code = main(
            [
                "audit",
                str(urls),
                "--out",
                str(tmp_path / "out"),
                "--allow-private",
                "--quiet",
                "--dispositions",
                str(decisions),
            ]
        )
        assert site.requests == []  # nothing fetched, not even robots.txt
    assert code == 2
    err = capsys.readouterr().err
    assert "d.csv, line" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
