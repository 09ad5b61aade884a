"""`report.html`: one self-contained page (inline CSS, one inline script, inline SVG, no
external assets) for a regulator to read an audit: provenance first, then sites ranked worst
first, then each site's distinct claims highlighted in their sentence, between the sentences
before and after it, with verdict, severity, the evidence statements' text and references,
rationale, any disclaimer nearby, the stable finding id, the reviewer's decision and the rule's
measured precision; per site a small chart of flags per category; at the end the claims a
reviewer suppressed as false positives and the stale decisions.

Filters (severity, verdict, category, therapy) are one small inline script; their choices are
read from the claims' data attributes, so the report still streams one site at a time. A
Content-Security-Policy allows that script only (by its SHA-256) and no other source, so even
text that slipped past escaping could not run. Every page-derived string goes through
`escape_html`. The report never calls a site compliant: a site with no flags has "no findings
within scope", which is all an automated check can say. The file is streamed to a temporary
name and moved into place, one site at a time.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO

from checker.records import OUTCOMES
from checker.report.files import atomic_open
from checker.report.rule_precision import RuleTally
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
.context{color:#4a5563;font-size:14px;margin:0 0 4px}
.tag.confirmed{background:#1b5e20}.tag.needs_review{background:#8a6d00}
.filters{background:#fff;border:1px solid #d7dce2;border-radius:6px;padding:10px 14px;
position:sticky;top:0;z-index:1}
.filters label{margin-right:14px;font-size:14px}.filters select{margin-left:4px}
.chart{margin:6px 0}.chart text{font-size:12px;fill:#1d232a}.chart rect{fill:#3d5a80}
.suppressed .claim{border-color:#9aa5b1;opacity:.85}
"""
# The report's only script: fill the filter menus from the claims' data attributes, then show
# the claims that match every chosen filter. It reads attributes and sets `hidden`; it never
# writes HTML, so page text stays text.
SCRIPT = """(function(){
var keys=["severity","verdict","category","therapy"];
var claims=Array.prototype.slice.call(document.querySelectorAll(".site .claim"));
var count=document.getElementById("shown");
function menu(key){return document.getElementById("f-"+key);}
keys.forEach(function(key){
var seen={};claims.forEach(function(c){seen[c.getAttribute("data-"+key)]=true;});
Object.keys(seen).sort().forEach(function(v){var o=document.createElement("option");
o.value=v;o.textContent=v;menu(key).appendChild(o);});
menu(key).addEventListener("change",apply);});
function apply(){var shown=0;claims.forEach(function(c){
var ok=keys.every(function(key){var v=menu(key).value;
return v===""||c.getAttribute("data-"+key)===v;});
c.hidden=!ok;if(ok){shown++;}});
count.textContent=shown+" of "+claims.length+" claim(s) shown";}
apply();})();"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src 'sha256-{SCRIPT_HASH}'"
)
FILTER_KEYS = ("severity", "verdict", "category", "therapy")


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


def _evidence_texts(info: dict) -> dict[str, str]:
    """Evidence statement id -> its text, from the audit's info, else the loaded rule pack."""
    if "evidence_texts" in info:
        return dict(info["evidence_texts"])
    try:
        from checker.engine.lexicons import load_cached

        return {sid: st.text for sid, st in load_cached().evidence.items()}
    except Exception:  # noqa: BLE001 - a report without statement texts still shows their ids
        return {}


def _evidence(f: dict, texts: dict[str, str]) -> str:
    ids = f.get("evidence", []) or []
    if not ids:
        return "none"
    return "".join(f"<div><code>{esc(sid)}</code> {esc(texts.get(sid, ''))}</div>" for sid in ids)


def _review_tag(claim: dict) -> str:
    d = claim.get("review") or {}
    disposition = d.get("disposition", "")
    if disposition == "confirmed":
        return '<span class="tag confirmed">✔ confirmed by review</span>'
    if disposition == "needs_review":
        return '<span class="tag needs_review">needs review</span>'
    return ""


def _review_row(claim: dict) -> str:
    d = claim.get("review") or {}
    if not d:
        return ""
    reason = f": {d.get('reason')}" if d.get("reason") else ""
    return (
        f"<dt>review</dt><dd>{esc(d.get('disposition'))} by {esc(d.get('reviewer'))} "
        f"{esc(d.get('decided_at') or '')}{esc(reason)}</dd>"
    )


def claim_html(
    claim: dict, texts: dict[str, str] | None = None, tallies: dict | None = None
) -> str:
    f, page = claim["finding"], claim["page"]
    texts, tallies = texts or {}, tallies or {}
    rule = f.get("rule", "") or ""
    tally = tallies.get(rule) or RuleTally(rule)
    rows = [
        ("category", f.get("category")),
        ("therapy", f"{f.get('therapy')} ({f.get('therapy_source')})"),
        ("condition", f.get("condition")),
        ("claim", f.get("claim")),
        ("references", ", ".join(f"[{r}]" for r in f.get("refs", [])) or "none"),
        ("rationale", f.get("rationale")),
        (
            "disclaimer nearby",
            f.get("disclaimer_nearby") or "none (a disclaimer never clears a claim)",
        ),
        ("rule", f"{rule} · {tally.label()}" if rule else "none"),
        ("finding id", claim.get("finding_id", "")),
    ]
    dl = f"<dt>evidence</dt><dd>{_evidence(f, texts)}</dd>"
    dl += "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    dl += _review_row(claim)
    if f.get("pdf_page") is not None:
        where = page.get("final_url") or page.get("url") or ""
        dl += f"<dt>PDF page</dt><dd>{esc(f.get('pdf_page'))} of {esc(where)}</dd>"
    dl += (
        f"<dt>occurrences</dt><dd>{claim['occurrences']} on {len(claim['pages'])} page(s)</dd>"
        f"<dt>pages</dt><dd>{_pages(claim['pages'])}</dd>"
        f"<dt>first captured</dt><dd>{esc(page.get('fetched_at') or '')} · sha256 "
        f"<code>{esc(page.get('sha256') or '')}</code></dd>"
    )
    before, after = f.get("context_before") or "", f.get("context_after") or ""
    data = "".join(f' data-{k}="{esc(f.get(k, "") or "")}"' for k in FILTER_KEYS)
    return (
        f'<div class="claim {esc(f.get("severity", ""))}"{data} '
        f'id="{esc(claim.get("finding_id", ""))}">{_tags(f)}{_review_tag(claim)}'
        + (f'<p class="context before">… {esc(before)}</p>' if before else "")
        + f'<p class="sentence">{highlight(f.get("sentence", ""), f)}</p>'
        + (f'<p class="context after">{esc(after)} …</p>' if after else "")
        + f"<dl>{dl}</dl></div>"
    )


