"""A deliberately trivial HTTP/1.1 server for generator benchmarks (not a reference target).

It answers every request with one canned ``200`` token pair issued by the real reference
target, so the validated scenario does its full work (JSON, JWT decode, expiry) while the
server costs almost nothing. Usage: ``python bench/fast_target.py PORT BODY_FILE``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


def response_for(body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


async def serve(port: int, response: bytes) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                writer.write(response)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), response_for(Path(sys.argv[2]).read_bytes())))
