"""robots.txt: fetched once per origin through the fetcher (so it is polite, guarded and captured),
parsed with protego (RFC 9309 longest-match, unlike the stdlib parser which applies the first
matching rule and so gets `Allow:` after a broader `Disallow:` wrong), cached thread-safely.

Policy when there is no usable robots.txt (RFC 9309 section 2.3.1.3-4, as Google does):
  * 4xx except 429 ("unavailable")          -> everything allowed, decision "unavailable (HTTP 404)"
  * 429, 5xx, timeout, unreachable, refused  -> everything disallowed, "unreachable (HTTP 503)";
    an audit must not read a server's silence as consent.
  * larger than 500 KiB                       -> the first 500 KiB are parsed (RFC 9309 2.5).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from checker.records import FetchResult

ROBOTS_TOKEN = "clinic-claims-checker"  # the product token robots.txt groups are matched against
ROBOTS_MAX_BYTES = 500 * 1024
ROBOTS_MAX_REDIRECTS = 5
MAX_CRAWL_DELAY = 60.0  # a Crawl-delay above this is capped (documented in the report reason)


@dataclass(frozen=True)
class RobotsDecision:
    """The verdict for one URL; `label` goes into FetchResult.robots verbatim."""

    allowed: bool
    label: str  # allowed | disallowed | ignored: <auth> | unavailable (...) | unreachable (...)
    crawl_delay: float | None = None
    refused: str = ""  # robots.txt itself was refused by the address guard: the page's reason


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt said, or why there is none."""

    state: str  # parsed | unavailable | unreachable | refused
    detail: str = ""  # "HTTP 404", "timed out after 30 s", ...
    parser: Protego | None = None

    def decide(self, url: str, token: str = ROBOTS_TOKEN) -> RobotsDecision:
        if self.state == "unavailable":
            return RobotsDecision(True, f"unavailable ({self.detail})")
        if self.state == "refused":
            return RobotsDecision(False, "n/a", refused=self.detail)
        if self.state == "unreachable" or self.parser is None:
            return RobotsDecision(False, f"unreachable ({self.detail})")
        delay = self.parser.crawl_delay(token)
        delay = None if delay is None else min(float(delay), MAX_CRAWL_DELAY)
        if self.parser.can_fetch(url, token):
            return RobotsDecision(True, "allowed", delay)
        return RobotsDecision(False, "disallowed", delay)

    @property
    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def parse_robots(body: bytes) -> Protego:
    return Protego.parse(body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace"))


def rules_from_fetch(result: FetchResult) -> RobotsRules:
    """Map the robots.txt fetch (any outcome) to rules, per the policy in the module docstring."""
    status = result.status
    if result.outcome == "refused_address":
        return RobotsRules("refused", result.reason)
    if status is not None and 200 <= status < 300 and result.outcome in ("checked", "too_large"):
        return RobotsRules("parsed", f"HTTP {status}", parse_robots(result.body))
    if status is not None and 400 <= status < 500 and status != 429:
        return RobotsRules("unavailable", f"HTTP {status}")
    if status is not None and result.outcome == "http_error" and result.reason.startswith("HTTP"):
        return RobotsRules("unreachable", f"HTTP {status}")
    return RobotsRules("unreachable", result.reason or result.outcome)


class RobotsCache:
    """Per-origin rules, fetched at most once per origin even with many threads asking at once.

    `fetch_robots(url)` must return a FetchResult for robots.txt (any content type accepted).
    The global lock only guards the dict; the fetch happens under the origin's own lock.
    """

    def __init__(self, fetch_robots: Callable[[str], FetchResult], token: str = ROBOTS_TOKEN):
        self._fetch = fetch_robots
        self._token = token
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}
        self._rules: dict[str, RobotsRules] = {}

    def rules(self, url: str) -> RobotsRules:
        key = robots_url(url)
        with self._lock:
            cached = self._rules.get(key)
            if cached is not None:
                return cached
            origin_lock = self._origin_locks.setdefault(key, threading.Lock())
        with origin_lock:
            with self._lock:
                cached = self._rules.get(key)
            if cached is not None:
                return cached
            rules = rules_from_fetch(self._fetch(key))
            with self._lock:
                self._rules[key] = rules
            return rules

    def decision(self, url: str) -> RobotsDecision:
        return self.rules(url).decide(url, self._token)
