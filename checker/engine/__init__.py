"""The claims engine: text, HTML or PDF in, findings out (extract -> NLP -> claims -> compare).

One job: everything `check_text`, `check_html` and `check_pdf` need, and nothing else, so it
runs unchanged over archived pages on a cluster. It may import `checker.records` and
`checker.version` only: never `checker.web`, `checker.audit`, `checker.report`,
`checker.evaluation` or `checker.cli`.

`check_text`, `check_html`, `check_pdf` and `provenance` are re-exported lazily (PEP 562), so
that importing a light module of the engine (text decoding, lexicon loading) does not load spaCy.
"""

from __future__ import annotations

__all__ = ["check_html", "check_pdf", "check_text", "provenance"]


def __getattr__(name: str):
    if name in __all__:
        from checker.engine import check

        return getattr(check, name)
    raise AttributeError(f"module 'checker.engine' has no attribute {name!r}")
