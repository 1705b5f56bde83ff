"""``tokenprobe gate --profile production --every 5m``: the production check as a monitor.

Runs start every ``every_s`` (a run that takes longer delays the next, never overlaps it; the
next waits at least ``min_gap_s``, so the rate limit holds across runs too). After each run the
caller publishes it (the verdict line; the Prometheus text file and OpenTelemetry unless a
signal cut the run short: that is no verdict on the service), and the report root keeps the
newest ``keep_runs`` production runs of the same target (other runs are left alone).
SIGINT or SIGTERM end the loop, between runs at once, during one with its reports written;
the exit code is then the signal's (130, 143).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tokenprobe.core.interrupts import Interrupted, deferred, exit_code_of, received_signal
from tokenprobe.reports.rundir import RUN_MARKER

if TYPE_CHECKING:
    from tokenprobe.gate import GateResult

RUN_FOLDER = re.compile(r"\d{8}T\d{6}Z(-\d+)?")  # `reports.rundir.new_run_dir`'s names


@dataclasses.dataclass(frozen=True)
class MonitorOptions:
    every_s: float
    keep_runs: int
    min_gap_s: float = 0.0  # between one run's end and the next run's start


def run_monitor(
    options: MonitorOptions,
    run_once: Callable[[], GateResult],
    publish: Callable[[GateResult, bool], object],
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Run until a signal; return the exit code (the signal's). ``publish(result, verdict)``:
    ``verdict`` False for a run a signal cut short."""
    try:
        while True:
            started = clock()
            result = run_once()
            stopped = received_signal()  # it came during the run: its reports are written
            with deferred():  # a signal now waits until the run's bookkeeping is done
                publish(result, stopped is None)
                prune_runs(result.run_dir, options.keep_runs)
            if stopped is not None:
                return exit_code_of(stopped)
            time.sleep(max(started + options.every_s - clock(), options.min_gap_s))
    except Interrupted as exc:  # between runs
        return exc.exit_code


def prune_runs(current: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` production runs of ``current``'s target from its
    report root (by their timestamped names); never ``current`` itself."""
    target = production_target(current)
    runs = sorted(
        path for path in current.parent.iterdir()
        if RUN_FOLDER.fullmatch(path.name) and production_target(path) == target
    )  # fmt: skip
    doomed = [path for path in runs[: max(0, len(runs) - keep)] if path != current]
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    return doomed


def production_target(path: Path) -> Any:
    """The target of the production run stored in ``path``; None for anything else."""
    if path.is_symlink() or not path.is_dir():
        return None
    try:
        summary = json.loads((path / RUN_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(summary, dict) or summary.get("limits", {}).get("profile") != "production":
        return None
    return summary.get("target")
