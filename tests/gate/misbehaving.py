"""A deliberately broken HTTP server on loopback, for the gate's robustness tests.

Modes: ``reset`` (every connection reset), ``hang`` (accepts, never answers), ``hang-post``
(answers OPTIONS, never answers POST), ``huge`` (10 MB bodies), ``bad-utf8`` (JSON that is not
UTF-8), ``die-after=N`` (answers like a wrong login N times, then stops listening).
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

HUGE_BODY = b'{"detail": "' + b"x" * (10 * 1024 * 1024) + b'"}'
WRONG_LOGIN = b'{"detail": "No active account found with the given credentials"}'


def _response(status: str, body: bytes, content_type: str = "application/json") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
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
        self.mode, _, count = mode.partition("=")
        self.remaining = int(count) if count else 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.stopped = threading.Event()
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
        except OSError:
            conn.close()
            return
        if self.mode == "hang-post" and not request.startswith(b"OPTIONS"):
            self.held.append(conn)
            return
        conn.sendall(self._answer())
        conn.close()
        if self.mode == "die-after":
            self.remaining -= 1
            if self.remaining <= 0:
                self.stop()

    def _answer(self) -> bytes:
        if self.mode == "huge":
            return _response("200 OK", HUGE_BODY)
        if self.mode == "bad-utf8":
            return _response("200 OK", b'{"access": "\xff\xfe", "refresh": "\xc3\x28"}')
        return _response("400 Bad Request", WRONG_LOGIN)

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
