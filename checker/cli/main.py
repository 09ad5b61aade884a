"""Command line: `checker check`, `audit`, `diff`, `verify`, `eval` and `lexicons check`.

Exit status (like linters): 0 no flags, 1 flags found, 2 usage or input error.
This file only parses arguments and dispatches to `checker.cli.commands`.
"""

from __future__ import annotations

import argparse
import os
import sys

from checker.cli.exit_codes import EXIT_CLEAN, EXIT_ERROR
from checker.engine.lexicons import ENV_VAR as LEXICONS_ENV
from checker.version import __version__

FORMATS = ("table", "json", "jsonl", "csv")


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; keep its message on one line."""


def _add_scraper_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("fetching (URLs only)")
    g.add_argument(
        "--crawl", action="store_true", help="visit the clinic's own site, relevant pages first"
    )
    g.add_argument(
        "--max-pages", type=int, default=50, help="pages per site with --crawl (default 50)"
    )
    g.add_argument("--depth", type=int, default=3, help="link depth with --crawl (default 3)")
    g.add_argument(
        "--allow-private",
        action="store_true",
        help="allow loopback/private addresses (tests, intranet audits)",
    )
    g.add_argument(
        "--ignore-robots", action="store_true", help="do not obey robots.txt (requires --authority)"
    )
    g.add_argument(
        "--authority",
        default=None,
        help="legal basis for --ignore-robots, written into the capture manifest and report",
    )
    g.add_argument("--contact", default=None, help="contact (email/URL) sent in the User-Agent")
    g.add_argument(
        "--delay", type=float, default=1.0, help="minimum seconds between requests to one host"
    )
    g.add_argument("--timeout", type=float, default=30.0, help="total seconds allowed per response")
    g.add_argument("--max-bytes", type=int, default=5 * 1024 * 1024, help="body cap (decompressed)")


def _page_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not seconds > 0 or seconds != seconds or seconds == float("inf"):
        raise argparse.ArgumentTypeError("must be a number of seconds more than 0")
    return seconds


def _add_budget_option(p: argparse.ArgumentParser) -> None:
    from checker.engine.budget import DEFAULT_PAGE_SECONDS

    p.add_argument(
        "--page-seconds",
        type=_page_seconds,
        default=DEFAULT_PAGE_SECONDS,
        metavar="S",
        help="CPU seconds allowed for one page's analysis; a page past it ends as "
        f"analysis_timeout (default {DEFAULT_PAGE_SECONDS:g})",
    )


def _add_lexicons_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lexicons",
        metavar="DIR",
        default=None,
        help=f"the rule pack to use (default: ${LEXICONS_ENV}, else the bundled pack); "
        "its version and SHA-256 go on every report",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="checker", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"checker {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser(
        "check", help="check a URL, an .html/.htm/.txt/.pdf file, or - for stdin"
    )
    check.add_argument("target")
    check.add_argument("--format", choices=FORMATS, default="table")
    check.add_argument(
        "--save",
        metavar="DIR",
        default=None,
        help="keep the WARC capture, manifest and JSON findings (URLs)",
    )
    check.add_argument(
        "--all",
        action="store_true",
        help="also show consistent and out-of-scope findings in the table",
    )
    _add_budget_option(check)
    _add_scraper_options(check)

    audit = sub.add_parser("audit", help="batch audit: URL list, CSV, folder of HTML, or WARC")
    audit.add_argument("input")
    audit.add_argument("--out", required=True, metavar="DIR")
    audit.add_argument("--concurrency", type=int, default=16)
    audit.add_argument(
        "--workers", type=int, default=None, help="CPU worker processes (default: cores)"
    )
    audit.add_argument("--quiet", action="store_true")
    audit.add_argument(
        "--dispositions",
        metavar="FILE.csv",
        default=None,
        help="reviewer decisions (finding_id, disposition, reviewer, reason, decided_at): "
        "false positives go to suppressed.csv, precision per rule to rules.csv",
    )
    audit.add_argument(
        "--baseline",
        metavar="OLD_DIR",
        default=None,
        help="an earlier audit folder: also write diff.csv and diff.html (the re-check)",
    )
    _add_budget_option(audit)
    _add_scraper_options(audit)

    diff = sub.add_parser(
        "diff",
        help="re-check: compare two audit folders, claim by claim, per clinic",
        description="Exit status: 1 when any clinic has new or hardened flags, 0 otherwise, "
        "2 on bad input.",
    )
    diff.add_argument("old", metavar="OLD_DIR")
    diff.add_argument("new", metavar="NEW_DIR")
    diff.add_argument("--out", required=True, metavar="DIR", help="where diff.csv and diff.html go")
    diff.add_argument("--quiet", action="store_true", help="no per-clinic summary lines")

    verify = sub.add_parser(
        "verify", help="recompute every digest of a capture against its manifest"
    )
    verify.add_argument("capture")

    ev = sub.add_parser(
        "eval", help="score the checker on a labelled JSONL dev set and/or the real-text set"
    )
    ev.add_argument("file", nargs="?", default=None, help="dev-set claims JSONL")
    ev.add_argument(
        "--realdev",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="also score the real-text set (default DIR: ../shared/realdev)",
    )
    ev.add_argument(
        "--half", choices=["A", "B"], default=None, help="only one half of the real-text sites"
    )
    ev.add_argument("--lang", default="en", help="rows of this language only ('all' for every row)")
    ev.add_argument(
        "--pages",
        default=None,
        metavar="DIR",
        help="also score the pages in DIR against DIR/gold.jsonl",
    )
    ev.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    ev.add_argument(
        "--rules-out",
        metavar="FILE",
        default=None,
        help="also write the per-rule precision table (rules.csv columns) for the labelled set",
    )

    lex = sub.add_parser("lexicons", help="lexicon tools")
    lex_sub = lex.add_subparsers(dest="lexicons_command", required=True)
    lex_check = lex_sub.add_parser("check", help="validate every lexicon file and exit")
    lex_check.add_argument(
        "--dir", default=None, help="lexicon folder (default: --lexicons, else the bundled one)"
    )
    for command in (check, audit, diff, verify, ev, lex_check):
        _add_lexicons_option(command)
    return parser


COMMANDS = {
    "check": "run_check",
    "audit": "run_audit",
    "diff": "run_diff",
    "verify": "run_verify",
    "eval": "run_eval",
    "lexicons": "run_lexicons_check",
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from checker.cli import commands

    previous = os.environ.get(LEXICONS_ENV)
    if args.lexicons:  # every command, and every worker process it starts, uses this pack
        os.environ[LEXICONS_ENV] = args.lexicons
    try:
        return getattr(commands, COMMANDS[args.command])(args)
    except KeyboardInterrupt:
        print("checker: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `checker eval | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLEAN
    finally:
        if args.lexicons:
            _restore(LEXICONS_ENV, previous)


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
