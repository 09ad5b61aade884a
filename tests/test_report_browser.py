"""report.html in a real browser (headless Chromium through selenium): the filters change what
is visible, the page logs no console error (a blocked script or a CSP violation would), and
page-derived text is shown as text: a clinic page containing <script> cannot run it.

Needs Debian's `chromium` and `chromium-driver` (.ci/run installs them). Without them the test
skips and says why, except when CHECKER_REQUIRE_BROWSER=1 (set in CI), where it fails.
"""

from __future__ import annotations

import os
import shutil

import pytest

from checker.audit.inputs import InputRow
from checker.audit.state import AuditState, PageRecord
from checker.records import Finding
from checker.report.audit_reports import write_reports
from checker.report.dispositions import parse_dispositions
from checker.report.site_claims import finding_id

EVIL = (
    'Stem cells regrow discs <script>window.pwned=1</script><img src=x onerror="window.pwned=2">.'
)


def _browser_or_skip():
    """A headless Chromium driver, or skip (fail under CHECKER_REQUIRE_BROWSER=1)."""
    required = os.environ.get("CHECKER_REQUIRE_BROWSER") == "1"
    missing = []
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("the selenium package (pip install -e '.[dev]')")
    binary = next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p),
        None,
    )
    driver = shutil.which("chromedriver")
    if binary is None:
        missing.append("a Chromium binary (apt-get install chromium)")
    if driver is None:
        missing.append("chromedriver (apt-get install chromium-driver)")
    if missing:
        reason = "browser test needs " + ", ".join(missing)
        if required:
            pytest.fail(reason + " (CHECKER_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def finding(sentence, claim, category, therapy, severity, verdict="contradicts", **kw) -> dict:
    i = sentence.find(claim)
    return Finding(
        sentence=sentence,
        claim=claim,
        start=0,
        end=len(sentence),
        therapy=therapy,
        therapy_source="stated",
        condition="spine",
        category=category,
        verdict=verdict,
        severity=severity,
        hedged=False,
        evidence=("SC-NO-HUMAN-EVIDENCE",),
        refs=(1,),
        rationale="No human evidence <b>at all</b>.",
        rule=kw.get("rule", "SC-EFFICACY"),
        claim_start=i,
        claim_end=i + len(claim),
        context_before="Welcome <em>friend</em>.",
        context_after="Book now.",
        disclaimer_nearby=kw.get("disclaimer", ""),
    ).to_dict()


def page(url: str) -> PageRecord:
    return PageRecord(url, url, "checked", 200, "2026-01-01T00:00:00Z", "cd" * 32, None, "", "", 1)


def build_report(tmp_path):
    state = AuditState(tmp_path / "audit.sqlite")
    state.ingest(
        [
            InputRow(1, "https://a.example/", "https://a.example/", "k1", "a.example"),
            InputRow(2, "https://b.example/", "https://b.example/", "k2", "b.example"),
        ],
        {"columns": []},
    )
    a = [
        finding(EVIL, "regrow discs", "efficacy", "stem_cell", "high"),
        finding("Stem cells are totally safe.", "totally safe", "safety", "stem_cell", "medium"),
        finding(
            "Epidurals give permanent relief.",
            "permanent relief",
            "duration",
            "esi",
            "low",
            verdict="unsupported",
            rule="ESI-DURATION",
            disclaimer="Results may vary.",
        ),
        finding("Stem cells fix every back.", "fix", "efficacy", "stem_cell", "low"),
    ]
    b = [finding("Exosomes reverse arthritis.", "reverse", "efficacy", "exosome", "high")]
    state.save_single(1, "a.example", page("https://a.example/"), a)
    state.save_single(2, "b.example", page("https://b.example/"), b)
    fixed = finding_id("a.example", a[3])
    decisions = parse_dispositions(
        "finding_id,disposition,reviewer,reason,decided_at\n"
        f"{fixed},false_positive,ana,<script>window.pwned=3</script>,2026-12-01\n"
        f"{finding_id('a.example', a[1])},confirmed,ben,,2026-12-01\n"
    )
    info = {"provenance": {"checker": "t"}, "columns": [], "started_at": "S", "finished_at": "F"}
    write_reports(state, tmp_path, info, dispositions=decisions)
    state.close()
    return tmp_path / "report.html"


def visible_claims(driver) -> list[str]:
    return [
        el.find_element("css selector", ".sentence").text
        for el in driver.find_elements("css selector", ".site .claim")
        if el.is_displayed()
    ]


def choose(driver, key: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", f"f-{key}")).select_by_value(value)


def test_report_filters_escaping_and_console_in_chromium(tmp_path):
    report = build_report(tmp_path)
    driver = _browser_or_skip()
    try:
        driver.get(report.as_uri())
        assert len(visible_claims(driver)) == 4  # 5 flags, one suppressed by review
        assert driver.find_element("id", "shown").text == "4 of 4 claim(s) shown"
        choose(driver, "severity", "high")
        assert sorted(visible_claims(driver)) == sorted(
            [
                "Stem cells regrow discs <script>window.pwned=1</script>"
                '<img src=x onerror="window.pwned=2">.',
                "Exosomes reverse arthritis.",
            ]
        )
        choose(driver, "therapy", "exosome")
        assert visible_claims(driver) == ["Exosomes reverse arthritis."]
        choose(driver, "severity", "")
        choose(driver, "therapy", "")
        choose(driver, "verdict", "unsupported")
        assert visible_claims(driver) == ["Epidurals give permanent relief."]
        choose(driver, "verdict", "")
        choose(driver, "category", "safety")
        assert visible_claims(driver) == ["Stem cells are totally safe."]
        choose(driver, "category", "")
        assert len(visible_claims(driver)) == 4
        options = [
            o.get_attribute("value")
            for o in driver.find_elements("css selector", "#f-category option")
        ]
        assert options == ["", "duration", "efficacy", "safety"]

        # page-derived text is text: shown literally, never run
        body = driver.find_element("tag name", "body").text
        assert "<script>window.pwned=1</script>" in body
        assert "<script>window.pwned=3</script>" in body  # a reviewer's reason, too
        assert "Welcome <em>friend</em>." in body and "<b>at all</b>" in body
        assert driver.execute_script("return window.pwned === undefined") is True
        assert driver.find_elements("css selector", ".site img") == []
        assert "confirmed by review" in body and "Suppressed by review" in body
        assert "Results may vary." in body and "rule precision" in body
        assert "Measured precision per rule" in body
        assert len(driver.find_elements("css selector", "svg.chart")) == 2  # one per site
        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        assert errors == []
    finally:
        driver.quit()


def test_the_diff_page_logs_no_console_error(tmp_path):
    from test_audit_diff import flag, write_audit

    old = write_audit(tmp_path / "old", {"a.example": [("u", flag("Stem cells <i>heal</i>."))]})
    new = write_audit(tmp_path / "new", {"a.example": []})
    from checker.cli.main import main

    assert main(["diff", str(old), str(new), "--out", str(tmp_path / "d"), "--quiet"]) == 0
    driver = _browser_or_skip()
    try:
        driver.get((tmp_path / "d" / "diff.html").as_uri())
        assert "Stem cells <i>heal</i>." in driver.find_element("tag name", "body").text
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        driver.quit()
