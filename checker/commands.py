"""The `check` and `lexicons check` commands: read the target, run the engine, render."""

from __future__ import annotations

import sys
from pathlib import Path

from checker.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FLAGS
from checker.lexicons import LexiconError

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


def check_target(target: str):
    """A PageReport for a file or stdin; raises InputError for anything that is not text."""
    from checker.engine import check_html, check_text

    suffix = Path(target).suffix.lower() if target != "-" else ""
    if target != "-" and suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        raise InputError(
            f"{target}: unsupported file type '{suffix or '(none)'}' "
            "(use .html, .htm or .txt, or - for stdin)"
        )
    data = _read_bytes(target)
    name = "stdin" if target == "-" else target
    if _looks_binary(data):
        raise InputError(f"{name}: binary content, not text or HTML")
    url = None if target == "-" else target
    is_html = suffix in HTML_SUFFIXES or (target == "-" and data.lstrip()[:1] == b"<")
    if is_html:
        return check_html(data, url=url)
    return check_text(_decode_text(data, name), url=url)


def run_check(args) -> int:
    from checker.render import render

    try:
        if args.target.startswith(("http://", "https://")):
            from checker.scan import check_url_command

            reports = check_url_command(args)
            unchecked = [r for r in reports if r.outcome != "checked"]
            if len(reports) == 1 and unchecked:
                print(f"checker: {reports[0].url}: {reports[0].reason}", file=sys.stderr)
                return EXIT_ERROR
        elif "://" in args.target:
            raise InputError(f"unsupported URL scheme: {args.target.split('://')[0]}")
        else:
            reports = [check_target(args.target)]
    except (InputError, ValueError) as exc:
        print(f"checker: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except LexiconError as exc:
        print(f"checker: invalid lexicon: {exc}", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(render(reports, args.format, show_all=getattr(args, "all", False)))
    return EXIT_FLAGS if any(r.flags for r in reports) else EXIT_CLEAN


def run_lexicons_check(args) -> int:
    from checker import lexicons

    try:
        lex = lexicons.load(args.dir)
    except LexiconError as exc:
        print(f"checker: invalid lexicon: {exc}", file=sys.stderr)
        return EXIT_ERROR
    gaps = [sid for sid, rules in lexicons.coverage(lex).items() if not rules]
    print(
        f"lexicons {lex.version} in {lex.directory}: {len(lex.evidence)} evidence statements, "
        f"{len(lex.therapies)} therapies, {len(lex.cues)} cues, {len(lex.modifiers)} modifiers, "
        f"{len(lex.rules)} rules; evidence sha256 {lex.evidence_sha256}"
    )
    if gaps:
        print(f"statements no rule enforces: {', '.join(gaps)}", file=sys.stderr)
        return EXIT_ERROR
    print("every evidence statement is enforced by at least one rule")
    return EXIT_CLEAN
