"""Audit progress on stderr: a one-line bar redrawn in place on a terminal, plain log lines every
`interval` seconds otherwise (CI logs, `nohup`), nothing with `--quiet`.

Rate and ETA count only rows done by this run, so a resumed audit does not report the rows it
found already done as instant work.
"""

from __future__ import annotations

import sys
import time
from typing import IO

BAR_WIDTH = 24


def format_duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Progress:
    """Call `update(done, flags, errors)` as often as you like; it throttles its own output."""

    def __init__(
        self,
        total: int,
        done: int = 0,
        stream: IO[str] | None = None,
        quiet: bool = False,
        interval: float = 10.0,
        tty: bool | None = None,
    ) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval = 0.2 if self.tty else interval
        self.start_done = done
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.state = (done, 0, 0)

    def line(self) -> str:
        done, flags, errors = self.state
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = (done - self.start_done) / elapsed
        left = self.total - done
        eta = format_duration(left / rate) if rate > 0 and left > 0 else "-"
        text = (
            f"{done}/{self.total} rows · {flags} flags · {errors} not checked · "
            f"{rate:.1f} rows/s · ETA {eta}"
        )
        if not self.tty:
            return f"audit: {text}"
        filled = int(BAR_WIDTH * done / self.total) if self.total else BAR_WIDTH
        return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {text}"

    def update(self, done: int, flags: int, errors: int, force: bool = False) -> None:
        self.state = (done, flags, errors)
        now = time.monotonic()
        if self.quiet or (not force and now - self.last_draw < self.interval):
            return
        self.last_draw = now
        self._emit()

    def _emit(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line."""
        if self.quiet:
            return
        self._emit()
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()
