"""Plain-text rendering of real-text scores: the summary lines, the breakdowns, the errors.

Kept apart from the scoring so the figures a test pins and the text a person reads come from
the same numbers. Imports only `checker.evaluation`.
"""

from __future__ import annotations

from checker.evaluation.realdev import RealResult
from checker.evaluation.scoring import Score


def _row(name: str, s: Score) -> str:
    """One breakdown row: gold flags found, ok rows flagged, and P/R where they mean something."""
    gold, ok = s.tp + s.fn, s.fp + s.tn
    parts = [f"{name:<24} n={s.n:<4}"]
    if gold:
        parts.append(f"found {s.tp}/{gold} (R {s.recall:.3f})")
    if ok:
        parts.append(f"ok flagged {s.fp}/{ok}")
    if gold and s.tp + s.fp:
        parts.append(f"P {s.precision:.3f}")
    return "  ".join(parts)


def _table(title: str, scores: dict[str, Score]) -> list[str]:
    return [title] + ["  " + _row(k, scores[k]) for k in sorted(scores)]


def breakdowns(result: RealResult) -> list[str]:
    """Per gold category, therapy and source kind for sentences; per source kind for pages."""
    s = result.sentences
    lines = [f"breakdowns ({result.selection.label}):"]
    lines += _table("per gold category:", s.by_category)
    lines += _table("per gold therapy:", s.by_therapy)
    lines += _table("per source kind:", s.by_source_kind)
    lines.append("pages per source kind (gold flags found):")
    for kind, (gold, hit) in sorted(result.pages.by_source_kind.items()):
        lines.append(f"  {kind:<24} found {hit}/{gold}")
    return lines


def gap(a: RealResult, b: RealResult) -> str:
    """Tuning half minus held-out half: the honest estimate of what tuning does not carry."""
    sa, sb, pa, pb = a.sentences.total, b.sentences.total, a.pages, b.pages
    return (
        f"gap {a.selection.half}-{b.selection.half}: sentences "
        f"P {sa.precision - sb.precision:+.3f} R {sa.recall - sb.recall:+.3f} "
        f"MCC {sa.mcc - sb.mcc:+.3f}; pages recall {pa.recall - pb.recall:+.3f} "
        f"precision {pa.precision - pb.precision:+.3f} "
        f"must-not-flagged {pa.must_not_rate - pb.must_not_rate:+.3f}"
    )


def errors(result: RealResult) -> list[str]:
    """Every miss and false flag of the selection, one tab-separated line each."""
    return [f"{result.selection.label}\t{e.line()}" for e in result.errors]
