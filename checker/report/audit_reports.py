"""Audit reports regenerated from the audit database: findings.csv, findings.jsonl, sites.csv,
urls.csv, errors.csv (and report.html via `html_report`).

Each file is written to a temporary name and moved into place (`os.replace`), so a reader never
sees half a report and a crash never leaves one. CSV is UTF-8, RFC 4180 (csv module, minimal
quoting, CRLF), and every text cell passes through `neutralise_cell` (spreadsheet formulas).

The same claim repeated on many pages of one site (a footer, a banner) is one row of
findings.csv: flags are de-duplicated per site after normalisation (lowercase, whitespace
collapsed, punctuation stripped), exact match first, then rapidfuzz `fuzz.ratio >= 95` within the
same category + therapy bucket, so the work stays per site and per bucket, never audit-wide.
sites.csv and report.html list sites worst first (risk score, distinct flags, input order);
findings.csv keeps input order; urls.csv and errors.csv follow the input row by row.

Every distinct claim carries a stable `finding_id` (`site_claims.finding_id`). With reviewer
dispositions (`dispositions.py`) a false positive leaves findings.csv and the risk score for
suppressed.csv, a decision whose finding no longer occurs goes to stale.csv, and rules.csv
measures each rule's precision (`rule_precision.py`). All three are written on every run (with
a header only when there is nothing to list), so no file from an earlier run lingers.
New columns are only ever appended at the end of a file, so existing readers keep working.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from checker.records import ADDED_OUTCOMES, OUTCOMES, RowRecord
from checker.report.audit_view import AuditView
from checker.report.dispositions import Disposition, decision_for
from checker.report.files import atomic_open, csv_writer, safe_row
from checker.report.html_report import write_html_report
from checker.report.rule_precision import RuleTally, tally, write_rules_csv
from checker.report.site_claims import (
    VERDICT_WEIGHT,
    SiteSummary,
    dedupe_flags,
    finding_id,
    points,
    rank_claims,
    summarise_site,
)

FINDING_COLUMNS = (
    "sentence",
    "claim",
    "therapy",
    "condition",
    "category",
    "verdict",
    "severity",
    "hedged",
    "evidence",
    "refs",
    "rationale",
)
PROVENANCE_COLUMNS = ("checker_version", "lexicons_version", "lexicons_sha256", "evidence_sha256")
# appended after the provenance columns (issue 11): never inserted, so old readers keep working
REVIEW_COLUMNS = (
    "finding_id",
    "rule",
    "disclaimer_nearby",
    "disposition",
    "reviewer",
    "decided_at",
)
# appended after the review columns (issue 12): the PDF page of the claim, empty for HTML
PDF_COLUMNS = ("pdf_page",)
URL_COLUMNS = (
    "row",
    "url",
    "outcome",
    "final_url",
    "http_status",
    "page_sha256",
    "pages",
    "flags",
    "reason",
)
# every file `write_reports` writes into the audit folder
REPORT_FILES = (
    "findings.csv",
    "findings.jsonl",
    "sites.csv",
    "urls.csv",
    "errors.csv",
    "report.html",
    "suppressed.csv",
    "stale.csv",
    "rules.csv",
)
SUPPRESSED_COLUMNS = (
    "finding_id",
    "url",
    "fetched_at",
    "page_sha256",
    "sentence",
    "claim",
    "therapy",
    "category",
    "verdict",
    "severity",
    "rule",
    "occurrences",
    "pages",
    "reviewer",
    "reason",
    "decided_at",
    "dispositions_line",
)
STALE_COLUMNS = ("finding_id", "disposition", "reviewer", "reason", "decided_at", "line", "why")
STALE_WHY = "no finding with this id in this audit (claim removed or reworded, or site not audited)"
FIRST_OUTCOMES = tuple(o for o in OUTCOMES if o not in ADDED_OUTCOMES)  # sites.csv's first ones
ERROR_COLUMNS = ("row", "url", "outcome", "http_status", "final_url", "reason")


# -- writers ---------------------------------------------------------------------------------------
def finding_cells(finding: dict) -> list[object]:
    return [
        finding.get("sentence", ""),
        finding.get("claim", ""),
        finding.get("therapy", ""),
        finding.get("condition", ""),
        finding.get("category", ""),
        finding.get("verdict", ""),
        finding.get("severity", ""),
        "true" if finding.get("hedged") else "false",
        ";".join(finding.get("evidence", [])),
        ";".join(str(r) for r in finding.get("refs", [])),
        finding.get("rationale", ""),
    ]


def findings_header(columns: tuple[str, ...]) -> list[str]:
    return [
        "site",
        *columns,
        "url",
        "fetched_at",
        "page_sha256",
        *FINDING_COLUMNS,
        "occurrences",
        "pages",
        *PROVENANCE_COLUMNS,
        *REVIEW_COLUMNS,
        *PDF_COLUMNS,
    ]


def review_cells(claim: dict) -> list[object]:
    """The columns findings.csv gained with issue 11 (see REVIEW_COLUMNS)."""
    f, d = claim["finding"], claim.get("review") or {}
    return [
        claim.get("finding_id", ""),
        f.get("rule", ""),
        f.get("disclaimer_nearby", ""),
        d.get("disposition", ""),
        d.get("reviewer", ""),
        d.get("decided_at", ""),
    ]


def findings_rows(
    site: str, extra: dict[str, str], columns: tuple[str, ...], claims: list[dict], provenance: dict
) -> Iterator[list[str]]:
    for claim in claims:
        page = claim["page"]
        yield safe_row(
            [
                site,
                *(extra.get(c, "") for c in columns),
                page.get("final_url") or page.get("url"),
                page.get("fetched_at") or "",
                page.get("sha256") or "",
                *finding_cells(claim["finding"]),
                claim["occurrences"],
                " | ".join(claim["pages"]),
                provenance.get("checker", ""),
                provenance.get("lexicons", ""),
                provenance.get("lexicons_sha256", ""),
                provenance.get("evidence_sha256", ""),
                *review_cells(claim),
                "" if claim["finding"].get("pdf_page") is None else claim["finding"]["pdf_page"],
            ]
        )


def suppressed_row(site: str, extra: dict, columns: tuple[str, ...], claim: dict) -> list[str]:
    f, page, d = claim["finding"], claim["page"], claim["review"]
    return safe_row(
        [
            site,
            *(extra.get(c, "") for c in columns),
            claim["finding_id"],
            page.get("final_url") or page.get("url"),
            page.get("fetched_at") or "",
            page.get("sha256") or "",
            f.get("sentence", ""),
            f.get("claim", ""),
            f.get("therapy", ""),
            f.get("category", ""),
            f.get("verdict", ""),
            f.get("severity", ""),
            f.get("rule", ""),
            claim["occurrences"],
            " | ".join(claim["pages"]),
            d["reviewer"],
            d["reason"],
            d["decided_at"],
            d["line"],
        ]
    )


def stale_row(d: Disposition) -> list[str]:
    return safe_row(
        [d.finding_id, d.disposition, d.reviewer, d.reason, d.decided_at, d.line, STALE_WHY]
    )


def sites_header(columns: tuple[str, ...]) -> list[str]:
    return [
        "site",
        *columns,
        "rows",
        "pages_checked",
        *(f"outcome_{o}" for o in FIRST_OUTCOMES),
        "flags_high",
        "flags_medium",
        "flags_low",
        "distinct_flags",
        "flag_occurrences",
        "contradicts",
        "unsupported",
        "risk_score",
        "worst_claim",
        "worst_claim_verdict",
        "worst_claim_severity",
        "worst_claim_url",
        *(f"outcome_{o}" for o in ADDED_OUTCOMES),  # appended: older columns keep their places
    ]


def sites_row(s: SiteSummary, columns: tuple[str, ...]) -> list[str]:
    worst = s.worst["finding"] if s.worst else {}
    worst_url = (s.worst["page"].get("final_url") or s.worst["page"].get("url")) if s.worst else ""
    return safe_row(
        [
            s.site,
            *(s.extra.get(c, "") for c in columns),
            s.rows,
            s.pages_checked,
            *(s.outcomes.get(o, 0) for o in FIRST_OUTCOMES),
            s.high,
            s.medium,
            s.low,
            s.distinct_flags,
            s.occurrences,
            s.contradicts,
            s.unsupported,
            f"{s.risk_score:g}",
            worst.get("sentence", ""),
            worst.get("verdict", ""),
            worst.get("severity", ""),
            worst_url,
            *(s.outcomes.get(o, 0) for o in ADDED_OUTCOMES),
        ]
    )


def url_row(r: RowRecord) -> list[str]:
    return safe_row(
        [
            r.rowno,
            r.raw,
            r.outcome or "",
            r.final_url or "",
            "" if r.status is None else r.status,
            r.sha256 or "",
            r.pages,
            r.flags,
            r.reason,
        ]
    )


def error_row(r: RowRecord) -> list[str]:
    return safe_row(
        [
            r.rowno,
            r.raw,
            r.outcome or "",
            "" if r.status is None else r.status,
            r.final_url or "",
            r.reason,
        ]
    )


def write_csv(path: Path, header: Iterable[str], rows: Iterable[list[str]]) -> int:
    count = 0
    with atomic_open(path, newline="") as fh:
        out = csv_writer(fh)
        out.writerow(list(header))
        for row in rows:
            out.writerow(row)
            count += 1
    return count


def write_findings_jsonl(
    path: Path, state: AuditView, provenance: dict, reviewed: dict[str, dict] | None = None
) -> int:
    """Every finding occurrence (all fields), with its page's url, sha256 and WARC record id,
    its stable `finding_id`, and the reviewer's decision on its claim when there is one
    (`reviewed`: finding id -> decision, covering every wording merged into a claim)."""
    reviewed = reviewed or {}
    count = 0
    stamp = {
        "checker_version": provenance.get("checker", ""),
        "lexicons_version": provenance.get("lexicons", ""),
        "lexicons_sha256": provenance.get("lexicons_sha256", ""),
        "evidence_sha256": provenance.get("evidence_sha256", ""),
    }
    with atomic_open(path) as fh:
        for rowno, site, page, finding in state.iter_findings():
            fid = finding_id(site, finding)
            record = {
                "row": rowno,
                "site": site,
                "page_url": page["url"],
                "final_url": page["final_url"],
                "fetched_at": page["fetched_at"],
                "page_sha256": page["sha256"],
                "warc_record_id": page["warc_record_id"],
                **finding,
                "is_flag": finding.get("verdict") in VERDICT_WEIGHT,
                "finding_id": fid,
                **stamp,
            }
            if fid in reviewed and record["is_flag"]:
                record["disposition"] = reviewed[fid]["disposition"]
                record["reviewer"] = reviewed[fid]["reviewer"]
                record["suppressed"] = reviewed[fid]["disposition"] == "false_positive"
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


# -- all together ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportTotals:
    """What the command prints at the end and the demo summarises."""

    sites: int
    rows: int
    pages_checked: int
    distinct_flags: int
    by_severity: dict[str, int]
    worst: list[tuple[SiteSummary, dict]]  # the worst distinct claims audit-wide
    paths: dict[str, Path]
    ranked: tuple[SiteSummary, ...] = ()  # sites, worst first
    suppressed: int = 0  # distinct claims a reviewer marked false_positive
    stale: int = 0  # decisions whose finding no longer occurs
    confirmed: int = 0
    timeouts: int = 0  # pages whose analysis ran past the CPU budget (analysis_timeout)


@dataclass
class Review:
    """What the reviewer decisions did to this run, gathered while findings.csv is written:
    the suppressed claims (with their site), the ids the decisions reached, and per claim its
    (rule, disposition) for rules.csv."""

    decisions: dict[str, Disposition]
    suppressed: list[tuple[str, dict, dict]]  # (site, extra, claim)
    used: set[str]
    reviewed: dict[str, dict]  # finding id (every merged wording) -> decision as a dict
    outcomes: list[tuple[str, str | None]]  # (rule, disposition) per distinct claim

    def apply(self, site: str, extra: dict, claims: list[dict]) -> list[dict]:
        """Mark each claim with its decision; return the claims that stay flags."""
        kept = []
        for claim in claims:
            d = decision_for(claim, self.decisions)
            if d is not None:
                self.used.add(d.finding_id)
                claim["review"] = {
                    "disposition": d.disposition,
                    "reviewer": d.reviewer,
                    "reason": d.reason,
                    "decided_at": d.decided_at,
                    "line": d.line,
                }
                for fid in claim["finding_ids"]:
                    self.reviewed[fid] = claim["review"]
            disposition = d.disposition if d else None
            self.outcomes.append((claim["finding"].get("rule", ""), disposition))
            if disposition == "false_positive":
                self.suppressed.append((site, extra, claim))
            else:
                kept.append(claim)
        return kept

    def stale(self) -> list[Disposition]:
        return [d for fid, d in self.decisions.items() if fid not in self.used]

    def tallies(self) -> dict[str, RuleTally]:
        return tally(self.outcomes)


def build_site_claims(
    state: AuditView,
    columns: tuple[str, ...],
    provenance: dict,
    findings_csv: Path,
    review: Review | None = None,
) -> list[SiteSummary]:
    """De-duplicate each site's flags, apply reviewer decisions, store the claims that stay
    flags for the HTML report, write findings.csv."""
    outcomes = state.site_outcomes()
    row_counts = state.site_row_counts()
    summaries: list[SiteSummary] = []
    review = review or Review({}, [], set(), {}, [])
    state.clear_site_claims()

    def rows() -> Iterator[list[str]]:
        for site, extra in state.iter_sites():
            claims = review.apply(site, extra, dedupe_flags(state.site_flags(site), site))
            state.replace_site_claims(site, claims)
            summaries.append(
                summarise_site(
                    site, extra, row_counts.get(site, 0), outcomes.get(site, Counter()), claims
                )
            )
            yield from findings_rows(site, extra, columns, claims, provenance)

    write_csv(findings_csv, findings_header(columns), rows())
    return summaries


def write_review_files(
    paths: dict[str, Path], review: Review, columns: tuple[str, ...], provenance: dict
) -> None:
    """suppressed.csv, stale.csv and rules.csv (headers only when there is nothing to list)."""
    write_csv(
        paths["suppressed.csv"],
        ["site", *columns, *SUPPRESSED_COLUMNS],
        (suppressed_row(site, extra, columns, c) for site, extra, c in review.suppressed),
    )
    write_csv(paths["stale.csv"], STALE_COLUMNS, (stale_row(d) for d in review.stale()))
    write_rules_csv(paths["rules.csv"], review.tallies(), provenance)


def worst_claims(state: AuditView, summaries: list[SiteSummary], n: int = 5) -> list[tuple]:
    """(site summary, claim) for the n worst distinct claims, at most two per site."""
    out: list[tuple[SiteSummary, dict]] = []
    for s in summaries:
        if s.worst:
            out += [(s, claim) for claim in rank_claims(state.site_claims(s.site))[:2]]
    out.sort(key=lambda sc: -points(sc[1]["finding"]))
    return out[:n]


def write_reports(
    state: AuditView,
    out: Path,
    info: dict,
    html_writer: Callable[..., None] | None = None,
    dispositions: dict[str, Disposition] | None = None,
) -> ReportTotals:
    """Regenerate every report in `out` from the database. `info` carries provenance, the
    carried columns and the audit's timestamps (see `checker.audit.run`); `dispositions` the
    reviewer decisions by finding id (validated already: `dispositions.load_dispositions`)."""

    columns = tuple(info.get("columns", ()))
    provenance = info.get("provenance", {})
    paths = {name: out / name for name in REPORT_FILES}
    review = Review(dict(dispositions or {}), [], set(), {}, [])
    summaries = build_site_claims(state, columns, provenance, paths["findings.csv"], review)
    write_findings_jsonl(paths["findings.jsonl"], state, provenance, review.reviewed)
    write_review_files(paths, review, columns, provenance)
    info = {
        **info,
        "review": {
            "active": dispositions is not None,
            "suppressed": review.suppressed,
            "stale": review.stale(),
            "tallies": review.tallies(),
        },
    }
    order = {s.site: i for i, s in enumerate(summaries)}  # ties stay in input order
    ranked = sorted(summaries, key=lambda s: (-s.risk_score, -s.distinct_flags, order[s.site]))
    write_csv(paths["sites.csv"], sites_header(columns), (sites_row(s, columns) for s in ranked))
    write_csv(paths["urls.csv"], URL_COLUMNS, (url_row(r) for r in state.iter_rows()))
    write_csv(
        paths["errors.csv"],
        ERROR_COLUMNS,
        (error_row(r) for r in state.iter_rows() if r.outcome != "checked"),
    )
    (html_writer or write_html_report)(paths["report.html"], info, ranked, state.site_claims)
    by_sev = {k: sum(getattr(s, k) for s in summaries) for k in ("high", "medium", "low")}
    return ReportTotals(
        sites=len(summaries),
        rows=int(state.get_meta("total_rows", "0") or 0),
        pages_checked=sum(s.pages_checked for s in summaries),
        distinct_flags=sum(by_sev.values()),
        by_severity=by_sev,
        worst=worst_claims(state, summaries),
        paths=paths,
        ranked=tuple(ranked),
        suppressed=len(review.suppressed),
        stale=len(review.stale()),
        confirmed=sum(1 for _, d in review.outcomes if d == "confirmed"),
        timeouts=sum(s.outcomes.get("analysis_timeout", 0) for s in summaries),
    )
