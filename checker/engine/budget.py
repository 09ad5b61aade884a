"""A CPU budget per page: worker processes that check one page at a time, and a worker that
runs past the budget is killed and replaced, so one hostile page cannot hold a core for hours.

Why processes and a kernel limit: the engine spends its time in C (regular expressions, spaCy's
Cython), where no Python-level timer or signal handler can interrupt it. Before each page the
worker lowers its own RLIMIT_CPU soft limit to the CPU time it has used plus the budget
(rounded up to a whole second, the limit's unit); past it the kernel ends the process with
SIGXCPU, wherever it is. The parent sees the worker die, starts a fresh one (warmed up before
it takes a page) and reports the page as `PageTimeout`. A wall-clock limit (several times the
budget) stands behind it, for platforms without RLIMIT_CPU and for a worker that stops making
progress without using CPU.

`BudgetPool.run` is thread-safe and blocking: the audit's fetch threads each call it, and at
most `workers` pages are analysed at once. Imports only the standard library here; a worker
imports checker.engine.check when it starts.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

try:
    import resource
except ImportError:  # pragma: no cover - Windows: the wall-clock limit alone
    resource = None  # type: ignore[assignment]

DEFAULT_PAGE_SECONDS = 60.0  # a normal page takes well under a second; 1 MB of keyword soup ~20 s
WALL_FACTOR, WALL_SLACK = 4.0, 10.0  # the wall-clock limit: 4x the budget plus 10 s


class PageTimeout(Exception):
    """The page's analysis ran past its budget; the worker that ran it has been replaced."""


class WorkerDied(Exception):
    """A worker process ended while analysing a page (not by the budget); it was replaced."""


class AnalysisFailed(Exception):
    """The analysed function raised; the message is its type and text (the worker lives on)."""


@dataclass(frozen=True)
class _Job:
    fn: Callable[..., Any]
    args: tuple


def warm_check() -> None:
    """The default initializer: build the engine's pipeline before the first page arrives."""
    from checker.engine.check import check_html

    check_html("<html><body><p>Warm-up.</p></body></html>", url=None)


def _exit_when_orphaned(parent: int, interval: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(0)


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _limit_cpu(seconds: float | None) -> None:
    """Set the soft CPU limit to `seconds` more than used so far (None: no limit)."""
    if resource is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = hard if seconds is None else math.ceil(_cpu_used() + seconds)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _worker_main(conn, page_seconds: float, initializer: Callable[[], None] | None) -> None:
    """A worker: warm up, say so, then analyse one job at a time under the CPU limit."""
    parent = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    if resource is not None:  # a budget kill leaves no core file behind
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if initializer is not None:
        initializer()
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        _limit_cpu(page_seconds)
        try:
            reply = ("ok", job.fn(*job.args))
        except Exception as exc:  # noqa: BLE001 - the caller reports it for this page only
            reply = ("error", f"{type(exc).__name__}: {exc}")
        _limit_cpu(None)
        conn.send(reply)


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx, page_seconds: float, initializer) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=_worker_main, args=(child, page_seconds, initializer), daemon=True
        )
        self.proc.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> None:
        if not self.ready:
            try:
                if not self.conn.poll(timeout):
                    raise WorkerDied("a worker did not start in time")
                self.conn.recv()
            except (EOFError, OSError):
                self.proc.join(5)
                code = self.proc.exitcode
                raise WorkerDied(f"a worker failed to start (exit code {code})") from None
            self.ready = True

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class BudgetPool:
    """`workers` processes analysing pages under `page_seconds` of CPU each."""

    def __init__(
        self,
        workers: int,
        page_seconds: float = DEFAULT_PAGE_SECONDS,
        initializer: Callable[[], None] | None = warm_check,
        mp_context=None,
        start_timeout: float = 120.0,
    ) -> None:
        if page_seconds <= 0:
            raise ValueError("the page budget must be more than 0 seconds")
        self.page_seconds = page_seconds
        self.initializer = initializer
        self.ctx = mp_context or multiprocessing.get_context("spawn")
        self.start_timeout = start_timeout
        self.wall_limit = page_seconds * WALL_FACTOR + WALL_SLACK
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.replaced = 0
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self._closed = False
        for _ in range(max(1, workers)):
            self.idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        worker = _Worker(self.ctx, self.page_seconds, self.initializer)
        with self._lock:
            self._all.add(worker)
        return worker

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) in a worker; PageTimeout past the budget, WorkerDied if the worker died
        otherwise, AnalysisFailed with the message of an exception fn raised."""
        worker = self.idle.get()
        try:
            worker.wait_ready(self.start_timeout)
            worker.conn.send(_Job(fn, args))
            status, value = self._wait(worker)
        except Exception:  # past the budget, died, or the job could not be sent: a fresh one
            self._replace(worker)
            raise
        except BaseException:  # interrupted (Ctrl-C): end the worker, start no other
            worker.kill()
            raise
        self.idle.put(worker)
        if status == "error":
            raise AnalysisFailed(value)
        return value

    def _wait(self, worker: _Worker) -> tuple[str, Any]:
        deadline = time.monotonic() + self.wall_limit
        while True:
            if worker.conn.poll(0.05):
                try:
                    return worker.conn.recv()
                except (EOFError, OSError):
                    pass  # it died while sending: its exit code says why
            if not worker.proc.is_alive() or worker.conn.closed:
                worker.proc.join(5)
                raise self._death(worker.proc.exitcode)
            if time.monotonic() > deadline:
                raise PageTimeout(
                    f"analysis ran past {self.wall_limit:g} s of wall-clock time "
                    f"(--page-seconds {self.page_seconds:g})"
                )

    def _death(self, code: int | None) -> Exception:
        if code == -getattr(signal, "SIGXCPU", -1000):
            return PageTimeout(f"analysis ran past --page-seconds {self.page_seconds:g} s of CPU")
        return WorkerDied(f"the worker analysing it ended (exit code {code})")

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
        if not closed:
            self.replaced += 1
            self.idle.put(self._spawn())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            try:
                if w.proc.is_alive() and not w.conn.closed:
                    w.conn.send(None)
            except OSError:
                pass
        for w in workers:
            w.proc.join(2)
            w.kill()

    def __enter__(self) -> BudgetPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def local_pool(page_seconds: float) -> BudgetPool:
    """A one-worker pool for `checker check`: on POSIX the worker is forked from this process
    after its pipeline is built, so it needs no warm-up (a command's start stays fast); where
    fork is missing it is spawned and warmed like an audit's worker."""
    if "fork" in multiprocessing.get_all_start_methods():
        from checker.engine.nlp import pipeline

        pipeline()
        return BudgetPool(1, page_seconds, None, multiprocessing.get_context("fork"))
    return BudgetPool(1, page_seconds)
