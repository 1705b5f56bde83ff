"""HTTP requests with a total deadline: connect, send and the whole answer.

requests (through urllib3) times out per socket operation: a server that sends one byte every
couple of seconds never trips a read timeout and can hold a request for minutes. A
`DeadlineAdapter`, mounted on a `requests.Session`, takes the request's ``timeout`` as a total
deadline instead: when it passes, a watchdog shuts the request's socket down, the blocked read
returns at once, and the request raises `DeadlineExceeded` (a `requests.Timeout`).

Every request tokenprobe sends itself goes through a `DeadlineSession` (a session with the
adapter, whose requests may also be capped by a stage's `Deadline`); under a run's limits
(`core.limits.enforced`), the adapter admits each one first.

The watchdog finds a request's sockets through urllib3's documented extension point, the
connection class of a pool (``HTTPConnectionPool.ConnectionCls``): ours notes, when it connects
or sends, which request it is serving. One thread watches every deadline.
"""

from __future__ import annotations

import contextlib
import datetime
import heapq
import itertools
import socket
import threading
import time
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.poolmanager import pool_classes_by_scheme as STOCK_POOL_CLASSES

from tokenprobe.core.deadlines import Deadline, earliest
from tokenprobe.core.limits import active_ledger

# The seconds a response's request waited for its turn under the run's rate.
PACED_S = "tokenprobe_paced_s"
PACING_TAKEN_OFF = "tokenprobe_pacing_taken_off"  # of its ``elapsed``


class DeadlineExceeded(requests.Timeout):
    """No complete answer before the request's deadline."""


class _Flight:
    """One request on its way: the connections serving it, cut when its deadline passes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: list[Any] = []
        self.expired = False
        self.done = False

    def join(self, connection: Any) -> None:
        connection.tokenprobe_flight = self  # a reused connection serves its newest request
        with self._lock:
            if self.expired:
                _cut(connection)
            else:
                self._connections.append(connection)

    def expire(self) -> None:
        with self._lock:
            if self.done or self.expired:
                return
            self.expired = True
            for connection in self._connections:
                if getattr(connection, "tokenprobe_flight", None) is self:
                    _cut(connection)


def _cut(connection: Any) -> None:
    """Shut the socket down (not close: close does not wake a read blocked in another thread)."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            # The plain socket's shutdown, also for TLS: SSLSocket.shutdown would first drop
            # the TLS state the reading thread is still using.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One thread for every deadline: at each, it expires the request's flight."""

    def __init__(self) -> None:
        self._wakeup = threading.Condition()
        self._due: list[tuple[float, int, _Flight]] = []
        self._order = itertools.count()  # ties never compare flights
        self._thread: threading.Thread | None = None

    def watch(self, flight: _Flight, at: float) -> None:
        with self._wakeup:
            heapq.heappush(self._due, (at, next(self._order), flight))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="deadlines", daemon=True)
                self._thread.start()
            self._wakeup.notify()

    def _run(self) -> None:
        while True:
            with self._wakeup:
                while not self._due or self._due[0][0] > time.monotonic():
                    timeout = self._due[0][0] - time.monotonic() if self._due else None
                    self._wakeup.wait(timeout)
                _, _, flight = heapq.heappop(self._due)
            flight.expire()


_WATCHDOG = _Watchdog()
_current = threading.local()


def _join_current_flight(connection: Any) -> None:
    flight: _Flight | None = getattr(_current, "flight", None)
    if flight is not None:
        flight.join(connection)


class _FlightConnection:
    """Mixin for urllib3's connections: join the request they serve."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _join_current_flight(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _join_current_flight(self)
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


class DeadlineAdapter(HTTPAdapter):
    """An `HTTPAdapter` whose ``timeout`` (seconds) is a total deadline per request: connect,
    send and the whole answer (read here, unless the caller streams it). A ``(connect, read)``
    tuple or None keeps requests' per-operation meaning."""

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

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        ledger = active_ledger()
        paced_s = 0.0
        if ledger is not None:  # a run under limits: every request, a retry too, passes here
            within_s = timeout if isinstance(timeout, int | float) else None
            paced_s = ledger.admit(request.method or "", request.url or "", request.body, within_s)
            if within_s is not None:  # its wait for a turn came out of its own deadline
                timeout = max(within_s - paced_s, 1e-3)
        response = self._send_within(request, stream, timeout, **kwargs)
        setattr(response, PACED_S, paced_s)  # `DeadlineSession.send` takes it off `elapsed`
        return response

    def _send_within(
        self, request: requests.PreparedRequest, stream: bool, timeout: Any, **kwargs: Any
    ) -> requests.Response:
        if not isinstance(timeout, int | float):
            return super().send(request, stream=stream, timeout=timeout, **kwargs)
        at = time.monotonic() + timeout
        flight = _Flight()
        _current.flight = flight
        _WATCHDOG.watch(flight, at)
        try:
            response = super().send(request, stream=stream, timeout=timeout, **kwargs)
            if not stream:
                response.content  # noqa: B018 - the whole answer, within the deadline
        except requests.RequestException:
            # The watchdog cut it, or a per-read timeout (set to the same instant) beat it.
            if flight.expired or time.monotonic() >= at:
                raise DeadlineExceeded(
                    f"{request.method} {request.url}: no complete answer within {timeout:.3g} s",
                    request=request,
                ) from None
            raise
        finally:
            _current.flight = None
        if not stream:
            flight.done = True  # a streamed answer is read later: its deadline still holds
        return response


class DeadlineSession(requests.Session):
    """A `requests.Session` whose ``timeout`` is a total deadline per request, not per read.

    ``timeout`` (seconds, default the session's) bounds each request from connect to the last
    byte of the answer; ``deadline``, when given, caps it further (a stage's end). Redirects
    are never followed unless asked for: a POST would lose its body.
    """

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s
        adapter = DeadlineAdapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """requests times an answer from before the adapter's send: the wait for the run's
        rate (`core.limits`) is the run's pacing, not the service's latency."""
        response = super().send(request, **kwargs)
        # Taken once: a redirect's hops pass here each, and the last again as the answer.
        if not getattr(response, PACING_TAKEN_OFF, False):
            response.elapsed -= datetime.timedelta(seconds=getattr(response, PACED_S, 0.0))
            setattr(response, PACING_TAKEN_OFF, True)
        return response

    def request(  # type: ignore[override]
        self, method: str, url: str, *, deadline: Deadline | None = None, **kwargs: Any
    ) -> requests.Response:
        limit = earliest(deadline, kwargs.pop("timeout", None) or self.timeout_s)
        remaining = limit.remaining()
        if remaining <= 0:
            raise DeadlineExceeded(f"{method} {url}: no time left")
        kwargs.setdefault("allow_redirects", False)
        return super().request(method, url, timeout=remaining, **kwargs)
