"""The Spark job over WARCs made by the project's own capture code gives exactly the findings of
`checker audit capture.warc.gz` on the same records, in local[2] mode; every record gets one
outcome, broken records and non-HTML ones included, and a broken record never fails the job.

The WARC reading itself (records.py) is also checked without Spark.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from functools import cache
from pathlib import Path

import pytest

from bench.corpus import build_offtopic_page, build_page
from checker.cli import main
from checker.spark.job import columns
from checker.spark.records import OUTCOMES, process_file
from checker.web.capture import CaptureWriter, Exchange

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "devset" / "pages"


def _exchange(
    n: int,
    body: bytes,
    ctype: str = "text/html; charset=utf-8",
    status: int = 200,
    kind: str = "page",
    truncated: str | None = None,
) -> Exchange:
    url = f"http://clinic{n % 3}.example/p{n}"
    return Exchange(
        requested_url=url,
        target_uri=url,
        status=status,
        reason_phrase="OK",
        body=body,
        fetched_at=f"2026-01-0{1 + n % 9}T00:00:00Z",
        response_headers=(("Content-Type", ctype),),
        ip="203.0.113.5",
        kind=kind,
        truncated=truncated,
    )


def _capture(folder: Path, exchanges: list[Exchange]) -> Path:
    with CaptureWriter(folder) as writer:
        for ex in exchanges:
            writer.write_exchange(ex)
    return folder / "capture.warc.gz"


@cache
def _dev_pages() -> tuple[bytes, ...]:
    return tuple(p.read_bytes() for p in sorted(DEV.glob("*.html")))


def _captures(tmp: Path) -> dict[str, Path]:
    """Three captures: clinic and off-topic pages, robots.txt, a PDF, a redirect, a truncated
    page, a windows-1252 page, garbage labelled HTML. Returns name -> WARC path."""
    dev = _dev_pages()
    a = [_exchange(i, body) for i, body in enumerate(dev[:5])]
    a.append(_exchange(90, b"User-agent: *\nAllow: /\n", "text/plain", kind="robots"))
    a.append(_exchange(91, build_offtopic_page(1, 5).encode()))
    a.append(_exchange(92, b"%PDF-1.4 stem cells regenerate discs", "application/pdf"))
    b = [_exchange(10 + i, body) for i, body in enumerate(dev[5:])]
    b.append(_exchange(93, b"<p>Moved</p>", status=301))
    b.append(_exchange(94, build_page(3, 9)[0].encode(), truncated="length"))
    b.append(
        _exchange(
            95,
            "<p>Our stem cell injections regenerate damaged discs. Café</p>".encode("cp1252"),
            "text/html; charset=windows-1252",
        )
    )
    c = [_exchange(20 + i, build_page(i, 4)[0].encode()) for i in range(3)]
    c.append(_exchange(96, bytes(range(256)) * 40))
    c.extend(_exchange(30 + i, build_offtopic_page(i, 6).encode()) for i in range(3))
    return {name: _capture(tmp / name, ex) for name, ex in (("a", a), ("b", b), ("c", c))}


def _members(warc: Path) -> list[tuple[int, int]]:
    """(start, end) of each gzip member (one per record) of a capture."""
    data, out, pos = warc.read_bytes(), [], 0
    import zlib

    while pos < len(data):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        d.decompress(data[pos:])
        end = len(data) - len(d.unused_data)
        out.append((pos, end))
        pos = end
    return out


def _break(warc: Path, target: Path) -> str:
    """A copy of the capture with its third response record's member corrupted in the middle
    and a torn member at the end; returns the corrupted record's id."""
    data = bytearray(warc.read_bytes())
    members = _members(warc)
    responses = [
        (s, e) for s, e in members if b"WARC-Type: response" in gzip.decompress(bytes(data[s:e]))
    ]
    s, e = responses[2]
    rid = next(
        line.split(b": ", 1)[1].decode().strip()
        for line in gzip.decompress(bytes(data[s:e])).split(b"\r\n")
        if line.startswith(b"WARC-Record-ID")
    )
    mid = (s + e) // 2
    data[mid : mid + 40] = b"\x00" * 40
    data += gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n")[:25]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(bytes(data))
    shutil.copy(
        warc.with_name("capture.manifest.jsonl"), target.with_name("capture.manifest.jsonl")
    )
    return rid


def _audit_findings(warc: Path, out: Path) -> list[dict]:
    code = main(["audit", str(warc), "--out", str(out), "--workers", "1", "--quiet"])
    assert code in (0, 1), code
    return [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines() if line]


FIELDS_NOT_COMPARED = {"warc_file", "warc_offset"}


