"""The Spark side: one task per WARC file, rows out as Parquet and JSON Lines.

    findings/        one row per finding: the fields of an audit's findings.jsonl, plus
                     warc_file and warc_offset (warc_record_id is one of them already)
    outcomes/        one row per WARC record: its outcome (records.OUTCOMES) and why
    findings.jsonl/  and outcomes.jsonl/: the same rows as JSON Lines (Spark part files)

The engine is built once per Python worker (records.checker_for), not per record or task.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from checker.spark.records import expand, process_file

FINDINGS, OUTCOMES = "findings", "outcomes"


def _partition(paths: Iterator[str], lexicons_dir: str | None) -> Iterator[tuple[str, str]]:
    """(kind, JSON row) for every record of the partition's files: JSON keeps the finding
    rows' nested lists and exact types across the Python/JVM boundary."""
    for path in paths:
        for kind, row in process_file(path, lexicons_dir):
            yield kind, json.dumps(row, ensure_ascii=False, sort_keys=True)


def run(spark, inputs: list[str], out: str, lexicons_dir: str | None = None) -> dict[str, int]:
    """Check every record of the WARC files; write the tables under `out`; return the counts
    of each outcome and of findings."""
    paths = expand(inputs)
    if not paths:
        raise ValueError(f"no WARC files match {' '.join(inputs)}")
    sc = spark.sparkContext
    rows = (
        sc.parallelize(paths, numSlices=len(paths))
        .mapPartitions(lambda part: _partition(part, lexicons_dir))
        .cache()
    )
    counts: dict[str, int] = {}
    base = out.rstrip("/")
    frames = {}
    for kind, name in (("finding", FINDINGS), ("outcome", OUTCOMES)):
        table = rows.filter(lambda r, k=kind: r[0] == k).map(lambda r: r[1])
        frame = frames[kind] = spark.read.json(table, schema=schema(kind)).cache()
        frame.write.mode("overwrite").parquet(f"{base}/{name}")
        frame.write.mode("overwrite").option("ignoreNullFields", "false").json(
            f"{base}/{name}.jsonl"
        )
    counts.update(
        {r["outcome"]: r["count"] for r in frames["outcome"].groupBy("outcome").count().collect()}
    )
    counts["findings"] = frames["finding"].count()
    for frame in frames.values():
        frame.unpersist()
    rows.unpersist()
    return counts


_SPARK_TYPES = {"bool": "boolean", "int": "long", "str": "string", "float": "double"}


def _spark_type(annotation: str) -> str:
    """A dataclass field's annotation as a Spark DDL type (None-able fields are nullable)."""
    base = annotation.split("|")[0].strip()
    if base.startswith("tuple["):
        return f"array<{_spark_type(base[6:].split(',')[0])}>"
    return _SPARK_TYPES.get(base, "string")


def columns(kind: str) -> list[tuple[str, str]]:
    """(name, Spark type) of a table, from the records themselves: a field added to Finding
    (or Outcome) becomes a column with no edit here."""
    from dataclasses import fields

    from checker.records import Finding
    from checker.spark.records import Outcome

    if kind == "outcome":
        return [(f.name, _spark_type(str(f.type))) for f in fields(Outcome)]
    page = [
        ("row", "long"),
        ("site", "string"),
        ("page_url", "string"),
        ("final_url", "string"),
        ("fetched_at", "string"),
        ("page_sha256", "string"),
        ("warc_record_id", "string"),
    ]
    found = [(f.name, _spark_type(str(f.type))) for f in fields(Finding)]
    stamp = [
        (n, "string")
        for n in ("checker_version", "lexicons_version", "lexicons_sha256", "evidence_sha256")
    ]
    tail = [
        ("is_flag", "boolean"),
        ("finding_id", "string"),
        *stamp,
        ("warc_file", "string"),
        ("warc_offset", "long"),
    ]
    return page + found + tail


def schema(kind: str) -> str:
    return ", ".join(f"`{n}` {t}" for n, t in columns(kind))
