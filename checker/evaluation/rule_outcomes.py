"""Per-rule outcomes on a labelled set, for `checker eval --rules-out`: each predicted flag is
(rule id, "confirmed") when the gold label is a flag and (rule id, "false_positive") when it is
not. The report package turns these into the same per-rule table the audit writes (rules.csv),
so a rule's precision on the dev set and in the field read alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from checker.evaluation.scoring import predict_row


def rule_outcomes(path: Path, lang: str = "en") -> Iterator[tuple[str, str]]:
    """(rule, disposition) for every row of `path` the checker flags."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            if lang != "all" and row.get("lang", "en") != lang:
                continue
            pred = predict_row(row)
            if pred is not None:
                yield pred.rule, "confirmed" if row["label"] == "flag" else "false_positive"
