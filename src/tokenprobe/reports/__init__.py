"""Report writers: one module per format, all reading the same `Summary`.

``write_all_reports`` writes a run's four reports at once; ``rundir`` makes the run directory
and the ``latest`` pointer; ``compare`` computes what changed since a previous run.
"""

from tokenprobe.reports.bundle import WrittenReports, redact_summary, write_all_reports
from tokenprobe.reports.compare import Comparison, MetricDelta, compare_runs, compare_summaries
from tokenprobe.reports.rundir import new_run_dir, resolve_run_dir, update_latest

__all__ = [
    "Comparison",
    "MetricDelta",
    "WrittenReports",
    "compare_runs",
    "compare_summaries",
    "new_run_dir",
    "redact_summary",
    "resolve_run_dir",
    "update_latest",
    "write_all_reports",
]
