"""`diff.html`: the re-check diff as one self-contained page (inline CSS, no scripts, no
external assets): per clinic its summary line, then each claim's old and new sentence side by
side with both captures' SHA-256 and UTC capture times. Every page-derived string is escaped."""

from __future__ import annotations

from pathlib import Path

from checker.report.files import atomic_open
from checker.report.safe import escape_html as esc

CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Arial,sans-serif;color:#1d232a;margin:0;
background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 8px}h2{font-size:19px;margin:28px 0 6px}
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0 16px}
th,td{border:1px solid #d7dce2;padding:5px 8px;text-align:left;vertical-align:top;font-size:14px}
th{background:#eef1f5}td.s{width:160px;word-break:break-word}
.st{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;font-weight:700;color:#fff;
background:#6b7c93}
.st.new,.st.hardened{background:#b3261e}.st.softened,.st.removed{background:#2e7d32}
.st.moved{background:#3d5a80}.st.not_rechecked{background:#d17b00}
.meta{color:#4a5563;font-size:12px;word-break:break-all}.sum{font-weight:600}
"""


def _side(claim: dict | None) -> str:
    if claim is None:
        return '<span class="meta">(none)</span>'
    f, page = claim["finding"], claim["page"]
    url = page.get("final_url") or page.get("url") or ""
    tags = f"{esc(f.get('verdict'))}/{esc(f.get('severity') or '-')}"
    if f.get("hedged"):
        tags += " · hedged"
    disclaimer = f.get("disclaimer_nearby") or ""
    extra = f"<br>disclaimer nearby: {esc(disclaimer)}" if disclaimer else ""
    return (
        f"{esc(f.get('sentence'))}<div class=meta>{tags}{extra}<br>{esc(url)}<br>"
        f"captured {esc(page.get('fetched_at') or '')} UTC · sha256 "
        f"{esc(page.get('sha256') or '')}<br>id {esc(claim.get('finding_id') or '')}</div>"
    )


def _site(site) -> str:
    rows = "".join(
        f'<tr><td class="s"><span class="st {esc(c.status)}">{esc(c.status)}</span>'
        f"<div class=meta>{esc(c.category)} · {esc(c.therapy)}</div>"
        f"<div class=meta>{esc(c.why)}</div></td>"
        f"<td>{_side(c.old)}</td><td>{_side(c.new)}</td></tr>"
        for c in site.changes
    )
    table = (
        f"<table><tr><th>status</th><th>old audit</th><th>new audit</th></tr>{rows}</table>"
        if rows
        else ""
    )
    return f'<h2>{esc(site.site)}</h2><p class="sum">{esc(site.summary())}</p>{table}'


def _folder(label: str, snap) -> str:
    capture = snap.capture_sha256 or "(no capture.warc.gz)"
    return (
        f"<tr><td>{esc(label)}</td><td>{esc(snap.folder)}</td><td>{esc(snap.lexicons)}</td>"
        f"<td class=meta>{esc(capture)}</td></tr>"
    )


def write_diff_html(path: Path, result, total_line: str) -> None:
    """Write diff.html atomically (`result` an AuditDiff, `total_line` its totals in words)."""
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>Clinic claims re-check</title><style>{CSS}</style></head><body><main>"
        "<h1>Re-check: what changed since the last audit</h1>"
        "<table><tr><th></th><th>audit folder</th><th>lexicons</th>"
        "<th>capture.warc.gz sha256</th></tr>"
        f"{_folder('old', result.old)}{_folder('new', result.new)}</table>"
        f'<p class="sum">{esc(total_line)}</p>'
    )
    with atomic_open(Path(path)) as fh:
        fh.write(head)
        for site in result.sites:
            fh.write(_site(site))
        fh.write("</main></body></html>\n")
