"""Benchmark: reference-target startup time and login throughput per hasher.

    .venv/bin/python bench/target_throughput.py [--seconds 10] [--clients 8]

Starts the embedded target once per hasher, measures time from spawn to first answer, then
drives valid logins from ``--clients`` threads (round-robin over the seeded accounts) for a
fixed time, loopback only. Prints one line per hasher. Client and server share the machine's
cores, so compare the hashers with each other, in one run.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import requests

from tokenprobe.reference.embedded import EmbeddedTarget


def drive_logins(
    target: EmbeddedTarget, seconds: float, clients: int
) -> tuple[int, int, list[float]]:
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    ok, failed, latencies = 0, 0, []

    def client(index: int) -> None:
        nonlocal ok, failed
        session = requests.Session()
        n = index
        while time.monotonic() < deadline:
            credential = target.credentials[n % len(target.credentials)]
            start = time.perf_counter()
            status = session.post(target.url, json=credential.as_json(), timeout=30).status_code
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if status == 200:
                    ok += 1
                else:
                    failed += 1
            n += clients

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ok, failed, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    for hasher in ("fast", "production"):
        started = time.perf_counter()
        with EmbeddedTarget(users=args.users, hasher=hasher) as target:
            startup = time.perf_counter() - started
            ok, failed, latencies = drive_logins(target, args.seconds, args.clients)
        median_ms = statistics.median(latencies) * 1000 if latencies else float("nan")
        print(
            f"hasher={hasher:<10} users={args.users} startup={startup:.2f}s "
            f"logins/s={ok / args.seconds:.1f} failed={failed} median={median_ms:.1f}ms "
            f"clients={args.clients}"
        )


if __name__ == "__main__":
    main()
