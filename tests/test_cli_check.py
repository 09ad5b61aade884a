"""`checker check` on files and stdin: formats, exit codes, and clear errors for bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli.main import main
from checker.report.check_output import CSV_COLUMNS, NO_FINDINGS

PAGES = Path(__file__).parent / "data" / "devset" / "pages"
CLAIM = 'Our stem cell injections regenerate damaged discs. =HYPERLINK("http://x") is safe.\n'


@pytest.fixture()
def claim_file(tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(CLAIM, encoding="utf-8")
    return path


def test_table_shows_highlighted_claim_evidence_and_rationale(claim_file, capsys) -> None:
    assert main(["check", str(claim_file)]) == 1
    out = capsys.readouterr().out
    assert "[contradicts/high] efficacy - stem_cell" in out
    assert "Our stem cell injections »regenerate« damaged discs." in out
    assert "evidence: SC-NO-HUMAN-EVIDENCE, SC-EFFICACY-UNKNOWN  refs: [1]" in out
    assert "why: " in out and "compliant" not in out


def test_no_flags_says_no_findings_within_scope(tmp_path: Path, capsys) -> None:
    path = tmp_path / "ok.txt"
    path.write_text("Stem cell therapy is investigational and not FDA approved.", "utf-8")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert NO_FINDINGS in out and "compliant" not in out.lower()


def test_json_has_the_documented_shape(claim_file, capsys) -> None:
    assert main(["check", str(claim_file), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"checker", "lexicons", "lexicons_sha256", "evidence_sha256", "pages"}
    page = doc["pages"][0]
    for key in (
        "url",
        "final_url",
        "outcome",
        "status",
        "fetched_at",
        "sha256",
        "warc_record_id",
        "findings",
    ):
        assert key in page
    f = page["findings"][0]
    for key in (
        "sentence",
        "claim",
        "start",
        "end",
        "therapy",
        "therapy_source",
        "condition",
        "category",
        "verdict",
        "severity",
        "hedged",
        "evidence",
        "refs",
        "rationale",
        "url",
    ):
        assert key in f
    assert CLAIM[f["start"] : f["end"]] == f["sentence"]


def test_jsonl_one_finding_per_line_with_page_url_and_sha(claim_file, capsys) -> None:
    main(["check", str(claim_file), "--format", "jsonl"])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines and all(x["url"] == str(claim_file) and len(x["sha256"]) == 64 for x in lines)


def test_csv_is_quoted_and_formula_safe(claim_file, capsys) -> None:
    main(["check", str(claim_file), "--format", "csv"])
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    cells = [c for row in rows[1:] for c in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_html_page_findings(capsys) -> None:
    page = PAGES / "03_st_aldric_spine_patient_education.html"
    assert main(["check", str(page)]) == 0  # a hospital page that only warns
    assert NO_FINDINGS in capsys.readouterr().out


def test_stdin(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CLAIM.encode())))
    assert main(["check", "-"]) == 1
    assert "regenerate" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("page.txt", b"\x00\x01\x02binary\x00", "binary content"),
        ("page.txt", b"caf\xe9 \xff\xfe\xfd", "not valid UTF-8"),
        ("page.pdf", b"%PDF-1.4", "page.pdf: pdf_unreadable: broken or truncated PDF"),
        ("page.docx", b"PK\x03\x04", "unsupported file type"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00", "binary content"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path: Path, capsys, name, data, message) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_too_large_file_is_refused(tmp_path: Path, capsys) -> None:
    path = tmp_path / "big.txt"
    with open(path, "wb") as fh:
        fh.truncate(100 * 1024 * 1024)  # 100 MB, sparse
    assert main(["check", str(path)]) == 2
    assert "larger than" in capsys.readouterr().err


def test_missing_file_and_bad_scheme(capsys) -> None:
    assert main(["check", "/no/such/file.html"]) == 2
    assert main(["check", "ftp://example.org/x"]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "unsupported URL scheme" in err


def test_usage_error_exits_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "checker", "check"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2


def test_python_m_checker_runs_the_cli(claim_file) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "checker", "check", str(claim_file), "--format", "jsonl"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and json.loads(proc.stdout.splitlines()[0])["verdict"]


def _pack_with_low_efficacy(tmp_path: Path) -> Path:
    """A regulator's edited rule pack: stem cell efficacy claims lowered to severity low."""
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(Path(__file__).resolve().parent.parent / "lexicons", pack)
    rules = pack / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    marker = "  - id: SC-EFFICACY\n"
    head, tail = text.split(marker, 1)
    rules.write_text(head + marker + tail.replace("severity: high", "severity: low", 1), "utf-8")
    return pack


def test_lexicons_option_runs_the_edited_pack_and_stamps_it(claim_file, tmp_path, capsys) -> None:
    import hashlib
    import os

    from checker.engine.lexicons import pack_files

    pack = _pack_with_low_efficacy(tmp_path)
    names = pack_files(pack)
    assert "es/claims.yaml" in names  # the Spanish entries are stamped too
    want = hashlib.sha256(b"".join((pack / n).read_bytes() for n in names)).hexdigest()
    assert main(["check", str(claim_file), "--format", "csv", "--lexicons", str(pack)]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["severity"] == "low" and rows[0]["lexicons_sha256"] == want
    assert "CHECKER_LEXICONS" not in os.environ  # restored after the command
    assert main(["check", str(claim_file), "--format", "csv"]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["severity"] == "high" and rows[0]["lexicons_sha256"] != want


def test_audit_workers_use_the_pack_given_on_the_command_line(tmp_path, capsys) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(f"<p>{CLAIM}</p>", encoding="utf-8")
    pack = _pack_with_low_efficacy(tmp_path)
    out = tmp_path / "out"
    argv = ["audit", str(pages), "--out", str(out), "--workers", "1", "--quiet"]
    assert main([*argv, "--lexicons", str(pack)]) == 1
    with (out / "findings.csv").open(encoding="utf-8", newline="") as fh:
        [row] = [r for r in csv.DictReader(fh) if r["category"] == "efficacy"]
    assert row["severity"] == "low"
    from checker.engine.lexicons import load

    assert row["lexicons_sha256"] == load(pack).sha256
