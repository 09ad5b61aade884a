"""`python -m checker.cli.demo` (`make demo`): audit the bundled sample clinics end to end, offline.

Each `samples/sites/<clinic>/` folder is served by its own HTTP server on 127.0.0.1 (an ephemeral
port, so each clinic is its own host:port with its own robots.txt), started in threads by this
command. The demo writes a temporary copy of `samples/clinics.csv` pointing at those servers,
runs `checker audit --crawl --allow-private` with a short delay into `demo-out/`, prints the
summary and the worst claims, and shuts the servers down. No network beyond 127.0.0.1.

The investigator's loop runs on the demo too: `--port-base 8801` serves the clinics on fixed
ports (so each clinic keeps its site, and its findings their ids, from one run to the next),
`--dispositions FILE.csv` applies reviewer decisions, `--sites DIR` audits an edited copy of
samples/sites/, and `--baseline OLD_DIR` writes the re-check diff against an earlier demo.
"""

from __future__ import annotations

import argparse
import csv
import functools
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from checker.audit.inputs import site_of
from checker.audit.run import DB_NAME, AuditError, audit
from checker.report.audit_diff import summary_lines as diff_summary_lines
from checker.report.audit_reports import REPORT_FILES
from checker.web.capture import MANIFEST_NAME, WARC_NAME

SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the repository, when run from a checkout
OUR_FILES = (
    *REPORT_FILES,
    "diff.csv",
    "diff.html",
    WARC_NAME,
    MANIFEST_NAME,
    DB_NAME,
    f"{DB_NAME}-wal",
    f"{DB_NAME}-shm",
)


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files of one sample site; no request log on the demo's terminal."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve_site(folder: Path, port: int = 0) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1:`port` (0: an ephemeral one) in a thread; yields the origin
    URL. A fixed port keeps the clinic's site, and so its finding ids, across runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise AuditError(f"cannot serve {folder.name} on 127.0.0.1:{port}: {exc}") from exc
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def samples_dir() -> Path:
    for base in (SOURCE_ROOT / "samples", Path.cwd() / "samples"):
        if (base / "sites").is_dir():
            return base
    raise AuditError("samples/sites/ not found (run the demo from the repository)")


def clear_output(out: Path) -> None:
    """Remove a previous demo's files (only the ones the audit writes) so the audit starts anew."""
    if not out.exists():
        return
    for name in OUR_FILES:
        (out / name).unlink(missing_ok=True)


def write_clinic_list(samples: Path, origins: dict[str, str], path: Path) -> int:
    """samples/clinics.csv with each clinic's URL replaced by its local server."""
    with (
        (samples / "clinics.csv").open(encoding="utf-8", newline="") as src,
        path.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames or ["url"], lineterminator="\r\n")
        writer.writeheader()
        count = 0
        for row in reader:
            local = origins.get(site_of(row["url"]))
            if local:
                writer.writerow({**row, "url": local})
                count += 1
    return count


def audit_args(
    url_list: Path,
    out: Path,
    delay: float,
    workers: int | None,
    dispositions: str | None = None,
    baseline: str | None = None,
) -> argparse.Namespace:
    from checker.cli.main import build_parser

    argv = [
        "audit",
        str(url_list),
        "--out",
        str(out),
        "--crawl",
        "--allow-private",
        "--delay",
        str(delay),
        "--timeout",
        "10",
        "--max-pages",
        "20",
        "--quiet",
    ]
    if workers:
        argv += ["--workers", str(workers)]
    if dispositions:
        argv += ["--dispositions", dispositions]
    if baseline:
        argv += ["--baseline", baseline]
    return build_parser().parse_args(argv)


def print_summary(totals, out: Path) -> None:
    sev = totals.by_severity
    print(
        f"Audited {totals.sites} sample clinic site(s): {totals.pages_checked} page(s) checked, "
        f"{totals.distinct_flags} distinct flagged claim(s) "
        f"({sev['high']} high, {sev['medium']} medium, {sev['low']} low)."
    )
    print("\nSites, worst first (risk = distinct flags x severity points, x1.5 if contradicted):")
    for s in totals.ranked:
        name = s.extra.get("clinic_name") or s.site
        print(
            f"  {name:34} risk {s.risk_score:>6g}  flags {s.high:>2} high {s.medium:>2} medium "
            f"{s.low:>2} low  pages {s.pages_checked}, not checked {s.not_checked}"
        )
    if totals.worst:
        print("\nWorst claims:")
    for site, claim in totals.worst:
        f = claim["finding"]
        name = site.extra.get("clinic_name") or site.site
        print(f"  [{f.get('severity')}/{f.get('verdict')}] {name}: {f.get('sentence')}")
        print(f"      evidence {', '.join(f.get('evidence', [])) or '-'} · {f.get('rationale')}")
    if totals.suppressed or totals.stale or totals.confirmed:
        print(
            f"\nReview: {totals.confirmed} confirmed, {totals.suppressed} suppressed as false "
            f"positive(s) ({totals.paths['suppressed.csv']}), {totals.stale} stale decision(s) "
            f"({totals.paths['stale.csv']}); precision per rule in {totals.paths['rules.csv']}"
        )
    print(f"\nReport:   {totals.paths['report.html']}")
    print(f"Findings: {totals.paths['findings.csv']}")
    print(
        f"All outputs in {out}/ (sites.csv, urls.csv, errors.csv, findings.jsonl, capture.warc.gz)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m checker.cli.demo", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", default="demo-out", help="output folder (default: demo-out)")
    parser.add_argument(
        "--delay", type=float, default=0.05, help="seconds between requests to one host"
    )
    parser.add_argument("--workers", type=int, default=None, help="checker worker processes")
    parser.add_argument(
        "--port-base",
        type=int,
        default=0,
        help="serve clinic i on port PORT_BASE+i (stable sites and finding ids); 0: ephemeral",
    )
    parser.add_argument(
        "--sites", default=None, metavar="DIR", help="clinic folders to serve (default: samples)"
    )
    parser.add_argument("--dispositions", default=None, metavar="FILE.csv")
    parser.add_argument("--baseline", default=None, metavar="OLD_DIR")
    opts = parser.parse_args(argv)
    out = Path(opts.out)
    try:
        samples = samples_dir()
        clear_output(out)
        with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="checker-demo-") as tmp:
            origins = {}
            sites = Path(opts.sites) if opts.sites else samples / "sites"
            folders = sorted(p for p in sites.iterdir() if p.is_dir()) if sites.is_dir() else []
            for i, folder in enumerate(folders):
                port = opts.port_base + i if opts.port_base else 0
                local = stack.enter_context(serve_site(folder, port))
                origins[site_of(f"https://{folder.name}/")] = local
                print(f"serving {folder.name:36} at {local}")
            url_list = Path(tmp) / "clinics.csv"
            if write_clinic_list(samples, origins, url_list) == 0:
                raise AuditError("samples/clinics.csv names none of the sample sites")
            print(f"auditing into {out}/ …\n")
            args = audit_args(
                url_list, out, opts.delay, opts.workers, opts.dispositions, opts.baseline
            )
            result = audit(args)
    except AuditError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    print_summary(result.totals, out)
    if result.diff is not None:
        print(f"\nRe-check against {opts.baseline} ({out / 'diff.csv'}, {out / 'diff.html'}):")
        print("\n".join("  " + line for line in diff_summary_lines(result.diff)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
