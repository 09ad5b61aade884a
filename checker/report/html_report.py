"""`report.html`: one self-contained page (inline CSS, no scripts, no external assets) for a
regulator to read an audit: provenance first, then sites ranked worst first, then each site's
distinct claims highlighted in their sentence with verdict, severity, evidence ids, references
and rationale.

Every page-derived string goes through `escape_html`. The report never calls a site compliant:
a site with no flags has "no findings within scope", which is all an automated check can say.
The file is streamed to a temporary name and moved into place, one site at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

from checker.records import OUTCOMES
from checker.report.files import atomic_open
from checker.report.safe import escape_html as esc
from checker.report.site_claims import SiteSummary, rank_claims

MAX_PAGES_LISTED = 10
NO_FINDINGS = "no findings within scope"

CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Arial,sans-serif;color:#1d232a;margin:0;
background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 8px}
h2{font-size:20px;margin:32px 0 8px;border-bottom:2px solid #d7dce2}
h3{font-size:17px;margin:0 0 6px}
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0 16px}
th,td{border:1px solid #d7dce2;padding:5px 8px;text-align:left;vertical-align:top;font-size:14px}
th{background:#eef1f5}
.prov td:first-child{width:200px;font-weight:600}
.site{background:#fff;border:1px solid #d7dce2;border-radius:6px;padding:16px;margin:18px 0}
.claim{border-left:5px solid #999;padding:8px 12px;margin:12px 0;background:#fbfbfc}
.claim.high{border-color:#b3261e}.claim.medium{border-color:#d17b00}.claim.low{border-color:#6b7c93}
.sentence{font-size:16px;margin:0 0 6px}
mark{background:#ffe08a;padding:0 2px}
.tag{display:inline-block;border-radius:3px;padding:0 6px;margin-right:4px;font-size:12px;
font-weight:700;color:#fff;background:#6b7c93}
.tag.high{background:#b3261e}.tag.medium{background:#d17b00}.tag.contradicts{background:#5b1a8c}
.tag.unsupported{background:#3d5a80}
dl{display:grid;grid-template-columns:150px 1fr;gap:2px 10px;margin:6px 0;font-size:14px}
dt{font-weight:600;color:#4a5563}dd{margin:0;word-break:break-word}
.none{color:#4a5563;font-style:italic}.muted{color:#4a5563;font-size:13px}
"""


def highlight(sentence: str, finding: dict) -> str:
    """The sentence, escaped, with the claim cue wrapped in <mark> (by offset, else by text)."""
    claim = finding.get("claim", "") or ""
    start, cstart, cend = (
        finding.get("start", -1),
        finding.get("claim_start", -1),
        finding.get("claim_end", -1),
    )
    lo = -1
    if isinstance(start, int) and isinstance(cstart, int) and cstart >= 0 and start >= 0:
        rel, length = cstart - start, cend - cstart
        if rel >= 0 and length > 0 and rel + length <= len(sentence):
            lo, hi = rel, rel + length
    if lo < 0 and claim:
        lo = sentence.lower().find(claim.lower())
        hi = lo + len(claim)
    if lo < 0:
        return esc(sentence)
    return f"{esc(sentence[:lo])}<mark>{esc(sentence[lo:hi])}</mark>{esc(sentence[hi:])}"


def _name(s: SiteSummary) -> str:
    """The clinic's name when the input carried one, with its site; else the site."""
    name = s.extra.get("clinic_name", "")
    if name and name != s.site:
        return f'{esc(name)} <span class="muted">{esc(s.site)}</span>'
    return esc(s.site)


def _no_claims(s: SiteSummary) -> str:
    """What to say for a site without flags: never more than the checker can know."""
    if s.pages_checked == 0:
        return "No page could be checked (see outcomes); nothing was assessed."
    return NO_FINDINGS.capitalize() + "."


def _tags(finding: dict) -> str:
    verdict, severity = finding.get("verdict", ""), finding.get("severity", "")
    hedged = '<span class="tag">hedged</span>' if finding.get("hedged") else ""
    return (
        f'<span class="tag {esc(verdict)}">{esc(verdict)}</span>'
        f'<span class="tag {esc(severity)}">{esc(severity)}</span>{hedged}'
    )


def _pages(urls: list[str]) -> str:
    shown = "<br>".join(esc(u) for u in urls[:MAX_PAGES_LISTED])
    more = len(urls) - MAX_PAGES_LISTED
    return shown + (f"<br><span class=muted>and {more} more</span>" if more > 0 else "")


