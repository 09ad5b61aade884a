"""Scoring the engine on labelled sets (dev sentences and pages; more sets to come).

One job: precision, recall and every miss and false flag against gold labels. It may import
`checker.records`, `checker.version` and `checker.engine`; nothing from web, audit, report or
the CLI.
"""
