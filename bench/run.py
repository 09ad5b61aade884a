"""`python -m bench.run` (make bench): the checker's speed, recall and memory on a generated corpus.

    python -m bench.run               full run: 2,000 pages generated, timings over a sample
    python -m bench.run --quick       smoke run (a minute or two), results not written to bench/

Every timing is the median of --runs runs (default 5) after a warm-up pass, over the same
--sample pages (default 60, spread evenly over the corpus); recall is computed once over all
generated pages on all cores. Results: a table on stdout and bench/results.json; the figures
section of bench/README.md is rewritten after a full run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import psutil

from bench import corpus as corpusmod
from bench import scaling

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = HERE / "README.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


# ------------------------------------------------------------------------------ timing helpers
def timed(fn: Callable[[str], object], pages: list[str], runs: int) -> dict:
    """Median wall time of `runs` passes of fn over `pages`, after one warm-up pass over a few."""
    for p in pages[: min(5, len(pages))]:
        fn(p)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for p in pages:
            fn(p)
        times.append(time.perf_counter() - t0)
    return figures(times, pages)


def figures(times: list[float], pages: list[str]) -> dict:
    med = statistics.median(times)
    n = len(pages)
    mb = sum(len(p.encode("utf-8")) for p in pages) / 1e6
    return {"pages": n, "runs": len(times), "median_s": round(med, 4),
            "ms_per_page": round(1000 * med / n, 3), "pages_per_s": round(n / med, 2),
            "mb_per_s": round(mb / med, 3), "runs_s": [round(t, 4) for t in times]}


# ------------------------------------------------------------------------------ the workloads
def bs4_lxml(html: str) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "lxml").get_text()


def lxml_html(html: str) -> str:
    import lxml.html

    return lxml.html.fromstring(html).text_content()


def selectolax_text(html: str) -> str:
    from selectolax.lexbor import LexborHTMLParser  # selectolax >= 1.0: lexbor backend

    return LexborHTMLParser(html).text()


def extraction(html: str) -> str:
    from checker.engine.extract import blocks_text, extract_blocks

    return blocks_text(extract_blocks(html))[0]


def full_check(html: str):
    from checker.engine.check import check_html

    return check_html(html)


# worker-pool shape of the audit: the initializer builds the pipeline once per worker
def _pool_init() -> None:
    from checker.engine.check import check_html

    check_html("<html><body><p>Warm-up.</p></body></html>")


def _pool_check(html: str) -> list[dict]:
    from checker.engine.check import check_html

    return [f.to_dict() for f in check_html(html).findings]


def _pool_flags(path: str) -> tuple[str, list[str]]:
    from checker.engine.check import check_html

    report = check_html(Path(path).read_bytes())
    return Path(path).name, [" ".join(f.sentence.split()) for f in report.findings if f.is_flag]


def pool_timed(pages: list[str], runs: int, workers: int) -> dict:
    with ProcessPoolExecutor(max_workers=workers, initializer=_pool_init) as pool:
        list(pool.map(_pool_check, pages[: 2 * workers]))  # warm-up: every worker started
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            list(pool.map(_pool_check, pages, chunksize=2))
            times.append(time.perf_counter() - t0)
    out = figures(times, pages)
    out["workers"] = workers
    return out


# ------------------------------------------------------------------------------ recall
def recall(corpus_dir: Path, n_pages: int, workers: int) -> dict:
    planted = corpusmod.load_planted(corpus_dir)
    by_file: dict[str, list[corpusmod.Planted]] = defaultdict(list)
    for p in planted:
        by_file[p.file].append(p)
    files = [str(corpus_dir / f"page-{i:05d}.html") for i in range(n_pages)]
    found = 0
    missed: list[dict] = []
    per_template: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    extra = Counter()
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, initializer=_pool_init) as pool:
        for name, flagged in pool.map(_pool_flags, files, chunksize=4):
            for p in by_file.get(name, []):
                hit = any(p.text in s or s in p.text for s in flagged)
                per_template[p.template][1] += 1
                if hit:
                    found += 1
                    per_template[p.template][0] += 1
                else:
                    missed.append({"file": p.file, "text": p.text, "template": p.template})
            for s in flagged:
                if not any(p.text in s or s in p.text for p in by_file.get(name, [])):
                    extra[s] += 1
    wall = time.perf_counter() - t0
    total = len(planted)
    return {
        "pages": n_pages, "planted": total, "found": found,
        "recall": round(found / total, 4) if total else None,
        "per_template": {k: {"found": v[0], "planted": v[1]}
                         for k, v in sorted(per_template.items())},
        "missed_examples": missed[:10], "missed_count": len(missed),
        "flags_on_filler": sum(extra.values()),
        "flags_on_filler_top": [{"sentence": s, "count": c} for s, c in extra.most_common(5)],
        "wall_s_all_cores": round(wall, 2), "pages_per_s_all_cores": round(n_pages / wall, 2),
    }


# ------------------------------------------------------------------------------ cold start
def cold_start(runs: int) -> dict:
    cmd = [sys.executable, "-m", "checker", "check", "-"]
    line = b"Our stem cell injections regenerate damaged discs.\n"
    subprocess.run(cmd, input=line, capture_output=True, cwd=ROOT)  # warm the file cache
    times, code = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, input=line, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t0)
        code = proc.returncode
    return {"median_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times],
            "returncode": code}


# ------------------------------------------------------------------------------ profile
def profile(pages: list[str], top: int = 15) -> dict:
    from checker.engine.check import check_html

    check_html(pages[0])
    prof = cProfile.Profile()
    prof.enable()
    for p in pages:
        check_html(p)
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    total = stats.total_tt
    rows = []
    for (file, line, func), (_cc, _nc, tt, ct, _callers) in stats.stats.items():
        rows.append({"function": f"{_short(file)}:{line}({func})",
                     "self_pct": round(100 * tt / total, 1),
                     "cum_pct": round(100 * ct / total, 1)})
    by_self = sorted(rows, key=lambda r: -r["self_pct"])[:top]
    ours = [r for r in rows if r["function"].startswith(("checker/", "spacy/language"))]
    by_cum = sorted(ours, key=lambda r: -r["cum_pct"])[:top]
    return {"pages": len(pages), "total_s": round(total, 3), "by_self": by_self,
            "checker_by_cumulative": by_cum}


def _short(file: str) -> str:
    for marker in ("/site-packages/", "/work/main/"):
        if marker in file:
            return file.split(marker, 1)[1]
    if "/checker/" in file:
        return "checker/" + file.split("/checker/", 1)[1]
    return file


# ------------------------------------------------------------------------------ machine, targets
def machine() -> dict:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    import bs4
    import lxml.etree
    import rapidfuzz
    import spacy

    return {"cpu_count": os.cpu_count(), "usable_cpus": usable, "cpu_model": cpu_model,
            "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "versions": {"spacy": spacy.__version__, "bs4": bs4.__version__,
                         "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
                         "rapidfuzz": rapidfuzz.__version__}}


def code_version() -> dict:
    """The commit measured, and whether checker/ or lexicons/ had uncommitted edits."""
    def git(*cmd: str) -> str:
        try:
            return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = git("status", "--porcelain", "--", "checker", "lexicons")
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted": [line[3:] for line in dirty.splitlines()]}


def targets(r: dict) -> list[dict]:
    t = []
    floor, full = r["parse_floor_bs4_lxml"]["ms_per_page"], r["check_html_1proc"]["ms_per_page"]
    t.append({"name": "check_html per page <= 1.5x parse floor (bs4+lxml)",
              "measured": round(full / floor, 2), "target": 1.5, "pass": full / floor <= 1.5})
    nv = r["naive_baseline"]
    t.append({"name": "check_html >= 5x faster than naive baseline (same pages)",
              "measured": nv["speedup"], "target": 5.0, "pass": nv["speedup"] >= 5.0})
    rc = r["recall"]
    t.append({"name": "every planted claim found (recall)", "measured": rc["recall"],
              "target": 1.0, "pass": rc["found"] == rc["planted"]})
    audits = r.get("audit")
    if isinstance(audits, list) and audits:
        big = max(audits, key=lambda a: a["urls"])
        small = min(audits, key=lambda a: a["urls"])
        t.append({"name": f"audit of {big['urls']} URLs within 10% of its lower bound",
                  "measured": big["ratio_to_bound"], "target": 1.1,
                  "pass": big["ratio_to_bound"] <= 1.1 and big["returncode"] in (0, 1)})
        peak = max(a["peak_rss_mb"] for a in audits)
        t.append({"name": "audit peak RSS (process tree) <= 400 MB", "measured": peak,
                  "target": 400, "pass": peak <= 400})
        growth = big["peak_rss_mb"] / small["peak_rss_mb"] if small["peak_rss_mb"] else None
        t.append({"name": f"audit RSS flat: peak at {big['urls']} / peak at {small['urls']} "
                          "URLs <= 1.15",
                  "measured": round(growth, 3) if growth else None, "target": 1.15,
                  "pass": bool(growth and growth <= 1.15)})
    else:
        for name in ("audit within 10% of its lower bound", "audit peak RSS <= 400 MB",
                     "audit RSS flat from 250 to 1,000 URLs"):
            t.append({"name": name, "measured": "not measured", "target": None, "pass": None})
    mx = r.get("mixed")
    if mx:
        ratio = mx["ratios"]["prefiltered_vs_unfiltered"]
        t.append({"name": "mixed corpus (95% off-topic): prefiltered >= 10x unfiltered pages/s",
                  "measured": ratio, "target": 10.0, "pass": ratio >= 10.0})
        t.append({"name": "mixed corpus: identical findings with and without the prefilter",
                  "measured": mx["identical_findings"], "target": True,
                  "pass": mx["identical_findings"]})
    cs = r["cold_start"]["median_s"]
    t.append({"name": "cold start `checker check -` <= 1.5 s", "measured": cs, "target": 1.5,
              "pass": cs <= 1.5})
    sc = r.get("scaling")
    if sc:
        first, last = sc["sizes_kb"][0], sc["sizes_kb"][-1]
        for kind, k in sc["kinds"].items():
            t.append({"name": f"ms/KB at {last:,} KB <= 1.5x ms/KB at {first:,} KB ({kind})",
                      "measured": k["ratio"], "target": sc["target_ratio"], "pass": k["pass"]})
    return t


# ------------------------------------------------------------------------------ report
def table(r: dict) -> str:
    lines = ["| measurement | pages | ms/page | pages/s | MB/s |", "|---|---:|---:|---:|---:|"]
    rows = [("parse floor: bs4 + lxml, get_text", "parse_floor_bs4_lxml"),
            ("lxml.html: parse + text_content", "lxml_html"),
            ("selectolax (lexbor): parser + .text()", "selectolax"),
            ("checker extraction (extract_blocks + blocks_text)", "extraction"),
            ("check_html, 1 process", "check_html_1proc"),
            (f"check_html, pool of {r['check_html_pool']['workers']} workers", "check_html_pool")]
    for label, key in rows:
        f = r.get(key)
        if f:
            lines.append(f"| {label} | {f['pages']} | {f['ms_per_page']} | {f['pages_per_s']} "
                         f"| {f['mb_per_s']} |")
    nv = r["naive_baseline"]
    lines.append("| naive baseline (html.parser, nlp per sentence, regex x sentence, "
                 f"partial_ratio x alias) | {nv['pages']} | {nv['ms_per_page']} "
                 f"| {nv['pages_per_s']} | {nv['mb_per_s']} |")
    lines.append(f"| check_html on the naive sample | {nv['pages']} "
                 f"| {nv['check_html_ms_per_page']} | | |")
    out = ["\n".join(lines), ""]
    rc = r["recall"]
    out.append(f"Recall over {rc['pages']} pages: {rc['found']}/{rc['planted']} planted claims "
               f"({rc['recall']:.2%}); flags on filler sentences: {rc['flags_on_filler']}; "
               f"all-cores throughput in that pass {rc['pages_per_s_all_cores']} pages/s.")
    if nv.get("recall_on_sample") is not None:
        out.append(f"Naive baseline recall on its {nv['pages']}-page sample: "
                   f"{nv['recall_on_sample']:.2%}.")
    audits = r.get("audit")
    if isinstance(audits, list):
        cpu = r.get("audit_cpu_bound_s", {})
        out += ["", "| audit URLs | wall s | lower bound s | ratio "
                "| CPU bound s (URLs x pool ms/page) | peak RSS MB (tree) | peak PSS MB (tree) "
                "| exit | outcomes |", "|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        out += [f"| {a['urls']} | {a['wall_s']} | {a['lower_bound_s']} | {a['ratio_to_bound']} "
                f"| {cpu.get(str(a['urls']), '')} | {a['peak_rss_mb']} "
                f"| {a.get('peak_pss_mb', '')} | {a['returncode']} "
                f"| {', '.join(f'{k} {v}' for k, v in a.get('outcomes', {}).items())} |"
                for a in audits]
    else:
        out.append(f"Audit: not measured ({audits})")
    sc = r.get("scaling")
    if sc:
        out += ["", "Cost against one block's length (`bench/scaling.py`, check_text; "
                "ms per KB should stay flat):", "", scaling.table(sc)]
    if r.get("mixed"):
        from bench import mixed as mixedmod

        out += ["", mixedmod.table(r["mixed"])]
    cs = r["cold_start"]
    out.append(f"\nCold start `python -m checker check -`: {cs['median_s']} s "
               f"(median of {len(cs['runs_s'])}).")
    pr = r["parser_ratios"]
    out.append(f"Parser ratios (time per page relative to bs4+lxml): lxml.html {pr['lxml_html']}x, "
               f"selectolax {pr['selectolax']}x (lower is faster).")
    out += ["", "| target | measured | target | pass |", "|---|---:|---:|---|"]
    for t in r["targets"]:
        mark = {True: "PASS", False: "FAIL", None: "n/a"}[t["pass"]]
        out.append(f"| {t['name']} | {t['measured']} | {t['target']} | {mark} |")
    prof = r.get("profile")
    if prof:
        out += ["", f"Profile of check_html over {prof['pages']} pages (cProfile, "
                f"{prof['total_s']} s), top functions by self time:", "",
                "| function | self % | cumulative % |", "|---|---:|---:|"]
        out += [f"| `{p['function']}` | {p['self_pct']} | {p['cum_pct']} |"
                for p in prof["by_self"][:12]]
        out += ["", "Checker stages by cumulative time:", "", "| function | cumulative % |",
                "|---|---:|"]
        out += [f"| `{p['function']}` | {p['cum_pct']} |"
                for p in prof["checker_by_cumulative"][:12]]
    m = r["machine"]
    code = r.get("code", {})
    if code:
        dirty = ", ".join(code["uncommitted"]) or "none"
        out.append(f"\nCode: commit {code['commit']}; uncommitted edits in checker/ or "
                   f"lexicons/ at the start: {dirty}.")
    out.append(f"\nMachine: {m['cpu_count']} CPUs ({m['cpu_model']}), {m['ram_gb']} GB RAM, "
               f"Python {m['python']}, {m['platform']}; bench wall time {r['bench_wall_s']} s.")
    return "\n".join(out)


def update_readme(text: str) -> None:
    if not README.exists():
        return
    body = README.read_text(encoding="utf-8")
    if START not in body or END not in body:
        return
    head, rest = body.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


# ------------------------------------------------------------------------------ main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: few pages, small audits")
    ap.add_argument("--pages", type=int, default=2000, help="pages generated (recall over all)")
    ap.add_argument("--sample", type=int, default=60, help="pages per timing run")
    ap.add_argument("--naive-sample", type=int, default=12, help="pages for the naive baseline")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per figure (median)")
    ap.add_argument("--profile-pages", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--audit-sizes", default="250,500,1000")
    ap.add_argument("--no-audit", action="store_true")
    ap.add_argument("--scaling-sizes", default=",".join(map(str, scaling.SIZES_KB)),
                    help="block sizes in KB for the scaling figures")
    ap.add_argument("--mixed-pages", type=int, default=400,
                    help="pages of the mixed corpus (95%% off-topic, 5%% clinic)")
    ap.add_argument("--no-spark", action="store_true", help="skip the Spark job's timing")
    ap.add_argument("--only-mixed", action="store_true",
                    help="only the mixed-corpus figures (prefilter, Spark); nothing written")
    ap.add_argument("--corpus", default=None, help="corpus folder (default: a temporary folder)")
    ap.add_argument("--out", default=None, help="results file (default bench/results.json; "
                                                "a temporary file with --quick)")
    args = ap.parse_args(argv)
    if args.quick:
        args.pages, args.sample, args.naive_sample, args.mixed_pages = 40, 10, 4, 40
        args.profile_pages, args.audit_sizes = 5, "20,40"
        args.scaling_sizes = "10,100"
    return args


def mixed(args: argparse.Namespace, workers: int) -> dict:
    from bench import mixed as mixedmod

    return mixedmod.measure(args.mixed_pages, args.seed, args.runs, workers,
                            spark=not args.no_spark)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t_start = time.perf_counter()
    workers = machine()["usable_cpus"] or 1
    if args.only_mixed:
        from bench import mixed as mixedmod

        m = mixed(args, workers)
        print(mixedmod.table(m))
        print(json.dumps(m, indent=2))
        return 0
    tmp = tempfile.TemporaryDirectory(prefix="bench-corpus-") if args.corpus is None else None
    corpus_dir = Path(args.corpus or tmp.name)
    try:
        def say(msg: str) -> None:
            print(f"[{time.perf_counter() - t_start:6.1f}s] {msg}", file=sys.stderr, flush=True)

        say(f"generating {args.pages} pages (seed {args.seed}) in {corpus_dir}")
        t0 = time.perf_counter()
        planted = corpusmod.generate(corpus_dir, args.pages, args.seed)
        gen_s = time.perf_counter() - t0
        step = max(1, args.pages // args.sample)
        idx = list(range(0, args.pages, step))[: args.sample]
        pages = [(corpus_dir / f"page-{i:05d}.html").read_text(encoding="utf-8") for i in idx]
        sizes = [len(p.encode("utf-8")) for p in pages]
        r: dict = {"code": code_version()}
        r["corpus"] = {"pages": args.pages, "seed": args.seed, "planted": len(planted),
                       "generate_s": round(gen_s, 2), "sample_pages": len(pages),
                       "sample_kb_mean": round(statistics.mean(sizes) / 1024, 1),
                       "sample_kb_min": round(min(sizes) / 1024, 1),
                       "sample_kb_max": round(max(sizes) / 1024, 1)}
        say("parse floor and parsers")
        r["parse_floor_bs4_lxml"] = timed(bs4_lxml, pages, args.runs)
        r["lxml_html"] = timed(lxml_html, pages, args.runs)
        r["selectolax"] = timed(selectolax_text, pages, args.runs)
        floor = r["parse_floor_bs4_lxml"]["ms_per_page"]
        r["parser_ratios"] = {"lxml_html": round(r["lxml_html"]["ms_per_page"] / floor, 3),
                              "selectolax": round(r["selectolax"]["ms_per_page"] / floor, 3),
                              "note": "time per page relative to bs4+lxml (lower is faster)"}
        say("extraction")
        r["extraction"] = timed(extraction, pages, args.runs)
        say("check_html, one process")
        r["check_html_1proc"] = timed(full_check, pages, args.runs)
        say(f"check_html, pool of {workers}")
        r["check_html_pool"] = pool_timed(pages, args.runs, workers)

        say(f"mixed corpus of {args.mixed_pages} pages: prefilter, parse floor, Spark local")
        r["mixed"] = mixed(args, workers)

        say("naive baseline")
        from bench.naive import NaiveChecker

        naive = NaiveChecker.build()
        nidx = idx[:: max(1, len(idx) // args.naive_sample)][: args.naive_sample]
        npages = [(corpus_dir / f"page-{i:05d}.html").read_text(encoding="utf-8") for i in nidx]
        nv = timed(naive.check, npages, args.runs)
        ours = timed(full_check, npages, args.runs)
        nv["check_html_ms_per_page"] = ours["ms_per_page"]
        nv["speedup"] = round(nv["ms_per_page"] / ours["ms_per_page"], 2)
        by_file: dict[str, list[str]] = defaultdict(list)
        for p in planted:
            by_file[p.file].append(p.text)
        hits = total = 0
        for i, html in zip(nidx, npages, strict=True):
            flagged = naive.check(html)
            for text in by_file.get(f"page-{i:05d}.html", []):
                total += 1
                hits += any(text in s or s in text for s in flagged)
        nv["recall_on_sample"] = hits / total if total else None
        r["naive_baseline"] = nv

        say(f"recall over all {args.pages} pages on {workers} cores")
        r["recall"] = recall(corpus_dir, args.pages, workers)

        if args.no_audit:
            r["audit"] = "skipped (--no-audit)"
        else:
            from bench.audit_bench import run_audit

            audits = []
            all_pages = [(corpus_dir / f"page-{i:05d}.html").read_bytes()
                         for i in range(args.pages)]
            for n in (int(x) for x in args.audit_sizes.split(",")):
                say(f"audit of {n} URLs over 20 local servers")
                a = run_audit(all_pages, n)
                say(f"  -> {a['wall_s']} s (bound {a['lower_bound_s']} s), "
                    f"peak RSS {a['peak_rss_mb']} MB, exit {a['returncode']}")
                audits.append(a)
            if all(a["returncode"] not in (0, 1) for a in audits):
                tail = audits[-1]["stderr_tail"][-300:]
                r["audit"] = f"not measured: `checker audit` failed: {tail}"
                r["audit_attempts"] = audits
            else:
                r["audit"] = audits
            r["audit_cpu_bound_s"] = {
                str(a["urls"]): round(a["urls"] * r["check_html_pool"]["ms_per_page"] / 1000, 1)
                for a in audits}

        say(f"scaling: blocks of {args.scaling_sizes} KB")
        from checker.engine.check import check_text

        sizes_kb = tuple(int(x) for x in args.scaling_sizes.split(","))
        r["scaling"] = scaling.measure(check_text, sizes_kb, runs=5)

        say("cold start")
        r["cold_start"] = cold_start(args.runs)
        say(f"profile over {args.profile_pages} pages")
        r["profile"] = profile(pages[: args.profile_pages])
        r["machine"] = machine()
        r["bench_wall_s"] = round(time.perf_counter() - t_start, 1)
        r["settings"] = {k: getattr(args, k) for k in ("quick", "pages", "sample", "naive_sample",
                                                        "runs", "profile_pages", "audit_sizes",
                                                        "scaling_sizes", "mixed_pages")}
        r["targets"] = targets(r)
        text = table(r)
        print(text)
        quick_out = Path(tempfile.gettempdir()) / "bench-results-quick.json"
        out = Path(args.out) if args.out else (quick_out if args.quick else HERE / "results.json")
        out.write_text(json.dumps(r, indent=2) + "\n", encoding="utf-8")
        say(f"results written to {out}")
        if not args.quick and args.out is None:
            update_readme(text)
        return 0
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
