"""`checker audit INPUT --out DIR`: batch audit of a URL list, a CSV, a folder of saved HTML or
a WARC capture, resumable, in bounded memory.

How the work flows (one direction):
  input rows --(one transaction)--> DIR/audit.sqlite queue
  pending rows --(main thread, host-aware, bounded look-ahead)--> fetch threads (--concurrency)
  fetched HTML and PDF --> worker processes (--workers) running `check_html` / `check_pdf`,
                   each page under a CPU budget (--page-seconds): past it the page ends as
                   analysis_timeout and its worker is replaced (checker/engine/budget.py)
  pages + findings --(events queue, main thread only writes)--> SQLite, a transaction per page
  database --> reports (regenerated at the end of every run, with the reviewer decisions of
               --dispositions applied, and with --baseline the re-check diff against it)

Both --dispositions and --baseline are validated before anything is fetched: a malformed file
or folder is a usage error, not a surprise after an hour of crawling.

Memory is bounded by the concurrency: at most `concurrency` rows in flight, a fixed look-ahead of
queued rows, a bounded events queue; the input list lives in SQLite, never in a Python list.
Politeness lives in the Fetcher (one request at a time per host + delay); the dispatcher only
avoids parking many threads on the same host so other hosts keep moving.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import queue
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from checker.audit.inputs import InputError, InputSource, iter_warc_pages
from checker.audit.progress import Progress
from checker.audit.state import AuditState, PageRecord, PendingRow
from checker.engine.budget import (
    DEFAULT_PAGE_SECONDS,
    AnalysisFailed,
    BudgetPool,
    PageTimeout,
    WorkerDied,
)
from checker.engine.pdf_text import looks_like_pdf
from checker.records import FetchResult

DB_NAME = "audit.sqlite"
PER_HOST_IN_FLIGHT = 2  # a second row per host waits in the Fetcher while the first is checked
LOOKAHEAD_PER_THREAD = 8


class AuditError(Exception):
    """A usage or input problem: one line on stderr, exit status 2."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# -- the CPU stage (runs in worker processes) ------------------------------------------------------
def check_page(html: str | bytes, url: str | None) -> list[dict]:
    """Top-level (picklable) wrapper: the page's findings as dicts, not the page text."""
    from checker.engine.check import check_html

    return [f.to_dict() for f in check_html(html, url=url).findings]


def check_pdf_document(data: bytes, url: str | None) -> tuple[str, str, list[dict]]:
    """Top-level (picklable): a PDF's outcome, one-line reason and findings as dicts."""
    from checker.engine.check import check_pdf

    report = check_pdf(data, url=url)
    return report.outcome, report.reason, [f.to_dict() for f in report.findings]


def count_flags(findings: list[dict]) -> int:
    return sum(1 for f in findings if f.get("verdict") in ("contradicts", "unsupported"))


# -- records passed from threads to the writer -----------------------------------------------------
@dataclass(frozen=True)
class Task:
    """One pending row; `result` is pre-filled for WARC input (the record is the page)."""

    row: PendingRow
    host: str | None  # politeness key for the dispatcher (None: no network)
    result: FetchResult | None = None


@dataclass(frozen=True)
class Event:
    """A page to store (`page` set), and/or the end of its row (`done`)."""

    rowno: int
    site: str
    seq: int = 0
    page: PageRecord | None = None
    findings: tuple[dict, ...] = ()
    done: bool = False
    single: bool = False  # page and done in one transaction
    first: PageRecord | None = None
    pages: int = 0
    flags: int = 0
    outcome: str | None = None
    reason: str = ""
    fatal: str = ""  # the audit cannot go on (a bug); stop, resume later


class _Stopped(Exception):
    """The dispatcher is shutting down: abandon the row (it stays pending for the resume)."""


def page_record(res: FetchResult, flags: int) -> PageRecord:
    return PageRecord(
        url=res.url,
        final_url=res.final_url,
        outcome=res.outcome,
        status=res.status,
        fetched_at=res.fetched_at,
        sha256=res.sha256,
        warc_record_id=res.warc_record_id,
        reason=res.reason,
        robots=res.robots,
        flags=flags,
    )


