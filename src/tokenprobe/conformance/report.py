"""tokenprobe's Schemathesis CLI extension: every finding of a ``schemathesis run``, as data.

`FindingsReport` is an event handler (registered by `tokenprobe.conformance.hooks`). It runs in
the ``schemathesis run`` process and sees every check outcome as the engine produced it:
tokenprobe's failures as the `TokenprobeFailure` objects themselves, Schemathesis' own under
their catalogue IDs (TP-CONF-1NN), and at the end the warnings and infos the checks noted.

* With ``--tokenprobe-findings PATH`` it writes them, with the check tallies and the statuses
  seen, as a `RunResults` JSON file: what ``tokenprobe conformance`` reads. The file is
  rewritten (atomically) after every scenario, so a run killed on its way still leaves what it
  had found.
* Always, it prints the warnings and infos at the end: they never fail a run, and Schemathesis
  would not show them.
* Always, it guards the process's console (`tokenprobe.conformance.console`): Schemathesis'
  failure blocks print response bodies as they came, tokens included.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from schemathesis.cli.commands.run.handlers import EventHandler
from schemathesis.core.failures import Failure
from schemathesis.engine import Status, events
from schemathesis.engine.recorder import ScenarioRecorder

from tokenprobe.conformance.console import guard_console
from tokenprobe.conformance.failures import NOTES, CheckFinding, TokenprobeFailure, describe
from tokenprobe.conformance.results import RunResults, shape, write_results
from tokenprobe.conformance.tokens import issued_tokens
from tokenprobe.core import catalogue
from tokenprobe.core.credentials import from_environment
from tokenprobe.core.redact import Redactor

OPTION = "--tokenprobe-findings"
OPTION_HELP = "Write every tokenprobe finding (errors, warnings, infos) as JSON to PATH"
RUN_LEVEL = "run-level check"


def add_options(group: Any) -> None:
    """The ``schemathesis run`` options of the "tokenprobe" group."""
    group.add_option(OPTION, "tokenprobe_findings", type=str, metavar="PATH", help=OPTION_HELP)


class FindingsReport(EventHandler):
    """Collects a run's findings from the engine's events; writes and prints them at the end."""

    def __init__(self, *args: Any, **params: Any) -> None:
        path = params.get("tokenprobe_findings")
        self.path = Path(path) if path else None
        self.results = RunResults()
        self.redactor = Redactor()
        guard_console(self.redactor)

    def start(self, ctx: Any) -> None:
        # Neither the report nor the console may hold a password: those the checks log in
        # with are known here.
        for credential in from_environment():
            self.redactor.add_password(credential.password)

    def handle_event(self, ctx: Any, event: events.EngineEvent) -> None:
        if isinstance(event, events.ScenarioFinished):
            self._add_scenario(event.recorder)
            self._save()
        elif isinstance(event, events.EngineFinished):
            for failure in event.failures:  # run-level checks' (after_run)
                self._add_failure(None, failure)
            self.results.finished = True

    def shutdown(self, ctx: Any) -> None:
        for found in NOTES.recorded():
            self.results.add_finding(shape(found, self.redactor))
            print(self.redactor(describe(found)), file=sys.stderr)
        self._save()

    def _save(self) -> None:
        if self.path is not None:
            write_results(self.results, self.path)

    def _add_scenario(self, recorder: ScenarioRecorder) -> None:
        for checks in recorder.checks.values():
            for check in checks:
                tally = self.results.tally(check.name)
                if check.status == Status.FAILURE:
                    tally.failed += 1
                    if check.failure_info is not None:
                        self._add_failure(check.name, check.failure_info.failure)
                elif check.status == Status.SUCCESS:
                    tally.passed += 1
                elif check.status == Status.ERROR:
                    tally.errors += 1
        for interaction in recorder.interactions.values():
            if interaction.response is not None:
                self.results.statuses[interaction.response.status_code] += 1
                self.results.token_responses += bool(issued_tokens(interaction.response))

    def _add_failure(self, check_name: str | None, failure: Failure) -> None:
        self.results.add_finding(shape(finding_of(check_name, failure), self.redactor))


def finding_of(check_name: str | None, failure: Failure) -> CheckFinding:
    """Ours carry their finding; Schemathesis' go under the check's catalogue ID, their code,
    title and message as the evidence."""
    if isinstance(failure, TokenprobeFailure):
        return failure.finding
    known = catalogue.conformance_check(check_name or RUN_LEVEL)
    text = f"{failure.code} {failure.title}" + (f": {failure.message}" if failure.message else "")
    if known.check == catalogue.OTHER_SCHEMATHESIS_CHECK:
        text = f"{check_name or RUN_LEVEL}: {text}"
    if failure.operation:
        text = f"{failure.operation}: {text}"
    return CheckFinding(known.id, evidence=text)
