"""A counting service: records every request it receives, on loopback (issue 22).

``counting_service()`` answers every request itself (400, DRF's wrong-login body);
``counting_service(upstream_url)`` forwards each one to ``upstream_url`` (a reference target)
and relays its answer, so a run against it meets a real token service while every request is
on record: method, path and query, body, and when it arrived.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

WRONG_LOGIN = {"detail": "No active account found with the given credentials"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


@dataclasses.dataclass(frozen=True)
class Received:
    method: str
    target: str  # path and query, as sent
    body: bytes  # as Content-Length delimits it
    at: float  # time.monotonic() on arrival
    chunked: bool  # a chunked body is not read (and so not checked): the caller must fail it


@dataclasses.dataclass
class CountingService:
    url: str
    received: list[Received]


@contextlib.contextmanager
def counting_service(upstream: str | None = None) -> Iterator[CountingService]:
    received: list[Received] = []
    relay = requests.Session()  # stock adapters: never counted by a run's limits

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
            received.append(Received(self.command, self.path, body, time.monotonic(), chunked))
            if chunked:
                self._answer(411, {}, "")
                self.close_connection = True
                return
            if upstream is None:
                self._answer(400, {"Content-Type": "application/json"}, json.dumps(WRONG_LOGIN))
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            answer = relay.request(
                self.command, upstream + self.path, data=body, headers=headers,
                allow_redirects=False, timeout=30,
            )  # fmt: skip
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
            self._answer(answer.status_code, kept, answer.content)

        def _answer(self, status: int, headers: dict[str, str], body: str | bytes) -> None:
            payload = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # A short poll: shutdown() waits for the loop to look (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield CountingService(f"http://127.0.0.1:{server.server_port}", received)
    finally:
        server.shutdown()
        server.server_close()
        relay.close()
