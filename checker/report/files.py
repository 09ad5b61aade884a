"""Report files written atomically (a temporary name, then `os.replace`) and CSV rows that
are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from checker.report.safe import neutralise_cell


@contextmanager
def atomic_open(path: Path, newline: str | None = None) -> Iterator[IO[str]]:
    """Write to a temporary file beside `path`, then `os.replace` it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("x", encoding="utf-8", newline=newline) as fh:  # umask applies
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def csv_writer(fh: IO[str]):
    return csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")


def safe_row(values: Iterable[object]) -> list[str]:
    """Every cell through `neutralise_cell`: page- and input-derived text alike."""
    return [neutralise_cell(v) for v in values]
