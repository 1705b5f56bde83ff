"""Benchmark: memory of the production monitor over many runs (issue 22, item 4).

    .venv/bin/python -m bench.monitor_memory [--minutes 10] [--every 1] [--max-rate 100]

Starts a reference target, then ``tokenprobe gate --profile production --url TARGET --every
EVERYs --max-rate RATE --prometheus-file …`` against it, as an SRE would (at a far higher pace
than 5 minutes, so that a day's runs, 288, pass in minutes), and samples the monitor process's
resident memory (RSS) every 5 seconds. At the end: the runs made, the RSS after the first
minute and at the end, the growth after the first minute (least-squares slope, MB per hour and
per 288 runs), and the report root's size (pruned to ``--keep-runs``). Loopback only.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from tokenprobe.reference.embedded import EmbeddedTarget

WARM_UP_S = 60.0
SAMPLE_EVERY_S = 5.0
MB = 1024 * 1024
RUNS_PER_DAY = 288  # --every 5m


def folder_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between run starts")
    parser.add_argument("--max-rate", type=float, default=100.0)
    parser.add_argument("--keep-runs", type=int, default=20)
    args = parser.parse_args()
    with EmbeddedTarget(workers=1) as target, tempfile.TemporaryDirectory() as folder:
        account = target.credentials[0]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
        env |= {"TOKENPROBE_USERNAME": account.username, "TOKENPROBE_PASSWORD": account.password}
        command = [sys.executable, "-m", "tokenprobe", "gate", "--profile", "production",
                   "--url", target.base_url, "--every", f"{args.every:g}s",
                   "--max-rate", f"{args.max_rate:g}", "--keep-runs", str(args.keep_runs),
                   "--prometheus-file", "tokenprobe.prom", "--quiet"]  # fmt: skip
        log = Path(folder) / "monitor.log"
        with log.open("w") as output:
            monitor = subprocess.Popen(command, cwd=folder, env=env, stdout=output,  # noqa: S603
                                       stderr=subprocess.STDOUT)  # fmt: skip
            process = psutil.Process(monitor.pid)
            samples: list[tuple[float, int]] = []
            started = time.monotonic()
            while (now := time.monotonic() - started) < args.minutes * 60:
                samples.append((now, process.memory_info().rss))
                time.sleep(SAMPLE_EVERY_S)  # the sampling period, not a readiness wait
            monitor.send_signal(signal.SIGINT)
            monitor.wait(timeout=120)
        lines = log.read_text().splitlines()
        runs = sum(1 for line in lines if line.startswith("tokenprobe gate: "))
        failed = [line for line in lines if not line.startswith("tokenprobe gate: PASS")]
        report_bytes = folder_size(Path(folder) / "reports")
    settled = [(t, rss) for t, rss in samples if t >= WARM_UP_S]
    slope = statistics.linear_regression([t for t, _ in settled], [r for _, r in settled]).slope
    per_run_s = args.minutes * 60 / max(runs, 1)
    print(f"runs: {runs} in {args.minutes:g} min ({per_run_s:.2f} s each); not PASS: {len(failed)}")
    print(f"monitor exit code after SIGINT: {monitor.returncode}")
    print(f"RSS: {settled[0][1] / MB:.1f} MB at 1 min, {samples[-1][1] / MB:.1f} MB at the end, "
          f"peak {max(r for _, r in samples) / MB:.1f} MB")  # fmt: skip
    print(
        f"growth after the first minute: {slope * 3600 / MB:+.1f} MB/h of this pace, "
        f"{slope * per_run_s * RUNS_PER_DAY / MB:+.2f} MB per {RUNS_PER_DAY} runs (a day at 5m)"
    )
    print(f"report root: {report_bytes / MB:.1f} MB (kept runs: {args.keep_runs})")
    for line in failed[:5]:
        print("  " + line)


if __name__ == "__main__":
    main()
