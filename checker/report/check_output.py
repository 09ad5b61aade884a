"""Renderings of `checker check` results: table (for people), json, jsonl and csv.

Output is evidence, not a verdict on the clinic: a page with no flags says "no findings within
scope", never "compliant".
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter
from collections.abc import Iterable

from checker.records import Finding, PageReport
from checker.report.safe import neutralise_cell

NO_FINDINGS = "no findings within scope"
CSV_COLUMNS = (
    "url",
    "final_url",
    "fetched_at",
    "page_sha256",
    "warc_record_id",
    "sentence",
    "claim",
    "start",
    "end",
    "therapy",
    "therapy_source",
    "condition",
    "category",
    "verdict",
    "severity",
    "hedged",
    "evidence",
    "refs",
    "rationale",
    "rule",
    "region",
    "hidden",
    "checker_version",
    "lexicons_version",
    "lexicons_sha256",
    "evidence_sha256",
    "disclaimer_nearby",  # appended (issue 11): columns are only ever added at the end
    "pdf_page",  # appended (issue 12): the PDF page of the claim, empty for HTML and text
)


def _provenance() -> dict:
    from checker.engine.check import provenance

    return provenance()


def _shown(report: PageReport, show_all: bool) -> tuple[Finding, ...]:
    return report.findings if show_all else report.flags


def _highlight(f: Finding, color: bool) -> str:
    """The sentence with the claim marked (bold red on a terminal, »…« elsewhere)."""
    s, c0 = f.sentence, f.claim_start - f.start
    if not (c0 >= 0 and s[c0 : c0 + len(f.claim)] == f.claim):
        c0 = s.find(f.claim)  # the sentence was whitespace-collapsed; find the claim again
        if c0 < 0:
            return s
    c1 = c0 + len(f.claim)
    on, off = ("\033[1;31m", "\033[0m") if color else ("»", "«")
    return f"{s[:c0]}{on}{s[c0:c1]}{off}{s[c1:]}"


def render_table(
    reports: Iterable[PageReport], show_all: bool = False, color: bool | None = None
) -> str:
    color = sys.stdout.isatty() if color is None else color
    out: list[str] = []
    severities: Counter = Counter()
    pages = flagged_pages = 0
    for r in reports:
        pages += 1
        out.append(
            f"{r.url or '(stdin)'}"
            + (f"  [{r.outcome}: {r.reason}]" if r.outcome != "checked" else "")
            + (f"  [{r.reason}]" if r.outcome == "checked" and r.reason else "")
        )
        shown = _shown(r, show_all)
        if r.flags:
            flagged_pages += 1
        if r.outcome == "checked" and not shown:
            out.append(f"  {NO_FINDINGS}")
        for f in shown:
            severities[f.severity] += f.is_flag
            sev = f"/{f.severity}" if f.severity else ""
            where = (
                f", {f.region}" + (", hidden" if f.hidden else "")
                if f.region != "main" or f.hidden
                else ""
            ) + (f", PDF page {f.pdf_page}" if f.pdf_page is not None else "")
            out.append(
                f"  [{f.verdict}{sev}] {f.category} - {f.therapy} "
                f"({f.therapy_source}, {f.condition}{where})"
            )
            out.append(f"    {_highlight(f, color)}")
            refs = ",".join(str(x) for x in f.refs)
            out.append(
                f"    evidence: {', '.join(f.evidence) or '-'}  refs: [{refs}]  rule: {f.rule}"
            )
            out.append(f"    why: {f.rationale}")
            if f.disclaimer_nearby:  # information only: a disclaimer never clears a claim
                out.append(f"    disclaimer nearby: {f.disclaimer_nearby}")
        out.append("")
    total = sum(severities.values())
    if total:
        parts = ", ".join(
            f"{severities[s]} {s}" for s in ("high", "medium", "low") if severities[s]
        )
        out.append(f"{total} flag(s) ({parts}) on {flagged_pages} of {pages} page(s)")
    else:
        out.append(f"{NO_FINDINGS} ({pages} page(s) checked)")
    return "\n".join(out) + "\n"


def render_json(reports: Iterable[PageReport]) -> str:
    doc = {**_provenance(), "pages": [r.page_dict() for r in reports]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def render_jsonl(reports: Iterable[PageReport]) -> str:
    lines, stamp = [], _stamp()
    for r in reports:
        for f in r.findings:
            lines.append(
                json.dumps(
                    {
                        **f.to_dict(),
                        "url": f.url or r.url,
                        "sha256": r.sha256,
                        "warc_record_id": r.warc_record_id,
                        **stamp,
                    },
                    ensure_ascii=False,
                )
            )
    return "".join(line + "\n" for line in lines)


def _stamp() -> dict[str, str]:
    """The provenance every CSV row and JSON line carries: which checker and which rule pack."""
    p = _provenance()
    return {
        "checker_version": p["checker"],
        "lexicons_version": p["lexicons"],
        "lexicons_sha256": p["lexicons_sha256"],
        "evidence_sha256": p["evidence_sha256"],
    }


def csv_row(r: PageReport, f: Finding, stamp: dict[str, str]) -> list[str]:
    values = {
        **stamp,
        "url": r.url,
        "final_url": r.final_url,
        "fetched_at": r.fetched_at,
        "page_sha256": r.sha256,
        "warc_record_id": r.warc_record_id,
        "sentence": f.sentence,
        "claim": f.claim,
        "start": f.start,
        "end": f.end,
        "therapy": f.therapy,
        "therapy_source": f.therapy_source,
        "condition": f.condition,
        "category": f.category,
        "verdict": f.verdict,
        "severity": f.severity,
        "hedged": str(f.hedged).lower(),
        "evidence": ";".join(f.evidence),
        "refs": ";".join(str(x) for x in f.refs),
        "rationale": f.rationale,
        "rule": f.rule,
        "region": f.region,
        "hidden": str(f.hidden).lower(),
        "disclaimer_nearby": f.disclaimer_nearby,
        "pdf_page": "" if f.pdf_page is None else f.pdf_page,
    }
    return [neutralise_cell(values[c]) for c in CSV_COLUMNS]


def render_csv(reports: Iterable[PageReport], show_all: bool = False) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    stamp = _stamp()
    for r in reports:
        for f in _shown(r, show_all):
            writer.writerow(csv_row(r, f, stamp))
    return buf.getvalue()


def render(reports: list[PageReport], fmt: str, show_all: bool = False) -> str:
    if fmt == "json":
        return render_json(reports)
    if fmt == "jsonl":
        return render_jsonl(reports)
    if fmt == "csv":
        return render_csv(reports, show_all)
    return render_table(reports, show_all)
