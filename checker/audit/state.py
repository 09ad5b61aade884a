"""The audit's SQLite state (`DIR/audit.sqlite`): input queue, outcomes, pages and findings.

The database is the audit's only memory: rows are queued once in input order, each completed
page is one transaction (page + its findings together), and a row is marked done in the same
transaction as its last page. After a crash or `kill -9`, rows not marked done are wiped of any
partial pages and redone, so a resumed audit has no duplicate and no lost row. WAL mode lets
the reports read while nothing else writes, and survives a killed process. Only the audit's main
thread touches the connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from checker.audit.inputs import InputRow
from checker.records import RowRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS rows (
    rowno INTEGER PRIMARY KEY, raw TEXT, url TEXT, key TEXT, site TEXT, extra TEXT,
    record_id TEXT, done INTEGER NOT NULL DEFAULT 0, outcome TEXT, final_url TEXT,
    status INTEGER, sha256 TEXT, pages INTEGER DEFAULT 0, flags INTEGER DEFAULT 0, reason TEXT
);
CREATE INDEX IF NOT EXISTS rows_key ON rows(key);
CREATE INDEX IF NOT EXISTS rows_pending ON rows(done, rowno);
CREATE TABLE IF NOT EXISTS pages (
    id INTEGER PRIMARY KEY, rowno INTEGER NOT NULL, seq INTEGER NOT NULL, site TEXT, url TEXT,
    final_url TEXT, outcome TEXT, status INTEGER, fetched_at TEXT, sha256 TEXT,
    warc_record_id TEXT, reason TEXT, robots TEXT, flags INTEGER, UNIQUE (rowno, seq)
);
CREATE INDEX IF NOT EXISTS pages_site ON pages(site, id);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY, page_id INTEGER NOT NULL, rowno INTEGER NOT NULL, site TEXT,
    is_flag INTEGER, data TEXT
);
CREATE INDEX IF NOT EXISTS findings_site ON findings(site, is_flag, rowno);
CREATE INDEX IF NOT EXISTS findings_row ON findings(rowno);
CREATE TABLE IF NOT EXISTS site_claims (site TEXT, seq INTEGER, data TEXT, PRIMARY KEY (site, seq));
"""


@dataclass(frozen=True)
class PageRecord:
    """One fetched/read page as stored: FetchResult metadata plus its flag count (no body)."""

    url: str
    final_url: str | None
    outcome: str
    status: int | None
    fetched_at: str | None
    sha256: str | None
    warc_record_id: str | None
    reason: str
    robots: str
    flags: int = 0


@dataclass(frozen=True)
class PendingRow:
    """A queued row still to do: what the dispatcher needs to fetch or read it."""

    rowno: int
    url: str | None
    site: str
    record_id: str | None


