"""``tokenprobe gate --profile production --every 5m``: the production check as a monitor.

Runs start every ``every_s`` (a run that takes longer delays the next, never overlaps it). After
each run: the caller publishes it (the verdict line, the Prometheus text file, OpenTelemetry),
and the report root is pruned to the newest ``keep_runs`` production runs (other commands'
runs are left alone).
SIGINT or SIGTERM end the loop, between runs at once, during one with its reports written;
the exit code is then the signal's (130, 143).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tokenprobe.core.interrupts import Interrupted, deferred
from tokenprobe.core.summary import TIME
from tokenprobe.reports.rundir import RUN_MARKER

if TYPE_CHECKING:
    from tokenprobe.gate import GateResult


@dataclasses.dataclass(frozen=True)
class MonitorOptions:
    every_s: float
    keep_runs: int


def run_monitor(
    options: MonitorOptions,
    run_once: Callable[[], GateResult],
    publish: Callable[[GateResult], object],
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Run until a signal; return the exit code (the signal's)."""
    try:
        while True:
            started = clock()
            result = run_once()
            summary = result.summary
            with deferred():  # a signal now waits until the run's bookkeeping is done
                publish(result)
                prune_runs(result.run_dir.parent, options.keep_runs)
            if summary.stopped is not None and summary.stopped.reason != TIME:
                return summary.stopped.exit_code  # a signal stopped the run: stop here too
            time.sleep(max(0.0, started + options.every_s - clock()))
    except Interrupted as exc:  # between runs
        return exc.exit_code


def prune_runs(root: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` production-profile run folders under ``root``."""
    runs = sorted(path for path in root.iterdir() if is_production_run(path))
    doomed = runs[: max(0, len(runs) - keep)]
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    return doomed


def is_production_run(path: Path) -> bool:
    if path.is_symlink() or not path.is_dir():
        return False
    try:
        summary = json.loads((path / RUN_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(summary, dict) and summary.get("limits", {}).get("profile") == "production"
