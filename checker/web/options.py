"""The limits and manners of one fetching session, and the User-Agent it sends."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from checker.version import __version__

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


# -- options --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FetchOptions:
    """Limits and manners of one fetching session."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 30.0  # total seconds per response, headers + body
    max_bytes: int = DEFAULT_MAX_BYTES  # decompressed
    max_redirects: int = 10
    allow_private: bool = False
    obey_robots: bool = True
    authority: str | None = None  # legal basis; required when obey_robots is False
    contact: str | None = None
    min_delay: float = 1.0  # seconds between requests to one host
    retries: int = 2  # extra attempts after a connection error, 429 or 503
    max_retry_after: float = 30.0  # a longer Retry-After means give up, not wait
    backoff: float = 1.0  # first retry wait without Retry-After; doubles per attempt

    def __post_init__(self) -> None:
        if not self.obey_robots and not (self.authority or "").strip():
            raise ValueError(
                "--ignore-robots requires --authority: the legal basis for not "
                "obeying robots.txt, recorded in the capture and report"
            )
        for name in ("connect_timeout", "read_timeout", "deadline"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.max_bytes <= 0 or self.max_redirects < 0 or self.retries < 0 or self.min_delay < 0:
            raise ValueError("max_bytes must be positive; max_redirects, retries, delay >= 0")

    @property
    def robots_label(self) -> str | None:
        return None if self.obey_robots else f"ignored: {self.authority}"


def options_from_args(args: argparse.Namespace) -> FetchOptions:
    """FetchOptions from the CLI's scraper options; ValueError on a usage error."""
    timeout = float(getattr(args, "timeout", 30.0))
    return FetchOptions(
        connect_timeout=min(10.0, timeout),
        read_timeout=timeout,
        deadline=timeout,
        max_bytes=int(getattr(args, "max_bytes", DEFAULT_MAX_BYTES)),
        allow_private=bool(getattr(args, "allow_private", False)),
        obey_robots=not getattr(args, "ignore_robots", False),
        authority=getattr(args, "authority", None),
        contact=getattr(args, "contact", None),
        min_delay=float(getattr(args, "delay", 1.0)),
    )


def user_agent(contact: str | None) -> str:
    tail = f"; contact: {contact}" if contact else ""
    return f"clinic-claims-checker/{__version__} (+regulatory audit{tail})"
