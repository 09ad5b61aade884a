"""PDF reading cost, as ratios measured in this process (`python -m bench.pdf_bench`).

Baseline: `check_text` over the very text `check_pdf` extracts, so the ratio is what reading a
PDF adds to checking its words. Linearity: time per page for a brochure of N and of 4N pages
(a ratio near 1 means the cost grows linearly with the pages). The brochures are made by the
tests' own PDF writer (tests/pdf_files.py), paragraphs wrapped over lines as layout programs do.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pdf_files import make_pdf  # noqa: E402

from checker.engine.check import check_pdf, check_text  # noqa: E402
from checker.engine.pdf_text import read_pdf  # noqa: E402

PARAGRAPH = [
    "Our regenerative spine programme combines a consultation, imaging review and a",
    "course of injections planned around your goals. Many patients return to walking,",
    "gardening and work within weeks, and our team follows up by telephone after each",
    "visit. Stem cell injections regenerate damaged discs and end your back pain.",
]


def brochure(pages: int) -> bytes:
    page = ["Section {n}", PARAGRAPH, PARAGRAPH, "Parking is free for patients.", PARAGRAPH]
    return make_pdf(
        [[p.format(n=i) if isinstance(p, str) else p for p in page] for i in range(pages)]
    )


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(pages: int, runs: int) -> dict:
    data = brochure(pages)
    text, _ = read_pdf(data).joined()
    check_text(text)  # warm the pipeline
    read_s = best(lambda: read_pdf(data), runs)
    pdf_s = best(lambda: check_pdf(data), runs)
    text_s = best(lambda: check_text(text), runs)
    return {
        "pages": pages,
        "bytes": len(data),
        "read_ms_per_page": round(1000 * read_s / pages, 2),
        "check_pdf_ms_per_page": round(1000 * pdf_s / pages, 2),
        "check_text_ms_per_page": round(1000 * text_s / pages, 2),
        "check_pdf_over_check_text": round(pdf_s / text_s, 3),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    small, large = measure(args.pages, args.runs), measure(4 * args.pages, args.runs)
    growth = large["check_pdf_ms_per_page"] / small["check_pdf_ms_per_page"]
    doc = {
        "runs": [small, large],
        "per_page_growth_4x_pages": round(growth, 3),
        "median_check_pdf_over_check_text": statistics.median(
            [small["check_pdf_over_check_text"], large["check_pdf_over_check_text"]]
        ),
    }
    print(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
