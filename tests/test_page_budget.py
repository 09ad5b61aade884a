"""The CPU budget per page (--page-seconds) end to end: an audit against 127.0.0.1 where one
page is slow for the engine ends with that page as analysis_timeout and every other row checked;
`checker check` reports such a page with its reason and exit status 2.

The slow page is real work, not a hook: 400 KB of clinic keywords without a full stop, which
the engine checks in linear time but still in several seconds of CPU; the budget is 1 s."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from localserver import LocalSite, html

from bench.scaling import keyword_block
from checker.cli.main import main

CLAIM = "Our stem cell injections regenerate damaged discs and end your back pain."
NEUTRAL = "The clinic is open Monday to Friday from nine until five."
ROBOTS = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n")


def _page(body: str, title: str) -> tuple:
    return html(
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body><main><h1>{title}</h1>"
        f"<p>{body}</p></main></body></html>"
    )


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_audit_page_past_the_budget_is_analysis_timeout_and_nothing_else_is_lost(tmp_path, capsys):
    routes = {f"/p{i}": _page(CLAIM if i % 2 else NEUTRAL, f"Page {i}") for i in range(8)}
    routes["/slow"] = _page(keyword_block(400 * 1024), "Stem cell clinic")
    routes["/robots.txt"] = ROBOTS
    with LocalSite(routes) as site:
        paths = ["/p0", "/p1", "/p2", "/slow", "/p3", "/p4", "/p5", "/p6", "/p7"]
        (tmp_path / "urls.txt").write_text("\n".join(site.url(p) for p in paths) + "\n")
        code = main(
            [
                "audit",
                str(tmp_path / "urls.txt"),
                "--out",
                str(tmp_path / "out"),
                "--allow-private",
                "--delay",
                "0",
                "--workers",
                "2",
                "--concurrency",
                "4",
                "--page-seconds",
                "1",
            ]
        )
    out = capsys.readouterr().out
    assert code == 1  # the claims of the other pages are flagged
    urls = _rows(tmp_path / "out" / "urls.csv")
    outcomes = {u["url"].rsplit("/", 1)[1]: u["outcome"] for u in urls}
    assert outcomes.pop("slow") == "analysis_timeout"
    assert set(outcomes.values()) == {"checked"} and len(outcomes) == 8
    errors = _rows(tmp_path / "out" / "errors.csv")
    assert [e["outcome"] for e in errors] == ["analysis_timeout"]
    assert "--page-seconds 1" in errors[0]["reason"]
    sites = _rows(tmp_path / "out" / "sites.csv")
    assert [s["outcome_analysis_timeout"] for s in sites] == ["1"]
    assert int(sites[0]["pages_checked"]) == 8
    lines = (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    found = [json.loads(line) for line in lines]
    flagged = {f["url"].rsplit("/", 1)[1] for f in found if f["verdict"] == "contradicts"}
    assert flagged == {"p1", "p3", "p5", "p7"}
    assert "1 page(s) ran past the CPU budget" in out


def test_check_reports_a_page_past_the_budget_with_its_reason(tmp_path, capsys):
    slow = tmp_path / "slow.txt"
    slow.write_text(keyword_block(400 * 1024), encoding="utf-8")
    assert main(["check", str(slow), "--page-seconds", "1"]) == 2
    err = capsys.readouterr().err
    assert "analysis ran past --page-seconds 1 s of CPU" in err and "slow.txt" in err
    normal = tmp_path / "claim.txt"
    normal.write_text(CLAIM + "\n", encoding="utf-8")
    assert main(["check", str(normal), "--page-seconds", "1", "--format", "json"]) == 1
    assert '"outcome": "checked"' in capsys.readouterr().out


@pytest.mark.parametrize("value", ["0", "-1", "nan", "soon"])
def test_page_seconds_must_be_a_positive_number(value, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "-", "--page-seconds", value])
    assert exc.value.code == 2
    assert "--page-seconds" in capsys.readouterr().err
