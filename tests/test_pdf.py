"""PDF brochures (issue 12): text by page, the pdf_* outcomes, caps, and PDFs through the CLI,
a crawl, the WARC capture and a re-analysis of it. Every PDF is made by the test
(tests/pdf_files.py); sites are on 127.0.0.1."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from localserver import LocalSite, html
from pdf_files import encrypt, image_only_pdf, make_pdf, raw_content_pdf, truncate

from checker.cli.main import main
from checker.engine.check import check_pdf
from checker.engine.pdf_text import PdfLimits, looks_like_pdf, read_pdf
from checker.records import OUTCOMES
from checker.web.capture import WARC_NAME, iter_capture, verify_capture
from checker.web.check_url import check_url
from checker.web.fetcher import Fetcher
from checker.web.options import FetchOptions

PDF = {"Content-Type": "application/pdf"}
CLAIM = "Our stem cell injections regenerate damaged discs and end your back pain for good."
WRAPPED = [  # the same kind of claim, wrapped over three lines and hyphenated
    "In our programme 95% of patients with degenerative disc disease are pain-",
    "free after a single stem cell treatment, with no surgery and no",
    "time off work.",
]
SAFE = "Because we use your own cells, stem cell treatment is completely safe with no side effects."
NEUTRAL = "Parking is free for patients and the clinic is open on Saturdays."


def brochure() -> bytes:
    """Page 1 says nothing to flag; the claims are on page 2 (and one on page 3)."""
    return make_pdf(
        [
            ["Spine Renewal Clinic", "Patient guide", NEUTRAL],
            ["Stem cell therapy", CLAIM, WRAPPED],
            ["Prices", "A consultation costs 150 dollars.", SAFE],
        ]
    )


def opts(**kw) -> FetchOptions:
    base = dict(
        allow_private=True,
        min_delay=0.0,
        deadline=3.0,
        connect_timeout=1.0,
        read_timeout=2.0,
        retries=0,
    )
    return FetchOptions(**{**base, **kw})


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# -- reading text ----------------------------------------------------------------------------------
def test_paragraphs_by_page_with_wrapped_lines_rejoined():
    doc = read_pdf(brochure())
    assert (doc.outcome, doc.reason, doc.page_count) == ("checked", "", 3)
    assert doc.pages[0] == ("Spine Renewal Clinic", "Patient guide", NEUTRAL)
    assert doc.pages[1][1] == CLAIM
    assert doc.pages[1][2] == (
        "In our programme 95% of patients with degenerative disc disease are pain-free after a "
        "single stem cell treatment, with no surgery and no time off work."
    )  # "pain-" + "free" is a compound: its hyphen stays
    text, starts = doc.joined()
    assert text[starts[1] :].split("\n")[0] == "Stem cell therapy"
    assert text[starts[2] :].split("\n")[0] == "Prices"


def test_hyphenated_word_is_joined_and_bullets_stay_apart():
    doc = read_pdf(
        make_pdf(
            [
                [
                    ["Our treat-", "ment heals discs and is minimally in-", "vasive."],
                    [
                        "A non-",
                        "surgical option, unlike other non-surgical care, and pain-",
                        "free.",
                    ],
                    "• First item",
                    "• Second",
                ]
            ]
        )
    )
    assert doc.pages[0][0] == "Our treatment heals discs and is minimally invasive."
    assert (
        doc.pages[0][1] == "A non-surgical option, unlike other non-surgical care, and pain-free."
    )
    assert doc.pages[0][2:] == ("• First item", "• Second")


def test_findings_carry_the_pdf_page_and_offsets_into_the_text():
    report = check_pdf(brochure(), url="brochure.pdf")
    assert report.outcome == "checked" and len(report.sha256) == 64
    flags = report.flags
    assert flags, "the brochure's claims must be found"
    assert {f.pdf_page for f in report.findings} <= {2, 3}
    assert {f.pdf_page for f in flags} == {2, 3}
    wrapped = [f for f in flags if "95%" in f.sentence]
    assert wrapped and wrapped[0].pdf_page == 2 and wrapped[0].category == "success_rate"
    for f in report.findings:
        assert report.text[f.start : f.end].strip() == f.sentence
        assert f.url == "brochure.pdf"
    assert not [f for f in report.findings if "Parking" in f.sentence]


def test_a_section_goes_on_across_a_page_break_past_running_headers():
    header = "Spine Renewal Clinic"
    pages = [
        [header, "Patient guide", NEUTRAL, "Page 1"],
        [header, "Stem cell therapy", "We inject cells into the disc under imaging.", "Page 2"],
        [header, "95% of our patients are pain free within six weeks.", "Page 3"],
    ]
    doc = read_pdf(make_pdf(pages))
    lines = doc.joined()[0].split("\n")
    assert sorted(lines[i] for i in doc.running_lines()) == sorted(
        [header, header, "Page 1", "Page 2", "Page 3"]
    )  # the first header is the title; every page number is running
    [finding] = check_pdf(make_pdf(pages)).flags
    assert (finding.pdf_page, finding.therapy, finding.therapy_source) == (
        3,
        "stem_cell",
        "section",
    )
    assert read_pdf(make_pdf(pages[:1])).running_lines() == frozenset()  # one page: none


def test_html_findings_have_no_pdf_page():
    from checker.engine.check import check_html

    report = check_html(f"<p>{CLAIM}</p>")
    assert report.flags and all(f.pdf_page is None for f in report.findings)
    assert report.findings[0].to_dict()["pdf_page"] is None


# -- outcomes --------------------------------------------------------------------------------------
def test_pdf_outcomes_are_in_the_vocabulary():
    assert {"pdf_encrypted", "pdf_no_text", "pdf_unreadable"} <= set(OUTCOMES)


def test_image_only_pdf_is_no_text():
    report = check_pdf(image_only_pdf(3))
    assert report.outcome == "pdf_no_text" and report.findings == ()
    assert report.reason == (
        "no text layer on 3 page(s) read (image-only or scanned; no OCR is done)"
    )


def test_scanned_pages_in_a_text_brochure_are_named():
    mixed = make_pdf([["Spine Renewal Clinic", CLAIM], None, [NEUTRAL], None])
    report = check_pdf(mixed)
    assert report.outcome == "checked" and {f.pdf_page for f in report.flags} == {1}
    assert report.reason == "no text layer on 2 of 4 page(s) read (2, 4; images only?)"


def test_password_protected_pdf_is_encrypted_but_owner_only_is_read():
    locked = check_pdf(encrypt(brochure(), "s3cret"))
    assert (locked.outcome, locked.reason) == (
        "pdf_encrypted",
        "encrypted: a password is needed to open it",
    )
    opened = check_pdf(encrypt(brochure(), ""))  # restrictions only: every viewer opens it
    assert opened.outcome == "checked" and {f.pdf_page for f in opened.flags} == {2, 3}


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.98])
def test_truncated_pdf_is_unreadable(keep):
    report = check_pdf(truncate(brochure(), keep))
    assert report.outcome == "pdf_unreadable" and report.findings == ()
    assert report.reason.startswith("broken or truncated PDF: ") and "\n" not in report.reason


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"<html><body>not a pdf</body></html>", "not a PDF: no %PDF- header"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 40, "broken or truncated PDF: "),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF", ""),
    ],
)
def test_garbage_is_unreadable_never_a_crash(data, reason):
    report = check_pdf(data)
    assert report.outcome == "pdf_unreadable" and report.reason.startswith(reason)


def test_caps_page_size_and_time():
    pages = read_pdf(brochure(), PdfLimits(max_pages=2))
    assert pages.outcome == "checked" and len(pages.pages) == 2
    assert pages.reason == "first 2 of 3 pages read (page cap)"
    big = read_pdf(brochure(), PdfLimits(max_bytes=1000))
    assert big.outcome == "too_large" and "over the 1000 cap" in big.reason
    timed = read_pdf(brochure(), PdfLimits(max_seconds=0.0))  # the first page is always read
    assert timed.outcome == "checked" and len(timed.pages) == 1
    assert timed.reason == "stopped after 1 of 3 pages (time cap 0 s)"


def test_hostile_pages_are_bounded_before_they_are_parsed():
    ops = b"BT /F1 11 Tf " + b"1 0 Td (ab) Tj " * 36000 + b"ET"  # 540 KB of text drawing
    heavy = read_pdf(raw_content_pdf(ops))
    assert heavy.outcome == "too_large"
    assert heavy.reason == "page 1 skipped: over 524288 bytes of drawing instructions (page cap)"
    small = raw_content_pdf(b"BT /F1 11 Tf " + b"1 0 Td (ab) Tj " * 3000 + b"ET")
    assert read_pdf(small, PdfLimits(max_page_content=40_000)).outcome == "too_large"
    assert read_pdf(small, PdfLimits(max_page_content=50_000)).outcome == "checked"
    mixed = make_pdf([["Page one has text."], [NEUTRAL]])  # a big page among readable ones
    assert read_pdf(mixed, PdfLimits(max_page_content=60)).reason.startswith("page 2 skipped")
    bomb = read_pdf(raw_content_pdf(b" " * (200 << 20), flate=True))  # inflates to 200 MB
    assert bomb.outcome == "pdf_unreadable" and "LimitReachedError" in bomb.reason
    nested = read_pdf(raw_content_pdf(b"BT " + b"[" * 100000 + b" ET"))
    assert nested.outcome == "pdf_unreadable" and "\n" not in nested.reason


def test_pdf_is_known_by_type_or_signature():
    assert looks_like_pdf("application/pdf; qs=0.9", b"")
    assert looks_like_pdf(None, b"\n%PDF-1.4 ...")
    assert not looks_like_pdf("text/html", b"%PDF-1.4")
    assert not looks_like_pdf(None, b"<html>")


# -- the CLI on a file -----------------------------------------------------------------------------
def test_checker_check_brochure_pdf(tmp_path, capsys):
    path = tmp_path / "brochure.pdf"
    path.write_bytes(brochure())
    assert main(["check", str(path), "--format", "csv"]) == 1
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert rows and {r["pdf_page"] for r in rows} == {"2", "3"}
    assert list(rows[0])[-1] == "pdf_page"  # appended, earlier columns keep their places
    assert main(["check", str(path)]) == 1
    assert "PDF page 2" in capsys.readouterr().out
    assert main(["check", str(path), "--format", "json"]) == 1
    page = json.loads(capsys.readouterr().out)["pages"][0]
    assert page["outcome"] == "checked" and page["findings"][0]["pdf_page"] in (2, 3)


def test_checker_check_reads_a_pdf_on_stdin(monkeypatch, capsys):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(brochure())))
    assert main(["check", "-", "--format", "jsonl"]) == 1
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {x["pdf_page"] for x in lines if x["verdict"] == "contradicts"} == {2, 3}


@pytest.mark.parametrize(
    "make, outcome",
    [
        (lambda: encrypt(brochure(), "pw"), "pdf_encrypted"),
        (lambda: image_only_pdf(1), "pdf_no_text"),
        (lambda: truncate(brochure()), "pdf_unreadable"),
    ],
)
def test_checker_check_unreadable_pdf_is_one_line_exit_2(tmp_path, capsys, make, outcome):
    path = tmp_path / "x.pdf"
    path.write_bytes(make())
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"checker: {path}: {outcome}: ") and err.count("\n") == 1
    assert "Traceback" not in err


# -- live: fetch, check --crawl, capture -----------------------------------------------------------
def clinic_site() -> dict:
    home = (
        "<html><body><h1>Spine Renewal Clinic</h1><p>Welcome to our clinic.</p>"
        '<a href="/brochure.pdf">Download our patient brochure</a> '
        '<a href="/results.pdf">Outcome report</a> <a href="/scan.pdf">Scanned leaflet</a>'
        "</body></html>"
    )
    return {
        "/": html(home),
        "/brochure.pdf": (200, PDF, brochure()),
        "/results.pdf": (200, PDF, encrypt(brochure(), "pw")),
        "/scan.pdf": (200, {}, image_only_pdf(2)),  # no Content-Type: known by its signature
    }


def test_fetcher_downloads_pdfs_under_the_size_cap():
    with LocalSite(clinic_site()) as site, Fetcher(opts()) as f:
        ok = f.fetch(site.url("/brochure.pdf"))
        cut = Fetcher(opts(max_bytes=500)).fetch(site.url("/brochure.pdf"))
    assert (ok.outcome, ok.body, ok.text) == ("checked", brochure(), None)
    assert cut.outcome == "too_large" and cut.body == b""


def test_check_url_of_a_pdf(capsys):
    with LocalSite(clinic_site()) as site:
        [ok] = check_url(site.url("/brochure.pdf"), options=opts())
        [locked] = check_url(site.url("/results.pdf"), options=opts())
        code = main(["check", site.url("/results.pdf"), "--allow-private", "--delay", "0"])
    assert ok.outcome == "checked" and {f.pdf_page for f in ok.flags} == {2, 3}
    assert ok.url == site.url("/brochure.pdf") and ok.status == 200
    assert (locked.outcome, locked.findings) == ("pdf_encrypted", ())
    assert code == 2
    assert capsys.readouterr().err.endswith("encrypted: a password is needed to open it\n")


def test_check_crawl_reads_linked_pdfs_with_their_outcomes(tmp_path):
    with LocalSite(clinic_site()) as site:
        reports = check_url(site.url("/"), options=opts(), crawl=True, save_dir=tmp_path)
    by_path = {r.final_url.replace(site.origin, ""): r for r in reports}
    assert set(by_path) == {"/", "/brochure.pdf", "/results.pdf", "/scan.pdf"}
    pdf = by_path["/brochure.pdf"]
    assert pdf.outcome == "checked" and {f.pdf_page for f in pdf.flags} == {2, 3}
    assert pdf.warc_record_id and pdf.sha256
    assert (by_path["/results.pdf"].outcome, by_path["/scan.pdf"].outcome) == (
        "pdf_encrypted",
        "pdf_no_text",
    )
    ok, _ = verify_capture(tmp_path / WARC_NAME)
    assert ok
    stored = {r.final_url.replace(site.origin, ""): r for r in iter_capture(tmp_path / WARC_NAME)}
    assert stored["/brochure.pdf"].body == brochure() and stored["/brochure.pdf"].text is None
    assert stored["/brochure.pdf"].warc_record_id == pdf.warc_record_id
    saved = json.loads((tmp_path / "findings.json").read_text())
    assert any(f["pdf_page"] == 2 for p in saved["pages"] for f in p["findings"])


# -- the audit end to end: crawl, capture, findings.csv, WARC re-analysis --------------------------
def audit(*argv: object) -> int:
    return main(["audit", *(str(a) for a in argv), "--workers", "1", "--quiet"])


def test_audit_crawl_finds_brochure_claims_with_pages_and_reanalyses_the_warc(tmp_path):
    with LocalSite(clinic_site()) as site:
        (tmp_path / "urls.txt").write_text(site.url("/") + "\n", encoding="utf-8")
        code = audit(
            tmp_path / "urls.txt", "--out", tmp_path / "live", "--crawl", "--allow-private",
            "--delay", "0",
        )  # fmt: skip
    assert code == 1
    live = tmp_path / "live"
    findings = read_csv(live / "findings.csv")
    from_pdf = [r for r in findings if r["url"].endswith("/brochure.pdf")]
    assert from_pdf and {r["pdf_page"] for r in from_pdf} == {"2", "3"}
    assert all(r["pdf_page"] == "" for r in findings if not r["url"].endswith(".pdf"))
    [row] = read_csv(live / "sites.csv")
    assert (row["outcome_pdf_encrypted"], row["outcome_pdf_no_text"]) == ("1", "1")
    assert row["outcome_pdf_unreadable"] == "0" and row["pages_checked"] == "2"
    # outcomes added after the first release come after every existing column
    assert list(row)[-4:] == [
        "outcome_pdf_encrypted",
        "outcome_pdf_no_text",
        "outcome_pdf_unreadable",
        "outcome_analysis_timeout",
    ]
    report = (live / "report.html").read_text(encoding="utf-8")
    assert "pdf_encrypted: 1" in report and "<dt>PDF page</dt><dd>2" in report
    jsonl = [json.loads(x) for x in (live / "findings.jsonl").read_text().splitlines()]
    assert {x["pdf_page"] for x in jsonl if x["final_url"].endswith("brochure.pdf")} == {2, 3}

    assert audit(live / WARC_NAME, "--out", tmp_path / "offline") == 1
    again = read_csv(tmp_path / "offline" / "findings.csv")
    key = ("sentence", "pdf_page", "verdict", "page_sha256")
    assert sorted(tuple(r[k] for k in key) for r in again if r["url"].endswith(".pdf")) == sorted(
        tuple(r[k] for k in key) for r in from_pdf
    )
    outcomes = {r["url"].rsplit("/", 1)[-1]: r["outcome"] for r in read_csv(
        tmp_path / "offline" / "urls.csv"
    )}  # fmt: skip
    assert outcomes == {
        "": "checked",
        "brochure.pdf": "checked",
        "results.pdf": "pdf_encrypted",
        "scan.pdf": "pdf_no_text",
    }
    errors = {r["url"].rsplit("/", 1)[-1]: r["reason"] for r in read_csv(
        tmp_path / "offline" / "errors.csv"
    )}  # fmt: skip
    assert errors["results.pdf"] == "encrypted: a password is needed to open it"


def test_audit_folder_reads_saved_pdfs(tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "brochure.pdf").write_bytes(brochure())
    (folder / "broken.pdf").write_bytes(truncate(brochure()))
    assert audit(folder, "--out", tmp_path / "out") == 1
    urls = {Path(r["url"]).name: r for r in read_csv(tmp_path / "out" / "urls.csv")}
    assert urls["brochure.pdf"]["outcome"] == "checked"
    assert urls["broken.pdf"]["outcome"] == "pdf_unreadable"
    pages = {r["pdf_page"] for r in read_csv(tmp_path / "out" / "findings.csv")}
    assert pages == {"2", "3"}
