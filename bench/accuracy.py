"""Benchmark: the open model's percentiles vs an independent open-loop client, same run.

``stall=F`` freezes the target for the first F ms of every 2 s (wall clock). tokenprobe's open
model (`locust -f loadtests/locustfile.py`) and an independent open-loop client
(``bench/open_loop_client.py``: threads and ``requests``, no Locust, no gevent, latency from
the intended send time) send the same request mix at the same rate to the same stalling target
at the same time, so both see the same freezes and the same server-side queueing. Their
percentiles should agree; the closed model (plain Locust users in a loop) is shown for
contrast when ``--closed`` is given: it hides the freezes.

    .venv/bin/python -m bench.accuracy [--rate 50] [--seconds 30] [--stall-ms 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import LOCUSTFILE, locust, run_measured
from tokenprobe.core.credentials import write_csv
from tokenprobe.load.latency import latency_ms, new_histogram, to_microseconds
from tokenprobe.reference.embedded import EmbeddedTarget

KEYS = ("p50", "p90", "p95", "p99", "p999")
LOCUST_STARTUP_S = 2.0  # the client starts this much later, so both cover the same window
LATE_MS = 10.0  # a send this much after its intended time is late (tokenprobe's --tp-late-ms)


def percentiles(samples_ms: list[float]) -> dict:
    histogram = new_histogram()
    for value in samples_ms:
        histogram.record_value(to_microseconds(value))
    return latency_ms(histogram)


def one_round(args: argparse.Namespace, work: Path) -> dict[str, dict]:
    stall = EmbeddedTarget(
        faults=[f"stall={args.stall_ms}"], users=120, extra_args=["--lockout-after", "0"]
    )
    with stall as target:
        half = len(target.credentials) // 2
        locust_accounts = write_csv(work / "locust.csv", target.credentials[:half])
        client_accounts = write_csv(work / "client.csv", target.credentials[half:])
        client = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "bench.open_loop_client", target.url, str(client_accounts),
             "--rate", f"{args.rate:g}", "--seconds", str(args.seconds),
             "--weights", args.weights, "--start-wall", f"{time.time() + LOCUST_STARTUP_S:.3f}",
             "--out", str(work / "client.json")],
            cwd=Path(__file__).resolve().parents[1],
        )  # fmt: skip
        outcome = run_measured(locust(
            "-f", str(LOCUSTFILE), "--host", target.base_url, "--tp-weights", args.weights,
            "--tp-slo", "", "--tp-credentials", str(locust_accounts), "--tp-model", "open",
            "--tp-rate", f"{args.rate:g}", "-t", f"{args.seconds}s",
            "--tp-results", str(work / "open.json"), *args.locust_args,
        ))  # fmt: skip
        client.wait(timeout=args.seconds + 60)
        rows = {}
        if outcome["code"] != 0:
            raise SystemExit(f"locust failed:\n{outcome['output'][-2000:]}")
        measured = json.loads((work / "open.json").read_text())
        rows["tokenprobe open model"] = {
            **measured["latency_ms"],
            "late": measured["late"] / max(1, measured["requests"]),
        }
        samples = json.loads((work / "client.json").read_text())
        late = sum(s["late_ms"] > LATE_MS for s in samples) / max(1, len(samples))
        rows["independent client"] = {**percentiles([s["ms"] for s in samples]), "late": late}
        if args.closed:
            closed = run_measured(locust(
                "-f", str(LOCUSTFILE), "--host", target.base_url, "--tp-weights", args.weights,
                "--tp-slo", "", "--tp-credentials", str(locust_accounts), "--tp-model", "closed",
                "-u", str(args.users), "-t", f"{args.seconds}s",
                "--tp-results", str(work / "closed.json"),
            ))  # fmt: skip
            if closed["code"] != 0:
                raise SystemExit(f"closed model failed:\n{closed['output'][-2000:]}")
            rows["closed model"] = json.loads((work / "closed.json").read_text())["latency_ms"]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=50, help="each client's arrivals/s")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--stall-ms", type=int, default=500)
    parser.add_argument("--weights", default="valid_login=1", help="the same mix for both")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--closed", action="store_true", help="also run the closed model")
    parser.add_argument("--users", type=int, default=10, help="closed model users")
    parser.add_argument("--locust-args", nargs=argparse.REMAINDER, default=[],
                        help="more options for the tokenprobe run (last)")  # fmt: skip
    args = parser.parse_args()
    print(f"stall={args.stall_ms} ms per 2 s, {args.weights}, {args.rate:g} req/s from each "
          f"client at once, {args.seconds} s")  # fmt: skip
    for attempt in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            rows = one_round(args, Path(tmp))
        truth = rows["independent client"]
        print(f"\nround {attempt + 1}")
        print(f"{'':<24}" + "".join(f"{key:>16}" for key in KEYS) + f"{'sent late':>11}")
        for name, latency in rows.items():
            cells = []
            for key in KEYS:
                error = (latency[key] - truth[key]) / truth[key]
                text = f"{latency[key]:.1f}" + ("" if latency is truth else f" {error:+.1%}")
                cells.append(text.rjust(16))
            cells.append(f"{latency.get('late', 0):.1%}".rjust(11) if "late" in latency else "")
            print(f"{name:<24}" + "".join(cells))


if __name__ == "__main__":
    main()
