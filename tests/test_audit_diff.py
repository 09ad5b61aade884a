"""The re-check diff on hand-made audit folders: each status, matching within site, category
and therapy, exit status 1 / 0 / 2, and escaping in diff.html."""

from __future__ import annotations

import csv
import json

import pytest

from checker.cli.main import main
from checker.report.audit_diff import diff_audits

A = "a.example"


def flag(sentence, category="efficacy", therapy="stem_cell", severity="high", **kw) -> dict:
    return {
        "sentence": sentence,
        "claim": "x",
        "category": category,
        "therapy": therapy,
        "verdict": kw.pop("verdict", "contradicts"),
        "severity": severity,
        "hedged": kw.pop("hedged", False),
        "disclaimer_nearby": kw.pop("disclaimer", ""),
        "rule": kw.pop("rule", "SC-EFFICACY"),
        "start": 0,
        **kw,
    }


def write_audit(folder, site_findings: dict[str, list[tuple[str, dict]]], checked=None):
    """An audit folder: findings.jsonl (page url, finding) per site, and sites.csv."""
    folder.mkdir()
    with (folder / "findings.jsonl").open("w", encoding="utf-8") as fh:
        for site, items in site_findings.items():
            for url, f in items:
                record = {
                    "site": site,
                    "page_url": url,
                    "final_url": url,
                    "fetched_at": "2026-01-01T00:00:00Z",
                    "page_sha256": "ab" * 32,
                    **f,
                    "is_flag": f["verdict"] in ("contradicts", "unsupported"),
                }
                fh.write(json.dumps(record) + "\n")
    with (folder / "sites.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["site", "clinic_name", "pages_checked"])
        for site in site_findings:
            w.writerow([site, f"Clinic {site}", (checked or {}).get(site, 1)])
    return folder


def statuses(result) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list] = {}
    for s in result.sites:
        for c in s.changes:
            out.setdefault(s.site, []).append(
                (c.status, (c.new or c.old)["finding"]["sentence"][:24])
            )
    return out


def test_each_status(tmp_path):
    home, faq = "https://a.example/", "https://a.example/faq"
    old = write_audit(
        tmp_path / "old",
        {
            A: [
                (home, flag("Stem cells regenerate your discs for good.")),
                (home, flag("Our cells repair every torn ligament.", severity="medium")),
                (home, flag("Stem cells are completely safe.", category="safety")),
                (home, flag("Stem cells are the standard of care.", category="standard_of_care")),
                (home, flag("Cells rebuild cartilage in weeks.", category="duration")),
                (home, flag("Stem cells cure arthritis in the knee.", category="other")),
            ],
            "gone.example": [("https://gone.example/", flag("Stem cells heal backs."))],
        },
    )
    new = write_audit(
        tmp_path / "new",
        {
            A: [
                (home, flag("Stem cells regenerate your discs for good.")),  # unchanged
                (home, flag("Our cells repair every torn ligament.", severity="high")),  # harder
                (home, flag("Stem cells may be safe.", category="safety", hedged=True)),
                (faq, flag("Stem cells are the standard of care.", category="standard_of_care")),
                (
                    home,
                    flag(
                        "Cells rebuild cartilage in weeks.",
                        category="duration",
                        verdict="consistent",
                        severity="",
                    ),
                ),  # no longer a flag
                (home, flag("Exosomes reverse ageing overnight.", therapy="exosome")),  # new
            ],
            "gone.example": [],
        },
        checked={"gone.example": 0},
    )
    result = diff_audits(old, new)
    got = statuses(result)
    assert sorted(got[A]) == sorted(
        [
            ("unchanged", "Stem cells regenerate yo"),
            ("hardened", "Our cells repair every t"),
            ("softened", "Stem cells may be safe."),
            ("moved", "Stem cells are the stand"),
            ("softened", "Cells rebuild cartilage "),
            ("removed", "Stem cells cure arthriti"),
            ("new", "Exosomes reverse ageing "),
        ]
    )
    assert got["gone.example"] == [("not_rechecked", "Stem cells heal backs.")]
    assert result.raised
    summary = {s.site: s.summary() for s in result.sites}
    assert summary[A] == (
        "Clinic a.example (a.example): 1 new, 1 hardened, 2 softened, 1 moved, 1 removed, "
        "1 unchanged"
    )


