"""How the engine's cost grows with a text's length: ms per KB for texts of 10 KB, 100 KB and
1 MB, of unpunctuated clinic-keyword text (a keyword-stuffed SEO footer: one "sentence" as long
as the block), of normal prose (the corpus's own sentences, full stops and all), and of many
short lines that each make a claim (one block per line).

Linear cost means a flat ms-per-KB column; the target is the 1 MB figure at most 1.5x the
10 KB figure for each kind. Times are CPU time of this process. A 1 MB run is one pass (it
takes seconds); the smaller sizes are the median of several, so the ratio is not a cold-cache
accident.

    python -m bench.scaling [--sizes 10,100,1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable

from bench import corpus

KB = 1024
SIZES_KB = (10, 100, 1000)
TARGET_RATIO = 1.5
# the words a keyword-stuffed footer repeats, in our own wording: therapies, conditions,
# places and benefit words, with no sentence mark anywhere
KEYWORDS = (
    "stem cell therapy",
    "stem cell clinic near me",
    "regenerative medicine",
    "PRP injections",
    "knee pain",
    "back pain relief",
    "sciatica treatment",
    "spinal cord injury",
    "exosome therapy",
    "mesenchymal stem cells",
    "cure arthritis without surgery",
    "best stem cell doctor",
    "epidural steroid injection",
    "degenerative disc disease",
    "regrow cartilage",
    "Tijuana",
    "Cancun",
    "Miami",
    "affordable",
    "guaranteed results",
    "no downtime",
    "facet joint injection",
    "radiofrequency ablation",
    "neck pain",
    "herniated disc",
)


def keyword_block(size: int, seed: int = 1) -> str:
    """`size` characters of keywords separated by spaces only (no full stop, no line break)."""
    rng = random.Random(seed)
    parts: list[str] = []
    n = 0
    while n < size:
        word = rng.choice(KEYWORDS)
        parts.append(word)
        n += len(word) + 1
    return " ".join(parts)[:size]


def prose_block(size: int, seed: int = 1) -> str:
    """`size` characters of normal clinic prose: the bench corpus's filler and claim sentences
    (about one in ten a claim), in paragraphs of a few sentences, one paragraph a line."""
    rng = random.Random(seed)
    lines: list[str] = []
    n = 0
    while n < size:
        sentences = [
            corpus.claim_sentence(rng)[0] if rng.random() < 0.1 else corpus.filler_sentence(rng)
            for _ in range(rng.randint(2, 6))
        ]
        line = " ".join(sentences)
        lines.append(line)
        n += len(line) + 1
    text = "\n".join(lines)[:size]
    return text[: text.rfind(" ")] if " " in text[-40:] else text  # end on a word boundary


def lines_block(size: int, seed: int = 1) -> str:
    """`size` characters of short lines, one block each: section headings that name no therapy,
    each over one claim that names none either, under a title that does: the many-blocks shape
    (a long FAQ, a table exported as text), where each claim looks back through its section's
    headings for what it is about."""
    rng = random.Random(seed)
    lines = ["Stem cell therapy for back pain"]
    n = len(lines[0])
    while n < size:
        k = rng.randint(1, 999)
        # a heading-like line (no full stop) opens a section of its own, naming no therapy
        pair = (f"Case {k} notes", rng.choice(LINE_CLAIMS).format(n=k))
        lines.extend(pair)
        n += sum(len(x) + 1 for x in pair)
    return "\n".join(lines)[:size]


LINE_CLAIMS = (
    "It cures back pain for good, patient {n}.",
    "Results last for years in case {n}.",
    "Treatment {n} regenerates damaged discs.",
    "Session {n}: no surgery and no downtime.",
    "Clinic {n} guarantees the results.",
)


def _median_ms(fn: Callable[[str], object], text: str, runs: int) -> float:
    """Median CPU time of the process (check_text is single-threaded): on a shared machine,
    other jobs stretch wall time but not the CPU time this work needs."""
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        fn(text)
        times.append(time.process_time() - t0)
    return 1000 * statistics.median(times)


KINDS = (
    ("unpunctuated keywords", keyword_block),
    ("normal prose", prose_block),
    ("short claim lines", lines_block),
)


def measure(
    fn: Callable[[str], object], sizes_kb: tuple[int, ...] = SIZES_KB, runs: int = 5
) -> dict:
    """ms per KB of `fn` (check_text) on each kind of block at each size, and the ratio of the
    largest size's per-KB cost to the smallest's."""
    fn("Warm-up: our stem cell therapy repairs discs.")
    out: dict = {"sizes_kb": list(sizes_kb), "target_ratio": TARGET_RATIO, "kinds": {}}
    for kind, make in KINDS:
        rows = []
        for kb in sizes_kb:
            text = make(kb * KB)
            n = 1 if kb >= 1000 else runs
            ms = _median_ms(fn, text, n)
            rows.append(
                {
                    "kb": kb,
                    "chars": len(text),
                    "runs": n,
                    "ms": round(ms, 1),
                    "ms_per_kb": round(ms / (len(text) / KB), 3),
                }
            )
        ratio = rows[-1]["ms_per_kb"] / rows[0]["ms_per_kb"] if rows[0]["ms_per_kb"] else None
        out["kinds"][kind] = {
            "rows": rows,
            "ratio": round(ratio, 2) if ratio else None,
            "pass": bool(ratio is not None and ratio <= TARGET_RATIO),
        }
    return out


def table(r: dict) -> str:
    sizes = r["sizes_kb"]
    head = " | ".join(f"{s:,} KB" for s in sizes)
    lines = [
        f"| block (ms per KB) | {head} | largest / smallest |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for kind, k in r["kinds"].items():
        cells = " | ".join(f"{row['ms_per_kb']:.2f}" for row in k["rows"])
        lines.append(f"| {kind} | {cells} | {k['ratio']}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default=",".join(map(str, SIZES_KB)), help="block sizes in KB")
    ap.add_argument("--runs", type=int, default=5, help="runs per size below 1 MB (median)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args(argv)
    from checker.engine.check import check_text

    r = measure(check_text, tuple(int(x) for x in args.sizes.split(",")), args.runs)
    print(table(r))
    if args.json:
        print(json.dumps(r, indent=1))
    return 0 if all(k["pass"] for k in r["kinds"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
