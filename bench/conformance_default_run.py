"""Benchmark: the default conformance run against the embedded target (issue #3: < 60 s).

    .venv/bin/python bench/conformance_default_run.py [--repeat 3]

Runs ``tokenprobe conformance`` exactly as a user would (no --url: the embedded target starts,
default schemathesis.toml settings) and prints, per run, the command's wall time (including the
target's start) and the suite's own numbers from summary.json: cases, cases/s, Schemathesis time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOKENPROBE = Path(sys.executable).parent / "tokenprobe"


def run_once() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as report_dir:
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own command
            [str(TOKENPROBE), "conformance", "--report-dir", report_dir],
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - started
        section = json.loads((Path(report_dir) / "summary.json").read_text())["conformance"]
    return {
        "command_wall_s": round(wall, 2),
        "suite_wall_s": section["wall_time_s"],
        "schemathesis_time_s": section["schemathesis_time_s"],
        "cases": section["cases"],
        "cases_per_s": section["cases_per_s"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for index in range(args.repeat):
        print(json.dumps({"run": index + 1, **run_once()}))


if __name__ == "__main__":
    main()
