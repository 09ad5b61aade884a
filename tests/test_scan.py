"""scan.check_url: fetch/crawl + capture + engine, every URL a PageReport.

Most tests stand in a tiny fake engine (so they test this module, not the claims engine); the
last ones run the real engine when it is importable.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import types

import pytest
from localserver import LocalSite, html

import checker
from checker.cli.commands import check_url_command
from checker.records import Finding, PageReport
from checker.web.capture import MANIFEST_NAME, WARC_NAME, verify_capture
from checker.web.check_url import check_url
from checker.web.options import FetchOptions

PAGE = "<html><body><h1>Spine</h1><p>Stem cell injections cure disc disease.</p></body></html>"


def opts(**kw) -> FetchOptions:
    base = dict(
        allow_private=True,
        min_delay=0.0,
        deadline=2.0,
        connect_timeout=1.0,
        read_timeout=1.0,
        retries=0,
    )
    base.update(kw)
    return FetchOptions(**base)


def fake_finding(url: str | None) -> Finding:
    return Finding(
        sentence="Stem cell injections cure disc disease.",
        claim="cure",
        start=0,
        end=10,
        therapy="stem_cell",
        therapy_source="stated",
        condition="spine",
        category="cure",
        verdict="contradicts",
        severity="high",
        hedged=False,
        evidence=("E1",),
        refs=(1,),
        rationale="fake",
        url=url,
    )


@pytest.fixture
def fake_engine(monkeypatch):
    seen = []

    def check_html(html_text, url=None):
        seen.append((html_text, url))
        findings = (fake_finding(url),) if "cure" in html_text else ()
        return PageReport(url=url, findings=findings, text="extracted")

    module = types.ModuleType("checker.engine.check")
    module.check_html = check_html
    monkeypatch.setitem(sys.modules, "checker.engine.check", module)
    return seen


def test_single_page_report_carries_provenance(fake_engine, tmp_path):
    routes = {"/go": (302, {"Location": "/page"}, b""), "/page": html(PAGE)}
    with LocalSite(routes) as site:
        [report] = check_url(site.url("/go"), options=opts(), save_dir=tmp_path)
    assert report.url == site.url("/go") and report.final_url == site.url("/page")
    assert (report.outcome, report.status, report.robots) == (
        "checked",
        200,
        "unavailable (HTTP 404)",
    )
    assert report.fetched_at.endswith("Z") and len(report.sha256) == 64
    assert report.warc_record_id.startswith("<urn:uuid:") and len(report.flags) == 1
    assert fake_engine[0][1] == site.url("/page")
    doc = json.loads((tmp_path / "findings.json").read_text())
    assert doc["pages"][0]["warc_record_id"] == report.warc_record_id
    assert doc["pages"][0]["findings"][0]["verdict"] == "contradicts"
    ok, _ = verify_capture(tmp_path / WARC_NAME)
    assert ok and (tmp_path / MANIFEST_NAME).exists()


def test_unfetchable_url_is_a_report_with_reason(fake_engine):
    with LocalSite({"/doc": (200, {"Content-Type": "image/png"}, b"\x89PNG")}) as site:
        [pic] = check_url(site.url("/doc"), options=opts())
        [refused] = check_url(site.url("/"), options=opts(allow_private=False))
    [bad] = check_url("ftp://clinic.example/", options=opts())
    assert (pic.outcome, pic.reason, pic.findings) == ("not_html", "not HTML: image/png", ())
    assert refused.outcome == "refused_address" and refused.reason.startswith("refused:")
    assert (bad.outcome, bad.reason) == ("invalid_input", "unsupported scheme: ftp")
    assert fake_engine == []


def test_temporary_capture_is_removed(fake_engine, monkeypatch):
    made = []
    real = tempfile.mkdtemp

    def spy(*a, **kw):
        made.append(real(*a, **kw))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", spy)
    with LocalSite({"/": html(PAGE)}) as site:
        [report] = check_url(site.url("/"), options=opts())
    assert report.outcome == "checked" and len(made) == 1
    import os

    assert not os.path.exists(made[0])


def test_crawl_reports_every_page_and_leads(fake_engine, tmp_path):
    home = (
        '<a href="/stem-cells">Stem cells</a> <a href="/missing">Research</a>'
        '<a href="https://youtu.be/x">video</a>'
    )
    routes = {"/": html(home), "/stem-cells": html(PAGE)}
    leads: list = []
    with LocalSite(routes) as site:
        reports = check_url(
            site.url("/"),
            options=opts(),
            crawl=True,
            max_pages=10,
            depth=2,
            save_dir=tmp_path,
            leads=leads,
        )
    by_path = {r.url.replace(site.origin, ""): r for r in reports}
    assert set(by_path) == {"/", "/stem-cells", "/missing"}
    assert by_path["/missing"].outcome == "http_error" and by_path["/missing"].reason == "HTTP 404"
    assert len(by_path["/stem-cells"].flags) == 1
    assert [lead.kind for lead in leads] == ["video"]
    doc = json.loads((tmp_path / "findings.json").read_text())
    assert len(doc["pages"]) == 3 and doc["leads"][0]["url"] == "https://youtu.be/x"


def cli_args(target: str, **kw) -> argparse.Namespace:
    base = dict(
        target=target,
        crawl=False,
        max_pages=50,
        depth=3,
        allow_private=True,
        ignore_robots=False,
        authority=None,
        contact=None,
        delay=0.0,
        timeout=2.0,
        max_bytes=5 * 1024 * 1024,
        save=None,
        format="table",
    )
    base.update(kw)
    return argparse.Namespace(**base)


def test_command_usage_error_is_an_invalid_input_report():
    [report] = check_url_command(cli_args("https://clinic.example/", ignore_robots=True))
    assert report.outcome == "invalid_input" and "--authority" in report.reason


def test_command_with_authority_records_it(fake_engine, tmp_path):
    with LocalSite({"/": html(PAGE)}) as site:
        [report] = check_url_command(
            cli_args(site.url("/"), ignore_robots=True, authority="Warrant 42", save=str(tmp_path))
        )
    assert report.robots == "ignored: Warrant 42"
    line = json.loads((tmp_path / MANIFEST_NAME).read_text().splitlines()[0])
    assert line["authority"] == "Warrant 42" and line["robots"] == "ignored: Warrant 42"


def test_package_check_url_delegates(fake_engine):
    with LocalSite({"/": html(PAGE)}) as site:
        [report] = checker.check_url(site.url("/"), options=opts())
    assert report.outcome == "checked"


# -- with the real engine -----------------------------------------------------------------------
def test_real_engine_on_malformed_and_deep_html():
    deep = (
        "<div>" * 5000
        + "<p>Our stem cell injections cure degenerative disc disease."
        + "</span>" * 50
        + "<<p <b>&#xZZ;"
    )
    routes = {
        "/deep": html(deep),
        "/broken": (
            200,
            {"Content-Type": "text/html"},
            b"\xff\xfe<p>stem \x00cells</b></html><html>",
        ),
    }
    with LocalSite(routes) as site:
        reports = [check_url(site.url(p), options=opts())[0] for p in ("/deep", "/broken")]
    assert [r.outcome for r in reports] == ["checked", "checked"], [r.reason for r in reports]


def test_engine_crash_on_one_page_is_recorded(monkeypatch):
    def check_html(html_text, url=None):
        raise RecursionError("maximum recursion depth exceeded")

    module = types.ModuleType("checker.engine.check")
    module.check_html = check_html
    monkeypatch.setitem(sys.modules, "checker.engine.check", module)
    with LocalSite({"/": html(PAGE)}) as site:
        [report] = check_url(site.url("/"), options=opts())
    assert report.outcome == "analysis_error" and report.reason.startswith(
        "could not be analysed: RecursionError"
    )


def test_command_unwritable_save_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    [report] = check_url_command(cli_args("http://127.0.0.1:9/", save=str(blocker / "sub")))
    assert report.outcome == "invalid_input" and "cannot write the capture" in report.reason
