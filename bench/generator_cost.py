"""Benchmark: what the validated valid-login scenario costs the load generator.

One run, one fast target (``fast_target.py``, pinned to CPU 1, answering a canned token pair
issued by the reference target), three generators pinned to CPU 0 in turn for the same time:
tokenprobe's validated valid-login user (closed model), a bare FastHttpUser posting the same
body, and wrk. Reported: requests per second of wall time and per CPU-second of the generator.

Each Locust generator also runs for ``--short`` seconds, and the cost is taken from the
difference (requests and CPU seconds of the long run minus the short one's): the CPU a process
spends starting and stopping (imports, report files) is not load generation, and on a busy
machine, where a generator gets a fraction of a core, it would otherwise weigh on the figure.

    .venv/bin/python -m bench.generator_cost [--seconds 20] [--short 4] [--users 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench.common import LOCUSTFILE, ROOT, locust, locust_total_requests, run_measured, wrk_requests
from tokenprobe.core.credentials import Credential, write_csv
from tokenprobe.reference.embedded import EmbeddedTarget


def issued_token_pair(workdir: Path) -> Path:
    with EmbeddedTarget(users=2) as target:
        answer = requests.post(target.url, json=target.credentials[0].as_json(), timeout=10)
        answer.raise_for_status()
    body = workdir / "body.json"
    body.write_bytes(answer.content)
    return body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(url: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.post(url, json={}, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.05)
    raise SystemExit("fast target did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--short", type=int, default=4)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        body = issued_token_pair(work)
        creds = write_csv(work / "creds.csv", [Credential(f"u{i}", "p" * 12) for i in range(40)])
        port = free_port()
        host = f"http://127.0.0.1:{port}"
        fast_target = [sys.executable, str(ROOT / "bench" / "fast_target.py"), str(port), str(body)]
        server = subprocess.Popen(["taskset", "-c", "1", *fast_target])  # noqa: S603, S607
        try:
            wait_until_answering(host + "/api/v1/token/")
            costs = []
            for attempt in range(args.repeat):
                print(f"\nround {attempt + 1}")
                rows = measure(host, work, creds, args, bare_first=attempt % 2 == 1)
                costs.append(report(rows))
            summarize(costs)
        finally:
            server.terminate()
            server.wait()


def summarize(costs: list[float]) -> None:
    """The rounds' costs (long - short) together: one round is one sample of a noisy machine."""
    ordered = sorted(costs)
    print(f"\ncost (long - short) over {len(costs)} rounds: median {statistics.median(costs):.1%}, "
          f"min {ordered[0]:.1%}, max {ordered[-1]:.1%}")  # fmt: skip


def report(rows: dict[str, tuple[int, float, float]]) -> float:
    """Print one round's table; return its cost (long - short)."""
    print(f"{'generator':<34}{'requests':>10}{'req/s':>10}{'cpu s':>8}{'req/cpu-s':>11}")
    for name, (count, wall, cpu) in rows.items():
        print(f"{name:<34}{count:>10}{count / wall:>10.0f}{cpu:>8.1f}{count / cpu:>11.0f}")
    for label in ("", " (long - short)"):
        validated = rows[f"tokenprobe validated login{label}"]
        bare = rows[f"bare FastHttpUser{label}"]
        cost = 1 - (validated[0] / validated[2]) / (bare[0] / bare[2])
        print(f"validation cost per CPU-second vs bare FastHttpUser{label}: {cost:.1%}")
    return cost


def validated_run(host: str, work: Path, creds: Path, seconds: int, users: int) -> tuple:
    outcome = run_measured(
        locust("-f", str(LOCUSTFILE), "--host", host, "--tp-model", "closed",
               "-u", str(users), "-t", f"{seconds}s",
               "--tp-weights", "valid_login=1", "--tp-slo", "", "--tp-credentials", str(creds),
               "--json-file", str(work / "validated")),
        cpu="0",
    )  # fmt: skip
    return locust_total_requests(work / "validated.json"), float(seconds), outcome["cpu_s"]


def bare_run(host: str, work: Path, seconds: int, users: int) -> tuple:
    outcome = run_measured(
        locust("-f", str(ROOT / "bench" / "bare_locustfile.py"), "--host", host,
               "-u", str(users), "-r", "100", "-t", f"{seconds}s",
               "--json-file", str(work / "bare")),
        cpu="0",
    )  # fmt: skip
    return locust_total_requests(work / "bare.json"), float(seconds), outcome["cpu_s"]


def measure(host: str, work: Path, creds: Path, args: argparse.Namespace, bare_first: bool) -> dict:
    rows = {}
    generators = [
        ("tokenprobe validated login", lambda s: validated_run(host, work, creds, s, args.users)),
        ("bare FastHttpUser", lambda s: bare_run(host, work, s, args.users)),
    ]
    for name, run in reversed(generators) if bare_first else generators:  # a drift cancels
        long, short = run(args.seconds), run(args.short)
        rows[name] = long
        rows[f"{name} (long - short)"] = tuple(a - b for a, b in zip(long, short, strict=True))
    wrk = run_measured(
        ["wrk", "-t1", f"-c{args.users}", f"-d{args.seconds}s", "-s",
         str(ROOT / "bench" / "post.lua"), host + "/api/v1/token/"],
        cpu="0",
    )  # fmt: skip
    rows["wrk (1 thread)"] = (wrk_requests(wrk["output"]), float(args.seconds), wrk["cpu_s"])
    return rows


if __name__ == "__main__":
    main()
