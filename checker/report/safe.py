"""Make page-derived strings safe for the places reports put them (spreadsheets, HTML)."""

from __future__ import annotations

import html

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP CSV-injection advice): prefix '."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def escape_html(value: object) -> str:
    """Escape every page-derived string before it goes into an HTML report."""
    return html.escape("" if value is None else str(value), quote=True)
