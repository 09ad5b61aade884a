"""The re-check after a warning letter: `checker diff OLD_DIR NEW_DIR --out DIR`.

Two audit folders in, per clinic the fate of every flagged claim out:

  removed      the old flag has no counterpart in the new audit
  softened     same claim, lower risk: lower severity or `contradicts` -> `unsupported`, a hedge
               or a nearby disclaimer added, or the verdict is no longer a flag
  hardened     same claim, higher risk (the reverse of each of those)
  moved        same claim, now on other pages only
  new          a flag with no counterpart in the old audit
  unchanged    same claim, same risk, on (some of) the same pages
  not_rechecked  the clinic has no checked page in the new audit, so nothing can be said

Claims are matched within site, category and therapy only: first by stable finding id, then by
rapidfuzz `fuzz.ratio` on the normalised sentence (best pairs first, at least MATCH_SCORE), so
the work stays per site and bucket. A flag a reviewer marked false_positive (in either audit) is
not a flag here: a claim suppressed only in the new audit is not "removed", it was reviewed.

The folders are read from their findings.jsonl (every finding, flags and not) and sites.csv,
never from the SQLite state, so any two audit folders compare, including ones made on other
machines. Bad input (a missing folder, a folder without those files, a corrupt line) raises
DiffError naming the file and line: a usage error (exit 2).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from checker.report.audit_reports import write_csv
from checker.report.diff_html import write_diff_html
from checker.report.files import safe_row
from checker.report.site_claims import (
    SEVERITY_RANK,
    dedupe_flags,
    finding_id,
    normalise,
    points,
)

MATCH_SCORE = 70  # fuzz.ratio of normalised sentences for "the same claim, reworded"
STATUSES = ("new", "hardened", "softened", "moved", "removed", "unchanged", "not_rechecked")
RAISING = frozenset({"new", "hardened"})  # statuses that make `checker diff` exit 1
REQUIRED_FILES = ("findings.jsonl", "sites.csv")
DIFF_COLUMNS = (
    "site",
    "clinic_name",
    "status",
    "category",
    "therapy",
    "old_sentence",
    "new_sentence",
    "old_verdict",
    "new_verdict",
    "old_severity",
    "new_severity",
    "old_hedged",
    "new_hedged",
    "old_disclaimer_nearby",
    "new_disclaimer_nearby",
    "old_url",
    "new_url",
    "old_page_sha256",
    "new_page_sha256",
    "old_fetched_at",
    "new_fetched_at",
    "old_finding_id",
    "new_finding_id",
    "similarity",
    "why",
)


class DiffError(ValueError):
    """An audit folder cannot be compared; one line naming the folder, file and line."""


# -- reading an audit folder ---------------------------------------------------------------------
@dataclass
class AuditSnapshot:
    """What the diff needs of one audit folder: per site its distinct flags, its other
    findings (to see a flag that became consistent), pages checked and carried name."""

    folder: Path
    flags: dict[str, list[dict]] = field(default_factory=dict)  # site -> distinct claims
    others: dict[str, list[tuple[dict, dict]]] = field(default_factory=dict)  # (page, finding)
    pages_checked: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    capture_sha256: str = ""
    lexicons: str = ""
    suppressed: set[str] = field(default_factory=set)  # finding ids reviewed as false positives


_KEEP = (
    "sentence",
    "claim",
    "category",
    "therapy",
    "verdict",
    "severity",
    "hedged",
    "disclaimer_nearby",
    "rule",
    "start",
)


def _page(record: dict) -> dict:
    return {
        "url": record.get("page_url"),
        "final_url": record.get("final_url"),
        "fetched_at": record.get("fetched_at"),
        "sha256": record.get("page_sha256"),
    }


def _read_jsonl(path: Path) -> Iterable[dict]:
    try:
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DiffError(f"{path}, line {lineno}: not JSON ({exc.msg})") from None
                if not isinstance(record, dict) or not isinstance(record.get("site"), str):
                    raise DiffError(f"{path}, line {lineno}: not a finding record (no site)")
                yield record
    except UnicodeDecodeError:
        raise DiffError(f"{path}: not valid UTF-8") from None
    except OSError as exc:
        raise DiffError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _read_sites(path: Path, snap: AuditSnapshot) -> None:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not {"site", "pages_checked"} <= set(reader.fieldnames):
                raise DiffError(f"{path}, line 1: not a sites.csv (needs site, pages_checked)")
            for row in reader:
                try:
                    snap.pages_checked[row["site"]] = int(row["pages_checked"] or 0)
                except (TypeError, ValueError):
                    raise DiffError(
                        f"{path}, line {reader.line_num}: pages_checked is not a number"
                    ) from None
                snap.names[row["site"]] = row.get("clinic_name") or ""
    except UnicodeDecodeError:
        raise DiffError(f"{path}: not valid UTF-8") from None
    except csv.Error as exc:
        raise DiffError(f"{path}: {exc}") from None


def _file_sha256(path: Path) -> str:
    if not path.is_file():
        return ""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_audit(folder: Path) -> AuditSnapshot:
    """Read one audit folder; DiffError when it is missing, not an audit folder, or corrupt."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DiffError(f"no such audit folder: {folder}")
    missing = [n for n in REQUIRED_FILES if not (folder / n).is_file()]
    if missing:
        raise DiffError(f"{folder} is not an audit folder (no {', '.join(missing)})")
    snap = AuditSnapshot(folder)
    _read_sites(folder / "sites.csv", snap)
    pairs: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for record in _read_jsonl(folder / "findings.jsonl"):
        snap.lexicons = snap.lexicons or str(record.get("lexicons_version") or "")
        finding = {k: record.get(k) for k in _KEEP}
        if record.get("is_flag") and record.get("suppressed"):
            snap.suppressed.add(
                str(record.get("finding_id") or finding_id(record["site"], finding))
            )
        elif record.get("is_flag"):
            pairs[record["site"]].append((_page(record), finding))
        elif not record.get("is_flag"):
            snap.others.setdefault(record["site"], []).append((_page(record), finding))
    snap.flags = {site: dedupe_flags(p, site) for site, p in pairs.items()}
    snap.capture_sha256 = _file_sha256(folder / "capture.warc.gz")
    return snap


