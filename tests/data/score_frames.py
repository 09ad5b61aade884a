#!/usr/bin/env python3
"""Score the current engine on tests/data/wording_frames.jsonl (own-wording frames).

    PYTHONPATH=. python tests/data/score_frames.py [--show]

Each row is checked as a page would hold it: `context` (if any), a blank line, then `text`,
through `checker.check_text`. A row is predicted `flag` when some finding whose verdict is
`contradicts` or `unsupported` overlaps the span of `text`. Flag is the positive class.
This script only measures; it is not a gate and changes no engine code.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

from checker import check_text

FLAG_VERDICTS = {"contradicts", "unsupported"}
DATA = Path(__file__).with_name("wording_frames.jsonl")


def predict(row: dict) -> bool:
    context = row.get("context") or ""
    prefix = context + "\n\n" if context else ""
    start, end = len(prefix), len(prefix) + len(row["text"])
    report = check_text(prefix + row["text"])
    return any(
        f.verdict in FLAG_VERDICTS and f.claim_end > start and f.claim_start < end for f in report.findings
    )


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", action="store_true", help="list every miss and false flag")
    ap.add_argument("--data", default=str(DATA))
    a = ap.parse_args()
    rows = [json.loads(line) for line in Path(a.data).read_text(encoding="utf-8").splitlines() if line.strip()]
    counts = collections.defaultdict(collections.Counter)
    misses, false_flags = [], []
    for r in rows:
        gold, pred = r["label"] == "flag", predict(r)
        cell = "tp" if gold and pred else "fp" if pred else "fn" if gold else "tn"
        for key in ("all", "therapy=" + r["therapy"], "category=" + r["category"]):
            counts[key][cell] += 1
        if cell == "fn":
            misses.append(r)
        elif cell == "fp":
            false_flags.append(r)

    def line(name: str) -> str:
        c = counts[name]
        p, rec, f1 = prf(c["tp"], c["fp"], c["fn"])
        return (f"{name:<34} n={sum(c.values()):<4} P {p:.3f}  R {rec:.3f}  F1 {f1:.3f}  "
                f"(tp {c['tp']} fp {c['fp']} fn {c['fn']} tn {c['tn']})")

    print(f"wording frames: {len(rows)} rows, {sum(r['label'] == 'flag' for r in rows)} flag")
    print(line("all"))
    for prefix in ("therapy=", "category="):
        for name in sorted(k for k in counts if k.startswith(prefix)):
            print("  " + line(name))
    if a.show:
        for r in misses:
            print(f"MISS  {r['id']} [{r['therapy']}/{r['category']}] {r['frame']}: {r['text']}")
        for r in false_flags:
            print(f"FALSE {r['id']} [{r['therapy']}/{r['category']}] {r['frame']}: {r['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
