"""Audit reports from a hand-filled database: de-duplication, risk score, CSV/HTML safety."""

from __future__ import annotations

import csv
import json

from checker.audit.inputs import InputRow
from checker.audit.state import AuditState, PageRecord
from checker.records import Finding
from checker.report.audit_reports import write_reports
from checker.report.site_claims import dedupe_flags, normalise, points

PROVENANCE = {
    "checker": "9.9.9",
    "lexicons": "lex-1",
    "lexicons_sha256": "cd" * 32,
    "evidence_sha256": "ab" * 32,
}
EVIL = '=HYPERLINK("http://x") Stem cells regrow discs <script>alert(1)</script>.'


def finding(
    sentence: str,
    claim: str,
    category="efficacy",
    therapy="stem_cell",
    verdict="contradicts",
    severity="high",
    start=0,
) -> dict:
    i = sentence.find(claim)
    return Finding(
        sentence=sentence,
        claim=claim,
        start=start,
        end=start + len(sentence),
        therapy=therapy,
        therapy_source="stated",
        condition="spine",
        category=category,
        verdict=verdict,
        severity=severity,
        hedged=False,
        evidence=("SC-1", "SC-2"),
        refs=(1, 2),
        rationale="No human evidence.",
        claim_start=start + i,
        claim_end=start + i + len(claim),
    ).to_dict()


def page(url: str, flags: int = 0) -> PageRecord:
    return PageRecord(
        url=url,
        final_url=url,
        outcome="checked",
        status=200,
        fetched_at="2026-01-01T00:00:00Z",
        sha256="cd" * 32,
        warc_record_id=None,
        reason="",
        robots="allowed",
        flags=flags,
    )


def test_normalise_and_fuzzy_dedupe():
    assert normalise("  Stem-Cells  HEAL,\n discs! ") == "stem cells heal discs"
    footer = "Our stem cells heal discs with no side effects."
    pairs = [({"url": f"https://a.example/p{i}"}, finding(footer, "heal")) for i in range(40)]
    pairs.append(
        (
            {"url": "https://a.example/p40"},
            finding("Our stem cells heal discs with no side-effects!", "heal"),
        )
    )
    pairs.append(
        ({"url": "https://a.example/p41"}, finding(footer, "no side effects", category="safety"))
    )  # other bucket
    claims = dedupe_flags(pairs)
    assert len(claims) == 2
    assert claims[0]["occurrences"] == 41 and len(claims[0]["pages"]) == 41
    assert claims[0]["page"]["url"] == "https://a.example/p0"
    assert claims[1]["finding"]["category"] == "safety"


def test_risk_points():
    assert points(finding("x", "x", severity="high")) == 15.0
    assert points(finding("x", "x", verdict="unsupported", severity="medium")) == 4.0
    assert points(finding("x", "x", verdict="consistent", severity="")) == 0.0


