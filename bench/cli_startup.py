"""How soon the command line answers, and how soon the embedded target is ready (issue 21).

    .venv/bin/python -m bench.cli_startup [--repeat 5] [--before-src OLD_CHECKOUT/src]

Times ``tokenprobe --help``, ``tokenprobe checks`` and ``tokenprobe serve --help`` (process start
to exit) and the embedded reference target from start to its first answer (`EmbeddedTarget`,
which runs ``tokenprobe serve`` as a child): the median of ``--repeat`` runs each, for this
checkout and, with ``--before-src``, an earlier one in the same run. Loopback only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from bench.common import run_measured
from tokenprobe.reference.embedded import EmbeddedTarget

COMMANDS = {
    "tokenprobe --help": ["--help"],
    "tokenprobe checks": ["checks"],
    "tokenprobe serve --help": ["serve", "--help"],
}


def median_command_s(args: list[str], repeat: int) -> float:
    command = [sys.executable, "-m", "tokenprobe", *args]
    return statistics.median(run_measured(command)["wall_s"] for _ in range(repeat))


def median_ready_s(repeat: int) -> float:
    """Start to first answer; the child reads PYTHONPATH from this process's environment."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with EmbeddedTarget():
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(label: str, src: str | None, repeat: int) -> None:
    if src:
        os.environ["PYTHONPATH"] = src
    try:
        for name, args in COMMANDS.items():
            print(f"{label}: {name}: {median_command_s(args, repeat):.2f} s")
        print(f"{label}: embedded target ready: {median_ready_s(repeat):.2f} s")
    finally:
        os.environ.pop("PYTHONPATH", None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before-src", help="an earlier checkout's src/, measured first")
    args = parser.parse_args()
    if args.before_src:
        measure("before", args.before_src, args.repeat)
    measure("now", None, args.repeat)


if __name__ == "__main__":
    main()
