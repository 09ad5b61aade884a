"""The general-crawl benchmark: a mixed corpus (95% off-topic pages, 5% clinic pages), timed
for check_html with and without the prefilter, the bs4 parse floor, and the Spark job in local
mode, in one run; pages/s per core and the ratios between them.

The findings with and without the prefilter are compared page by page (they must be identical);
the Spark job runs over the same pages written as WARC files by the project's capture code,
after a warm-up run that starts its Python workers (and builds the pipeline in each).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.corpus import mixed_pages


def _median_rate(fn: Callable[[str], object], pages: list[str], runs: int) -> dict:
    """bench.run's timing (median of `runs` passes after a warm-up), with the rate per core
    this corpus reports (one process: per core is per process)."""
    from bench.run import timed

    r = timed(fn, pages, runs)
    return {**r, "pages_per_s_per_core": r["pages_per_s"]}


def _warcs(pages: list[str], folder: Path, files: int) -> list[str]:
    from checker.web.capture import CaptureWriter, Exchange

    paths = []
    for k in range(files):
        with CaptureWriter(folder / f"part{k}") as writer:
            for i in range(k, len(pages), files):
                url = f"http://site{i}.example/"
                writer.write_exchange(Exchange(
                    requested_url=url, target_uri=url, status=200, reason_phrase="OK",
                    body=pages[i].encode("utf-8"), fetched_at="2026-01-01T00:00:00Z",
                    response_headers=(("Content-Type", "text/html; charset=utf-8"),)))
        paths.append(str(folder / f"part{k}" / "capture.warc.gz"))
    return paths


def spark_rate(pages: list[str], cores: int, runs: int) -> dict:
    """Pages/s per core of `python -m checker.spark` in local[cores] (the job's run(), timed
    after a warm-up run; the session start-up is reported apart)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return {"skipped": "pyspark is not installed (pip install '.[spark]')"}
    from checker.spark.__main__ import session
    from checker.spark.job import run

    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        folder = Path(tmp)
        paths = _warcs(pages, folder / "warcs", max(2, 2 * cores))
        t0 = time.perf_counter()
        spark = session(f"local[{cores}]")
        spark.sparkContext.setLogLevel("ERROR")
        startup = time.perf_counter() - t0
        try:
            run(spark, paths[:cores], str(folder / "warm"))
            times, counts = [], {}
            for n in range(runs):
                t0 = time.perf_counter()
                counts = run(spark, paths, str(folder / f"out{n}"))
                times.append(time.perf_counter() - t0)
        finally:
            spark.stop()
    med = statistics.median(times)
    return {"pages": len(pages), "cores": cores, "runs": runs, "median_s": round(med, 3),
            "session_start_s": round(startup, 2),
            "pages_per_s_per_core": round(len(pages) / med / cores, 2), "outcomes": counts}


INCIDENTAL = 0.05  # the sensitivity run: this share of off-topic pages names a therapy word