# -- per-row work (runs in fetch threads) ----------------------------------------------------------
class RowRunner:
    """Turns one task into events: fetch or crawl or read, then check in the process pool."""

    def __init__(
        self,
        kind: str,
        procs: BudgetPool,
        fetcher=None,
        crawl: bool = False,
        max_pages: int = 50,
        depth: int = 3,
        max_bytes: int = 5 * 1024 * 1024,
    ) -> None:
        self.kind, self.procs, self.fetcher = kind, procs, fetcher
        self.crawl, self.max_pages, self.depth, self.max_bytes = crawl, max_pages, depth, max_bytes

    def run(self, task: Task, post: Callable[[Event], None]) -> None:
        row = task.row
        if self.kind == "folder":
            post(self._single(row, self._read_file(row)))
        elif self.kind == "warc":
            post(self._single(row, task.result))
        elif self.crawl:
            self._crawl(row, post)
        else:
            post(self._single(row, self.fetcher.fetch(row.url)))

    def _check(self, res: FetchResult) -> tuple[FetchResult, list[dict]]:
        """Findings of a fetched page; a checker crash on one page marks that page only, and a
        page past its CPU budget ends as analysis_timeout (its worker is replaced)."""
        if res.outcome != "checked":
            return res, []
        if res.text is None and looks_like_pdf(res.content_type, res.body):
            return self._check_pdf(res)
        html = res.text if res.text is not None else res.body
        try:
            return res, self.procs.run(check_page, html, res.final_url or res.url)
        except PageTimeout as exc:
            return replace(res, outcome="analysis_timeout", reason=str(exc)[:300]), []
        except (AnalysisFailed, WorkerDied) as exc:
            reason = f"could not be analysed: {exc}"[:300]
            return replace(res, outcome="analysis_error", reason=reason), []

    def _check_pdf(self, res: FetchResult) -> tuple[FetchResult, list[dict]]:
        """A PDF's findings; an encrypted, image-only or broken one keeps its own outcome."""
        try:
            outcome, reason, findings = self.procs.run(
                check_pdf_document, res.body, res.final_url or res.url
            )
        except PageTimeout as exc:
            return replace(res, outcome="analysis_timeout", reason=str(exc)[:300]), []
        except (AnalysisFailed, WorkerDied) as exc:
            reason = f"could not be analysed: {exc}"[:300]
            return replace(res, outcome="analysis_error", reason=reason), []
        return replace(res, outcome=outcome, reason=reason), findings

    def _single(self, row: PendingRow, res: FetchResult) -> Event:
        res, findings = self._check(res)
        page = page_record(res, count_flags(findings))
        return Event(
            row.rowno, row.site, page=page, findings=tuple(findings), done=True, single=True
        )

    def _crawl(self, row: PendingRow, post: Callable[[Event], None]) -> None:
        from checker.web.crawl import Crawler

        first, seq, flags = None, 0, 0
        for res in Crawler(self.fetcher, max_pages=self.max_pages, depth=self.depth).crawl(row.url):
            res, findings = self._check(res)
            page = page_record(res, count_flags(findings))
            post(Event(row.rowno, row.site, seq=seq, page=page, findings=tuple(findings)))
            first = first or page
            seq, flags = seq + 1, flags + page.flags
        if first is None:
            post(
                Event(
                    row.rowno,
                    row.site,
                    done=True,
                    outcome="http_error",
                    reason="the crawler returned no page for this URL",
                )
            )
        else:
            post(Event(row.rowno, row.site, done=True, first=first, pages=seq, flags=flags))

    def _read_file(self, row: PendingRow) -> FetchResult:
        path = Path(row.url or "")
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                reason = f"file is {size} bytes, over --max-bytes {self.max_bytes}"
                return FetchResult(url=str(path), outcome="too_large", reason=reason)
            body = path.read_bytes()
            mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError as exc:
            return FetchResult(
                url=str(path),
                outcome="invalid_input",
                reason=f"cannot read file: {exc.strerror or exc}",
            )
        return FetchResult(
            url=str(path),
            outcome="checked",
            body=body,
            fetched_at=mtime.isoformat(timespec="seconds").replace("+00:00", "Z"),
            sha256=hashlib.sha256(body).hexdigest(),
        )


