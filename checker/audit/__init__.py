"""Batch audits: input rows, the SQLite queue and state (resume), orchestration, progress.

One job: see that every input row ends in exactly one outcome, fetching through `checker.web`,
checking through `checker.engine` and writing reports through `checker.report`. It may import
those and `checker.records`/`checker.version`; never `checker.cli` or `checker.evaluation`.
"""
