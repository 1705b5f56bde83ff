"""Benchmark: the breakpoint profile's capacity vs the capacity wrk measures.

Target: ``slow=DELAY`` on one gunicorn worker (8 threads), so its capacity is fixed at about
8 / (DELAY + service time). wrk saturates it with more connections than threads for a while
(valid logins, as the breakpoint sends); then the breakpoint profile steps the arrival rate up
to 1.25x that and reports ``capacity_rps``: the last step the target kept up with.

    .venv/bin/python -m bench.capacity [--delay-ms 100] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench.common import LOCUSTFILE, locust, run_measured, wrk_rps
from tokenprobe.reference.embedded import EmbeddedTarget


def wrk_capacity(target: EmbeddedTarget, work: Path, seconds: int) -> float:
    credential = target.credentials[0]
    script = work / "login.lua"  # holds a password: a temporary file, removed with the folder
    body = json.dumps(credential.as_json())
    script.write_text(
        f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    outcome = run_measured(["wrk", "-t2", "-c32", f"-d{seconds}s", "-s", str(script), target.url])
    return wrk_rps(outcome["output"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay-ms", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60, help="breakpoint duration")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        faults = [f"slow={args.delay_ms}"]
        no_lockout = ["--lockout-after", "0"]
        with EmbeddedTarget(faults=faults, workers=1, users=60, extra_args=no_lockout) as target:
            measured = wrk_capacity(target, work, 15)
            started = time.monotonic()
            outcome = run_measured(locust(
                "-f", str(LOCUSTFILE), "--host", target.base_url, "--tp-profile", "breakpoint",
                "--tp-rate", f"{1.25 * measured:.1f}", "--tp-duration", f"{args.seconds}s",
                "--tp-weights", "valid_login=1", "--tp-slo", "error_ratio<0.01",
                "--tp-credentials", str(target.credentials_file),
                "--tp-results", str(work / "breakpoint.json"),
            ))  # fmt: skip
            wall = time.monotonic() - started
        if outcome["code"] not in (0, 1):
            raise SystemExit(outcome["output"][-2000:])
        results = json.loads((work / "breakpoint.json").read_text())
    print(f"slow={args.delay_ms} ms, 1 worker x 8 threads; wrk (2 threads, 32 connections, 15 s)")
    print(f"wrk measured capacity:       {measured:8.1f} req/s")
    capacity = results["capacity_rps"]
    error = (capacity - measured) / measured
    print(f"breakpoint capacity_rps:     {capacity:8.1f} req/s  ({error:+.1%} vs wrk)")
    print(f"breakpoint wall time:        {wall:8.1f} s (profile up to {args.seconds} s)")
    for step in results["steps"]:
        print(f"  step {step['step']}: offered {step['offered_rps']:7.1f} achieved "
              f"{step['achieved_rps']:7.1f} p95 {step['p95_ms']} ms  {step['reason']}")  # fmt: skip


if __name__ == "__main__":
    main()
