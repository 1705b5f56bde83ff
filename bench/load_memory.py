"""Benchmark: memory of a long `tokenprobe load` run (issue 21, item 4).

    .venv/bin/python -m bench.load_memory [--minutes 5] [--rate 200] [--every 10] [--out DIR]
    .venv/bin/python -m bench.load_memory --minutes 60 --out DIR --read-only   # tables again

Runs ``tokenprobe load --rate RATE --duration MINUTESm`` against the embedded reference target,
as a user would, and samples the resident memory (RSS) of every process of the run each
``--every`` seconds: tokenprobe itself, the Locust child, the embedded target and its workers.
At the end it prints, per process, its RSS after the first minute, at the planned end of the
load, after the reports (matplotlib's plots cost tokenprobe's process about 40 MB), its peak,
and its growth while the load ran, after the first minute (least-squares slope, MB per hour);
the size of every report file; and the run's final statistics (requests, throughput, error
ratio, latency percentiles), so that a 60-minute run can be set beside a 5-minute one. The
samples are kept in ``OUT/rss.csv``, the reports in ``OUT/report``. Keep the machine otherwise
idle: a target that falls behind holds thousands of requests in flight, and memory with them.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

WARM_UP_S = 60.0  # growth is judged after the first minute: imports, pools and caches settle
MB = 1024 * 1024


@dataclass(frozen=True)
class Sample:
    t: float
    pid: int
    role: str
    rss: int


def role_of(process: psutil.Process) -> str:
    """A child of ``tokenprobe load``: locust or target (the embedded one and its forked
    workers, which keep its command line)."""
    command = process.cmdline()
    return "locust" if command[1:3] == ["-m", "locust"] else "target"


def sample_tree(root: psutil.Process, t: float) -> list[Sample]:
    samples = []
    for process in [root, *root.children(recursive=True)]:
        try:
            role = "tokenprobe" if process.pid == root.pid else role_of(process)
            samples.append(Sample(t, process.pid, role, process.memory_info().rss))
        except psutil.Error:  # ended between the listing and the read
            continue
    return samples


def run_sampled(args: argparse.Namespace, report: Path) -> tuple[int, list[Sample]]:
    command = [
        sys.executable, "-m", "tokenprobe", "load", "--rate", str(args.rate),
        "--duration", f"{args.minutes}m", "--report-dir", str(report),
    ]  # fmt: skip
    samples: list[Sample] = []
    started = time.monotonic()
    with subprocess.Popen(command, cwd=report.parent, stdout=subprocess.DEVNULL) as child:  # noqa: S603
        root = psutil.Process(child.pid)
        while child.poll() is None:
            samples += sample_tree(root, time.monotonic() - started)
            try:
                child.wait(timeout=args.every)
            except subprocess.TimeoutExpired:
                continue
    return child.returncode, samples


def under_load(samples: list[Sample], load_s: float) -> list[Sample]:
    """After the first minute, until the load's planned end (counted from the process's start:
    the load itself starts a few seconds later, so the reports are never in)."""
    return [s for s in samples if WARM_UP_S <= s.t <= load_s]


def growth_mb_per_hour(settled: list[Sample]) -> float | None:
    if len(settled) < 3:
        return None
    fit = statistics.linear_regression([s.t for s in settled], [s.rss / MB for s in settled])
    return fit.slope * 3600


def memory_rows(samples: list[Sample], load_s: float) -> list[str]:
    rows = [
        "| process | pid | RSS at 1 min (MB) | at the load's end | after the reports | peak "
        "| growth under load, after 1 min |",
        "|---|---|---|---|---|---|---|",
    ]
    by_pid: dict[int, list[Sample]] = {}
    for sample in samples:
        by_pid.setdefault(sample.pid, []).append(sample)
    for pid, own in sorted(by_pid.items(), key=lambda item: (item[1][0].role, item[0])):
        settled = under_load(own, load_s) or own
        growth = growth_mb_per_hour(settled)
        rows.append(
            f"| {own[0].role} | {pid} | {settled[0].rss / MB:.1f} | {settled[-1].rss / MB:.1f} "
            f"| {own[-1].rss / MB:.1f} | {max(s.rss for s in own) / MB:.1f} | "
            + ("n/a (under 1 min)" if growth is None else f"{growth:+.2f} MB/h")
            + " |"
        )
    return rows


def file_rows(report: Path) -> list[str]:
    files = sorted(path for path in report.rglob("*") if path.is_file())
    rows = ["| report file | bytes |", "|---|---|"]
    rows += [f"| {path.relative_to(report)} | {path.stat().st_size:,} |" for path in files]
    rows.append(f"| total | {sum(path.stat().st_size for path in files):,} |")
    return rows


def statistics_rows(report: Path) -> list[str]:
    load = json.loads((report / "summary.json").read_text())["load"]
    latency = load["latency_ms"]
    error_ratio = load["failures"] / load["requests"] if load["requests"] else None
    return [
        "| requests | duration (s) | throughput (req/s) | error ratio | late | dropped "
        "| p50 | p95 | p99 | p99.9 (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {load['requests']:,} | {load['duration_s']} | {load['throughput_rps']} "
        f"| {error_ratio} | {load['late']} | {load['dropped']} | {latency['p50']} "
        f"| {latency['p95']} | {latency['p99']} | {latency['p999']} |",
    ]


def read_samples(path: Path) -> list[Sample]:
    with path.open(newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    return [Sample(float(r["t_s"]), int(r["pid"]), r["role"], int(r["rss_bytes"])) for r in rows]


def write_samples(path: Path, samples: list[Sample]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["t_s", "pid", "role", "rss_bytes"])
        writer.writerows([round(s.t, 1), s.pid, s.role, s.rss] for s in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=5)
    parser.add_argument("--rate", type=float, default=200.0, help="arrivals per second")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--out", type=Path, help="kept after the run [default: a temp folder]")
    parser.add_argument("--read-only", action="store_true", help="print OUT's tables, run nothing")
    args = parser.parse_args()
    if args.read_only and args.out is None:
        parser.error("--read-only reads the run in --out DIR")
    out = args.out or Path(tempfile.mkdtemp(prefix="tokenprobe-memory-"))
    if args.read_only:
        samples = read_samples(out / "rss.csv")
    else:
        out.mkdir(parents=True, exist_ok=True)
        code, samples = run_sampled(args, out / "report")
        write_samples(out / "rss.csv", samples)
        print(f"tokenprobe load --rate {args.rate:g} --duration {args.minutes}m: exit {code}; "
              f"{len(samples)} samples in {out / 'rss.csv'}")  # fmt: skip
    tables = [memory_rows(samples, args.minutes * 60.0), file_rows(out / "report")]
    for rows in (*tables, statistics_rows(out / "report")):
        print("\n" + "\n".join(rows))


if __name__ == "__main__":
    main()