def claim_html(claim: dict) -> str:
    f, page = claim["finding"], claim["page"]
    rows = [
        ("category", f.get("category")),
        ("therapy", f"{f.get('therapy')} ({f.get('therapy_source')})"),
        ("condition", f.get("condition")),
        ("claim", f.get("claim")),
        ("evidence", "; ".join(f.get("evidence", [])) or "none"),
        ("references", ", ".join(f"[{r}]" for r in f.get("refs", [])) or "none"),
        ("rationale", f.get("rationale")),
    ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    dl += (
        f"<dt>occurrences</dt><dd>{claim['occurrences']} on {len(claim['pages'])} page(s)</dd>"
        f"<dt>pages</dt><dd>{_pages(claim['pages'])}</dd>"
        f"<dt>first captured</dt><dd>{esc(page.get('fetched_at') or '')} · sha256 "
        f"<code>{esc(page.get('sha256') or '')}</code></dd>"
    )
    return (
        f'<div class="claim {esc(f.get("severity", ""))}">{_tags(f)}'
        f'<p class="sentence">{highlight(f.get("sentence", ""), f)}</p><dl>{dl}</dl></div>'
    )


def _provenance(info: dict) -> str:
    p = info.get("provenance", {})
    rows = [
        ("checker version", p.get("checker")),
        ("lexicons version", p.get("lexicons")),
        ("lexicons sha256", p.get("lexicons_sha256")),
        ("evidence sha256", p.get("evidence_sha256")),
        ("input", f"{info.get('input', '')} ({info.get('input_kind', '')})"),
        ("input sha256", info.get("input_sha256")),
        ("audit started (UTC)", info.get("started_at")),
        ("audit finished (UTC)", info.get("finished_at")),
        ("robots.txt", info.get("robots")),
    ]
    body = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v or '')}</td></tr>" for k, v in rows)
    return f'<table class="prov">{body}</table>'


def _ranking(summaries: list[SiteSummary], columns: tuple[str, ...]) -> str:
    head = "".join(
        f"<th>{esc(c)}</th>"
        for c in (
            "#",
            "site",
            *columns[:2],
            "risk score",
            "high",
            "medium",
            "low",
            "pages checked",
            "not checked",
            "worst claim",
        )
    )
    rows = []
    for i, s in enumerate(summaries, start=1):
        worst = (
            esc(s.worst["finding"].get("sentence", ""))
            if s.worst
            else f'<span class="none">{_no_claims(s)}</span>'
        )
        extra = "".join(f"<td>{esc(s.extra.get(c, ''))}</td>" for c in columns[:2])
        rows.append(
            f'<tr><td>{i}</td><td><a href="#site-{i}">{esc(s.site)}</a></td>{extra}'
            f"<td>{s.risk_score:g}</td><td>{s.high}</td><td>{s.medium}</td><td>{s.low}</td>"
            f"<td>{s.pages_checked}</td><td>{s.not_checked}</td><td>{worst}</td></tr>"
        )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def site_html(index: int, s: SiteSummary, claims: list[dict], columns: tuple[str, ...]) -> str:
    carried = "".join(f"<dt>{esc(c)}</dt><dd>{esc(s.extra.get(c, ''))}</dd>" for c in columns)
    outcomes = ", ".join(f"{o}: {s.outcomes[o]}" for o in OUTCOMES if s.outcomes.get(o))
    head = (
        f'<section class="site" id="site-{index}"><h3>{index}. {_name(s)}</h3>'
        f"<dl>{carried}<dt>risk score</dt><dd>{s.risk_score:g}</dd>"
        f"<dt>distinct flags</dt><dd>{s.high} high, {s.medium} medium, {s.low} low "
        f"({s.occurrences} occurrences)</dd><dt>outcomes</dt><dd>{esc(outcomes) or 'none'}</dd>"
        "</dl>"
    )
    if not claims:
        return head + f'<p class="none">{_no_claims(s)}</p></section>'
    return head + "".join(claim_html(c) for c in rank_claims(claims)) + "</section>"


def write_html_report(
    path: Path, info: dict, ranked: list[SiteSummary], claims_of: Callable[[str], list[dict]]
) -> None:
    """Stream the report: header and ranking, then one section per site (worst first)."""
    columns = tuple(info.get("columns", ()))
    with atomic_open(path) as fh:
        _write_all(fh, info, ranked, claims_of, columns)


def _write_all(
    fh: IO[str],
    info: dict,
    ranked: list[SiteSummary],
    claims_of: Callable[[str], list[dict]],
    columns: tuple[str, ...],
) -> None:
    flagged = sum(1 for s in ranked if s.distinct_flags)
    fh.write(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Clinic claims audit</title><style>{CSS}</style></head><body><main>"
    )
    fh.write(
        "<h1>Clinic advertisement claims audit</h1>"
        '<p class="muted">Claims about stem cell and spinal injection therapies, checked '
        "against the evidence base. A flag is a claim the evidence base contradicts or does "
        "not support. Sites without flags show “no findings within scope”: the checker "
        "only looks for the claims it knows, so that is not a clean bill of health.</p>"
    )
    fh.write(_provenance(info))
    fh.write(
        f"<h2>Sites, worst first</h2><p>{len(ranked)} site(s), {flagged} with flags. "
        "Risk score = sum over distinct flags of severity points (high 10, medium 4, "
        "low 1) × 1.5 when the claim contradicts the evidence base.</p>"
    )
    fh.write(_ranking(ranked, columns))
    fh.write("<h2>Claims by site</h2>")
    for i, s in enumerate(ranked, start=1):
        fh.write(site_html(i, s, claims_of(s.site) if s.distinct_flags else [], columns))
    fh.write("</main></body></html>\n")
