"""Every rendering of results: the `check` command's table/JSON/JSONL/CSV and the audit's
CSV, JSON Lines and self-contained HTML reports.

One job: write what others found, safely (formula-neutralised CSV, escaped HTML), atomically.
It may import `checker.records`, `checker.version` and `checker.engine` (for provenance); never
`checker.web`, `checker.audit`, `checker.evaluation` or `checker.cli`. The audit hands its
state in through the `AuditView` protocol (`checker.report.audit_view`).
"""
