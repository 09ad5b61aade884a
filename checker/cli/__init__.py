"""The command line on top of everything: `checker check | audit | verify | eval | lexicons`,
and the demo. It may import every other package; nothing imports it.
"""

from __future__ import annotations

from checker.cli.main import main

__all__ = ["main"]
