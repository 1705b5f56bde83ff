"""An independent open-loop client: the yardstick for the load suite's latencies.

Nothing of Locust or gevent: plain threads and the standard library's ``http.client``, the
lightest well-kept HTTP client at hand, so that its own parsing adds as little as possible.
One scheduler thread hands each arrival, at its intended time (constant spacing), to a pool
of sender threads, each with its own keep-alive connection; a latency is measured from the
intended send time to the end of the answer, as wrk2 does. It sends the load suite's
scenarios (`tokenprobe.load.scenarios`) in the given proportions and never judges an answer:
what it measures is time, not contract.

    python -m bench.open_loop_client URL CREDENTIALS_CSV --rate 50 --seconds 20 --out FILE
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import queue
import random
import secrets
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tokenprobe.core.credentials import Credential, load_csv
from tokenprobe.load.scenarios import MALFORMED_BODIES
from tokenprobe.load.settings import SCENARIOS, parse_weights

SENDERS = 200  # more than ever in flight at once: an arrival never waits for a free sender


def as_body(request: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """A scenario's request keyword arguments (``json=`` or ``data=``) as body and headers."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    headers.update(request.get("headers", {}))
    if "json" in request:
        return json.dumps(request["json"]).encode(), headers
    return str(request["data"]).encode(), headers


def request_makers(accounts: list[Credential]) -> dict[str, Callable[[], dict[str, Any]]]:
    """Scenario key → a function giving the next request's keyword arguments."""
    valid: Iterator[Credential] = itertools.cycle(accounts)
    malformed = itertools.cycle(MALFORMED_BODIES)
    return {
        "valid_login": lambda: {"json": next(valid).as_json()},
        "wrong_password": lambda: {
            "json": {"username": accounts[0].username, "password": secrets.token_urlsafe(12)}
        },
        "unknown_user": lambda: {
            "json": {"username": f"tp.unknown.{uuid.uuid4().hex[:16]}", "password": "x" * 12}
        },
        "malformed_body": lambda: dict(next(malformed)[1]),
    }


def post(connection: http.client.HTTPConnection, path: str, request: dict[str, Any]) -> int:
    body, headers = as_body(request)
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    except (OSError, http.client.HTTPException):
        connection.close()  # reconnects on the next request
        return 0


def run(url: str, accounts: list[Credential], weights: dict[str, int], rate: float,
        seconds: float, start_wall: float) -> list[dict[str, Any]]:  # fmt: skip
    makers = request_makers(accounts)
    choices = [key for key, weight in weights.items() for _ in range(weight) if key in makers]
    arrivals: queue.SimpleQueue[tuple[float, str, dict[str, Any]] | None] = queue.SimpleQueue()
    samples: list[dict[str, Any]] = []
    lock = threading.Lock()

    parts = urllib.parse.urlsplit(url)

    def sender() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while (item := arrivals.get()) is not None:
            intended, key, kwargs = item
            sent = time.time()
            status = post(connection, parts.path, kwargs)
            done = time.time()
            with lock:
                samples.append({"scenario": SCENARIOS[key], "intended": intended,
                                "late_ms": (sent - intended) * 1000,
                                "ms": (done - intended) * 1000, "status": status})  # fmt: skip

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    rng = random.Random(11)
    count = int(rate * seconds)
    for k in range(count):
        intended = start_wall + k / rate
        time.sleep(max(0.0, intended - time.time()))
        key = rng.choice(choices)
        arrivals.put((intended, key, makers[key]()))
    for _ in threads:
        arrivals.put(None)
    for thread in threads:
        thread.join()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="the token endpoint's full URL")
    parser.add_argument("credentials", type=Path)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--weights", default="valid_login=1")
    parser.add_argument("--start-wall", type=float, default=0.0, help="epoch seconds")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    start = args.start_wall or time.time()
    samples = run(args.url, load_csv(args.credentials), parse_weights(args.weights), args.rate,
                  args.seconds, start)  # fmt: skip
    args.out.write_text(json.dumps(samples))


if __name__ == "__main__":
    main()
