"""Benchmark: open-model latencies vs the ground truth of a target that freezes periodically.

``stall=F`` freezes the target for the first F ms of every 2 s (wall clock). An arrival at
phase φ of its period waits max(0, F - φ) and is then served like any other request, so the
true latency distribution is that of ``max(0, F - U(0, 2 s)) + S`` with S the service time,
sampled here from an open-model run against the same kind of target without the fault. The
open model (constant arrivals, latency from intended send time) and the closed model (plain
Locust: users in a loop) run against the stalling target for the same time, and their
percentiles are compared with the truth.

    .venv/bin/python -m bench.accuracy [--rate 40] [--seconds 20] [--stall-ms 500]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

from bench.common import LOCUSTFILE, locust, run_measured
from tokenprobe.load.latency import latency_ms, new_histogram, to_microseconds
from tokenprobe.reference.embedded import EmbeddedTarget

PERIOD_S = 2.0
TRUTH_SAMPLES = 200_000


def run(target: EmbeddedTarget, work: Path, name: str, weights: str, *extra: str) -> dict:
    args = locust(
        "-f", str(LOCUSTFILE), "--host", target.base_url, "--tp-weights", weights,
        "--tp-slo", "", "--tp-credentials", str(target.credentials_file),
        "--tp-results", str(work / f"{name}.json"), "--tp-raw-samples", str(work / name), *extra,
    )  # fmt: skip
    outcome = run_measured(args)
    if outcome["code"] != 0:
        raise SystemExit(f"{name} failed:\n{outcome['output'][-2000:]}")
    return json.loads((work / f"{name}.json").read_text())


def raw_samples(work: Path, name: str) -> list[float]:
    samples = []
    for path in work.glob(f"{name}.*.csv"):
        samples += [float(line.rsplit(",", 1)[1]) for line in path.read_text().splitlines()]
    return samples


def ground_truth(service_ms: list[float], stall_ms: float) -> dict:
    rng = random.Random(7)
    histogram = new_histogram()
    for _ in range(TRUTH_SAMPLES):
        phase_ms = rng.uniform(0, PERIOD_S * 1000)
        latency = max(0.0, stall_ms - phase_ms) + rng.choice(service_ms)
        histogram.record_value(to_microseconds(latency))
    return latency_ms(histogram)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=40)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--stall-ms", type=int, default=500)
    parser.add_argument("--users", type=int, default=10, help="closed model users")
    # Cheap requests (no password hash) by default: the target works off the backlog left by
    # each freeze almost at once, so the truth above is complete and the method is what is
    # measured. With valid logins the backlog adds real queueing the formula leaves out.
    parser.add_argument("--weights", default="malformed_body=1")
    args = parser.parse_args()
    common = ("--tp-duration", f"{args.seconds}s")
    open_args = ("--tp-model", "open", "--tp-rate", f"{args.rate:g}", *common)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        no_lockout = ["--lockout-after", "0"]
        with EmbeddedTarget(users=60, extra_args=no_lockout) as clean:
            run(clean, work, "service", args.weights, *open_args)
        truth = ground_truth(raw_samples(work, "service"), args.stall_ms)
        stalling = EmbeddedTarget(
            faults=[f"stall={args.stall_ms}"], users=60, extra_args=no_lockout
        )
        with stalling as stall:
            measured_open = run(stall, work, "open", args.weights, *open_args)["latency_ms"]
            closed_args = ("--tp-model", "closed", "--tp-users", str(args.users), *common)
            measured_closed = run(stall, work, "closed", args.weights, *closed_args)["latency_ms"]
    print(f"stall={args.stall_ms} ms per {PERIOD_S:g} s, {args.weights}, open {args.rate:g} req/s, "
          f"closed model {args.users} users, {args.seconds} s each")  # fmt: skip
    print(f"{'':>6}{'truth':>10}{'open':>10}{'error':>8}{'closed':>10}{'error':>8}")
    for key in ("p50", "p90", "p95", "p99", "p999"):
        t, o, c = truth[key], measured_open[key], measured_closed[key]
        print(f"{key:>6}{t:>10.1f}{o:>10.1f}{(o - t) / t:>8.1%}{c:>10.1f}{(c - t) / t:>8.1%}")


if __name__ == "__main__":
    main()
