"""`python -m checker.cli.demo` runs end to end on 127.0.0.1 and leaves its reports behind."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_end_to_end(tmp_path):
    out = tmp_path / "demo-out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker.cli.demo",
            "--out",
            str(out),
            "--delay",
            "0.02",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    assert "report.html" in proc.stdout and "findings.csv" in proc.stdout
    assert "Worst claims" in proc.stdout
    for name in (
        "report.html",
        "findings.csv",
        "sites.csv",
        "urls.csv",
        "errors.csv",
        "findings.jsonl",
        "capture.warc.gz",
        "capture.manifest.jsonl",
    ):
        assert (out / name).is_file(), name
    with (out / "sites.csv").open(encoding="utf-8", newline="") as fh:
        sites = {row["clinic_name"]: row for row in csv.DictReader(fh)}
    assert len(sites) == 4
    assert all(int(s["pages_checked"]) >= 3 for s in sites.values())
    stem = sites["Summit Stem Cell Institute"]
    assert int(stem["outcome_blocked_by_robots"]) == 1  # /patient-portal/ is disallowed
    risks = {name: float(s["risk_score"]) for name, s in sites.items()}
    assert max(risks, key=risks.get) == "Summit Stem Cell Institute"
    assert risks["Summit Stem Cell Institute"] > risks["St. Brendan University Hospital"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.index("Summit Stem Cell Institute") < report.index("St. Brendan University")

    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker.cli.demo",
            "--out",
            str(out),
            "--delay",
            "0.02",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert again.returncode == 0, again.stderr  # a second demo starts afresh (new ports)
