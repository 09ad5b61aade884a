"""`checker check URL`: fetch (or crawl), capture, and check live pages.

Why a separate module: the claims engine never imports the scraper; this file is the only place
where the two meet for a single URL (the batch audit has its own loop in checker/audit/run.py).
Every URL fetched ends in a PageReport - checked ones with the engine's findings, the rest with
their outcome and one-line reason - so a caller never has to guess what happened to a page.
A PDF (by Content-Type, or by signature when none is sent) is read by `check_pdf`: its findings
carry their page number, and an encrypted, image-only or broken PDF keeps its own outcome.
"""

from __future__ import annotations

import importlib
import json
import shutil
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from checker.engine.budget import AnalysisFailed, BudgetPool, PageTimeout, WorkerDied, local_pool
from checker.engine.pdf_text import looks_like_pdf
from checker.records import FetchResult, PageReport
from checker.version import __version__
from checker.web.capture import CaptureWriter
from checker.web.fetcher import Fetcher
from checker.web.options import FetchOptions

FINDINGS_NAME = "findings.json"


def report_for(result: FetchResult, pool: BudgetPool | None = None) -> PageReport:
    """The PageReport of one fetched URL: engine findings when checked, else outcome + reason.
    With a pool, the analysis runs in its worker under the pool's CPU budget per page."""
    meta = {
        "url": result.url,
        "final_url": result.final_url,
        "outcome": result.outcome,
        "status": result.status,
        "fetched_at": result.fetched_at,
        "sha256": result.sha256,
        "warc_record_id": result.warc_record_id,
        "reason": result.reason,
        "robots": result.robots or "n/a",
    }
    pdf = result.outcome == "checked" and looks_like_pdf(result.content_type, result.body)
    if result.outcome != "checked" or (result.text is None and not pdf):
        return PageReport(**meta)
    try:
        report = _engine_report(result, pdf, pool)
    except PageTimeout as exc:
        return PageReport(**{**meta, "outcome": "analysis_timeout", "reason": str(exc)[:300]})
    except (AnalysisFailed, WorkerDied) as exc:
        reason = f"could not be analysed: {exc}"[:300]
        return PageReport(**{**meta, "outcome": "analysis_error", "reason": reason})
    except Exception as exc:  # noqa: BLE001 - one hostile page must not lose the others
        reason = f"could not be analysed: {type(exc).__name__}: {exc}"[:300]
        return PageReport(**{**meta, "outcome": "analysis_error", "reason": reason})
    if pdf:  # the PDF's own outcome (encrypted, no text...) and note (a cap reached) stand
        meta.update(outcome=report.outcome, reason=report.reason)
    return replace(report, **meta)


def _engine_report(result: FetchResult, pdf: bool, pool: BudgetPool | None) -> PageReport:
    """check_pdf or check_html on the fetched page, in the pool's worker when there is one."""
    # looked up when needed (sys.modules, so a test can stand in for the engine)
    check = importlib.import_module("checker.engine.check")

    url = result.final_url or result.url
    fn, data = (check.check_pdf, result.body) if pdf else (check.check_html, result.text)
    if pool is None:
        return fn(data, url=url)
    return pool.run(fn, data, url)


def check_url(
    url: str,
    *,
    options: FetchOptions | None = None,
    crawl: bool = False,
    max_pages: int = 50,
    depth: int = 3,
    save_dir: Path | str | None = None,
    leads: list | None = None,
    page_seconds: float | None = None,
) -> list[PageReport]:
    """Fetch `url` (with crawl=True its site, relevant pages first), capture every response to
    save_dir (a temporary directory, deleted afterwards, when None) and check each page.

    With page_seconds, each page is analysed in a worker process under that CPU budget; a page
    past it is reported as analysis_timeout and the others are still checked.

    `leads`, when a list is given, receives the crawler's off-site leads (crawl only).
    With save_dir, findings.json is written beside the capture.
    """
    options = options or FetchOptions()
    tmp = None if save_dir is not None else tempfile.mkdtemp(prefix="checker-capture-")
    directory = Path(save_dir if save_dir is not None else tmp)  # type: ignore[arg-type]
    try:
        capture = CaptureWriter(directory, authority=options.authority)
        try:
            pool = local_pool(page_seconds) if page_seconds is not None else None
            try:
                with Fetcher(options, capture=capture) as fetcher:
                    reports, found = _run(fetcher, url, crawl, max_pages, depth, pool)
            finally:
                if pool is not None:
                    pool.close()
        finally:
            capture.close()
        if leads is not None:
            leads.extend(found)
        if save_dir is not None:
            write_findings(directory / FINDINGS_NAME, url, reports, options, found)
        return reports
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _run(
    fetcher: Fetcher, url: str, crawl: bool, max_pages: int, depth: int, pool: BudgetPool | None
) -> tuple[list[PageReport], list]:
    if not crawl:
        return [report_for(fetcher.fetch(url), pool)], []
    from checker.web.crawl import Crawler

    crawler = Crawler(fetcher, max_pages=max_pages, depth=depth)
    reports = [report_for(result, pool) for result in crawler.crawl(url)]
    return reports, list(crawler.leads)


def write_findings(
    path: Path, url: str, reports: list[PageReport], options: FetchOptions, leads: list
) -> None:
    doc = {
        "tool": "clinic-claims-checker",
        "version": __version__,
        "target": url,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "robots": "obeyed" if options.obey_robots else f"ignored: {options.authority}",
        "authority": options.authority,
        "pages": [r.page_dict() for r in reports],
        "leads": [
            {"url": lead.url, "kind": lead.kind, "source_url": lead.source_url, "text": lead.text}
            for lead in leads
        ],
    }
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