# -- dispatcher (main thread) ----------------------------------------------------------------------
class Dispatcher:
    """Feeds rows to the fetch threads and writes their events to SQLite, in the main thread."""

    def __init__(
        self, state: AuditState, runner: RowRunner, concurrency: int, progress: Progress
    ) -> None:
        self.state, self.runner, self.progress = state, runner, progress
        self.concurrency = concurrency
        # Look-ahead lets idle threads skip rows of busy hosts; WARC tasks carry their bodies,
        # and files have no host, so those keep no more than one task per thread waiting.
        live = runner.kind in ("text", "csv")
        self.lookahead_limit = concurrency * (LOOKAHEAD_PER_THREAD if live else 1)
        self.events: queue.Queue[Event] = queue.Queue(maxsize=concurrency * 4)
        self.stop = threading.Event()
        self.running = 0
        self.hosts: Counter[str | None] = Counter()
        self.lookahead: deque[Task] = deque()
        self.counts = list(state.progress_counts())  # total, done, flags, errors

    def run(self, tasks: Iterator[Task]) -> None:
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="audit-fetch")
        try:
            self._loop(tasks, pool)
        finally:
            self.stop.set()
            pool.shutdown(wait=True, cancel_futures=True)

    def _loop(self, tasks: Iterator[Task], pool: ThreadPoolExecutor) -> None:
        more = True
        while True:
            while more and len(self.lookahead) < self.lookahead_limit:
                task = next(tasks, None)
                if task is None:
                    more = False
                else:
                    self.lookahead.append(task)
            while self.running < self.concurrency and (task := self._take()) is not None:
                self.running += 1
                self.hosts[task.host] += 1
                pool.submit(self._work, task)
            if self.running == 0 and not self.lookahead and not more:
                return
            self._apply(self.events.get())

    def _take(self) -> Task | None:
        """The first look-ahead row of an idle host, else of a host with a free slot: a thread
        parked behind a busy host's politeness lock is a thread another host could use."""
        for limit in (1, PER_HOST_IN_FLIGHT):
            for i, task in enumerate(self.lookahead):
                if task.host is None or self.hosts[task.host] < limit:
                    del self.lookahead[i]
                    return task
        return None

    def _work(self, task: Task) -> None:
        try:
            self.runner.run(task, self._post)
        except _Stopped:
            pass
        except Exception as exc:  # noqa: BLE001 - a bug on one row must not hang the audit
            self._post(
                Event(
                    task.row.rowno, task.row.site, done=True, fatal=f"{type(exc).__name__}: {exc}"
                )
            )

    def _post(self, event: Event) -> None:
        """Hand an event to the main thread; give up (leaving the row pending) on shutdown."""
        while True:
            if self.stop.is_set():
                raise _Stopped
            try:
                self.events.put(event, timeout=0.1)
                return
            except queue.Full:
                continue

    def _apply(self, ev: Event) -> None:
        if ev.fatal:
            raise AuditError(
                f"audit stopped at row {ev.rowno}: {ev.fatal}; re-run the same command to resume"
            )
        if ev.single:
            self.state.save_single(ev.rowno, ev.site, ev.page, ev.findings)
        elif ev.page is not None:
            self.state.save_page(ev.rowno, ev.seq, ev.site, ev.page, ev.findings)
        elif ev.done:
            self.state.finish_row(ev.rowno, ev.first, ev.pages, ev.flags, ev.outcome, ev.reason)
        if ev.page is not None:
            self.counts[2] += ev.page.flags
        if ev.done:
            self._row_done(ev)

    def _row_done(self, ev: Event) -> None:
        self.running -= 1
        first = ev.page if ev.single else ev.first
        outcome = ev.outcome or (first.outcome if first else None)
        host = self._host_of(ev)
        self.hosts[host] -= 1
        self.counts[1] += 1
        self.counts[3] += int(outcome != "checked")
        self.progress.update(self.counts[1], self.counts[2], self.counts[3])

    def _host_of(self, ev: Event) -> str | None:
        return ev.site if self.runner.kind in ("text", "csv") else None


# -- setting up and running ------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditResult:
    """What `audit()` returns: whether any flag was found, the report totals, and with
    `--baseline` the re-check diff against the earlier audit."""

    flagged: bool
    totals: object | None = None
    diff: object | None = None


def _tasks(state: AuditState, source: InputSource) -> Iterator[Task]:
    if source.kind != "warc":
        for row in state.pending():
            yield Task(row, row.site if source.kind in ("text", "csv") else None)
        return
    pending = state.pending()
    want = next(pending, None)
    for index, result in enumerate(iter_warc_pages(source.path), start=1):
        if want is None:
            return
        if index == want.rowno:
            if result.warc_record_id != want.record_id:
                raise AuditError(f"{source.path} changed since the audit started (record {index})")
            yield Task(want, None, result)
            want = next(pending, None)


