"""`checker audit` end to end on 127.0.0.1 servers: every row accounted for, politeness, resume
after SIGKILL, WARC re-analysis, carried CSV columns, folder input, input errors."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import psutil
import pytest
from localserver import LocalSite, html

from checker.cli.main import main

ROOT = Path(__file__).resolve().parent.parent

CLAIM = "Our stem cell injections regenerate damaged discs and end your back pain."
NEUTRAL = "The clinic is open Monday to Friday from nine until five."
ROBOTS = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private\n")


def page(body: str, title: str = "Clinic", links: tuple[str, ...] = ()) -> tuple:
    nav = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return html(
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
        f"<nav><ul>{nav}</ul></nav><main><h1>{title}</h1><p>{body}</p></main>"
        "</body></html>"
    )


def site_routes(n: int, claim_every: int = 2) -> dict:
    routes = {
        f"/p{i}": page(CLAIM if i % claim_every == 0 else NEUTRAL, f"Page {i}") for i in range(n)
    }
    routes["/robots.txt"] = ROBOTS
    return routes


def audit(*argv: object) -> int:
    return main(["audit", *(str(a) for a in argv)])


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_lines(path: Path, lines: list[str], bom: bool = True) -> None:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\r\n".join(lines).encode() + b"\r\n")


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:], strict=False)]


# -- every row accounted for -----------------------------------------------------------------------
BAD = {
    "invalid_input": [
        "http://exa mple.example/",
        "http://",
        "://nohost",
        "https://bad!host.example/",
        "htp//127.0.0.1/",
        "ftp://127.0.0.1/file",
        "mailto:clinic@example.org",
        "javascript:alert(1)",
        "",
        "   ",
    ],
}


@pytest.mark.slow
def test_thousand_rows_every_row_accounted_for(tmp_path):
    rng = random.Random(7)
    with ExitStack() as stack:
        sites = [stack.enter_context(LocalSite(site_routes(45, claim_every=9))) for _ in range(20)]
        lines: list[str] = []
        expected: list[str] = []
        for i in range(45):
            for site in sites:
                path = "/gone" if i == 44 else f"/p{i}"
                prefix = "\ufeff" if (i == 10 and site is sites[3]) else ""
                lines.append(prefix + site.url(path))
                expected.append("http_error" if i == 44 else "checked")
        bad_pool = BAD["invalid_input"]
        for k in range(100):
            pos = rng.randrange(len(lines) + 1)
            if k % 4 == 0:  # a duplicate of a URL listed earlier (with a different spelling)
                earlier = [j for j in range(pos) if expected[j] == "checked"]
                if not earlier:
                    pos, earlier = len(lines), [0]
                src = lines[rng.choice(earlier)].lstrip("\ufeff")
                lines.insert(pos, src.replace("http://", "HTTP://") + "#frag")
                expected.insert(pos, "duplicate")
            else:
                lines.insert(pos, bad_pool[k % len(bad_pool)])
                expected.insert(pos, "invalid_input")
        assert len(lines) == 1000
        write_lines(tmp_path / "urls.txt", lines)
        started = time.monotonic()
        code = audit(
            tmp_path / "urls.txt",
            "--out",
            tmp_path / "out",
            "--allow-private",
            "--delay",
            "0.01",
            "--concurrency",
            "16",
            "--workers",
            "2",
            "--quiet",
        )
        elapsed = time.monotonic() - started
        times = [site.times() for site in sites]
    assert code in (0, 1)
    urls = read_csv(tmp_path / "out" / "urls.csv")
    assert [int(u["row"]) for u in urls] == list(range(1, 1001))
    assert [u["outcome"] for u in urls] == expected
    assert [u["url"] for u in urls] == [line.replace("\ufeff", "") for line in lines]
    assert Counter(expected) == {
        "checked": 880,
        "invalid_input": 75,
        "duplicate": 25,
        "http_error": 20,
    }
    errors = read_csv(tmp_path / "out" / "errors.csv")
    assert [int(e["row"]) for e in errors] == [
        i + 1 for i, o in enumerate(expected) if o != "checked"
    ]
    assert all(e["reason"] for e in errors)
    for t in times:
        assert min(gaps(t)) >= 0.01 - 0.002
    print(f"1000 rows in {elapsed:.1f} s")


def test_per_host_delay_is_honoured(tmp_path):
    with ExitStack() as stack:
        sites = [stack.enter_context(LocalSite(site_routes(6))) for _ in range(3)]
        write_lines(tmp_path / "urls.txt", [s.url(f"/p{i}") for s in sites for i in range(6)])
        code = audit(
            tmp_path / "urls.txt",
            "--out",
            tmp_path / "out",
            "--allow-private",
            "--delay",
            "0.15",
            "--concurrency",
            "8",
            "--workers",
            "1",
            "--quiet",
        )
        times = [s.times() for s in sites]
    assert code == 1
    for t in times:
        assert len(t) == 7  # robots.txt + 6 pages
        assert min(gaps(t)) >= 0.15 - 0.005
    starts = sorted(t[0] for t in times)
    assert starts[-1] - starts[0] < 0.5  # the hosts were fetched side by side, not one by one


# -- resume after SIGKILL --------------------------------------------------------------------------
def _done_rows(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT COUNT(*) FROM rows WHERE done=1").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _cli(*argv: object) -> list[str]:
    return [sys.executable, "-m", "checker", "audit", *(str(a) for a in argv)]


def _comparable(out: Path) -> tuple:
    urls = (out / "urls.csv").read_text(encoding="utf-8")
    findings = [
        {k: v for k, v in row.items() if k != "fetched_at"}
        for row in read_csv(out / "findings.csv")
    ]
    occurrences = [
        {k: v for k, v in json.loads(line).items() if k not in ("fetched_at", "warc_record_id")}
        for line in (out / "findings.jsonl").open(encoding="utf-8")
    ]
    return urls, findings, occurrences


@pytest.mark.slow
def test_sigkill_then_resume_equals_uninterrupted(tmp_path):
    with ExitStack() as stack:
        sites = [stack.enter_context(LocalSite(site_routes(40, claim_every=3))) for _ in range(4)]
        lines = [s.url(f"/p{i}") for i in range(40) for s in sites] + ["not a url"]
        write_lines(tmp_path / "urls.txt", lines)
        opts = [
            "--allow-private",
            "--delay",
            "0.05",
            "--concurrency",
            "4",
            "--workers",
            "1",
            "--quiet",
        ]
        killed = tmp_path / "killed"
        proc = subprocess.Popen(
            _cli(tmp_path / "urls.txt", "--out", killed, *opts),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 90
        while _done_rows(killed / "audit.sqlite") < 50 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.02)
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive  # the killed audit's worker processes exit on their own
        done_at_kill = _done_rows(killed / "audit.sqlite")
        assert 50 <= done_at_kill < len(lines)

        resumed = subprocess.run(
            _cli(tmp_path / "urls.txt", "--out", killed, *opts),
            cwd=ROOT,
            capture_output=True,
            timeout=120,
        )
        assert resumed.returncode == 1, resumed.stderr.decode()
        code = audit(tmp_path / "urls.txt", "--out", tmp_path / "whole", *opts)
    assert code == 1
    assert _comparable(killed) == _comparable(tmp_path / "whole")
    con = sqlite3.connect(killed / "audit.sqlite")
    assert con.execute("SELECT COUNT(*) FROM rows WHERE done=0").fetchone()[0] == 0
    assert not con.execute("SELECT rowno FROM pages GROUP BY rowno HAVING COUNT(*) > 1").fetchall()
    assert con.execute("SELECT COUNT(*) FROM pages").fetchone()[0] == len(lines) - 1
    con.close()
    urls = read_csv(killed / "urls.csv")
    assert len(urls) == len(lines) and len({u["row"] for u in urls}) == len(lines)


# -- safety of page-derived text -------------------------------------------------------------------
def test_formula_and_script_in_claims_are_neutralised(tmp_path):
    evil = (
        '=HYPERLINK("http://x") Our stem cell injections regenerate damaged discs '
        "&lt;script&gt;alert(1)&lt;/script&gt; for good."
    )
    with LocalSite({"/": page(evil, "=cmd|' /C calc'!A0"), "/robots.txt": ROBOTS}) as site:
        write_lines(tmp_path / "urls.txt", [site.url("/")])
        code = audit(
            tmp_path / "urls.txt",
            "--out",
            tmp_path / "out",
            "--allow-private",
            "--delay",
            "0",
            "--workers",
            "1",
            "--quiet",
        )
    assert code == 1
    out = tmp_path / "out"
    rows = read_csv(out / "findings.csv")
    assert any("HYPERLINK" in r["sentence"] for r in rows)
    for name in ("findings.csv", "sites.csv", "urls.csv", "errors.csv"):
        for row in read_csv(out / name):
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (name, value)
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report


# -- WARC re-analysis ------------------------------------------------------------------------------
def _by_page(out: Path) -> dict[str, list[tuple]]:
    pages: dict[str, list[tuple]] = {}
    for line in (out / "findings.jsonl").open(encoding="utf-8"):
        f = json.loads(line)
        pages.setdefault(f["final_url"], []).append(
            (
                f["page_sha256"],
                f["sentence"],
                f["claim"],
                f["start"],
                f["verdict"],
                f["severity"],
                tuple(f["evidence"]),
            )
        )
    return pages


def test_warc_reanalysis_equals_live_run(tmp_path):
    links = ("/stem-cells", "/faq", "/prices")
    routes = {
        "/": page(CLAIM, "Home", links),
        "/stem-cells": page(
            "Stem cell therapy is FDA approved and has no side effects.", "Stem cells", links
        ),
        "/faq": page("Stem cell injections are not FDA approved. " + CLAIM, "FAQ", links),
        "/prices": page(NEUTRAL, "Prices", links),
        "/robots.txt": ROBOTS,
    }
    with LocalSite(routes) as site:
        write_lines(tmp_path / "urls.txt", [site.url("/")])
        live = audit(
            tmp_path / "urls.txt",
            "--out",
            tmp_path / "live",
            "--crawl",
            "--allow-private",
            "--delay",
            "0",
            "--workers",
            "1",
            "--quiet",
        )
    assert live == 1
    warc = tmp_path / "live" / "capture.warc.gz"
    offline = audit(warc, "--out", tmp_path / "offline", "--workers", "1", "--quiet")
    assert offline == live
    assert _by_page(tmp_path / "offline") == _by_page(tmp_path / "live")
    live_urls = {r["final_url"]: r for r in read_csv(tmp_path / "live" / "urls.csv")}
    offline_urls = read_csv(tmp_path / "offline" / "urls.csv")
    assert len(offline_urls) == 4 and all(r["outcome"] == "checked" for r in offline_urls)
    assert live_urls[site.url("/")]["page_sha256"] in {r["page_sha256"] for r in offline_urls}


# -- input kinds -----------------------------------------------------------------------------------
def test_csv_columns_are_carried(tmp_path):
    with LocalSite(site_routes(2)) as site:
        (tmp_path / "clinics.csv").write_text(
            "clinic_id,clinic_name,url,jurisdiction,case_officer\r\n"
            f"C-1,Alpha Spine,{site.url('/p0')},US-TX,J. Doe\r\n"
            "C-2,No URL Clinic,,UK,A. Smith\r\n",
            encoding="utf-8",
            newline="",
        )
        code = audit(
            tmp_path / "clinics.csv",
            "--out",
            tmp_path / "out",
            "--allow-private",
            "--delay",
            "0",
            "--workers",
            "1",
            "--quiet",
        )
    assert code == 1
    findings = read_csv(tmp_path / "out" / "findings.csv")
    assert list(findings[0])[:6] == [
        "site",
        "clinic_id",
        "clinic_name",
        "jurisdiction",
        "case_officer",
        "url",
    ]
    assert findings[0]["clinic_name"] == "Alpha Spine" and findings[0]["case_officer"] == "J. Doe"
    sites = read_csv(tmp_path / "out" / "sites.csv")
    assert sites[0]["clinic_id"] == "C-1" and float(sites[0]["risk_score"]) > 0
    errors = read_csv(tmp_path / "out" / "errors.csv")
    assert [(e["row"], e["outcome"], e["reason"]) for e in errors] == [
        ("3", "invalid_input", "empty url cell")
    ]


def test_folder_of_html(tmp_path):
    folder = tmp_path / "saved"
    (folder / "alpha").mkdir(parents=True)
    (folder / "alpha" / "index.html").write_text(page(CLAIM)[2].decode(), encoding="utf-8")
    (folder / "beta.html").write_text(page(NEUTRAL)[2].decode(), encoding="utf-8")
    code = audit(folder, "--out", tmp_path / "out", "--workers", "1", "--quiet")
    assert code == 1
    urls = read_csv(tmp_path / "out" / "urls.csv")
    assert [u["url"] for u in urls] == [
        str(folder / "alpha" / "index.html"),
        str(folder / "beta.html"),
    ]
    digest = hashlib.sha256((folder / "alpha" / "index.html").read_bytes()).hexdigest()
    assert urls[0]["page_sha256"] == digest and urls[0]["outcome"] == "checked"
    sites = {s["site"]: s for s in read_csv(tmp_path / "out" / "sites.csv")}
    assert int(sites["alpha"]["distinct_flags"]) >= 1
    assert sites["beta.html"]["distinct_flags"] == "0"


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda p: p / "missing.txt", "input not found"),
        (
            lambda p: (p / "x.csv").write_text("name,site\nA,https://a.example/\n") and p / "x.csv",
            "no 'url' column",
        ),
        (
            lambda p: (p / "x.warc.gz").write_bytes(b"\x1f\x8bgarbage") and p / "x.warc.gz",
            "unreadable WARC",
        ),
        (
            lambda p: (p / "empty.txt").write_text("# only a comment\n") and p / "empty.txt",
            "no rows",
        ),
    ],
)
def test_unusable_input_exits_2_with_one_line(tmp_path, capsys, setup, message):
    code = audit(setup(tmp_path), "--out", tmp_path / "out", "--quiet")
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and message in err


def test_resume_with_another_input_is_refused(tmp_path, capsys):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.html").write_text(page(NEUTRAL)[2].decode(), encoding="utf-8")
    assert audit(folder, "--out", tmp_path / "out", "--workers", "1", "--quiet") == 0
    (folder / "a.html").write_text(page(CLAIM)[2].decode(), encoding="utf-8")
    capsys.readouterr()
    assert audit(folder, "--out", tmp_path / "out", "--workers", "1", "--quiet") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "another input" in err


def test_ignore_robots_needs_authority(tmp_path, capsys):
    write_lines(tmp_path / "urls.txt", ["http://127.0.0.1:9/"])
    code = audit(tmp_path / "urls.txt", "--out", tmp_path / "out", "--ignore-robots", "--quiet")
    assert code == 2 and "--authority" in capsys.readouterr().err


def test_progress_log_lines_when_not_a_tty(tmp_path, capsys):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.html").write_text(page(NEUTRAL)[2].decode(), encoding="utf-8")
    assert audit(folder, "--out", tmp_path / "out", "--workers", "1") == 0
    captured = capsys.readouterr()
    assert "audit: 1/1 rows" in captured.err and "\r" not in captured.err
    assert "report.html" in captured.out
    assert os.path.exists(tmp_path / "out" / "report.html")


def test_progress_bar_on_a_tty_and_quiet():
    from io import StringIO

    from checker.audit.progress import Progress

    tty = StringIO()
    bar = Progress(10, stream=tty, tty=True)
    bar.update(5, 2, 1, force=True)
    bar.close()
    text = tty.getvalue()
    assert text.startswith("\r") and "5/10 rows" in text and "2 flags" in text
    assert "1 not checked" in text and "ETA" in text and text.endswith("\n")
    quiet = StringIO()
    silent = Progress(10, stream=quiet, quiet=True)
    silent.update(10, 0, 0, force=True)
    silent.close()
    assert quiet.getvalue() == ""
