"""The check over web archives on Apache Spark: `python -m checker.spark WARC_OR_GLOB... --out DIR`.

One job: read WARC response records on the executors (warcio), run the engine's prefilter and
`check_html` on each HTML page, and write the findings (the fields of an audit's findings.jsonl,
plus the WARC file, record id and offset) and one outcome row per record, as Parquet and JSON
Lines. The same code runs under `spark-submit` on a cluster and in local mode.

It may import the engine, `checker.web.capture` (how a capture's records are read and which are
pages), `checker.report` (finding ids) and `checker.audit.inputs` (the site of a URL), and
`pyspark` (the optional `[spark]` extra, imported only by `job.py` and `__main__.py`); nothing in
the checker imports it. `records.py` needs no Spark: it is the per-file work, testable alone.
"""
