"""Reviewer dispositions: a reviewer's decision on a finding, applied on every audit run.

`checker audit ... --dispositions FILE.csv` reads a CSV with the columns
`finding_id, disposition, reviewer, reason, decided_at` (others are ignored), one decision per
finding id. `disposition` is one of `confirmed`, `false_positive`, `needs_review`. A
`false_positive` takes its finding out of findings.csv and the risk score and into
suppressed.csv with the reviewer and the reason (never silently dropped); `confirmed` marks it in
the report; `needs_review` counts as undecided.

The file is validated as a whole before the audit fetches anything: an unknown disposition, a
missing column, an empty finding id or reviewer, a false positive without a reason, an
unreadable date, text that is not UTF-8, or the same id twice with different decisions is a
usage error naming the file and the line. The same decision repeated is accepted (the later
line wins, so a re-review can be appended).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DISPOSITIONS = ("confirmed", "false_positive", "needs_review")
COLUMNS = ("finding_id", "disposition", "reviewer", "reason", "decided_at")
MAX_BYTES = 50 * 1024 * 1024


class DispositionError(ValueError):
    """The dispositions file cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Disposition:
    """One reviewer decision, with the line it came from (for stale.csv and error messages)."""

    finding_id: str
    disposition: str
    reviewer: str
    reason: str
    decided_at: str
    line: int


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM); otherwise name the first line that is not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DispositionError(f"{name}, line {line}: not valid UTF-8 text") from None


def _valid_time(value: str) -> bool:
    if not value:
        return True
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _parse_row(row: dict[str, str], line: int, name: str) -> Disposition:
    cell = {k: (row.get(k) or "").strip() for k in COLUMNS}
    where = f"{name}, line {line}"
    if not cell["finding_id"]:
        raise DispositionError(f"{where}: empty finding_id")
    if cell["disposition"] not in DISPOSITIONS:
        raise DispositionError(
            f"{where}: unknown disposition {cell['disposition']!r} "
            f"(expected one of {', '.join(DISPOSITIONS)})"
        )
    if not cell["reviewer"]:
        raise DispositionError(f"{where}: empty reviewer (every decision needs a name)")
    if cell["disposition"] == "false_positive" and not cell["reason"]:
        raise DispositionError(f"{where}: a false_positive needs a reason (it goes in the file)")
    if not _valid_time(cell["decided_at"]):
        raise DispositionError(
            f"{where}: decided_at {cell['decided_at']!r} is not an ISO 8601 date or time"
        )
    return Disposition(line=line, **cell)


def parse_dispositions(text: str, name: str = "dispositions") -> dict[str, Disposition]:
    """Decisions by finding id, from the text of a dispositions CSV."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]  # " Finding_ID" too
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DispositionError(f"{name}, line 1: missing column(s) {', '.join(missing)}")
    reader.fieldnames = header
    decisions: dict[str, Disposition] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue  # a blank line
            d = _parse_row(row, line, name)
            seen = decisions.get(d.finding_id)
            if seen is not None and seen.disposition != d.disposition:
                raise DispositionError(
                    f"{name}, line {line}: {d.finding_id} is {d.disposition} here but "
                    f"{seen.disposition} on line {seen.line}"
                )
            decisions[d.finding_id] = d
    except csv.Error as exc:
        raise DispositionError(f"{name}, line {reader.line_num}: {exc}") from None
    return decisions


def load_dispositions(path: Path) -> dict[str, Disposition]:
    """Read and validate a dispositions file; DispositionError (a usage error) if unusable."""
    path = Path(path)
    if not path.is_file():
        raise DispositionError(f"no such dispositions file: {path}")
    if path.stat().st_size > MAX_BYTES:
        raise DispositionError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    return parse_dispositions(_decode(path.read_bytes(), str(path)), str(path))


def decision_for(claim: dict, decisions: dict[str, Disposition]) -> Disposition | None:
    """The decision on a distinct claim: on its own id, else on any wording merged into it."""
    for fid in claim.get("finding_ids") or [claim.get("finding_id", "")]:
        if fid in decisions:
            return decisions[fid]
    return None
