"""Bench: where does the run-to-run drift of a latency percentile come from? (issue 20, item 6)

`bench.gate_compare` found that the drift between two runs of the same build minutes apart
(a standard deviation of the log p50 about 3 %) is what keeps a +25 % release from a
*regressed* verdict. From the target's process (its memory layout, its hash seed), a gate could
do nothing about it; from the load generator's process, a gate could average several; from the
machine over time, only a quieter machine or a wider tolerance helps.

Each round runs ``tokenprobe load`` (constant rate) twice: against one target kept running
for the whole bench (*same process*), then against a target started for that round (*fresh
process*). Before each run a fixed CPU task is timed (PBKDF2, a snapshot of the machine's
speed). Prints, per kind, the spread of the runs' log p50, and how the p50 follows the
snapshot.

    .venv/bin/python -m bench.drift_source [--rounds 10] [--seconds 20] [--rate 40]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import tempfile
import time
from pathlib import Path

from bench.regression_rates import load_run
from tokenprobe.reference.embedded import EmbeddedTarget

GATE_USERS = 60  # the gate's own embedded target
SAME, FRESH = "same process", "fresh process"


def cpu_snapshot_s() -> float:
    """Seconds for a fixed CPU task: the machine's speed at this moment."""
    started = time.perf_counter()
    hashlib.pbkdf2_hmac("sha256", b"tokenprobe", b"bench", 200_000)
    return time.perf_counter() - started


def log_p50(folder: Path) -> float:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return math.log(summary["load"]["latency_ms"]["p50"])


def measure(target: EmbeddedTarget, work: Path, name: str, seconds: int, rate: float) -> tuple:
    snapshot = cpu_snapshot_s()
    load_run(target, work, name, seconds, rate)
    return snapshot, log_p50(work / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rate", type=float, default=40.0)
    args = parser.parse_args()
    runs: dict[str, list[tuple[float, float]]] = {SAME: [], FRESH: []}
    with (
        tempfile.TemporaryDirectory(prefix="tokenprobe-bench-") as tmp,
        EmbeddedTarget(users=GATE_USERS) as kept,
    ):
        work = Path(tmp)
        for index in range(args.rounds):
            runs[SAME].append(measure(kept, work, f"same-{index}", args.seconds, args.rate))
            with EmbeddedTarget(users=GATE_USERS) as fresh:
                runs[FRESH].append(measure(fresh, work, f"fresh-{index}", args.seconds, args.rate))
            print(f"round {index + 1}: p50 {', '.join(_p50s(runs, -1))} ms", flush=True)
    for kind, rows in runs.items():
        logs = [p50 for _, p50 in rows]
        snapshots = [math.log(snapshot) for snapshot, _ in rows]
        print(
            f"{kind:<14}: {len(logs)} runs, sd of log p50 {statistics.stdev(logs):.3f},"
            f" p50 from {math.exp(min(logs)):.2f} to {math.exp(max(logs)):.2f} ms;"
            f" correlation with the CPU snapshot {statistics.correlation(snapshots, logs):+.2f}"
        )


def _p50s(runs: dict[str, list[tuple[float, float]]], index: int) -> list[str]:
    return [f"{kind} {math.exp(rows[index][1]):.2f}" for kind, rows in runs.items()]


if __name__ == "__main__":
    main()
