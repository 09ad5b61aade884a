"""Evaluation gate (trafilatura-style): sentence-level precision/recall on the labelled dev set,
and page-level recall / must-not-flag false positives on the sample pages."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from checker.engine.check import check_html, check_text


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, gold: bool, pred: bool) -> None:
        if gold and pred:
            self.tp += 1
        elif pred:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def mcc(self) -> float:
        """Matthews correlation: one figure that rewards both classes, 0 for a constant guess."""
        tp, fp, fn, tn = self.tp, self.fp, self.fn, self.tn
        den = ((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)) ** 0.5
        return (tp * tn - fp * fn) / den if den else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class SentenceResult:
    total: Score = field(default_factory=Score)
    by_category: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_therapy: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    misses: list[dict] = field(default_factory=list)
    false_flags: list[dict] = field(default_factory=list)
    category_hits: int = 0
    rows: int = 0
    sha256: str = ""


def dataset_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def predict_row(row: dict):
    """Check `context` + text as a page would hold them (context as the preceding block) and
    keep findings whose claim lies inside `text`. Returns the best flag or None."""
    context = row.get("context") or ""
    prefix = context + "\n" if context else ""
    report = check_text(prefix + row["text"])
    offset = len(prefix)
    inside = [f for f in report.findings if f.claim_end > offset]
    flags = [f for f in inside if f.is_flag]
    return flags[0] if flags else None


def score_sentences(path: Path, lang: str = "en") -> SentenceResult:
    res = SentenceResult(sha256=dataset_sha256(path))
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if lang != "all" and row.get("lang", "en") != lang:
                continue
            res.rows += 1
            gold = row["label"] == "flag"
            pred = predict_row(row)
            res.total.add(gold, pred is not None)
            res.by_category[row["category"]].add(gold, pred is not None)
            res.by_therapy[row["therapy"]].add(gold, pred is not None)
            if gold and pred is not None and pred.category == row["category"]:
                res.category_hits += 1
            if gold and pred is None:
                res.misses.append(row)
            elif pred is not None and not gold:
                res.false_flags.append(
                    {**row, "predicted": pred.category, "claim": pred.claim, "rule": pred.rule}
                )
    return res


# ----------------------------------------------------------------------------- pages
def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).lower()
    s = s.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"}))
    s = re.sub(r"\s+", " ", s).strip()
    return s.strip(" .,;:!?\"'()[]-")


@dataclass
class PageResult:
    gold: int = 0
    recalled: int = 0
    must_not: int = 0
    false_flags: int = 0
    misses: list[dict] = field(default_factory=list)
    bad_flags: list[dict] = field(default_factory=list)
    sha256: str = ""


def _is_spanish_page(rows: list[dict]) -> bool:
    """A page whose gold claims are all Spanish (its must-not-flag lines carry no lang)."""
    flags = [r for r in rows if not r.get("must_not_flag")]
    return bool(flags) and all(r.get("lang") == "es" for r in flags)


def _matches(pred: str, gold: str) -> bool:
    return gold in pred or (pred in gold and len(pred.split()) >= 3)


def score_pages(folder: Path, lang: str = "en") -> PageResult:
    folder = Path(folder)
    gold_path = folder / "gold.jsonl"
    res = PageResult(sha256=dataset_sha256(gold_path))
    gold_rows = [
        json.loads(line)
        for line in gold_path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    pages = sorted({r["page"] for r in gold_rows})
    for page in pages:
        page_rows = [r for r in gold_rows if r["page"] == page and "text" in r]
        spanish = _is_spanish_page(page_rows)
        if lang != "all" and spanish != (lang == "es"):
            continue  # each language's pages are scored under its own floors
        report = check_html((folder / page).read_bytes(), url=page)
        flagged = [_norm(f.sentence) for f in report.flags]
        for r in page_rows:
            hit = any(_matches(p, _norm(r["text"])) for p in flagged)
            if r.get("must_not_flag"):
                res.must_not += 1
                if hit:
                    res.false_flags += 1
                    res.bad_flags.append(r)
            else:
                res.gold += 1
                if hit:
                    res.recalled += 1
                else:
                    res.misses.append(r)
    return res
