"""Report writers: one module per format, all reading the same `Summary`.

This package is the only writer of ``summary.json``, ``junit.xml``, ``summary.md`` and
``report.html``. ``write_all_reports`` writes a run's four reports at once;
``write_stage_reports`` a single suite's summary.json and junit.xml; ``rundir`` makes the run
directory and the ``latest`` pointer; ``compare`` computes what changed since a previous run and
``regression`` judges whether its load got worse; ``history`` writes the report root's
``index.html``, and its ``publish_run`` ends every run made in a fresh folder (``latest``, then
``index.html``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tokenprobe.core.lazy import lazy_exports

if TYPE_CHECKING:
    from tokenprobe.reports.bundle import WrittenReports, redact_summary, write_all_reports
    from tokenprobe.reports.compare import (
        Comparison,
        MetricDelta,
        PreviousRun,
        compare_runs,
        compare_summaries,
        comparison_plan,
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

# Where each public name lives, imported on first use (PEP 562): a command that writes no
# report (``tokenprobe --help``, a Locust worker) must not pay for the statistics and plotting
# libraries the writers use.
_HOMES = {
    "Comparison": "tokenprobe.reports.compare",
    "MetricDelta": "tokenprobe.reports.compare",
    "PreviousRun": "tokenprobe.reports.compare",
    "Regression": "tokenprobe.reports.regression",
    "WrittenReports": "tokenprobe.reports.bundle",
    "check_report_dir": "tokenprobe.reports.rundir",
    "claim_report_dir": "tokenprobe.reports.rundir",
    "compare_runs": "tokenprobe.reports.compare",
    "compare_summaries": "tokenprobe.reports.compare",
    "judge_against": "tokenprobe.reports.compare",
    "comparison_plan": "tokenprobe.reports.compare",
    "load_previous_run": "tokenprobe.reports.compare",
    "new_run_dir": "tokenprobe.reports.rundir",
    "publish_run": "tokenprobe.reports.history",
    "redact_summary": "tokenprobe.reports.bundle",
    "resolve_run_dir": "tokenprobe.reports.rundir",
    "update_latest": "tokenprobe.reports.rundir",
    "write_all_reports": "tokenprobe.reports.bundle",
    "write_history_index": "tokenprobe.reports.history",
    "write_stage_reports": "tokenprobe.reports.stage",
}
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
    "comparison_plan",
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


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
