"""Politeness: one request at a time per host, a minimum delay apart, shared by all threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


# -- politeness -----------------------------------------------------------------------------------
@dataclass
class _HostState:
    turn: threading.Lock = field(default_factory=threading.Lock)
    last_end: float = float("-inf")
    not_before: float = float("-inf")


class HostGate:
    """One request at a time per host, `delay` seconds apart; shared by all fetching threads.
    The global lock guards only the table and timestamps, never a sleep."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._lock = threading.Lock()
        self._hosts: dict[str, _HostState] = {}
        self._clock, self._sleep = clock, sleep

    def _state(self, host: str) -> _HostState:
        with self._lock:
            return self._hosts.setdefault(host, _HostState())

    @contextmanager
    def slot(self, host: str, delay: float) -> Iterator[None]:
        state = self._state(host)
        with state.turn:
            while True:
                with self._lock:
                    ready = max(state.last_end + delay, state.not_before)
                wait = ready - self._clock()
                if wait <= 0:
                    break
                self._sleep(wait)
            try:
                yield
            finally:
                with self._lock:
                    state.last_end = self._clock()

    def defer(self, host: str, seconds: float) -> None:
        """No request to `host` for `seconds` (Retry-After, backoff), from any thread."""
        state = self._state(host)
        with self._lock:
            state.not_before = max(state.not_before, self._clock() + seconds)
