"""Report writers: one module per format, all reading the same `Summary`.

This package is the only writer of ``summary.json``, ``junit.xml``, ``summary.md`` and
``report.html``. ``write_all_reports`` writes a run's four reports at once;
``write_stage_reports`` a single suite's summary.json and junit.xml; ``rundir`` makes the run
directory and the ``latest`` pointer; ``compare`` computes what changed since a previous run and
``regression`` judges whether its load got worse; ``history`` writes the report root's
``index.html``, and its ``publish_run`` ends every run made in a fresh folder (``latest``, then
``index.html``).
"""

from tokenprobe.reports.bundle import WrittenReports, redact_summary, write_all_reports
from tokenprobe.reports.compare import (
    Comparison,
    MetricDelta,
    PreviousRun,
    compare_runs,
    compare_summaries,
    judge_against,
    load_previous_run,
)
from tokenprobe.reports.history import publish_run, write_history_index
from tokenprobe.reports.regression import Regression
from tokenprobe.reports.rundir import (
    check_report_dir,
    claim_report_dir,
    new_run_dir,
    resolve_run_dir,
    update_latest,
)
from tokenprobe.reports.stage import write_stage_reports

__all__ = [
    "Comparison",
    "MetricDelta",
    "PreviousRun",
    "Regression",
    "WrittenReports",
    "check_report_dir",
    "claim_report_dir",
    "compare_runs",
    "compare_summaries",
    "judge_against",
    "load_previous_run",
    "new_run_dir",
    "publish_run",
    "redact_summary",
    "resolve_run_dir",
    "update_latest",
    "write_all_reports",
    "write_history_index",
    "write_stage_reports",
]