def _key(row: dict) -> str:
    return json.dumps(
        {k: v for k, v in row.items() if k not in FIELDS_NOT_COMPARED},
        sort_keys=True,
        ensure_ascii=False,
    )


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("spark")
    caps = _captures(tmp / "captures")
    broken_rid = _break(caps["c"], tmp / "warcs" / "c" / "capture.warc.gz")
    inputs = tmp / "warcs"
    for name in ("a", "b"):
        (inputs / name).mkdir(parents=True)
        for f in caps[name].parent.iterdir():
            shutil.copy(f, inputs / name / f.name)
    (inputs / "junk.warc.gz").write_bytes(b"\x1f\x8b\x08 this is not a WARC at all")
    expected = []
    for name, warc in caps.items():
        for row in _audit_findings(warc, tmp / "audit" / name):
            if row["warc_record_id"] != broken_rid:
                expected.append(row)
    return {"inputs": inputs, "expected": expected, "broken": broken_rid, "tmp": tmp}


def test_records_are_read_without_spark_and_each_gets_one_outcome(archives):
    warc = archives["inputs"] / "c" / "capture.warc.gz"
    rows = list(process_file(str(warc)))
    outcomes = [r for k, r in rows if k == "outcome"]
    assert {o["outcome"] for o in outcomes} <= set(OUTCOMES)
    assert sum(o["outcome"] == "unreadable" for o in outcomes) >= 2  # the corrupt and torn ones
    assert archives["broken"] not in {
        o["warc_record_id"] for o in outcomes if o["outcome"] in ("checked", "skipped_by_prefilter")
    }
    assert any(o["outcome"] == "skipped_by_prefilter" for o in outcomes)
    assert any(o["outcome"] == "checked" for o in outcomes)
    junk = list(process_file(str(archives["inputs"] / "junk.warc.gz")))
    assert [r["outcome"] for _, r in junk] == ["unreadable"]
    missing = list(process_file(str(archives["tmp"] / "nope.warc.gz")))
    assert [r["outcome"] for _, r in missing] == ["unreadable"]


def _need_spark() -> None:
    """CI sets CHECKER_REQUIRE_SPARK=1 (and installs pyspark and Java): there a missing one
    fails the test instead of skipping it."""
    if os.environ.get("CHECKER_REQUIRE_SPARK") == "1":
        import pyspark  # noqa: F401

        assert shutil.which("java"), "CHECKER_REQUIRE_SPARK=1 but no java on PATH"
        return
    pytest.importorskip("pyspark")
    if not shutil.which("java"):
        pytest.skip("no Java runtime: the Spark job needs one (openjdk-17-jre-headless)")


def test_spark_local_mode_gives_the_audits_findings(archives):
    _need_spark()
    from checker.spark.__main__ import session
    from checker.spark.job import run

    out = archives["tmp"] / "spark-out"
    spark = session("local[2]")
    try:
        counts = run(spark, [str(archives["inputs"])], str(out))
        findings = spark.read.parquet(str(out / "findings"))
        assert [f.name for f in findings.schema.fields] == [n for n, _ in columns("finding")]
        parquet_rows = findings.count()
        parquet_outcomes = spark.read.parquet(str(out / "outcomes")).count()
    finally:
        spark.stop()
    got = _jsonl(out / "findings.jsonl")
    expected = archives["expected"]
    assert len(expected) >= 10
    assert sorted(map(_key, got)) == sorted(map(_key, expected))
    outcomes = _jsonl(out / "outcomes.jsonl")
    assert parquet_rows == len(got) == counts["findings"]
    assert parquet_outcomes == len(outcomes) == sum(v for k, v in counts.items() if k != "findings")
    kinds = {o["outcome"] for o in outcomes}
    assert {
        "checked",
        "skipped_by_prefilter",
        "not_html",
        "not_page",
        "not_response",
        "unreadable",
    } <= kinds
    # every response record is accounted for, once
    ids = [o["warc_record_id"] for o in outcomes if o["record_type"] == "response"]
    assert len(ids) == len(set(ids))
    checked = {o["warc_record_id"] for o in outcomes if o["outcome"] == "checked"}
    assert {r["warc_record_id"] for r in got} <= checked
    assert all(r["warc_file"].endswith(".warc.gz") and r["warc_offset"] >= 0 for r in got)


def test_no_matching_input_is_a_usage_error(tmp_path, capsys):
    from checker.spark.__main__ import main as spark_main

    assert spark_main([str(tmp_path / "none-*.warc.gz"), "--out", str(tmp_path / "o")]) == 2
    assert "no WARC files match" in capsys.readouterr().err
    warc = tmp_path / "x.warc.gz"
    warc.write_bytes(b"")
    bad = ["--lexicons", str(tmp_path / "no-pack")]
    assert spark_main([str(warc), "--out", str(tmp_path / "o"), *bad]) == 2
    assert "no-pack" in capsys.readouterr().err


def test_finding_columns_are_the_audits_findings_jsonl_fields(archives):
    expected = archives["expected"][0]
    names = [n for n, _ in columns("finding")]
    assert set(expected) <= set(names)
    assert set(names) - set(expected) == FIELDS_NOT_COMPARED


def _jsonl(folder: Path) -> list[dict]:
    rows = []
    for part in sorted(folder.glob("part-*")):
        rows.extend(json.loads(line) for line in part.read_text().splitlines() if line.strip())
    return rows
