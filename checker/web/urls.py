"""Which URLs the fetcher will even try: http(s), a host, no credentials, no fragment."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("http", "https")


class InvalidURL(ValueError):
    """A URL we will not even try: the message is the FetchResult reason."""


def validate_url(url: str) -> str:
    """The URL without its fragment, or InvalidURL("invalid URL: ..." / "unsupported ...")."""
    url = (url or "").strip()
    if not url or any(ord(c) < 33 for c in url):
        raise InvalidURL(f"invalid URL: {url!r}")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme or "://" not in url:
        raise InvalidURL(f"invalid URL: {url} (no http:// or https://)")
    if scheme not in SCHEMES:
        raise InvalidURL(f"unsupported scheme: {scheme}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise InvalidURL(f"invalid URL: {url} ({exc})") from exc
    if not host:
        raise InvalidURL(f"invalid URL: {url} (no host)")
    if parts.username or parts.password:
        raise InvalidURL(f"invalid URL: {url} (credentials in URL)")
    try:
        host.encode("idna")
    except UnicodeError as exc:
        raise InvalidURL(f"invalid URL: {url} (bad host name)") from exc
    del port
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))
