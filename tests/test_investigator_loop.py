"""The investigator's loop end to end on the bundled demo clinics, over real HTTP on 127.0.0.1:
audit, review (dispositions: exactly the marked findings are suppressed, rules.csv measures the
rules), edit a clinic's site (one claim removed, one hedged, one added) and audit again with
--baseline, then `checker diff`: exactly those three changes, everything else unchanged.

Each clinic is served by the demo's static server; the second audit reuses the first one's
ports, so each clinic keeps its site (host:port) and its claims keep their finding ids, as a
real clinic keeps its host between a warning letter and the re-check.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from checker.audit.inputs import site_of
from checker.cli.demo import serve_site, write_clinic_list
from checker.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SUMMIT = "summit-stemcell-institute.example"
REMOVED = (
    "  <p>95% of our patients report lasting pain relief within three months of a single "
    "stem cell treatment.</p>\n"
)
HEDGE_FROM = "Stem cell therapy is the natural alternative to spine surgery."
HEDGE_TO = "Stem cell therapy may be a natural alternative to spine surgery."
ADDED = "Our stem cell injections cure sciatica in a single visit."
ANCHOR = "  <h2>Meet Dr. Brandon Kessler</h2>"

pytestmark = pytest.mark.slow


@contextmanager
def serve_clinics(sites: Path, ports: dict[str, int]) -> Iterator[dict[str, str]]:
    """Serve every clinic folder; `ports` (folder -> port) is filled on the first call and
    reused on the next, so a clinic keeps its host:port."""
    with ExitStack() as stack:
        origins = {}
        for folder in sorted(p for p in sites.iterdir() if p.is_dir()):
            origin = stack.enter_context(serve_site(folder, ports.get(folder.name, 0)))
            ports[folder.name] = int(origin.rstrip("/").rsplit(":", 1)[1])
            origins[site_of(f"https://{folder.name}/")] = origin
        yield origins


def run_audit(sites: Path, ports: dict, tmp: Path, out: Path, *extra: str) -> int:
    with serve_clinics(sites, ports) as origins:
        url_list = tmp / f"clinics-{out.name}.csv"
        write_clinic_list(SAMPLES, origins, url_list)
        return main(
            [
                "audit",
                str(url_list),
                "--out",
                str(out),
                "--crawl",
                "--allow-private",
                "--delay",
                "0",
                "--timeout",
                "10",
                "--workers",
                "1",
                "--quiet",
                *extra,
            ]
        )


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def edit_summit(sites: Path) -> None:
    page = sites / SUMMIT / "index.html"
    html = page.read_text(encoding="utf-8")
    assert REMOVED in html and HEDGE_FROM in html and ANCHOR in html
    html = html.replace(REMOVED, "").replace(HEDGE_FROM, HEDGE_TO)
    page.write_text(html.replace(ANCHOR, f"  <p>{ADDED}</p>\n{ANCHOR}"), encoding="utf-8")


def test_review_then_recheck_after_a_warning_letter(tmp_path):
    sites = tmp_path / "sites"
    shutil.copytree(SAMPLES / "sites", sites)
    ports: dict[str, int] = {}
    first = tmp_path / "first"
    assert run_audit(sites, ports, tmp_path, first) == 1
    findings = rows(first / "findings.csv")
    by_sentence = {f["sentence"]: f for f in findings}
    assert all(f["finding_id"].startswith("F") and f["rule"] for f in findings)
    assert len({f["finding_id"] for f in findings}) == len(findings)

    # -- review: two false positives, one confirmation, one decision on a claim long gone
    fp1 = by_sentence["✔ Outpatient procedure, back to work the next day"]
    fp2 = by_sentence["Stem Cell Therapy for Degenerative Disc Disease"]
    ok = next(f for f in findings if f["sentence"].startswith("Summit Stem Cell Institute offers"))
    decisions = tmp_path / "dispositions.csv"
    decisions.write_text(
        "finding_id,disposition,reviewer,reason,decided_at\n"
        f"{fp1['finding_id']},false_positive,j.okafor,recovery time not safety,2026-12-01\n"
        f"{fp2['finding_id']},false_positive,m.lindqvist,a heading that offers nothing,"
        "2026-12-01T10:07:00Z\n"
        f"{ok['finding_id']},confirmed,j.okafor,,2026-12-01\n"
        "F0000000000000000,confirmed,j.okafor,from an earlier audit,2026-11-02\n",
        encoding="utf-8",
    )
    reviewed = tmp_path / "reviewed"
    assert run_audit(sites, ports, tmp_path, reviewed, "--dispositions", str(decisions)) == 1
    kept = rows(reviewed / "findings.csv")
    assert {f["finding_id"] for f in kept} == {f["finding_id"] for f in findings} - {
        fp1["finding_id"],
        fp2["finding_id"],
    }
    suppressed = rows(reviewed / "suppressed.csv")
    assert sorted((s["finding_id"], s["reviewer"]) for s in suppressed) == sorted(
        [(fp1["finding_id"], "j.okafor"), (fp2["finding_id"], "m.lindqvist")]
    )
    assert {s["reason"] for s in suppressed} == {
        "recovery time not safety",
        "a heading that offers nothing",
    }
    assert [s["finding_id"] for s in rows(reviewed / "stale.csv")] == ["F0000000000000000"]
    confirmed = next(f for f in kept if f["finding_id"] == ok["finding_id"])
    assert confirmed["disposition"] == "confirmed" and confirmed["reviewer"] == "j.okafor"
    rules = {r["rule"]: r for r in rows(reviewed / "rules.csv")}
    assert rules[fp1["rule"]]["false_positives"] == "1"
    assert rules[ok["rule"]]["confirmed"] == "1" and rules[ok["rule"]]["precision"] == "1.000"
    total = sum(int(r["findings"]) for r in rules.values())
    assert total == len(findings)  # every distinct claim counted once, suppressed ones too
    risk_before = {r["site"]: float(r["risk_score"]) for r in rows(first / "sites.csv")}
    risk_after = {r["site"]: float(r["risk_score"]) for r in rows(reviewed / "sites.csv")}
    summit = fp1["site"]
    assert risk_after[summit] == risk_before[summit] - 1.5 - 1.5  # two low contradicts gone
    html = (reviewed / "report.html").read_text(encoding="utf-8")
    assert "Suppressed by review" in html and "confirmed by review" in html
    assert "rule precision 1.00, 1 reviewed" in html

    # -- the clinic edits its site after a warning letter; the re-check finds exactly that
    edit_summit(sites)
    second = tmp_path / "second"
    code = run_audit(
        sites,
        ports,
        tmp_path,
        second,
        "--dispositions",
        str(decisions),
        "--baseline",
        str(reviewed),
    )
    assert code == 1
    changes = rows(second / "diff.csv")
    moved = [(c["site"], c["status"]) for c in changes if c["status"] != "unchanged"]
    assert sorted(moved) == sorted([(summit, "removed"), (summit, "softened"), (summit, "new")])
    status = {c["status"]: c for c in changes if c["status"] != "unchanged"}
    assert status["removed"]["old_sentence"].startswith("95% of our patients")
    assert status["softened"]["old_sentence"] == HEDGE_FROM
    assert status["softened"]["new_sentence"] == HEDGE_TO
    assert "hedge added" in status["softened"]["why"]
    assert status["new"]["new_sentence"] == ADDED and status["new"]["old_sentence"] == ""
    for c in changes:  # both captures' digests and UTC times, side by side
        if c["status"] == "unchanged":
            assert c["old_page_sha256"] and c["new_page_sha256"]
            assert c["old_fetched_at"].endswith("Z") and c["new_fetched_at"].endswith("Z")
    assert not any(c["finding_id"] == fp1["finding_id"] for c in rows(second / "findings.csv"))
    assert (second / "diff.html").is_file()

    # -- the same comparison as its own command: exit 1 (a new flag), 0 against itself
    assert main(["diff", str(reviewed), str(second), "--out", str(tmp_path / "d"), "--quiet"]) == 1
    assert rows(tmp_path / "d" / "diff.csv") == changes
    assert main(["diff", str(second), str(second), "--out", str(tmp_path / "same"), "--quiet"]) == 0