def build(tmp_path) -> AuditState:
    state = AuditState(tmp_path / "audit.sqlite")
    rows = [
        InputRow(
            1,
            "https://bad.example/a",
            "https://bad.example/a",
            "k1",
            "bad.example",
            {"clinic_name": "=cmd|' /C calc'!A0"},
        ),
        InputRow(2, "https://bad.example/b", "https://bad.example/b", "k2", "bad.example"),
        InputRow(
            3,
            "https://clean.example/",
            "https://clean.example/",
            "k3",
            "clean.example",
            {"clinic_name": "Clean"},
        ),
        InputRow(4, "gopher://x", None, None, "", {}, "unsupported scheme 'gopher'"),
        InputRow(5, "https://bad.example/a", "https://bad.example/a", "k1", "bad.example"),
    ]
    state.ingest(rows, {"columns": ["clinic_name"]})
    footer = finding(
        "Safe regenerative healing with no side effects.",
        "no side effects",
        category="safety",
        verdict="unsupported",
        severity="medium",
        start=40,
    )
    state.save_single(
        1, "bad.example", page("https://bad.example/a", 2), [finding(EVIL, "regrow discs"), footer]
    )
    state.save_single(2, "bad.example", page("https://bad.example/b", 1), [footer])
    ok = finding(
        "Stem cell therapy is not FDA approved.", "FDA approved", verdict="consistent", severity=""
    )
    state.save_single(3, "clean.example", page("https://clean.example/"), [ok])
    return state


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_reports_dedupe_neutralise_and_escape(tmp_path):
    state = build(tmp_path)
    info = {
        "provenance": PROVENANCE,
        "columns": ["clinic_name"],
        "started_at": "S",
        "finished_at": "F",
    }
    totals = write_reports(state, tmp_path, info)
    state.close()
    assert totals.distinct_flags == 2 and totals.by_severity == {"high": 1, "medium": 1, "low": 0}

    header = (tmp_path / "findings.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    old = ["site", "clinic_name", "url", "fetched_at", "page_sha256", "sentence", "claim"]
    assert header[: len(old)] == old  # the columns before issue 11 keep their places
    assert header[-1] == "pdf_page"  # issue 12, appended after the review columns
    assert header[-7:-1] == [
        "finding_id",
        "rule",
        "disclaimer_nearby",
        "disposition",
        "reviewer",
        "decided_at",
    ]  # new ones only ever appended
    assert header.index("evidence_sha256") == len(header) - 8
    raw = (tmp_path / "findings.csv").read_bytes()
    assert raw.count(b"\r\n") == 3 and b"\r\n" in raw
    findings = read_csv(tmp_path / "findings.csv")
    assert len(findings) == 2  # the footer on two pages is one row
    evil = findings[0]
    assert evil["sentence"] == "'" + EVIL  # neutralised, otherwise intact
    assert evil["clinic_name"].startswith("'=")
    assert evil["evidence"] == "SC-1;SC-2" and evil["refs"] == "1;2"
    assert evil["checker_version"] == "9.9.9" and evil["evidence_sha256"] == "ab" * 32
    assert evil["lexicons_sha256"] == "cd" * 32
    footer = findings[1]
    assert footer["occurrences"] == "2"
    assert footer["pages"] == "https://bad.example/a | https://bad.example/b"
    for row in findings + read_csv(tmp_path / "sites.csv") + read_csv(tmp_path / "urls.csv"):
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())

    site_rows = read_csv(tmp_path / "sites.csv")
    assert [r["site"] for r in site_rows] == ["bad.example", "clean.example"]  # worst first
    sites = {r["site"]: r for r in site_rows}
    assert sites["bad.example"]["risk_score"] == "19"  # 10 x 1.5 + 4 x 1.0
    assert sites["bad.example"]["outcome_duplicate"] == "1"
    assert sites["clean.example"]["distinct_flags"] == "0"

    urls = read_csv(tmp_path / "urls.csv")
    assert [u["row"] for u in urls] == ["1", "2", "3", "4", "5"]
    assert [u["outcome"] for u in urls] == [
        "checked",
        "checked",
        "checked",
        "invalid_input",
        "duplicate",
    ]
    errors = read_csv(tmp_path / "errors.csv")
    assert [(e["row"], e["outcome"]) for e in errors] == [
        ("4", "invalid_input"),
        ("5", "duplicate"),
    ]
    jsonl = [json.loads(line) for line in (tmp_path / "findings.jsonl").open(encoding="utf-8")]
    assert len(jsonl) == 4 and jsonl[0]["page_sha256"] == "cd" * 32
    assert {"warc_record_id", "page_url", "claim_start", "rule"} <= set(jsonl[0])

    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "<mark>regrow discs</mark>" in html
    assert "compliant" not in html.lower()
    assert "Clean" in html and "o findings within scope" in html
    assert html.index("bad.example") < html.index("clean.example")  # worst first
    assert "<link" not in html and "src=" not in html
    # one script only: the report's own filter script, the one the CSP allows by its hash
    assert html.count("<script") == 1 and "<script>(function(){" in html
    assert "script-src 'sha256-" in html
    assert not list(tmp_path.glob(".*.tmp"))


def test_unfinished_rows_lose_their_partial_pages(tmp_path):
    state = AuditState(tmp_path / "audit.sqlite")
    rows = [
        InputRow(n, f"https://s.example/{n}", f"https://s.example/{n}", f"k{n}", "s.example")
        for n in (1, 2)
    ]
    state.ingest(rows, {})
    flag = finding("Stem cells regrow discs.", "regrow discs")
    state.save_page(1, 0, "s.example", page("https://s.example/1", 1), [flag])  # crawl under way
    state.save_page(1, 1, "s.example", page("https://s.example/1/faq", 1), [flag])
    state.save_single(2, "s.example", page("https://s.example/2", 1), [flag])
    assert state.reset_unfinished() == 1
    assert [p.rowno for p in state.pending()] == [1]
    assert [rowno for rowno, *_ in state.iter_findings()] == [2]
    state.close()
