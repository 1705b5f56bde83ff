"""Benchmark: one Locust process vs a master with two workers, same target, one run.

    .venv/bin/python -m bench.distributed_throughput [--seconds 10] [--users 40]
        [--weights malformed_body=1] [--target-workers 1]

Closed-model users (no think time) for a fixed time against the embedded target (fast
hasher, lockout off), three ways in turn: standalone, ``--master`` + two ``--worker``
processes, and ``--processes 2``. The default scenario (malformed bodies: 4xx without hashing)
keeps the target cheap so the load generator is what is measured; ``--weights
valid_login=1`` measures real logins, where the target usually saturates first. Everything
shares this machine's cores: compare the rows with each other, not with another machine.
Prints requests, throughput and p50/p99 from tokenprobe's exact (merged) results per mode.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import LOCUSTFILE, locust, run_measured
from tokenprobe.reference.embedded import EmbeddedTarget

MASTER_PORT = 5597


def run_mode(mode: str, target: EmbeddedTarget, work: Path, args: argparse.Namespace) -> dict:
    results = work / f"{mode}.json"
    common = [
        "-f", str(LOCUSTFILE), "--host", target.base_url, "--tp-model", "closed",
        "--tp-users", str(args.users), "--tp-duration", f"{args.seconds}s",
        "--tp-weights", args.weights, "--tp-slo", "", "--tp-results", str(results),
        "--tp-credentials", str(target.credentials_file),
    ]  # fmt: skip
    workers: list[subprocess.Popen[str]] = []
    if mode == "master+2 workers":
        extra = ["--master", "--expect-workers", "2", "--master-bind-host", "127.0.0.1",
                 "--master-bind-port", str(MASTER_PORT)]  # fmt: skip
        worker = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker",
                  "--master-host", "127.0.0.1", "--master-port", str(MASTER_PORT),
                  "--tp-credentials", str(target.credentials_file)]  # fmt: skip
        workers = [
            subprocess.Popen(worker, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # noqa: S603
            for _ in range(2)
        ]
    else:
        extra = ["--processes", "2"] if mode == "--processes 2" else []
    outcome = run_measured(locust(*common, *extra), timeout=args.seconds + 120)
    for worker in workers:
        worker.wait(timeout=30)
    if outcome["code"] != 0 or not results.exists():
        raise SystemExit(f"{mode}: locust exited {outcome['code']}\n{outcome['output'][-2000:]}")
    data = json.loads(results.read_text())
    return {
        "mode": mode,
        "requests": data["requests"],
        "failures": data["failures"],
        "rps": data["throughput_rps"],
        "p50": data["latency_ms"]["p50"],
        "p99": data["latency_ms"]["p99"],
        "unreliable": data["unreliable"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--weights", default="malformed_body=1")
    parser.add_argument("--target-workers", type=int, default=1, help="gunicorn workers")
    args = parser.parse_args()
    no_lockout = ["--lockout-after", "0"]
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmbeddedTarget(users=100, workers=args.target_workers, extra_args=no_lockout) as target,
    ):
        rows = [
            run_mode(mode, target, Path(tmp), args)
            for mode in ("standalone", "master+2 workers", "--processes 2")
        ]
    print(f"{args.users} closed-model users, {args.seconds} s, weights {args.weights}, "
          f"target: fast hasher, {args.target_workers} gunicorn worker(s)")  # fmt: skip
    print(f"{'mode':<18}{'requests':>10}{'failures':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for row in rows:
        print(
            f"{row['mode']:<18}{row['requests']:>10}{row['failures']:>10}{row['rps']:>10.1f}"
            f"{row['p50']:>10}{row['p99']:>10}{'  (generator CPU saturated)' * row['unreliable']}"
        )


if __name__ == "__main__":
    main()
