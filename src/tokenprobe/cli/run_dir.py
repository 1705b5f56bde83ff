"""Where a command's reports go: the ``--report-dir`` given, else a fresh run folder.

Every command's default is a new ``<report root>/<UTC timestamp>/`` folder (never an earlier
run's, never through ``latest`` into one); once its reports are written, ``<report root>/latest``
points at it and ``<report root>/index.html`` lists it, as for the release gate
(`tokenprobe.reports.history.publish_run`). A ``--report-dir`` that is a link, holds
a run or lies inside one is refused (exit 2): runs are never written twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import click

from tokenprobe.core.summary import Summary
from tokenprobe.reports.rundir import claim_report_dir, new_run_dir
from tokenprobe.reports.stage import write_stage_reports


@dataclasses.dataclass(frozen=True)
class RunDir:
    path: Path
    fresh: bool  # made for this run under the report root: ``latest`` and index.html follow it

    @classmethod
    def choose(cls, report_dir: Path | None, report_root: Path) -> RunDir:
        if report_dir is not None:
            return cls(claim_report_dir(report_dir), fresh=False)
        return cls(new_run_dir(report_root), fresh=True)

    def write_reports(self, summary: Summary, redact: Callable[[str], str]) -> None:
        """summary.json and junit.xml; then, for a fresh folder, move ``latest`` to it and
        rewrite the root's ``index.html``."""
        write_stage_reports(summary, self.path, redact)
        if self.fresh:
            publish(self.path)


def publish(run_dir: Path) -> None:
    """`publish_run`; a real folder in the way of ``latest`` is named in one line."""
    # index.html plots every run: its plotting libraries load only once a run is over.
    from tokenprobe.reports.history import publish_run

    problem = publish_run(run_dir)
    if problem:
        click.echo(f"tokenprobe: warning: {problem}", err=True)
