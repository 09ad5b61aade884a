"""Scoring on the real-text set (`../shared/realdev`): sentences, page openings, two site halves.

The set is third-party text, so it is read where it lies and never copied into the project.
The method is the reference scorer's (`realdev/score.py`) so the two always agree: a sentence
counts as flagged when a flagging finding overlaps its own text, checked after its `context`
as the preceding block; on a page, recall counts gold flags overlapped by a flagging finding,
precision counts distinct flagged spans that overlap a gold flag, and the must-not-flag rate
counts must-not lines overlapped by one.

The halves split the sites by a fixed hash of the domain (SHA-1 of the host without `www.`,
first byte modulo 2: even is A, odd is B), so tuning on A and checking B estimates how the
rules carry to sites nobody tuned on.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from checker.evaluation.scoring import Score, dataset_sha256

HALVES = ("A", "B")
CLAIMS_FILE = "claims.jsonl"
PAGES_FILE = "pages.jsonl"
Span = tuple[int, int]
Checker = Callable[[str], object]


def default_dir() -> Path:
    """Where the set lies beside a checkout: `<repo>/../shared/realdev`, else `./../shared`."""
    repo_sibling = Path(__file__).resolve().parents[3] / "shared" / "realdev"
    return repo_sibling if repo_sibling.is_dir() else Path.cwd().parent / "shared" / "realdev"


def half_of(url: str) -> str:
    """The fixed half of a site: written down here and in the set's README, never re-drawn."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return HALVES[hashlib.sha1(host.encode()).digest()[0] % 2]


@dataclass(frozen=True)
class Selection:
    """Which rows to score: a language (`en`, `es`, `all`) and optionally one half."""

    lang: str = "en"
    half: str | None = None

    def keeps(self, row: dict) -> bool:
        lang_ok = self.lang == "all" or row.get("lang", "en") == self.lang
        return lang_ok and (self.half is None or half_of(row["source_url"]) == self.half)

    @property
    def label(self) -> str:
        return f"half {self.half}" if self.half else "all sites"


def load(folder: Path, name: str, selection: Selection) -> list[dict]:
    """Rows of one file of the set that the selection keeps, in file order."""
    with open(Path(folder) / name, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if selection.keeps(r)]


def flagged_spans(report) -> list[Span]:
    """Distinct sentence spans of the findings that flag (contradicts or unsupported)."""
    return sorted({(f.start, f.end) for f in report.findings if f.is_flag})


def _overlaps(spans: Iterable[Span], lo: int, hi: int) -> bool:
    return any(s < hi and e > lo for s, e in spans)


@dataclass(frozen=True)
class Error:
    """One miss or false flag, as the scorer lists it."""

    item: str
    kind: str  # MISS | FALSE-FLAG | PAGE-MISS | PAGE-EXTRA | CRASH
    category: str
    text: str

    def line(self) -> str:
        return f"{self.item}\t{self.kind}\t{self.category}\t{self.text[:200]}"


@dataclass
class SentenceScore:
    total: Score = field(default_factory=Score)
    by_category: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_therapy: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_source_kind: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    errors: list[Error] = field(default_factory=list)


