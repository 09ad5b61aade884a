"""Measured precision per rule: which rules earn an investigator's trust.

For each rule id: how many distinct findings it produced, how many a reviewer confirmed, how
many were false positives, how many are undecided (no decision, or `needs_review`), and the
precision confirmed / (confirmed + false positives) with a 95% Wilson score interval, which
stays honest for the small counts a review produces (3 of 3 confirmed is not "precision 1.00").
The audit writes it as rules.csv from reviewer dispositions; `checker eval --rules-out` writes
the same table from a labelled set (true positives as confirmed, false flags as false
positives).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from checker.report.files import atomic_open, csv_writer, safe_row

Z95 = 1.959963984540054  # two-sided 95% normal quantile
RULE_COLUMNS = (
    "rule",
    "findings",
    "confirmed",
    "false_positives",
    "undecided",
    "reviewed",
    "precision",
    "precision_low_95",
    "precision_high_95",
)
PROVENANCE_COLUMNS = ("checker_version", "lexicons_version", "lexicons_sha256")


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion; (0, 1) when nothing was observed."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class RuleTally:
    """One rule's counts; precision is None until a finding of it has been reviewed."""

    rule: str
    findings: int = 0
    confirmed: int = 0
    false_positives: int = 0

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.false_positives

    @property
    def undecided(self) -> int:
        return max(0, self.findings - self.reviewed)

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.reviewed if self.reviewed else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.confirmed, self.reviewed) if self.reviewed else None

    def label(self) -> str:
        """What the report prints beside a finding: 'rule precision 0.92, 48 reviewed'."""
        if self.precision is None:
            return "rule precision not yet measured (0 reviewed)"
        return f"rule precision {self.precision:.2f}, {self.reviewed} reviewed"


def tally(decisions: Iterable[tuple[str, str | None]]) -> dict[str, RuleTally]:
    """RuleTally per rule from (rule id, disposition or None) per distinct finding."""
    counts: dict[str, list[int]] = {}
    for rule, disposition in decisions:
        c = counts.setdefault(rule or "(no rule)", [0, 0, 0])
        c[0] += 1
        c[1] += disposition == "confirmed"
        c[2] += disposition == "false_positive"
    return {r: RuleTally(r, *c) for r, c in sorted(counts.items())}


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def rule_row(t: RuleTally, provenance: dict) -> list[str]:
    low, high = t.interval or (None, None)
    return safe_row(
        [
            t.rule,
            t.findings,
            t.confirmed,
            t.false_positives,
            t.undecided,
            t.reviewed,
            _fmt(t.precision),
            _fmt(low),
            _fmt(high),
            provenance.get("checker", ""),
            provenance.get("lexicons", ""),
            provenance.get("lexicons_sha256", ""),
        ]
    )


def write_rules_csv(path: Path, tallies: dict[str, RuleTally], provenance: dict) -> int:
    """rules.csv, one row per rule, in rule-id order."""
    with atomic_open(Path(path), newline="") as fh:
        out = csv_writer(fh)
        out.writerow([*RULE_COLUMNS, *PROVENANCE_COLUMNS])
        for t in tallies.values():
            out.writerow(rule_row(t, provenance))
    return len(tallies)
