"""HTTP requests with a total deadline: connect, send and the whole answer.

requests (through urllib3) times out per socket operation: a server that sends one byte every
couple of seconds never trips a read timeout and can hold a request for minutes. Every request
tokenprobe sends itself goes through a `DeadlineSession`, which gives it a deadline and arms a
watchdog timer; when the deadline passes, the watchdog shuts the request's socket down, the
blocked read returns at once, and the request raises `DeadlineExceeded` (a `requests.Timeout`).

The watchdog finds the request's sockets through urllib3's documented extension point, the
connection class of a pool (`HTTPConnectionPool.ConnectionCls`): ours notes itself, when it
connects or sends, in the flight of the thread's current request.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.poolmanager import pool_classes_by_scheme as STOCK_POOL_CLASSES

from tokenprobe.core.deadlines import Deadline, earliest


class DeadlineExceeded(requests.Timeout):
    """No complete answer before the request's deadline."""


class _Flight:
    """The connections one request has used; cut them all when its deadline passes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: list[HTTPConnection] = []
        self.expired = False

    def join(self, connection: HTTPConnection) -> None:
        with self._lock:
            if self.expired:
                _cut(connection)
            else:
                self._connections.append(connection)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for connection in self._connections:
                _cut(connection)


_current = threading.local()


def _cut(connection: HTTPConnection) -> None:
    """Shut the socket down (not close: close does not wake a read blocked in another thread)."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            # The plain socket's shutdown, also for TLS: SSLSocket.shutdown would first drop
            # the TLS state the reading thread is still using.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _join_current_flight(connection: HTTPConnection) -> None:
    flight: _Flight | None = getattr(_current, "flight", None)
    if flight is not None:
        flight.join(connection)


class _FlightConnection:
    """Mixin for urllib3's connections: tell the current request's flight we are in use."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _join_current_flight(self)  # type: ignore[arg-type]

    def request(self, *args: Any, **kwargs: Any) -> None:
        _join_current_flight(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_FlightConnection, HTTPConnection):
    pass


class _HTTPSConnection(_FlightConnection, HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


POOL_CLASSES = {"http": _HTTPPool, "https": _HTTPSPool}


class _DeadlineAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        # An HTTP(S) proxy uses the stock pools; a SOCKS proxy has pools of its own (and then
        # only the per-operation timeout applies).
        if manager.pool_classes_by_scheme is STOCK_POOL_CLASSES:
            manager.pool_classes_by_scheme = POOL_CLASSES
        return manager


class DeadlineSession(requests.Session):
    """A `requests.Session` whose ``timeout`` is a total deadline per request, not per read.

    ``timeout`` (seconds) bounds each request from connect to the last byte of the answer;
    ``deadline``, when given, caps it further (a stage's end). Redirects are never followed
    unless asked for: a POST would lose its body.
    """

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s
        adapter = _DeadlineAdapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(  # type: ignore[override]
        self, method: str, url: str, *, deadline: Deadline | None = None, **kwargs: Any
    ) -> requests.Response:
        total_s = kwargs.pop("timeout", None) or self.timeout_s
        limit = earliest(deadline, total_s)
        remaining = limit.remaining()
        if remaining <= 0:
            raise DeadlineExceeded(f"{method} {url}: no time left")
        kwargs["timeout"] = remaining  # connect and each read, within the total
        kwargs.setdefault("allow_redirects", False)
        flight = _Flight()
        watchdog = threading.Timer(remaining, flight.expire)
        watchdog.daemon = True
        _current.flight = flight
        watchdog.start()
        try:
            response = super().request(method, url, **kwargs)
        except requests.RequestException:
            # The watchdog cut it, or a per-read timeout (set to the same instant) beat it.
            if flight.expired or limit.expired:
                raise DeadlineExceeded(
                    f"{method} {url}: no complete answer within {remaining:.3g} s"
                ) from None
            raise
        finally:
            watchdog.cancel()
            _current.flight = None
        return response