def _settings(args: argparse.Namespace, source: InputSource) -> dict[str, object]:
    crawl = bool(args.crawl) and source.kind in ("text", "csv")
    return {
        "crawl": crawl,
        "max_pages": args.max_pages if crawl else None,
        "depth": args.depth if crawl else None,
    }


def _open_state(
    out: Path, source: InputSource, args: argparse.Namespace, provenance: dict
) -> AuditState:
    """Open or create DIR/audit.sqlite; refuse a database made from another input, other
    settings or another checker/lexicon version (one audit, one set of rules)."""
    out.mkdir(parents=True, exist_ok=True)
    state = AuditState(out / DB_NAME)
    try:
        _guard_or_ingest(state, out, source, args, provenance)
    except BaseException:
        state.close()
        raise
    return state


def _guard_or_ingest(
    state: AuditState, out: Path, source: InputSource, args: argparse.Namespace, provenance: dict
) -> None:
    fingerprint = source.fingerprint()
    settings = _settings(args, source)
    if state.get_meta("ingested") == "1":
        old_sha = state.get_meta("input_sha256")
        if old_sha != fingerprint:
            raise AuditError(
                f"{out / DB_NAME} belongs to another input ({state_input(old_sha, out)}); "
                f"{source.path} has sha256 {fingerprint[:12]}…: use another --out or delete it"
            )
        if state.meta_json("settings") != settings:
            raise AuditError(
                f"{out / DB_NAME} was started with other settings "
                f"({state.meta_json('settings')}); use the same options or "
                "another --out"
            )
        if state.meta_json("provenance") != provenance:
            raise AuditError(
                f"{out / DB_NAME} was started with another checker or lexicon "
                f"version ({state.meta_json('provenance')}); use another --out"
            )
        return
    meta = {
        "input": str(source.path.resolve()),
        "input_sha256": fingerprint,
        "input_kind": source.kind,
        "settings": settings,
        "columns": list(source.columns),
        "started_at": utc_now(),
        "provenance": provenance,
    }
    state.ingest(source.rows(), meta)


def state_input(sha: str | None, out: Path) -> str:
    return f"sha256 {sha[:12]}…" if sha else f"see {out / DB_NAME}"


def _fetcher(args: argparse.Namespace, out: Path, source: InputSource):
    from checker.web.capture import CaptureWriter
    from checker.web.fetcher import Fetcher
    from checker.web.options import options_from_args

    try:
        options = options_from_args(args)
    except ValueError as exc:
        raise AuditError(str(exc)) from exc
    capture = CaptureWriter(
        out, authority=options.authority, info={"audit-input": str(source.path)}
    )
    return Fetcher(options, capture=capture), capture


def _process(state: AuditState, source: InputSource, args: argparse.Namespace, out: Path) -> None:
    total, done, flags, errors = state.progress_counts()
    if done >= total:
        return
    progress = Progress(total, done, quiet=args.quiet)
    progress.update(done, flags, errors, force=True)
    workers = max(1, args.workers or os.cpu_count() or 1)
    ctx = multiprocessing.get_context("spawn")  # fork is unsafe once fetch threads exist
    page_seconds = getattr(args, "page_seconds", None) or DEFAULT_PAGE_SECONDS
    fetcher = capture = None
    settings = _settings(args, source)
    try:
        if source.kind in ("text", "csv"):
            fetcher, capture = _fetcher(args, out, source)
        with BudgetPool(workers, page_seconds, mp_context=ctx) as procs:
            runner = RowRunner(
                source.kind,
                procs,
                fetcher,
                crawl=bool(settings["crawl"]),
                max_pages=args.max_pages,
                depth=args.depth,
                max_bytes=args.max_bytes,
            )
            Dispatcher(state, runner, max(1, args.concurrency), progress).run(_tasks(state, source))
    finally:
        progress.close()
        if fetcher is not None:
            fetcher.close()
        if capture is not None:
            capture.close()


def _info(state: AuditState, args: argparse.Namespace) -> dict:
    robots = "n/a (no network)"
    if state.get_meta("input_kind") in ("text", "csv"):
        robots = f"ignored: {args.authority}" if getattr(args, "ignore_robots", False) else "obeyed"
    return {
        "provenance": state.meta_json("provenance", {}),
        "columns": state.meta_json("columns", []),
        "input": state.get_meta("input"),
        "input_kind": state.get_meta("input_kind"),
        "input_sha256": state.get_meta("input_sha256"),
        "started_at": state.get_meta("started_at"),
        "finished_at": state.get_meta("finished_at"),
        "robots": robots,
    }