def measure(n_pages: int, seed: int, runs: int, cores: int, spark: bool = True) -> dict:
    """The figures on the 95/5 corpus (off-topic pages that name no therapy), and the
    prefiltered/unfiltered ratio again when 5% of the off-topic pages name one in passing."""
    from bench.run import bs4_lxml
    from checker.engine.check import check_html

    kinds, pages = zip(*mixed_pages(n_pages, seed, incidental=0.0), strict=True)
    pages = list(pages)
    out: dict = {"pages": len(pages), "clinic_pages": kinds.count("clinic"),
                 "offtopic_pages": kinds.count("offtopic")}
    with_pf = [check_html(p).findings for p in pages]
    without = [check_html(p, prefilter=False).findings for p in pages]
    out["identical_findings"] = with_pf == without
    out["findings"] = sum(map(len, without))
    from checker.engine.prefilter import prefilter_for

    passed = [prefilter_for().may_find(p) for p in pages]
    out["passed_prefilter"] = sum(passed)
    out["offtopic_passed"] = sum(ok for ok, k in zip(passed, kinds, strict=True) if k == "offtopic")
    out["parse_floor_bs4"] = _median_rate(bs4_lxml, pages, runs)
    out["check_html_unfiltered"] = _median_rate(lambda p: check_html(p, prefilter=False), pages,
                                                runs)
    out["check_html_prefiltered"] = _median_rate(check_html, pages, runs)
    out["prefilter_only"] = _median_rate(prefilter_for().may_find, pages, runs)
    _, noisy = zip(*mixed_pages(n_pages, seed, incidental=INCIDENTAL), strict=True)
    out["incidental"] = {
        "offtopic_share_naming_a_therapy_word": INCIDENTAL,
        "passed_prefilter": sum(prefilter_for().may_find(p) for p in noisy),
        "check_html_unfiltered": _median_rate(
            lambda p: check_html(p, prefilter=False), list(noisy), 1),
        "check_html_prefiltered": _median_rate(check_html, list(noisy), max(1, runs // 2)),
    }
    inc = out["incidental"]
    inc["prefiltered_vs_unfiltered"] = round(
        inc["check_html_prefiltered"]["pages_per_s_per_core"]
        / inc["check_html_unfiltered"]["pages_per_s_per_core"], 2)
    out["spark_local"] = (spark_rate(pages, cores, runs) if spark
                          else {"skipped": "--no-spark"})
    rate = {k: v["pages_per_s_per_core"] for k, v in out.items()
            if isinstance(v, dict) and "pages_per_s_per_core" in v}
    floor = rate["parse_floor_bs4"]
    out["ratios"] = {
        "prefiltered_vs_unfiltered": round(rate["check_html_prefiltered"]
                                           / rate["check_html_unfiltered"], 2),
        **{f"{k}_vs_bs4_floor": round(v / floor, 3) for k, v in rate.items()
           if k != "parse_floor_bs4"},
        "note": "pages/s per core relative to each other (higher is faster)",
    }
    return out


def table(m: dict) -> str:
    lines = [f"Mixed corpus: {m['pages']} pages ({m['offtopic_pages']} off-topic, "
             f"{m['clinic_pages']} clinic); {m['passed_prefilter']} pass the prefilter "
             f"({m['offtopic_passed']} off-topic pages that name a therapy word); findings "
             f"identical with and without it: {m['identical_findings']} ({m['findings']}).", "",
             "| mixed corpus | ms/page | pages/s per core | vs bs4 floor |",
             "|---|---:|---:|---:|"]
    labels = [("parse floor: bs4 + lxml, get_text", "parse_floor_bs4"),
              ("check_html without the prefilter", "check_html_unfiltered"),
              ("check_html with the prefilter", "check_html_prefiltered"),
              ("the prefilter alone", "prefilter_only"),
              ("Spark job, local mode (run, after warm-up)", "spark_local")]
    floor = m["parse_floor_bs4"]["pages_per_s_per_core"]
    for label, key in labels:
        f = m[key]
        if "skipped" in f:
            lines.append(f"| {label} | | {f['skipped']} | |")
            continue
        ms = f.get("ms_per_page", round(1000 / f["pages_per_s_per_core"], 3))
        lines.append(f"| {label} | {ms} | {f['pages_per_s_per_core']} "
                     f"| {round(f['pages_per_s_per_core'] / floor, 3)}x |")
    lines.append("")
    lines.append(f"Prefiltered / unfiltered pages/s: {m['ratios']['prefiltered_vs_unfiltered']}x.")
    inc = m.get("incidental")
    if inc:
        lines.append(f"With {inc['offtopic_share_naming_a_therapy_word']:.0%} of the off-topic "
                     f"pages naming a therapy word in passing ({inc['passed_prefilter']} pages "
                     f"pass): {inc['prefiltered_vs_unfiltered']}x.")
    sp = m["spark_local"]
    if "skipped" not in sp:
        lines.append(f"Spark: local[{sp['cores']}], {sp['median_s']} s per run of {sp['pages']} "
                     f"pages (session start {sp['session_start_s']} s, not counted).")
    return "\n".join(lines)
