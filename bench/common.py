"""Shared helpers for the benchmark scripts: run a child, measure its CPU time, parse output."""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = ROOT / "loadtests" / "locustfile.py"


def run_measured(
    args: list[str],
    cpu: str | None = None,
    timeout: float = 600,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> dict:
    """Run a command (optionally pinned to CPUs); wall time, child CPU seconds, output.

    The default working directory is a neutral one: the repository's locust.conf would give
    other locustfiles tokenprobe's options."""
    command = (["taskset", "-c", cpu] if cpu else []) + args
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd or tempfile.gettempdir(),
        env=env,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": time.monotonic() - started, "cpu_s": cpu_s, "code": result.returncode,
            "output": result.stdout + result.stderr}  # fmt: skip


def locust(*args: str) -> list[str]:
    return [sys.executable, "-m", "locust", "--headless", "--only-summary", *args]


def locust_total_requests(json_file: Path) -> int:
    return sum(entry["num_requests"] for entry in json.loads(json_file.read_text()))


def wrk_requests(output: str) -> int:
    match = re.search(r"(\d+) requests in", output)
    return int(match.group(1)) if match else 0


def wrk_rps(output: str) -> float:
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return float(match.group(1)) if match else 0.0
