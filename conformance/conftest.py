"""Fixture of the pytest path (``pytest conformance/``): the target; and the checks' warnings.

The target is ``TOKENPROBE_URL`` when set (credentials from ``TOKENPROBE_USERNAME``/
``TOKENPROBE_PASSWORD`` or ``TOKENPROBE_CREDENTIALS``), else the embedded reference target.
Warnings and infos never fail a test: they are listed at the end of the session.
Every test report is redacted before pytest prints it: a failure shows the response, and a
token response carries whole tokens (JWT-shaped strings are masked, passwords replaced).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tokenprobe.cli.target import open_target
from tokenprobe.conformance.console import redact_report, redactor_for
from tokenprobe.conformance.failures import NOTES, describe
from tokenprobe.conformance.hooks import configured_credentials
from tokenprobe.core.credentials import ENV_CREDENTIALS, ENV_PASSWORD, ENV_USERNAME, write_csv
from tokenprobe.core.session import TargetSession

ENV_URL = "TOKENPROBE_URL"


@pytest.fixture(scope="session")
def token_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetSession]:
    with open_target(os.environ.get(ENV_URL) or None) as session:
        if session.embedded:
            # The hooks read credentials from the environment: point it at the embedded
            # target's for the rest of the process, because Schemathesis' run-level checks run
            # at session finish, after fixtures are torn down.
            os.environ.pop(ENV_USERNAME, None)
            os.environ.pop(ENV_PASSWORD, None)
            accounts = tmp_path_factory.mktemp("accounts") / "credentials.csv"
            os.environ[ENV_CREDENTIALS] = str(write_csv(accounts, session.credentials))
        yield session


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    redact_report(report, redactor_for(configured_credentials()))
    return report


@pytest.hookimpl(trylast=True)
def pytest_exception_interact(
    node: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
) -> None:
    """Schemathesis' plugin rewrites a failure's text here, after the report was made."""
    redact_report(report, redactor_for(configured_credentials()))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    notes = NOTES.recorded()
    if notes:
        redact = redactor_for(configured_credentials())
        terminalreporter.section("tokenprobe warnings and infos")
        for found in notes:
            terminalreporter.write_line(redact(describe(found)))
