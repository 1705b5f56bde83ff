"""One suite's own reports: ``summary.json`` and ``junit.xml`` in its report folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tokenprobe.core.summary import Summary
from tokenprobe.reports.junit import write_junit
from tokenprobe.reports.summary_json import write_summary


def write_stage_reports(summary: Summary, report_dir: Path, redact: Callable[[str], str]) -> None:
    """Write the summary of one suite run (a command of its own, or one stage of the gate)."""
    if summary.finished_at is None:
        summary.finish()
    write_junit(summary, report_dir, redact)
    write_summary(summary, report_dir, redact)
