"""The commands behind the CLI: `check`, `audit`, `diff`, `verify`, `eval` and `lexicons check`.

Each reads its arguments, calls the package that does the work and turns the result into output
and an exit status (`checker.cli.exit_codes`). Work itself never lives here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checker.cli.exit_codes import EXIT_CLEAN, EXIT_ERROR, EXIT_FLAGS
from checker.engine.lexicons import LexiconError
from checker.records import PageReport

MAX_INPUT_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


class InputError(Exception):
    """The target cannot be checked; the message is one line for the user."""


def _read_bytes(target: str) -> bytes:
    if target == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    else:
        path = Path(target)
        if not path.exists():
            raise InputError(f"no such file: {target}")
        if not path.is_file():
            raise InputError(f"not a file: {target}")
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise InputError(f"{target}: larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"input larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    return data


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04"))


def _decode_text(data: bytes, name: str) -> str:
    """UTF-8 (BOM or not), or UTF-16 when it says so with a BOM; anything else is refused."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise InputError(f"{name}: not valid UTF-8 text (save it as UTF-8, or as .html)") from None


def check_target(target: str, page_seconds: float | None = None) -> PageReport:
    """A PageReport for a file or stdin; raises InputError for anything that is not text. With
    page_seconds the analysis runs in a worker process under that CPU budget."""
    from checker.engine.check import check_html, check_text

    suffix = Path(target).suffix.lower() if target != "-" else ""
    if target != "-" and suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf"}:
        raise InputError(
            f"{target}: unsupported file type '{suffix or '(none)'}' "
            "(use .html, .htm, .txt or .pdf, or - for stdin)"
        )
    data = _read_bytes(target)
    name = "stdin" if target == "-" else target
    if suffix == ".pdf" or (target == "-" and data[:5] == b"%PDF-"):
        return _check_pdf_file(data, name, None if target == "-" else target)
    if _looks_binary(data):
        raise InputError(f"{name}: binary content, not text or HTML")
    url = None if target == "-" else target
    is_html = suffix in HTML_SUFFIXES or (target == "-" and data.lstrip()[:1] == b"<")
    fn, arg = (check_html, data) if is_html else (check_text, _decode_text(data, name))
    if page_seconds is None:
        return fn(arg, url=url)
    return _budgeted(fn, arg, url, page_seconds)


def _budgeted(fn, arg, url: str | None, page_seconds: float) -> PageReport:
    """fn(arg, url) in a worker under the CPU budget; a page past it, or one the engine fails
    on, is a report with its outcome and reason (the CLI prints the reason, exit status 2)."""
    from checker.engine.budget import AnalysisFailed, PageTimeout, WorkerDied, local_pool

    with local_pool(page_seconds) as pool:
        try:
            return pool.run(fn, arg, url)
        except PageTimeout as exc:
            return PageReport(url=url, outcome="analysis_timeout", reason=str(exc))
        except (AnalysisFailed, WorkerDied) as exc:
            reason = f"could not be analysed: {exc}"
            return PageReport(url=url, outcome="analysis_error", reason=reason)


def _check_pdf_file(data: bytes, name: str, url: str | None) -> PageReport:
    """A PDF file's report; one that cannot be read (encrypted, no text layer, broken) is an
    input error naming its outcome and reason."""
    from checker.engine.check import check_pdf

    report = check_pdf(data, url=url)
    if report.outcome != "checked":
        raise InputError(f"{name}: {report.outcome}: {report.reason}")
    return report