@dataclass
class PageScore:
    pages: int = 0
    gold: int = 0
    recalled: int = 0
    flagged: int = 0
    flagged_on_gold: int = 0
    must_not: int = 0
    must_not_flagged: int = 0
    by_source_kind: dict[str, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    errors: list[Error] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.recalled / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.flagged_on_gold / self.flagged if self.flagged else 0.0

    @property
    def must_not_rate(self) -> float:
        return self.must_not_flagged / self.must_not if self.must_not else 0.0


def _check(checker: Checker, text: str, item: str, errors: list[Error]) -> list[Span]:
    """Flagged spans of one text; a crash is a miss, and is listed."""
    try:
        return flagged_spans(checker(text))
    except Exception as exc:  # noqa: BLE001 - a crash must be counted, not stop the run
        errors.append(Error(item, "CRASH", "", repr(exc)))
        return []


def score_sentences(rows: list[dict], checker: Checker) -> SentenceScore:
    """Precision, recall and MCC over labelled sentences, with breakdowns and every error."""
    res = SentenceScore()
    for row in rows:
        context = (row.get("context") or "").strip()
        prefix = context + "\n\n" if context else ""
        lo, hi = len(prefix), len(prefix) + len(row["text"])
        pred = _overlaps(_check(checker, prefix + row["text"], row["id"], res.errors), lo, hi)
        gold = row["label"] == "flag"
        for score in (
            res.total,
            res.by_category[row.get("category") or "?"],
            res.by_therapy[row.get("therapy") or "?"],
            res.by_source_kind[row.get("source_kind") or "?"],
        ):
            score.add(gold, pred)
        if pred != gold:
            kind = "FALSE-FLAG" if pred else "MISS"
            res.errors.append(Error(row["id"], kind, row.get("category", ""), row["text"]))
    return res


def _spans_of(text: str, items: list[dict]) -> list[Span]:
    return [(i, i + len(x["text"])) for x in items if (i := text.find(x["text"])) >= 0]


def score_pages(pages: list[dict], checker: Checker) -> PageScore:
    """Recall of gold flags, precision of flagged spans, and must-not-flag lines flagged."""
    res = PageScore()
    for page in pages:
        text, pid = page["text"], page["id"]
        gold = _spans_of(text, page.get("flags", []))
        must_not = _spans_of(text, page.get("must_not_flag", []))
        got = _check(checker, text, pid, res.errors)
        res.pages += 1
        kind = res.by_source_kind[page.get("source_kind") or "?"]
        for a, b in gold:
            hit = _overlaps(got, a, b)
            res.gold += 1
            res.recalled += hit
            kind[0] += 1
            kind[1] += hit
            if not hit:
                res.errors.append(Error(pid, "PAGE-MISS", "", text[a:b]))
        for s, e in got:
            res.flagged += 1
            if _overlaps(gold, s, e):
                res.flagged_on_gold += 1
            else:
                res.errors.append(Error(pid, "PAGE-EXTRA", "", text[s:e]))
        res.must_not += len(must_not)
        res.must_not_flagged += sum(_overlaps(got, a, b) for a, b in must_not)
    return res


@dataclass
class RealResult:
    """Both files of the set scored for one selection, and the digests they were read at."""

    selection: Selection
    sentences: SentenceScore
    pages: PageScore
    claims_sha256: str
    pages_sha256: str

    def summary(self) -> str:
        s, p = self.sentences.total, self.pages
        return (
            f"realdev ({self.selection.label}, lang {self.selection.lang}): "
            f"sentences n={s.n} P={s.precision:.3f} R={s.recall:.3f} MCC={s.mcc:.3f}; "
            f"pages n={p.pages} recall={p.recall:.3f} ({p.recalled}/{p.gold}) "
            f"precision={p.precision:.3f} ({p.flagged_on_gold}/{p.flagged}) "
            f"must-not-flagged={p.must_not_rate:.3f} ({p.must_not_flagged}/{p.must_not})"
        )

    @property
    def errors(self) -> list[Error]:
        return self.sentences.errors + self.pages.errors


def evaluate(folder: Path, selection: Selection, checker: Checker | None = None) -> RealResult:
    """Score the set in `folder`; `checker` defaults to the engine's `check_text`."""
    if checker is None:
        from checker.engine.check import check_text

        checker = check_text
    folder = Path(folder)
    return RealResult(
        selection=selection,
        sentences=score_sentences(load(folder, CLAIMS_FILE, selection), checker),
        pages=score_pages(load(folder, PAGES_FILE, selection), checker),
        claims_sha256=dataset_sha256(folder / CLAIMS_FILE),
        pages_sha256=dataset_sha256(folder / PAGES_FILE),
    )