def test_claims_match_only_within_site_category_and_therapy(tmp_path):
    sentence = "Stem cells regenerate your discs."
    old = write_audit(tmp_path / "old", {A: [("u", flag(sentence))], "b.example": []})
    new = write_audit(
        tmp_path / "new",
        {A: [("u", flag(sentence, category="safety"))], "b.example": [("u", flag(sentence))]},
    )
    got = statuses(diff_audits(old, new))
    assert sorted(s for s, _ in got[A]) == ["new", "removed"]
    assert [s for s, _ in got["b.example"]] == ["new"]


def test_exit_status_and_escaping(tmp_path, capsys):
    evil = "Stem cells <script>alert(1)</script> regrow discs."
    old = write_audit(tmp_path / "old", {A: [("u", flag(evil))]})
    same = write_audit(tmp_path / "same", {A: [("u", flag(evil))]})
    softer = write_audit(tmp_path / "softer", {A: [("u", flag(evil, severity="low"))]})
    assert main(["diff", str(old), str(same), "--out", str(tmp_path / "d1")]) == 0
    assert "1 unchanged" in capsys.readouterr().out
    assert main(["diff", str(old), str(softer), "--out", str(tmp_path / "d2"), "--quiet"]) == 0
    assert main(["diff", str(softer), str(old), "--out", str(tmp_path / "d3"), "--quiet"]) == 1
    page = (tmp_path / "d3" / "diff.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)" in page
    assert "ab" * 32 in page and "2026-01-01T00:00:00Z" in page
    with (tmp_path / "d3" / "diff.csv").open(encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["status"], row["old_severity"], row["new_severity"]) == ("hardened", "low", "high")


@pytest.mark.parametrize("bad", ["missing", "empty", "corrupt", "sites"])
def test_bad_input_is_exit_2_naming_the_problem(tmp_path, capsys, bad):
    good = write_audit(tmp_path / "good", {A: [("u", flag("Stem cells heal."))]})
    target = tmp_path / "bad"
    if bad == "empty":
        target.mkdir()
    elif bad in ("corrupt", "sites"):
        write_audit(target, {A: [("u", flag("Stem cells heal."))]})
        if bad == "corrupt":
            with (target / "findings.jsonl").open("a", encoding="utf-8") as fh:
                fh.write('{"site": "a.example", "sentence": \n')
        else:
            (target / "sites.csv").write_text("url,flags\nx,1\n", encoding="utf-8")
    assert main(["diff", str(good), str(target), "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err.strip()
    expected = {
        "missing": "no such audit folder",
        "empty": "is not an audit folder",
        "corrupt": "findings.jsonl, line 2: not JSON",
        "sites": "sites.csv, line 1: not a sites.csv",
    }[bad]
    assert expected in err and len(err.splitlines()) == 1
    assert not (tmp_path / "d").exists()


def test_audit_refuses_a_bad_baseline_before_fetching(tmp_path, capsys):
    from localserver import LocalSite, html

    with LocalSite({"/": html("<p>Stem cells regenerate discs.</p>")}) as site:
        urls = tmp_path / "urls.txt"
        urls.write_text(site.url("/") + "\n", encoding="utf-8")
        argv = ["audit", str(urls), "--out", str(tmp_path / "out"), "--allow-private", "--quiet"]
        assert main([*argv, "--baseline", str(tmp_path / "nowhere")]) == 2
        (tmp_path / "empty").mkdir()
        assert main([*argv, "--baseline", str(tmp_path / "empty")]) == 2
        assert site.requests == []
    err = capsys.readouterr().err
    assert "--baseline: no such audit folder" in err and "is not an audit folder" in err


def test_a_claim_suppressed_by_review_in_either_audit_is_not_a_flag(tmp_path):
    fp = flag("Back to work the next day.", category="safety", rule="SC-SAFETY")
    real = flag("Stem cells regrow discs.")
    old = write_audit(tmp_path / "old", {A: [("u", fp), ("u", real)]})
    new = write_audit(tmp_path / "new", {A: [("u", {**fp, "suppressed": True}), ("u", real)]})
    assert statuses(diff_audits(old, new))[A] == [("unchanged", "Stem cells regrow discs.")]
    assert statuses(diff_audits(new, old))[A] == [("unchanged", "Stem cells regrow discs.")]