def run_check(args) -> int:
    from checker.report.check_output import render

    try:
        if args.target.startswith(("http://", "https://")):
            reports = check_url_command(args)
        elif "://" in args.target:
            raise InputError(f"unsupported URL scheme: {args.target.split('://')[0]}")
        else:
            reports = [check_target(args.target, getattr(args, "page_seconds", None))]
        if len(reports) == 1 and reports[0].outcome != "checked":
            name = reports[0].url or ("stdin" if args.target == "-" else args.target)
            print(f"checker: {name}: {reports[0].reason}", file=sys.stderr)
            return EXIT_ERROR
    except (InputError, ValueError) as exc:
        print(f"checker: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except LexiconError as exc:
        print(f"checker: invalid lexicon: {exc}", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(render(reports, args.format, show_all=getattr(args, "all", False)))
    return EXIT_FLAGS if any(r.flags for r in reports) else EXIT_CLEAN


def run_lexicons_check(args) -> int:
    from checker.engine import lexicons

    try:
        lex = lexicons.load(args.dir or args.lexicons)
    except LexiconError as exc:
        print(f"checker: invalid lexicon: {exc}", file=sys.stderr)
        return EXIT_ERROR
    gaps = [sid for sid, rules in lexicons.coverage(lex).items() if not rules]
    print(
        f"lexicons {lex.version} in {lex.directory}: {len(lex.evidence)} evidence statements, "
        f"{len(lex.therapies)} therapies, {len(lex.cues)} cues, {len(lex.modifiers)} modifiers, "
        f"{len(lex.rules)} rules; evidence sha256 {lex.evidence_sha256}"
    )
    for pack in lex.packs:
        print(
            f"language pack {pack.lang}: {len(pack.cues)} cues, {len(pack.modifiers)} modifiers, "
            f"{len(pack.voice_cues)} page-voice signs; same rules and evidence"
        )
    if gaps:
        print(f"statements no rule enforces: {', '.join(gaps)}", file=sys.stderr)
        return EXIT_ERROR
    print("every evidence statement is enforced by at least one rule")
    return EXIT_CLEAN


def check_url_command(args: argparse.Namespace) -> list[PageReport]:
    """The `check` command for a URL target. A usage error (e.g. --ignore-robots without
    --authority) comes back as one invalid_input report whose reason the CLI prints (exit 2)."""
    from checker.web.check_url import check_url
    from checker.web.options import options_from_args

    try:
        options = options_from_args(args)
    except ValueError as exc:
        return [PageReport(url=args.target, outcome="invalid_input", reason=str(exc), robots="n/a")]
    save = getattr(args, "save", None)
    try:
        return check_url(
            args.target,
            options=options,
            crawl=bool(getattr(args, "crawl", False)),
            max_pages=int(getattr(args, "max_pages", 50)),
            depth=int(getattr(args, "depth", 3)),
            save_dir=save,
            page_seconds=getattr(args, "page_seconds", None),
        )
    except (OSError, RuntimeError) as exc:  # --save not writable, or in use by another run
        return [
            PageReport(
                url=args.target,
                outcome="invalid_input",
                robots="n/a",
                reason=f"cannot write the capture to {save}: {exc}",
            )
        ]


def run_audit(args: argparse.Namespace) -> int:
    """`checker audit`: 0 no flags, 1 flags, 2 usage or input error."""
    from checker.audit.run import AuditError, audit, summary_lines

    try:
        result = audit(args)
    except AuditError as exc:
        print("checker: " + " ".join(str(exc).split()), file=sys.stderr)  # always one line
        return EXIT_ERROR
    if not args.quiet and result.totals is not None:
        print("\n".join(summary_lines(result.totals)))
    if not args.quiet and result.diff is not None:
        from checker.report.audit_diff import summary_lines as diff_lines

        print("re-check against the baseline (diff.csv, diff.html):")
        print("\n".join("  " + line for line in diff_lines(result.diff)))
    return EXIT_FLAGS if result.flagged else EXIT_CLEAN


def run_diff(args: argparse.Namespace) -> int:
    """`checker diff OLD NEW --out DIR`: 1 when any clinic has new or hardened flags, 0
    otherwise, 2 on bad input."""
    from checker.report.audit_diff import DiffError, diff_audits, summary_lines, write_diff

    try:
        result = diff_audits(Path(args.old), Path(args.new))
        paths = write_diff(result, Path(args.out))
    except DiffError as exc:
        print("checker: " + " ".join(str(exc).split()), file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"checker: cannot write to {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    if not args.quiet:
        print("\n".join(summary_lines(result)))
        print(f"  diff: {paths['diff.csv']}\n  report: {paths['diff.html']}")
    return EXIT_FLAGS if result.raised else EXIT_CLEAN


def run_verify(args: argparse.Namespace) -> int:
    """`checker verify CAPTURE.warc.gz`: 0 ok, 1 mismatch, 2 unreadable."""
    from checker.web.capture import verify_report

    code, message = verify_report(Path(args.capture))
    if code == EXIT_ERROR:
        print(f"checker: {message}", file=sys.stderr)
    else:
        print(message)
    return code


def _line(name: str, s) -> str:
    return (
        f"{name:<24} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}  "
        f"(tp {s.tp} fp {s.fp} fn {s.fn} tn {s.tn})"
    )


def run_eval(args) -> int:
    """Score the dev set (FILE, --pages) and/or the real-text set (--realdev)."""
    if not args.file and args.realdev is None:
        print("checker eval: give a dev-set FILE, --realdev, or both", file=sys.stderr)
        return EXIT_ERROR
    if args.file:
        status = _eval_devset(args)
        if status:
            return status
    if args.realdev is not None:
        return _eval_realdev(args)
    return EXIT_CLEAN


def _eval_devset(args) -> int:
    from checker.evaluation.scoring import score_pages, score_sentences

    path = Path(args.file)
    if not path.is_file():
        print(f"checker eval: no such file: {path}", file=sys.stderr)
        return EXIT_ERROR
    res = score_sentences(path, args.lang)
    print(f"dev set {path} ({res.rows} rows, lang={args.lang}, sha256 {res.sha256[:16]}…)")
    print(_line("all", res.total))
    tp = res.total.tp
    print(f"category accuracy on true positives: {res.category_hits}/{tp}")
    print("per gold category:")
    for cat, s in sorted(res.by_category.items()):
        print("  " + _line(cat, s))
    print("per gold therapy:")
    for th, s in sorted(res.by_therapy.items()):
        print("  " + _line(th, s))
    if not args.quiet:
        for r in res.misses:
            print(f"MISS  {r['id']} [{r['category']}] {r['text']}")
        for r in res.false_flags:
            print(
                f"FALSE {r['id']} [{r['category']}->{r['predicted']} {r['rule']}: "
                f"{r['claim']}] {r['text']}"
            )
    if getattr(args, "rules_out", None):
        write_eval_rules(path, args.lang, Path(args.rules_out))
    if args.pages:
        pres = score_pages(Path(args.pages), args.lang)
        print(
            f"pages: recalled {pres.recalled}/{pres.gold} gold claims, must-not-flag false "
            f"flags {pres.false_flags}/{pres.must_not}"
        )
        if not args.quiet:
            for r in pres.misses:
                print(f"PAGE MISS  {r['page'][:2]} [{r.get('category')}] {r['text']}")
            for r in pres.bad_flags:
                print(f"PAGE FALSE {r['page'][:2]} {r['text']}")
    return EXIT_CLEAN


def _eval_realdev(args) -> int:
    """Both halves and the gap; breakdowns and errors for the tuning half (A) only, unless a
    half is asked for by name, so the held-out half is not read by accident."""
    from checker.evaluation import realdev, summary

    folder = Path(args.realdev) if args.realdev else realdev.default_dir()
    if not (folder / realdev.CLAIMS_FILE).is_file() or not (folder / realdev.PAGES_FILE).is_file():
        print(
            f"checker eval: no real-text set at {folder} (needs {realdev.CLAIMS_FILE} and "
            f"{realdev.PAGES_FILE})",
            file=sys.stderr,
        )
        return EXIT_ERROR
    halves = [args.half] if args.half else list(realdev.HALVES)
    results = {h: realdev.evaluate(folder, realdev.Selection(args.lang, h)) for h in halves}
    first = next(iter(results.values()))
    print(
        f"real-text set {folder} (claims sha256 {first.claims_sha256[:16]}…, "
        f"pages sha256 {first.pages_sha256[:16]}…)"
    )
    for res in results.values():
        print(res.summary())
    if not args.half:
        print(realdev.evaluate(folder, realdev.Selection(args.lang)).summary())
        print(summary.gap(results["A"], results["B"]))
    listed = results[args.half or "A"]
    for line in summary.breakdowns(listed):
        print(line)
    if not args.quiet:
        for line in summary.errors(listed):
            print(line)
        if not args.half:
            print("half B errors are not listed: it is the held-out half (ask with --half B)")
    return EXIT_CLEAN


def write_eval_rules(path: Path, lang: str, out: Path) -> None:
    """`checker eval --rules-out FILE`: the audit's rules.csv table from a labelled set, each
    predicted flag counted for its rule as confirmed (gold flag) or false positive."""
    from checker.engine.check import provenance
    from checker.evaluation.rule_outcomes import rule_outcomes
    from checker.report.rule_precision import tally, write_rules_csv

    tallies = tally(rule_outcomes(path, lang))
    write_rules_csv(out, tallies, provenance())
    print(f"per-rule precision ({len(tallies)} rules): {out}")
