"""Benchmark: what stopping embedded targets costs, in wall time and CPU (issue 21).

    .venv/bin/python -m bench.target_stop [--targets 20] [--before-src OLD_CHECKOUT/src]

Starts ``--targets`` embedded targets (one worker each, as the test suite's fault targets), then
stops them all at once, as the suite's session teardown does, and prints the wall time of the
stop and the CPU the targets' processes spent stopping (their CPU after the stop, reaped
children included, minus their CPU before it). With ``--before-src`` the same measurement runs
first for an earlier checkout, in a child process, so that both see the same machine. Loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time

import psutil


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of a target's process and its workers, with the children each has reaped."""
    leader = psutil.Process(pid)
    total = 0.0
    for process in [leader, *leader.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # exited meanwhile
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(count: int) -> dict[str, float]:
    from tokenprobe.reference.embedded import EmbeddedTarget  # the checkout under test

    targets = [EmbeddedTarget(faults=("slow=1",), workers=1, users=20 + i) for i in range(count)]
    for target in targets:
        target.start()
    before = children_cpu_s() + sum(tree_cpu_s(t._process.pid) for t in targets)
    start = time.perf_counter()
    for target in targets:
        target.request_stop()
    for target in targets:
        target.close()
    wall = time.perf_counter() - start
    return {"wall_s": wall, "cpu_s": children_cpu_s() - before}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=20)
    parser.add_argument("--before-src", help="an earlier checkout's src/, measured first")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # child's output
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.targets)))
        return
    rows = {}
    if args.before_src:
        env = {**os.environ, "PYTHONPATH": args.before_src}
        command = [sys.executable, "-m", "bench.target_stop", "--targets", str(args.targets)]
        child = subprocess.run(  # noqa: S603 - our interpreter, our command
            [*command, "--json"], env=env, capture_output=True, text=True, check=True, timeout=600
        )
        rows["before"] = json.loads(child.stdout)
    rows["now"] = measure(args.targets)
    for label, row in rows.items():
        print(f"{label}: {args.targets} targets stopped in {row['wall_s']:.2f} s wall, "
              f"{row['cpu_s']:.2f} s CPU ({row['cpu_s'] / args.targets:.2f} s each)")  # fmt: skip


if __name__ == "__main__":
    main()
