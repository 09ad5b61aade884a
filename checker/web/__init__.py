"""The web side: polite, guarded fetching, robots.txt, crawling, WARC capture, `check_url`.

One job: turn URLs into captured, decoded pages (and, for a single URL, checked ones). It may
import `checker.records`, `checker.version` and `checker.engine`; never `checker.audit`,
`checker.report`, `checker.evaluation` or `checker.cli`.
"""