class AuditState:
    """Wrapper around one audit database; every write is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=10000")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # -- meta -----------------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_meta(self, **values: object) -> None:
        with self._tx():
            self._put_meta(values)

    def _put_meta(self, values: dict[str, object]) -> None:
        for key, value in values.items():
            text = value if isinstance(value, str) else json.dumps(value)
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, text))

    def meta_json(self, key: str, default: object = None) -> object:
        value = self.get_meta(key)
        return default if value is None else json.loads(value)

    # -- queue ----------------------------------------------------------------------------------
    def ingest(self, rows: Iterable[InputRow], meta: dict[str, object]) -> int:
        """Queue every input row in one transaction (all or nothing), marking invalid rows and
        duplicates done at once. A crash mid-ingest leaves nothing: the next run ingests again."""
        count = 0
        with self._tx():
            self.db.execute("DELETE FROM rows")
            for row in rows:
                self._queue_row(row)
                count += 1
            self._put_meta({**meta, "ingested": "1", "total_rows": str(count)})
        return count

    def _queue_row(self, row: InputRow) -> None:
        outcome, reason = None, ""
        if row.error:
            outcome, reason = "invalid_input", row.error
        elif row.key is not None:
            first = self.db.execute(
                "SELECT rowno FROM rows WHERE key=? AND outcome IS NOT 'duplicate' LIMIT 1",
                (row.key,),
            ).fetchone()
            if first:
                outcome, reason = "duplicate", f"same URL as row {first[0]}"
        self.db.execute(
            "INSERT INTO rows (rowno, raw, url, key, site, extra, record_id, done, outcome, reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.rowno,
                row.raw,
                row.url,
                row.key if outcome is None else None,
                row.site,
                json.dumps(row.extra, ensure_ascii=False),
                row.record_id,
                int(outcome is not None),
                outcome,
                reason,
            ),
        )

    def reset_unfinished(self) -> int:
        """Drop partial pages/findings of rows not marked done (they are redone). Returns count."""
        with self._tx():
            for table in ("findings", "pages"):
                self.db.execute(
                    f"DELETE FROM {table} WHERE rowno IN (SELECT rowno FROM rows WHERE done=0)"
                )
            return self.db.execute("SELECT COUNT(*) FROM rows WHERE done=0").fetchone()[0]

    def pending(self, batch: int = 256) -> Iterator[PendingRow]:
        """Rows still to do, in input order, read in small batches (keyset pagination)."""
        after = 0
        while True:
            found = self.db.execute(
                "SELECT rowno, url, site, record_id FROM rows WHERE done=0 AND rowno>?"
                " ORDER BY rowno LIMIT ?",
                (after, batch),
            ).fetchall()
            if not found:
                return
            for rowno, url, site, record_id in found:
                yield PendingRow(rowno, url, site, record_id)
            after = found[-1][0]

    # -- results --------------------------------------------------------------------------------
    def save_page(
        self, rowno: int, seq: int, site: str, page: PageRecord, findings: Iterable[dict]
    ) -> None:
        """One page and all its findings, atomically."""
        with self._tx():
            self._insert_page(rowno, seq, site, page, findings)

    def _insert_page(
        self, rowno: int, seq: int, site: str, page: PageRecord, findings: Iterable[dict]
    ) -> None:
        cur = self.db.execute(
            "INSERT OR REPLACE INTO pages (rowno, seq, site, url, final_url, outcome, status,"
            " fetched_at, sha256, warc_record_id, reason, robots, flags)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rowno,
                seq,
                site,
                page.url,
                page.final_url,
                page.outcome,
                page.status,
                page.fetched_at,
                page.sha256,
                page.warc_record_id,
                page.reason,
                page.robots,
                page.flags,
            ),
        )
        page_id = cur.lastrowid
        self.db.executemany(
            "INSERT INTO findings (page_id, rowno, site, is_flag, data) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    page_id,
                    rowno,
                    site,
                    int(f["verdict"] in ("contradicts", "unsupported")),
                    json.dumps(f, ensure_ascii=False),
                )
                for f in findings
            ],
        )

    def finish_row(
        self,
        rowno: int,
        first: PageRecord | None,
        pages: int,
        flags: int,
        outcome: str | None = None,
        reason: str = "",
    ) -> None:
        """Mark a row done with the outcome of its first page (the URL as given)."""
        with self._tx():
            self._mark_done(rowno, first, pages, flags, outcome, reason)

    def _mark_done(
        self,
        rowno: int,
        first: PageRecord | None,
        pages: int,
        flags: int,
        outcome: str | None,
        reason: str,
    ) -> None:
        if first is not None:
            outcome = outcome or first.outcome
            reason = reason or first.reason
        self.db.execute(
            "UPDATE rows SET done=1, outcome=?, final_url=?, status=?, sha256=?, pages=?,"
            " flags=?, reason=? WHERE rowno=?",
            (
                outcome,
                first and first.final_url,
                first and first.status,
                first and first.sha256,
                pages,
                flags,
                reason,
                rowno,
            ),
        )

    def save_single(
        self, rowno: int, site: str, page: PageRecord, findings: Iterable[dict]
    ) -> None:
        """A one-page row: its page, findings and done mark in one transaction."""
        with self._tx():
            self._insert_page(rowno, 0, site, page, findings)
            self._mark_done(rowno, page, 1, page.flags, None, "")

    # -- reading for progress and reports -------------------------------------------------------
    def progress_counts(self) -> tuple[int, int, int, int]:
        """(total rows, done rows, flag occurrences, rows not checked)."""
        total, done, errors = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(done), 0),"
            " COALESCE(SUM(done=1 AND outcome IS NOT 'checked'), 0) FROM rows"
        ).fetchone()
        flags = self.db.execute("SELECT COUNT(*) FROM findings WHERE is_flag=1").fetchone()[0]
        return total, done, flags, errors

    def iter_rows(self) -> Iterator[RowRecord]:
        cur = self.db.execute(
            "SELECT rowno, raw, site, extra, outcome, final_url, status, sha256, pages, flags,"
            " reason FROM rows ORDER BY rowno"
        )
        for r in cur:
            yield RowRecord(
                r[0],
                r[1] or "",
                r[2] or "",
                json.loads(r[3] or "{}"),
                r[4],
                r[5],
                r[6],
                r[7],
                r[8] or 0,
                r[9] or 0,
                r[10] or "",
            )

    def iter_sites(self) -> Iterator[tuple[str, dict[str, str]]]:
        """Sites in order of their first input row, with that row's carried columns."""
        cur = self.db.execute(
            "SELECT r.site, r.extra FROM rows r JOIN (SELECT site, MIN(rowno) AS first FROM rows"
            " WHERE site != '' GROUP BY site) s ON r.rowno = s.first ORDER BY r.rowno"
        )
        for site, extra in cur:
            yield site, json.loads(extra or "{}")

    def site_outcomes(self) -> dict[str, Counter]:
        """Per site, outcome counts of its pages plus its rows that never produced a page."""
        counts: dict[str, Counter] = {}
        for site, outcome, n in self.db.execute(
            "SELECT site, outcome, COUNT(*) FROM pages GROUP BY site, outcome"
        ):
            counts.setdefault(site, Counter())[outcome] += n
        for site, outcome, n in self.db.execute(
            "SELECT site, outcome, COUNT(*) FROM rows WHERE done=1 AND pages=0 AND site != ''"
            " GROUP BY site, outcome"
        ):
            counts.setdefault(site, Counter())[outcome] += n
        return counts

    def site_row_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT site, COUNT(*) FROM rows GROUP BY site").fetchall())

    def site_flags(self, site: str) -> Iterator[tuple[dict, dict]]:
        """(page, finding) for every flag of a site in input order (row, crawl order, text order):
        the same on every run, however the fetch threads finished."""
        cur = self.db.execute(
            "SELECT p.url, p.final_url, p.fetched_at, p.sha256, p.warc_record_id, f.data"
            " FROM findings f JOIN pages p ON p.id = f.page_id"
            " WHERE f.site=? AND f.is_flag=1 ORDER BY f.rowno, p.seq, f.id",
            (site,),
        )
        for url, final_url, fetched_at, sha256, record_id, data in cur:
            page = {
                "url": url,
                "final_url": final_url,
                "fetched_at": fetched_at,
                "sha256": sha256,
                "warc_record_id": record_id,
            }
            yield page, json.loads(data)

    def iter_findings(self) -> Iterator[tuple[int, str, dict, dict]]:
        """(row number, site, page, finding) for every finding of the audit, in input order."""
        cur = self.db.execute(
            "SELECT f.rowno, f.site, p.url, p.final_url, p.fetched_at, p.sha256,"
            " p.warc_record_id, f.data FROM findings f JOIN pages p ON p.id = f.page_id"
            " ORDER BY f.rowno, p.seq, f.id"
        )
        for rowno, site, url, final_url, fetched_at, sha256, record_id, data in cur:
            page = {
                "url": url,
                "final_url": final_url,
                "fetched_at": fetched_at,
                "sha256": sha256,
                "warc_record_id": record_id,
            }
            yield rowno, site, page, json.loads(data)

    def replace_site_claims(self, site: str, claims: Iterable[dict]) -> None:
        with self._tx():
            self.db.execute("DELETE FROM site_claims WHERE site=?", (site,))
            self.db.executemany(
                "INSERT INTO site_claims VALUES (?, ?, ?)",
                [(site, i, json.dumps(c, ensure_ascii=False)) for i, c in enumerate(claims)],
            )

    def site_claims(self, site: str) -> list[dict]:
        cur = self.db.execute("SELECT data FROM site_claims WHERE site=? ORDER BY seq", (site,))
        return [json.loads(d) for (d,) in cur]

    def clear_site_claims(self) -> None:
        with self._tx():
            self.db.execute("DELETE FROM site_claims")

    # -- plumbing -------------------------------------------------------------------------------
    def _tx(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error (autocommit connection)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
