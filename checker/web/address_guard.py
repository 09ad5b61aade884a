"""The address guard: resolve once, refuse loopback, private, link-local (cloud metadata),
multicast and reserved addresses, and connect to the checked address itself, so DNS rebinding
between check and connect is impossible. Also the per-response deadline watchdog that shuts the
socket down, which no socket timeout can do for a server trickling its headers."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
)
from urllib3.util.connection import create_connection

Resolver = Callable[[str, int], list[str]]  # host, port -> IP addresses
Guard = Callable[[str], str | None]  # IP -> refusal reason, None when allowed


# -- address guard --------------------------------------------------------------------------------
DNS_TIMEOUT = 10.0  # getaddrinfo has no timeout of its own; the deadline watchdog needs a socket
_DNS_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="checker-dns")


def system_resolver(host: str, port: int) -> list[str]:
    """getaddrinfo, bounded by DNS_TIMEOUT (a hung lookup leaves one pool thread busy, not us)."""
    future = _DNS_POOL.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=DNS_TIMEOUT)
    except FutureTimeout as exc:
        raise socket.gaierror(f"DNS lookup timed out after {DNS_TIMEOUT:g} s") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def address_refusal(ip: str, allow_private: bool = False) -> str | None:
    """Why connecting to `ip` is refused (loopback, private, link-local incl. cloud metadata,
    multicast, reserved, unspecified, other non-global), or None."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return f"unparseable address {ip!r}"
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if allow_private:
        return None
    checks = (
        ("loopback", addr.is_loopback),
        ("link-local", addr.is_link_local),
        ("multicast", addr.is_multicast),
        ("unspecified", addr.is_unspecified),
        ("reserved", addr.is_reserved),
        ("private", addr.is_private),
        ("non-global", not addr.is_global),
    )
    for label, hit in checks:
        if hit:
            return f"resolves to a {label} address ({ip})"
    return None


class AddressRefused(Exception):
    """Raised from inside the connection; deliberately not an OSError so urllib3 lets it through."""


PEER = threading.local()  # this thread's last peer address and current watchdog


class Watchdog:
    """Hard per-response deadline: a timer that shuts the socket down, so even a server that
    trickles its status line and headers one byte at a time (which no socket timeout catches)
    is cut at the deadline. The connection registers its socket here from the fetching thread."""

    def __init__(self, seconds: float):
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._done = False
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            fired = self.fired
        if fired:
            _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            sock = self._sock
        _shutdown(sock)


def _shutdown(sock: socket.socket | None) -> None:
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _GuardMixin:
    """Resolve, check every address, connect to a checked one (see module docstring)."""

    resolver: Resolver
    guard: Guard
    peer_ip: str | None = None

    def request(self, *args: object, **kwargs: object) -> None:
        """Publish the peer address to the calling thread: the connection may be back in the
        pool before the caller looks at the response (e.g. an empty redirect body)."""
        PEER.ip = None
        watchdog = getattr(PEER, "watchdog", None)
        if watchdog is not None and self.sock is not None:  # type: ignore[attr-defined]
            watchdog.watch(self.sock)  # type: ignore[attr-defined]
        try:
            super().request(*args, **kwargs)  # type: ignore[misc]
        finally:
            PEER.ip = self.peer_ip

    def _new_conn(self) -> socket.socket:
        host, port = self._dns_host, self.port  # type: ignore[attr-defined]
        try:
            ips = type(self).resolver(host, port)
        except OSError as exc:
            raise NameResolutionError(host, self, socket.gaierror(str(exc))) from exc  # type: ignore[arg-type]
        if not ips:
            raise NameResolutionError(host, self, socket.gaierror("no address"))  # type: ignore[arg-type]
        for ip in ips:
            reason = type(self).guard(ip)
            if reason:
                raise AddressRefused(reason)
        last: OSError | None = None
        for ip in ips:
            try:
                sock = create_connection(
                    (ip, port),
                    self.timeout,  # type: ignore[attr-defined]
                    source_address=self.source_address,  # type: ignore[attr-defined]
                    socket_options=self.socket_options,
                )  # type: ignore[attr-defined]
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Connection to {host} timed out") from exc
            except OSError as exc:
                last = exc
                continue
            self.peer_ip = ip
            watchdog = getattr(PEER, "watchdog", None)
            if watchdog is not None:
                watchdog.watch(sock)
            return sock
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}")  # type: ignore[arg-type]


def _pool_classes(resolver: Resolver, guard: Guard) -> dict[str, type]:
    attrs = {"resolver": staticmethod(resolver), "guard": staticmethod(guard)}
    http_conn = type("GuardedHTTPConnection", (_GuardMixin, HTTPConnection), attrs)
    https_conn = type("GuardedHTTPSConnection", (_GuardMixin, HTTPSConnection), attrs)
    return {
        "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }


class GuardedAdapter(HTTPAdapter):
    def __init__(self, resolver: Resolver, guard: Guard, **kwargs: object):
        self._classes = _pool_classes(resolver, guard)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        self.poolmanager.pool_classes_by_scheme = self._classes
