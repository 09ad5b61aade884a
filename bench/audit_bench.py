"""Local audit benchmark: N URLs spread over 20 threaded HTTP servers on 127.0.0.1, each reply
delayed 50 ms, audited by `python -m checker audit` as a subprocess; wall time against the lower
bound set by politeness and concurrency, and the peak RSS of the audit's process tree."""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil

N_SERVERS = 20
REPLY_DELAY = 0.05
HOST_DELAY = 0.2
CONCURRENCY = 16
ROBOTS = b"User-agent: *\nAllow: /\n"


class _Server:
    """One 'clinic host': serves pages from memory after a fixed delay."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = pages
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                time.sleep(REPLY_DELAY)
                path = self.path.split("?", 1)[0]
                if path == "/robots.txt":
                    body, ctype, status = ROBOTS, "text/plain", 200
                elif path in outer.pages:
                    body, ctype, status = outer.pages[path], "text/html; charset=utf-8", 200
                else:
                    body, ctype, status = b"<h1>Not found</h1>", "text/html", 404
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"


def _tree_memory(proc: psutil.Process, pss: bool) -> tuple[int, int]:
    """(RSS, PSS) summed over the process and all its descendants. RSS counts pages shared by
    forked workers once per process; PSS splits them (read only every few samples: smaps is
    slower to read)."""
    rss = total_pss = 0
    for p in [proc, *proc.children(recursive=True)]:
        with suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            if pss:
                info = p.memory_full_info()
                rss += info.rss
                total_pss += getattr(info, "pss", 0)
            else:
                rss += p.memory_info().rss
    return rss, total_pss


def _outcomes(urls_csv: Path) -> dict[str, int]:
    """Rows per outcome in the audit's urls.csv (to show every URL was really checked)."""
    counts: dict[str, int] = {}
    try:
        with open(urls_csv, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                key = row.get("outcome") or "?"
                counts[key] = counts.get(key, 0) + 1
    except OSError as exc:
        return {"unreadable": 0, "error": str(exc)}  # type: ignore[dict-item]
    return counts


def run_audit(pages: list[bytes], n_urls: int, python: str = sys.executable,
              timeout: float = 1800.0) -> dict:
    """Audit `n_urls` URLs (page i of the corpus on server i % 20); return the figures."""
    per_server: list[dict[str, bytes]] = [{} for _ in range(N_SERVERS)]
    for i in range(n_urls):
        per_server[i % N_SERVERS][f"/page-{i:05d}.html"] = pages[i % len(pages)]
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        servers = [stack.enter_context(_Server(p)) for p in per_server]
        urls = [f"{servers[i % N_SERVERS].origin}/page-{i:05d}.html" for i in range(n_urls)]
        url_file = Path(tmp) / "urls.txt"
        url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        out = Path(tmp) / "out"
        cmd = [python, "-m", "checker", "audit", str(url_file), "--out", str(out),
               "--allow-private", "--delay", str(HOST_DELAY), "--concurrency", str(CONCURRENCY),
               "--quiet"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ps = psutil.Process(proc.pid)
        peak = peak_pss = samples = 0
        while proc.poll() is None:
            try:
                rss, pss = _tree_memory(ps, pss=samples % 5 == 0)
            except psutil.NoSuchProcess:
                break
            peak, peak_pss, samples = max(peak, rss), max(peak_pss, pss), samples + 1
            if time.perf_counter() - t0 > timeout:
                proc.kill()
                break
            time.sleep(0.05)
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - t0
        outcomes = _outcomes(out / "urls.csv")
        per_host = max(len(p) for p in per_server)
        lower = max(per_host * HOST_DELAY, n_urls * REPLY_DELAY / CONCURRENCY)
        return {
            "urls": n_urls, "hosts": N_SERVERS, "wall_s": round(wall, 3),
            "lower_bound_s": round(lower, 3), "ratio_to_bound": round(wall / lower, 3),
            "peak_rss_mb": round(peak / 2**20, 1), "peak_pss_mb": round(peak_pss / 2**20, 1),
            "memory_samples": samples, "returncode": proc.returncode, "outcomes": outcomes,
            "stderr_tail": stderr.decode("utf-8", "replace")[-500:],
            "stdout_tail": stdout.decode("utf-8", "replace")[-300:],
        }
