"""tokenprobe's Schemathesis CLI extension: every finding of a ``schemathesis run``, as data.

`FindingsReport` is an event handler (registered by `tokenprobe.conformance.hooks`). It runs in
the ``schemathesis run`` process and sees every check outcome as the engine produced it:
tokenprobe's failures as the `TokenprobeFailure` objects themselves, Schemathesis' own under
their catalogue IDs (TP-CONF-1NN), and at the end the warnings and infos the checks noted.

* With ``--tokenprobe-findings PATH`` it writes them, with the check tallies and the statuses
  seen, as a `RunResults` JSON file: what ``tokenprobe conformance`` reads. The file is
  rewritten (atomically) after every scenario, so a run killed on its way still leaves what it
  had found.
* Always, it shows the warnings and infos in Schemathesis' summary (`summary_block`): they
  never fail a run, and Schemathesis would not show them. A run that ends before its summary
  prints them as lines at the end.
* Before anything runs, it reads the credentials and tokenprobe's settings: a malformed
  credentials file or a bad setting is one line on stderr and exit 2, not Schemathesis'
  "CLI Handler Error" traceback.
* Always, it guards the process's console (`tokenprobe.conformance.console`): Schemathesis'
  failure blocks print response bodies as they came, tokens included.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from schemathesis.cli.commands.run.handlers import EventHandler
from schemathesis.core.failures import Failure
from schemathesis.engine import Status, events
from schemathesis.engine.recorder import ScenarioRecorder

from tokenprobe.conformance import policy
from tokenprobe.conformance.console import guard_console
from tokenprobe.conformance.failures import NOTES, CheckFinding, TokenprobeFailure, describe
from tokenprobe.conformance.results import RunResults, shape, write_results
from tokenprobe.conformance.summary_block import summary_lines
from tokenprobe.conformance.tokens import issued_tokens
from tokenprobe.core import catalogue
from tokenprobe.core.credentials import Credential, from_environment
from tokenprobe.core.errors import TokenprobeError
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
        self.shown: set[tuple[str, str]] = set()  # notes already in Schemathesis' summary
        guard_console(self.redactor)

    def start(self, ctx: Any) -> None:
        # Neither the report nor the console may hold a password: those the checks log in
        # with are known here.
        for credential in _checked_user_input(ctx):
            self.redactor.add_password(credential.password)

    def handle_event(self, ctx: Any, event: events.EngineEvent) -> None:
        if isinstance(event, events.ScenarioFinished):
            self._add_scenario(event.recorder)
            self._save()
        elif isinstance(event, events.EngineFinished):
            for failure in event.failures:  # run-level checks' (after_run)
                self._add_failure(None, failure)
            self.results.finished = True
            self._add_notes_to_summary(ctx)

    def shutdown(self, ctx: Any) -> None:
        for found in NOTES.recorded():
            self.results.add_finding(shape(found, self.redactor))
            if found.key not in self.shown:  # the run ended before its summary
                print(self.redactor(describe(found)), file=sys.stderr)
        self._save()

    def _add_notes_to_summary(self, ctx: Any) -> None:
        """The warnings and infos so far, as a block of the summary Schemathesis prints next
        (this handler sees the last event before Schemathesis' own output handler does)."""
        notes = NOTES.recorded()
        for line in summary_lines(notes):
            ctx.add_summary_line(self.redactor(line))
        self.shown.update(found.key for found in notes)

    def _save(self) -> None:
        if self.path is not None:
            write_results(self.results, self.path)

    def _add_scenario(self, recorder: ScenarioRecorder) -> None:
        # Tokens first: the failures below are redacted with them.
        for interaction in recorder.interactions.values():
            if interaction.response is not None:
                self.results.statuses[interaction.response.status_code] += 1
                tokens = issued_tokens(interaction.response)
                self.results.token_responses += bool(tokens)
                # Exact secrets: an opaque token is masked too, not only a JWT-shaped one.
                self.redactor.add(*tokens.values())
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

    def _add_failure(self, check_name: str | None, failure: Failure) -> None:
        self.results.add_finding(shape(finding_of(check_name, failure), self.redactor))


def _checked_user_input(ctx: Any) -> list[Credential]:
    """The credentials of the environment, after every tokenprobe setting was read: a user's
    mistake ends the run here, as one line and exit 2 (`click.Abort`, which Schemathesis
    exits 2 on without a word)."""
    try:
        policy.validate(ctx.config.checks_config_for())
        return from_environment()
    except TokenprobeError as exc:
        print(f"tokenprobe: error: {exc}", file=sys.stderr)
        raise click.Abort from None


def finding_of(check_name: str | None, failure: Failure) -> CheckFinding:
    """Ours carry their finding; Schemathesis' go under the check's catalogue ID, their code and
    title as the evidence, with the status they judged as data where they carry one.

    A status failure's message is replaced by what it judged: its hints are guesses about one
    case (a 401 to wrong credentials is not "rejecting properties the schema allows"). Its
    cause is Schemathesis' own identity of a failure (operation, code, unique key), so every
    case that shows it adds to one finding's count."""
    if isinstance(failure, TokenprobeFailure):
        return failure.finding
    known = catalogue.conformance_check(check_name or RUN_LEVEL)
    expected, received = _judged_status(failure)
    text = f"{failure.code} {failure.title}"
    if received:
        text += f": expected {expected} / received {received}"
    elif failure.message:
        text += f": {failure.message}"
    if known.check == catalogue.OTHER_SCHEMATHESIS_CHECK:
        text = f"{check_name or RUN_LEVEL}: {text}"
    if failure.operation:
        text = f"{failure.operation}: {text}"
    # Schemathesis compares failures by this key (`Failure.__eq__`); it has no public name.
    unique = str(getattr(failure, "_unique_key", ""))
    cause = f"{failure.operation or RUN_LEVEL} {failure.code} {unique}"
    check = catalogue.conformance_check_id(check_name or RUN_LEVEL)
    return CheckFinding(known.id, expected, received, text, cause=cause, check=check)


def _judged_status(failure: Failure) -> tuple[str, str]:
    """(expected statuses, received status) of a failure that judged a status code."""
    status = getattr(failure, "status_code", None)
    if not isinstance(status, int):
        return "", ""
    allowed = next(
        (
            getattr(failure, name)
            for name in ("allowed_statuses", "expected_statuses", "defined_status_codes")
            if getattr(failure, name, None)
        ),
        [],
    )
    return ", ".join(map(str, allowed)), str(status)
