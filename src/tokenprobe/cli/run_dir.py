"""Where a command's reports go: the ``--report-dir`` given, else a fresh run folder.

Every command's default is a new ``<report root>/<UTC timestamp>/`` folder (never an earlier
run's, never through ``latest`` into one), and ``<report root>/latest`` then points at it, as
for the release gate (`tokenprobe.reports.rundir`). A ``--report-dir`` that is a link, holds
a run or lies inside one is refused (exit 2): runs are never written twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import click

from tokenprobe.core.summary import Summary
from tokenprobe.reports import claim_report_dir, new_run_dir, update_latest, write_stage_reports


@dataclasses.dataclass(frozen=True)
class RunDir:
    path: Path
    fresh: bool  # made for this run under the report root: ``latest`` follows it

    @classmethod
    def choose(cls, report_dir: Path | None, report_root: Path) -> RunDir:
        if report_dir is not None:
            return cls(claim_report_dir(report_dir), fresh=False)
        return cls(new_run_dir(report_root), fresh=True)

    def write_reports(self, summary: Summary, redact: Callable[[str], str]) -> None:
        """summary.json and junit.xml; then, for a fresh folder, move ``latest`` to it."""
        write_stage_reports(summary, self.path, redact)
        if self.fresh:
            point_latest_at(self.path)


def point_latest_at(run_dir: Path) -> None:
    """Move ``latest`` to ``run_dir``; a real folder in its way is named in one line."""
    problem = update_latest(run_dir)
    if problem:
        click.echo(f"tokenprobe: warning: {problem}", err=True)