def _provenance() -> dict:
    """The engine's versions, loaded after the input checks (they need no engine); a lexicon
    error is a usage error of the whole audit, said in one line."""
    try:
        from checker.engine.check import provenance

        return provenance()
    except ImportError:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. LexiconError naming file and entry
        raise AuditError(f"cannot load the checker: {exc}") from exc


def _dispositions(args: argparse.Namespace) -> dict | None:
    """The reviewer decisions of --dispositions, validated in full before anything is fetched:
    a malformed file is a usage error naming its line."""
    from checker.report.dispositions import DispositionError, load_dispositions

    path = getattr(args, "dispositions", None)
    if not path:
        return None
    try:
        return load_dispositions(Path(path))
    except DispositionError as exc:
        raise AuditError(str(exc)) from exc


def _check_baseline(args: argparse.Namespace) -> Path | None:
    """--baseline must be a readable audit folder other than --out, checked before fetching."""
    from checker.report.audit_diff import DiffError, load_audit

    base = getattr(args, "baseline", None)
    if not base:
        return None
    if Path(base).resolve() == Path(args.out).resolve():
        raise AuditError("--baseline must be another audit folder than --out")
    try:
        load_audit(Path(base))
    except DiffError as exc:
        raise AuditError(f"--baseline: {exc}") from exc
    return Path(base)


def _recheck(baseline: Path | None, out: Path):
    """With --baseline: compare the earlier audit with this one, write diff.csv/diff.html."""
    if baseline is None:
        return None
    from checker.report.audit_diff import DiffError, diff_audits, write_diff

    try:
        result = diff_audits(baseline, out)
    except DiffError as exc:
        raise AuditError(f"--baseline: {exc}") from exc
    write_diff(result, out)
    return result


def audit(args: argparse.Namespace) -> AuditResult:
    """Run (or resume) an audit and regenerate its reports; AuditError for usage problems."""
    from checker.report.audit_reports import write_reports

    if args.concurrency < 1 or (args.workers is not None and args.workers < 1):
        raise AuditError("--concurrency and --workers must be at least 1")
    if getattr(args, "page_seconds", None) is not None and not args.page_seconds > 0:
        raise AuditError("--page-seconds must be more than 0")
    dispositions = _dispositions(args)
    baseline = _check_baseline(args)
    try:
        source = InputSource(Path(args.input))
    except InputError as exc:
        raise AuditError(str(exc)) from exc
    out = Path(args.out)
    if source.kind == "folder" and out.resolve().is_relative_to(source.path.resolve()):
        raise AuditError(
            "--out must not be inside the input folder (the reports would become "
            "input on the next run)"
        )
    try:
        state = _open_state(out, source, args, _provenance())
    except InputError as exc:
        raise AuditError(str(exc)) from exc
    try:
        if state.get_meta("total_rows") == "0":
            raise AuditError(f"input has no rows: {source.path}")
        state.reset_unfinished()
        try:
            _process(state, source, args, out)
        except InputError as exc:
            raise AuditError(str(exc)) from exc
        state.set_meta(finished_at=utc_now())
        totals = write_reports(state, out, _info(state, args), dispositions=dispositions)
    finally:
        state.close()
    return AuditResult(bool(totals.distinct_flags), totals, _recheck(baseline, out))


def summary_lines(totals) -> list[str]:
    sev = totals.by_severity
    lines = [
        f"{totals.sites} site(s), {totals.rows} input row(s), {totals.pages_checked} page(s) "
        f"checked, {totals.distinct_flags} distinct flag(s): {sev['high']} high, "
        f"{sev['medium']} medium, {sev['low']} low"
    ]
    if totals.suppressed or totals.stale or totals.confirmed:
        lines.append(
            f"  review: {totals.confirmed} confirmed, {totals.suppressed} suppressed as false "
            f"positive(s) (suppressed.csv), {totals.stale} stale decision(s) (stale.csv)"
        )
    if getattr(totals, "timeouts", 0):
        lines.append(
            f"  {totals.timeouts} page(s) ran past the CPU budget per page (--page-seconds): "
            "outcome analysis_timeout, listed in errors.csv"
        )
    lines += [
        f"  report: {totals.paths['report.html']}",
        f"  findings: {totals.paths['findings.csv']}",
    ]
    return lines