def category_chart(claims: list[dict]) -> str:
    """A small inline SVG bar chart of the site's distinct flags per category."""
    counts = Counter(c["finding"].get("category", "") or "other" for c in claims)
    if not counts:
        return ""
    rows = counts.most_common()
    top, bar, label, height = rows[0][1], 260, 170, 18
    parts = []
    for i, (category, n) in enumerate(rows):
        y = i * (height + 4)
        width = max(2, round(bar * n / top))
        parts.append(
            f'<text x="0" y="{y + 13}">{esc(category)}</text>'
            f'<rect x="{label}" y="{y}" width="{width}" height="{height}"></rect>'
            f'<text x="{label + width + 6}" y="{y + 13}">{n}</text>'
        )
    total_h = len(rows) * (height + 4)
    return (
        f'<svg class="chart" role="img" width="{label + bar + 40}" height="{total_h}" '
        f'viewBox="0 0 {label + bar + 40} {total_h}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>flags per category</title>{''.join(parts)}</svg>"
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


def site_html(
    index: int,
    s: SiteSummary,
    claims: list[dict],
    columns: tuple[str, ...],
    texts: dict[str, str] | None = None,
    tallies: dict | None = None,
) -> str:
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
    body = "".join(claim_html(c, texts, tallies) for c in rank_claims(claims))
    return head + category_chart(claims) + body + "</section>"


def _filters() -> str:
    menus = "".join(
        f'<label>{k} <select id="f-{k}"><option value="">all</option></select></label>'
        for k in FILTER_KEYS
    )
    return (
        f'<form class="filters" id="filters">{menus}<span id="shown" class="muted"></span></form>'
    )


def rules_html(review: dict) -> str:
    """The per-rule precision table (rules.csv), when reviewer decisions were applied."""
    tallies = review.get("tallies") or {}
    if not review.get("active") or not tallies:
        return ""
    rows = []
    for t in tallies.values():
        low, high = t.interval or (None, None)
        precision = "" if t.precision is None else f"{t.precision:.2f}"
        interval = "" if low is None else f"{low:.2f}–{high:.2f}"
        rows.append(
            f"<tr><td><code>{esc(t.rule)}</code></td><td>{t.findings}</td><td>{t.confirmed}</td>"
            f"<td>{t.false_positives}</td><td>{t.undecided}</td><td>{precision}</td>"
            f"<td>{interval}</td></tr>"
        )
    return (
        "<h2>Measured precision per rule</h2><p>From reviewer decisions (rules.csv): precision "
        "= confirmed / (confirmed + false positives), with a 95% Wilson interval.</p><table>"
        "<tr><th>rule</th><th>findings</th><th>confirmed</th><th>false positives</th>"
        f"<th>undecided</th><th>precision</th><th>95% interval</th></tr>{''.join(rows)}</table>"
    )


def suppressed_html(review: dict, texts: dict[str, str], tallies: dict) -> str:
    """The claims reviewers marked false positives (never silently dropped), then stale ones."""
    if not review.get("active"):
        return ""
    items = review.get("suppressed", [])
    out = [
        '<section class="suppressed" id="suppressed"><h2>Suppressed by review</h2>'
        f"<p>{len(items)} claim(s) a reviewer marked as false positives: not in findings.csv "
        "or the risk score; listed in suppressed.csv with reviewer and reason.</p>"
    ]
    for site, _extra, claim in items:
        out.append(f"<h3>{esc(site)}</h3>" + claim_html(claim, texts, tallies))
    stale = review.get("stale", [])
    if stale:
        lines = "".join(
            f"<tr><td><code>{esc(d.finding_id)}</code></td><td>{esc(d.disposition)}</td>"
            f"<td>{esc(d.reviewer)}</td><td>{esc(d.reason)}</td><td>{d.line}</td></tr>"
            for d in stale
        )
        out.append(
            f"<h3>Stale decisions</h3><p>{len(stale)} decision(s) whose finding no longer "
            "occurs (stale.csv).</p><table><tr><th>finding id</th><th>disposition</th>"
            f"<th>reviewer</th><th>reason</th><th>line</th></tr>{lines}</table>"
        )
    out.append("</section>")
    return "".join(out)


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
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
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
    review = info.get("review") or {}
    texts, tallies = _evidence_texts(info), review.get("tallies") or {}
    fh.write(rules_html(review))
    fh.write("<h2>Claims by site</h2>" + _filters())
    for i, s in enumerate(ranked, start=1):
        claims = claims_of(s.site) if s.distinct_flags else []
        fh.write(site_html(i, s, claims, columns, texts, tallies))
    fh.write(suppressed_html(review, texts, tallies))
    fh.write(f"<script>{SCRIPT}</script></main></body></html>\n")
