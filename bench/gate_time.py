"""Benchmark: `tokenprobe gate` on the embedded target, wall time and where it goes (issue 21).

    .venv/bin/python -m bench.gate_time [--repeat 3] [--before-src OLD_CHECKOUT/src]

Runs the README's main command (``tokenprobe gate``, no ``--url``: the embedded reference
target) ``--repeat`` times from a fresh folder, for this checkout and, with ``--before-src``, an
earlier one, alternating so that both see the same machine. Prints per run the process's wall
time, each stage's own duration (summary.json ``stages``) and what is outside the stages
(start-up, the target's start and stop, the reports); then the medians. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench.common import run_measured

STAGES = ("conformance-published", "conformance-strict", "security", "load")


def one_gate(src: str | None) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    env.pop("PYTHONPATH", None)
    if src:
        env["PYTHONPATH"] = src
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "tokenprobe", "gate", "--report-dir", "run"]
        outcome = run_measured(command, cwd=Path(folder), env=env, timeout=600)
        if outcome["code"] != 0:
            raise SystemExit(f"gate exited {outcome['code']}:\n{outcome['output'][-2000:]}")
        summary = json.loads((Path(folder) / "run" / "summary.json").read_text())
    row = {name: summary["stages"][name]["duration_s"] for name in STAGES}
    row["wall"] = outcome["wall_s"]
    row["outside stages"] = row["wall"] - sum(row[name] for name in STAGES)
    return row


def show(label: str, row: dict[str, float]) -> None:
    print(f"{label}: " + ", ".join(f"{name} {value:.1f} s" for name, value in row.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before-src", help="an earlier checkout's src/, run alternately")
    args = parser.parse_args()
    labels = {"now": None} if not args.before_src else {"before": args.before_src, "now": None}
    rows: dict[str, list[dict[str, float]]] = {label: [] for label in labels}
    for _ in range(args.repeat):
        for label, src in labels.items():
            rows[label].append(one_gate(src))
            show(label, rows[label][-1])
    for label, runs in rows.items():
        show(
            f"{label}, median of {len(runs)}",
            {k: statistics.median(r[k] for r in runs) for k in runs[0]},
        )


if __name__ == "__main__":
    main()
