"""What the audit reports read from an audit, as a protocol: the report package never imports
the audit (its SQLite state satisfies this structurally), so reports can be regenerated from any
store that answers these questions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Protocol

from checker.records import RowRecord


class AuditView(Protocol):
    """The questions `write_reports` asks of an audit's state, and its one scratch table (the
    de-duplicated claims per site, kept out of memory for audits of thousands of sites)."""

    def get_meta(self, key: str, default: str | None = None) -> str | None: ...

    def iter_rows(self) -> Iterator[RowRecord]: ...

    def iter_sites(self) -> Iterator[tuple[str, dict[str, str]]]: ...

    def site_outcomes(self) -> dict[str, Counter]: ...

    def site_row_counts(self) -> dict[str, int]: ...

    def site_flags(self, site: str) -> Iterator[tuple[dict, dict]]: ...

    def iter_findings(self) -> Iterator[tuple[int, str, dict, dict]]: ...

    def replace_site_claims(self, site: str, claims: Iterable[dict]) -> None: ...

    def site_claims(self, site: str) -> list[dict]: ...

    def clear_site_claims(self) -> None: ...
