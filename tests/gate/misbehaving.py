"""Deliberately broken HTTP servers on loopback, for the robustness tests of every HTTP path.

One server is one listening socket and a thread per connection, all in the test process.
Modes (``MODES``):

* ``reset``: every connection is reset (RST) on accept;
* ``hang``: accepts, never answers;
* ``hang-post``: never answers a POST, answers anything else like a wrong login;
* ``huge``: 10 MB JSON answers;
* ``bad-utf8``: a 200 whose JSON is not UTF-8;
* ``lying-length``: a 400 whose Content-Length promises 100 bytes more than it sends, the
  connection then held open;
* ``die-after=N``: answers like a wrong login N times, then stops listening;
* ``trickle[=SECONDS]``: a valid 400 (wrong login), sent one byte every ``SECONDS`` (default
  ``TRICKLE_INTERVAL_S``): every read gets a byte, so no per-read timeout ever fires;
* ``trickle-post``: trickles the answer to every POST, answers anything else at once
  (reachable, but every login trickles);
* ``garbage``: a status line that is not HTTP, then close;
* ``wrong-login``: well-behaved, every request gets the documented 400 at once (a stand-in that
  answers quickly, for the signal tests).

`MisbehavingServer.wait_for_requests` is the readiness check of tests that must act while a
client is mid-run: it returns once the server has received that many requests (of a method).
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

HUGE_BODY = b'{"detail": "' + b"x" * (10 * 1024 * 1024) + b'"}'
WRONG_LOGIN = b'{"detail": "No active account found with the given credentials"}'
TRICKLE_INTERVAL_S = 2.0
MODES = (
    "reset", "hang", "hang-post", "huge", "bad-utf8", "lying-length",
    "die-after", "trickle", "trickle-post", "garbage", "wrong-login",
)  # fmt: skip


def _response(
    status: str, body: bytes, content_type: str = "application/json", extra_length: int = 0
) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body) + extra_length}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def _read_request(conn: socket.socket) -> bytes:
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


class MisbehavingServer:
    def __init__(self, mode: str) -> None:
        self.mode, _, value = mode.partition("=")
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.remaining = int(value) if value and self.mode == "die-after" else 0
        self.interval_s = float(value) if value and "trickle" in self.mode else TRICKLE_INTERVAL_S
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.stopped = threading.Event()
        self.received: list[bytes] = []  # the method of every request read
        self._arrived = threading.Condition()
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        if self.mode == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            return
        if self.mode == "hang":
            self.held.append(conn)
            return
        try:
            request = _read_request(conn)
            self._answer(conn, request)
        except OSError:
            pass  # the client gave up: what these servers are for
        finally:
            conn.close()

    def wait_for_requests(self, count: int, timeout_s: float, method: bytes = b"") -> bool:
        """Wait until ``count`` requests (of ``method``, or any) have arrived; False if they
        have not within ``timeout_s``."""

        def arrived() -> bool:
            return sum(1 for m in self.received if m.startswith(method)) >= count

        with self._arrived:
            return self._arrived.wait_for(arrived, timeout_s)

    def _answer(self, conn: socket.socket, request: bytes) -> None:
        post = request.startswith(b"POST")
        with self._arrived:
            self.received.append(request.partition(b" ")[0])
            self._arrived.notify_all()
        if self.mode == "hang-post" and post:
            self._hold(conn)
        elif self.mode == "huge":
            conn.sendall(_response("200 OK", HUGE_BODY))
        elif self.mode == "bad-utf8":
            conn.sendall(_response("200 OK", b'{"access": "\xff\xfe", "refresh": "\xc3\x28"}'))
        elif self.mode == "lying-length":
            conn.sendall(_response("400 Bad Request", WRONG_LOGIN, extra_length=100))
            self._hold(conn)
        elif self.mode == "garbage":
            conn.sendall(b"SPDY/9 lol nope\r\n\x00\x01\x02\r\n\r\n")
        elif self.mode == "trickle" or (self.mode == "trickle-post" and post):
            self._trickle(conn, _response("400 Bad Request", WRONG_LOGIN))
        else:
            conn.sendall(_response("400 Bad Request", WRONG_LOGIN))
            self._count_down()

    def _hold(self, conn: socket.socket) -> None:
        """Keep the connection open, silent, until the server stops."""
        self.stopped.wait()

    def _trickle(self, conn: socket.socket, answer: bytes) -> None:
        for index in range(len(answer)):
            conn.sendall(answer[index : index + 1])
            if self.stopped.wait(self.interval_s):
                return

    def _count_down(self) -> None:
        if self.mode == "die-after":
            self.remaining -= 1
            if self.remaining <= 0:
                self.stop()

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()
        for conn in self.held:
            conn.close()


@contextmanager
def misbehaving_server(mode: str) -> Iterator[MisbehavingServer]:
    server = MisbehavingServer(mode)
    server.thread.start()
    try:
        yield server
    finally:
        server.stop()