# -- comparing ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One line of diff.csv: a claim's fate between the two audits."""

    site: str
    status: str
    category: str
    therapy: str
    old: dict | None  # the old distinct claim (page, finding, pages, ids)
    new: dict | None  # the new one; for "softened" to a non-flag, a claim-shaped finding
    similarity: int
    why: str


def _bucket(claim: dict) -> tuple[str, str]:
    f = claim["finding"]
    return f.get("category") or "", f.get("therapy") or ""


def _similarity(a: dict, b: dict) -> int:
    return round(
        fuzz.ratio(
            normalise(a["finding"].get("sentence") or ""),
            normalise(b["finding"].get("sentence") or ""),
        )
    )


def _pair(old: list[dict], new: list[dict]) -> tuple[list[tuple[dict, dict, int]], list, list]:
    """Pairs (old, new, similarity): same finding id first, then best fuzzy pairs first."""
    pairs: list[tuple[dict, dict, int]] = []
    left, right = list(old), list(new)
    for o in list(left):
        ids = set(o["finding_ids"])
        n = next((n for n in right if ids & set(n["finding_ids"])), None)
        if n is not None:
            pairs.append((o, n, 100))
            left.remove(o)
            right.remove(n)
    scored = sorted(
        ((_similarity(o, n), i, j) for i, o in enumerate(left) for j, n in enumerate(right)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_o, used_n = set(), set()
    for score, i, j in scored:
        if score < MATCH_SCORE:
            break
        if i in used_o or j in used_n:
            continue
        used_o.add(i)
        used_n.add(j)
        pairs.append((left[i], right[j], score))
    rest_o = [o for i, o in enumerate(left) if i not in used_o]
    rest_n = [n for j, n in enumerate(right) if j not in used_n]
    return pairs, rest_o, rest_n


def _risk(f: dict) -> tuple[float, int]:
    return points(f), -SEVERITY_RANK.get(f.get("severity") or "", 3)


def _direction(old: dict, new: dict) -> tuple[int, str]:
    """+1 hardened, -1 softened, 0 same, with every reason in words. The risk points decide
    first (severity x verdict weight), then a hedge, then a disclaimer nearby."""
    signals: list[tuple[int, str]] = []
    if _risk(new) != _risk(old):
        before = f"{old.get('verdict')}/{old.get('severity')}"
        after = f"{new.get('verdict')}/{new.get('severity')}"
        signals.append((1 if _risk(new) > _risk(old) else -1, f"{before} -> {after}"))
    if bool(new.get("hedged")) != bool(old.get("hedged")):
        signals.append((-1, "hedge added") if new.get("hedged") else (1, "hedge removed"))
    if bool(new.get("disclaimer_nearby")) != bool(old.get("disclaimer_nearby")):
        if new.get("disclaimer_nearby"):
            signals.append((-1, f"disclaimer added nearby: {new.get('disclaimer_nearby')}"))
        else:
            signals.append((1, "disclaimer nearby removed"))
    if not signals:
        return 0, ""
    return signals[0][0], "; ".join(why for _, why in signals)


def _urls(claim: dict) -> set[str]:
    return set(claim.get("pages") or [])


def _matched(site: str, o: dict, n: dict, score: int) -> Change:
    sign, why = _direction(o["finding"], n["finding"])
    cat, therapy = _bucket(o)
    if sign > 0:
        status = "hardened"
    elif sign < 0:
        status = "softened"
    elif not (_urls(o) & _urls(n)):
        status, why = "moved", "same claim, now on other page(s)"
    else:
        status, why = "unchanged", "" if score == 100 else "reworded, same risk"
    return Change(site, status, cat, therapy, o, n, score, why)


def _as_claim(page: dict, finding: dict, site: str) -> dict:
    url = page.get("final_url") or page.get("url") or ""
    fid = finding_id(site, finding)
    return {
        "page": page,
        "finding": finding,
        "pages": [url],
        "finding_id": fid,
        "finding_ids": [fid],
    }


def _no_longer_flag(site: str, o: dict, others: list[tuple[dict, dict]]) -> Change | None:
    """An old flag whose sentence is still there, but no longer flagged (softened)."""
    cat, therapy = _bucket(o)
    best, best_score = None, MATCH_SCORE - 1
    for page, f in others:
        if (f.get("category") or "", f.get("therapy") or "") != (cat, therapy):
            continue
        cand = _as_claim(page, f, site)
        score = _similarity(o, cand)
        if score > best_score:
            best, best_score = cand, score
    if best is None:
        return None
    why = f"verdict no longer a flag: {best['finding'].get('verdict')}"
    return Change(site, "softened", cat, therapy, o, best, best_score, why)


def _unreviewed(claims: list[dict], suppressed: set[str]) -> list[dict]:
    return [c for c in claims if not suppressed.intersection(c["finding_ids"])]


def compare_site(site: str, old: AuditSnapshot, new: AuditSnapshot) -> list[Change]:
    """Every old and new flag of one site, each with its status."""
    suppressed = old.suppressed | new.suppressed
    old_claims = _unreviewed(old.flags.get(site, []), suppressed)
    new_claims = _unreviewed(new.flags.get(site, []), suppressed)
    if new.pages_checked.get(site, 0) == 0:
        why = "no page of this clinic was checked in the new audit"
        return [Change(site, "not_rechecked", *_bucket(o), o, None, 0, why) for o in old_claims]
    buckets: dict[tuple[str, str], tuple[list, list]] = {}
    for c in old_claims:
        buckets.setdefault(_bucket(c), ([], []))[0].append(c)
    for c in new_claims:
        buckets.setdefault(_bucket(c), ([], []))[1].append(c)
    changes: list[Change] = []
    others = new.others.get(site, [])
    for (cat, therapy), (olds, news) in buckets.items():
        pairs, gone, added = _pair(olds, news)
        changes += [_matched(site, o, n, s) for o, n, s in pairs]
        for o in gone:
            changes.append(
                _no_longer_flag(site, o, others)
                or Change(
                    site, "removed", cat, therapy, o, None, 0, "no counterpart in the new audit"
                )
            )
        changes += [
            Change(site, "new", cat, therapy, None, n, 0, "no counterpart in the old audit")
            for n in added
        ]
    order = {s: i for i, s in enumerate(STATUSES)}
    return sorted(changes, key=lambda c: order[c.status])


@dataclass(frozen=True)
class SiteDiff:
    """One clinic's changes and its summary line."""

    site: str
    name: str
    changes: tuple[Change, ...]

    @property
    def counts(self) -> Counter:
        return Counter(c.status for c in self.changes)

    @property
    def raised(self) -> bool:
        return any(c.status in RAISING for c in self.changes)

    def summary(self) -> str:
        label = f"{self.name} ({self.site})" if self.name and self.name != self.site else self.site
        counts = self.counts
        parts = [f"{counts[s]} {s}" for s in STATUSES if counts[s]]
        return f"{label}: {', '.join(parts) or 'no flags in either audit'}"


@dataclass(frozen=True)
class AuditDiff:
    """The whole comparison: per clinic, in the new audit's order, then clinics only in the old."""

    old: AuditSnapshot
    new: AuditSnapshot
    sites: tuple[SiteDiff, ...]

    @property
    def raised(self) -> bool:
        return any(s.raised for s in self.sites)

    @property
    def totals(self) -> Counter:
        total: Counter = Counter()
        for s in self.sites:
            total.update(s.counts)
        return total


def diff_audits(old_dir: Path, new_dir: Path) -> AuditDiff:
    """Compare two audit folders (DiffError on bad input)."""
    old, new = load_audit(Path(old_dir)), load_audit(Path(new_dir))
    sites = list(new.pages_checked)
    sites += [s for s in old.pages_checked if s not in new.pages_checked]
    sites += [s for s in old.flags if s not in sites]
    out = []
    for site in sites:
        name = new.names.get(site) or old.names.get(site) or ""
        out.append(SiteDiff(site, name, tuple(compare_site(site, old, new))))
    return AuditDiff(old, new, tuple(out))


# -- writing --------------------------------------------------------------------------------------
def _side(claim: dict | None) -> dict:
    if claim is None:
        return {}
    f, page = claim["finding"], claim["page"]
    return {
        "sentence": f.get("sentence") or "",
        "verdict": f.get("verdict") or "",
        "severity": f.get("severity") or "",
        "hedged": "true" if f.get("hedged") else "false",
        "disclaimer": f.get("disclaimer_nearby") or "",
        "url": page.get("final_url") or page.get("url") or "",
        "sha256": page.get("sha256") or "",
        "fetched_at": page.get("fetched_at") or "",
        "id": claim.get("finding_id") or "",
    }


def change_row(c: Change, name: str) -> list[str]:
    o, n = _side(c.old), _side(c.new)
    keys = ("sentence", "verdict", "severity", "hedged", "disclaimer", "url", "sha256")
    cells: list[object] = [c.site, name, c.status, c.category, c.therapy]
    for key in keys:
        cells += [o.get(key, ""), n.get(key, "")]
    cells += [o.get("fetched_at", ""), n.get("fetched_at", ""), o.get("id", ""), n.get("id", "")]
    cells += [c.similarity or "", c.why]
    return safe_row(cells)


def write_diff(result: AuditDiff, out: Path) -> dict[str, Path]:
    """diff.csv and diff.html in `out` (created); returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"diff.csv": out / "diff.csv", "diff.html": out / "diff.html"}
    rows = (change_row(c, s.name) for s in result.sites for c in s.changes)
    write_csv(paths["diff.csv"], DIFF_COLUMNS, rows)
    write_diff_html(paths["diff.html"], result, summary_lines(result)[-1])
    return paths


def summary_lines(result: AuditDiff) -> list[str]:
    """One line per clinic, then the totals."""
    lines = [s.summary() for s in result.sites]
    total = result.totals
    parts = ", ".join(f"{total[s]} {s}" for s in STATUSES if total[s]) or "no flags in either audit"
    lines.append(f"{len(result.sites)} clinic(s): {parts}")
    return lines
