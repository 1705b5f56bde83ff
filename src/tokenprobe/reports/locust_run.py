"""The run folder of a headless plain Locust run, as ``tokenprobe load`` writes its own.

``locust -f loadtests/locustfile.py --headless …`` (that entry point calls `install`) writes to
a fresh ``reports/<UTC timestamp>/``, or to ``--tp-report-dir DIR`` (refused, exit 2, when it is
a link or holds a run): Locust's ``locust_report.html``, ``locust_*.csv`` and ``locust.json``
(each of ``--html``, ``--csv`` and ``--json-file`` given keeps the place it names), the load
suite's ``load_stats.csv``, ``latency_histograms.json`` and plots, and ``summary.json`` and
``junit.xml`` with the verdict: SLO checks, breaches, and scenarios not evaluated for lack of
credentials (TP-LOAD-003). ``latest`` and ``index.html`` follow a fresh folder, and the last
line of the output names it.

The folder is chosen while Locust's command line is parsed (`tokenprobe.load.preflight`):
Locust opens its CSV files before ``init``. The package's own locustfile, which ``tokenprobe
load`` runs, does not call `install`: that command writes its reports itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from locust.event import Events

from tokenprobe.core import defaults
from tokenprobe.core.redact import Redactor
from tokenprobe.core.session import TOKEN_PATH
from tokenprobe.core.summary import Stop, Summary, verdict
from tokenprobe.load.listeners import FinishedRun, add_preflight_step, add_results_hook
from tokenprobe.load.runner import LOCUST_HTML_FILE, LOCUST_PREFIX, record_results
from tokenprobe.load.verdict import scenarios_not_run
from tokenprobe.reports.history import publish_run
from tokenprobe.reports.rundir import claim_report_dir, new_run_dir
from tokenprobe.reports.stage import write_stage_reports


@dataclasses.dataclass
class RunFolder:
    """This process's run folder, once chosen, and the verdict written there."""

    path: Path | None = None
    fresh: bool = False  # made under the report root: ``latest`` and index.html follow it
    require_complete: bool = False
    json_given: bool = False  # --json-file: Locust writes it (and prints no final table)
    line: str = ""  # the last line of the output

    def choose(self, parsed: argparse.Namespace) -> None:
        """Headless master or standalone: the folder, and Locust's reports into it."""
        if not getattr(parsed, "headless", False) or getattr(parsed, "worker", False):
            return
        given = getattr(parsed, "tp_report_dir", "")
        root = Path(defaults.REPORT_ROOT)
        self.path = claim_report_dir(Path(given)) if given else new_run_dir(root)
        self.fresh = not given
        self.require_complete = bool(getattr(parsed, "tp_require_complete", False))
        self.json_given = bool(parsed.json_file)
        parsed.html_file = parsed.html_file or str(self.path / LOCUST_HTML_FILE)
        parsed.csv_prefix = parsed.csv_prefix or str(self.path / LOCUST_PREFIX)

    def write(self, finished: FinishedRun) -> None:
        """At ``quitting``: the summary and every report; a failing verdict exits 1."""
        if self.path is None:
            return
        run = finished.run
        environment = run.environment
        if not self.json_given:  # what --json-file would have written, with the table printed
            from locust.stats import save_stats_json

            save_stats_json(environment.runner.stats, str(self.path / LOCUST_PREFIX))
        summary = summary_of(finished, self.path, self.require_complete)
        redactor = Redactor()
        for credential in (*run.pool.valid, *run.pool.decoys):
            redactor.add_password(credential.password)
        write_stage_reports(summary, self.path, redactor)
        problem = publish_run(self.path) if self.fresh else None
        if problem:
            self.line = f"tokenprobe: warning: {problem}\n"
        judged = verdict(summary)
        self.line += f"tokenprobe: {judged.line()}; reports in {self.path}"
        # The run's verdict is the process's (an SLO breach, --tp-require-complete, a search
        # that found nothing); a code Locust set of its own (--exit-code-on-error) stays.
        environment.process_exit_code = max(judged.exit_code, environment.process_exit_code or 0)

    def announce(self, **_kw: object) -> None:
        """At ``quit``, after Locust's final statistics: the verdict and where the reports are."""
        if self.line:
            print(self.line, flush=True)
            sys.stderr.flush()


def summary_of(finished: FinishedRun, folder: Path, require_complete: bool) -> Summary:
    """The run's `Summary`, as ``tokenprobe load`` builds it; writes the load suite's files."""
    host = (finished.run.environment.host or "").rstrip("/")
    summary = Summary(command="load", target=host + TOKEN_PATH)
    if finished.switched_off:
        check, finding = scenarios_not_run(list(finished.switched_off))
        summary.checks.append(check)
        summary.findings.append(finding)
    record_results(summary, finished.results, folder, finished.failure_reasons)
    if stopped := finished.results.stopped:
        summary.stop(Stop(stopped.reason, "load"))
    summary.grade(require_complete=require_complete)
    summary.finish()
    return summary


def install(events: Events) -> None:
    """Give headless runs of this process a run folder (the project's locustfile calls it)."""
    folder = RunFolder()
    add_preflight_step(folder.choose)
    add_results_hook(folder.write)
    events.quit.add_listener(folder.announce)
