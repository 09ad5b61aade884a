"""`python -m checker.spark WARC_OR_GLOB... --out DIR`, or the same under spark-submit.

The master comes from spark-submit when it runs the job; run directly, the job uses --master
(default local[*]). Exit status: 0 done (see the outcome counts), 2 bad usage or no input.
"""

from __future__ import annotations

import argparse
import os
import sys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m checker.spark", description=__doc__.split("\n")[0])
    p.add_argument("inputs", nargs="+", help="WARC files, globs or folders (s3:// etc. via fsspec)")
    p.add_argument("--out", required=True, help="output folder (local, hdfs://, s3a://)")
    p.add_argument("--master", default=None, help="Spark master when not run by spark-submit")
    p.add_argument("--lexicons", default=None, help="rule pack folder (default: the bundled one)")
    return p.parse_args(argv)


def session(master: str | None):
    """The Spark session: spark-submit's master when it set one, else --master or local[*]. In
    local mode the Python workers are this interpreter (on a cluster, PYSPARK_PYTHON says)."""
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    conf = SparkConf()
    chosen = master or conf.get("spark.master", None) or "local[*]"
    if chosen.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("clinic-claims-checker")
    if master or not conf.contains("spark.master"):
        builder = builder.master(chosen)
    return builder.getOrCreate()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import pyspark  # noqa: F401
    except ImportError:
        print(
            "pyspark is not installed: pip install 'clinic-claims-checker[spark]'", file=sys.stderr
        )
        return 2
    from checker.spark.job import run
    from checker.spark.records import expand

    paths = expand(args.inputs)
    if not paths:
        print(f"checker.spark: no WARC files match {' '.join(args.inputs)}", file=sys.stderr)
        return 2
    from checker.engine import lexicons as lexmod

    try:  # a bad rule pack is a usage error on the driver, not a failure on every executor
        lexmod.load_cached(args.lexicons)
    except lexmod.LexiconError as exc:
        print(f"checker.spark: {exc}", file=sys.stderr)
        return 2
    spark = session(args.master)
    try:
        counts = run(spark, paths, args.out, args.lexicons)
    finally:
        spark.stop()
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"{args.out}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
