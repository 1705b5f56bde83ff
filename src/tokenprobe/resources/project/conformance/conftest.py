"""Fixture of the pytest path (``pytest conformance/``): the target; and the checks' warnings.

The target is ``TOKENPROBE_URL`` when set (credentials from ``TOKENPROBE_USERNAME``/
``TOKENPROBE_PASSWORD`` or ``TOKENPROBE_CREDENTIALS``), else the embedded reference target.
Warnings and infos never fail a test: they are listed at the end of the session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tokenprobe.cli.target import open_target
from tokenprobe.conformance.failures import NOTES, describe
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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    notes = NOTES.recorded()
    if notes:
        terminalreporter.section("tokenprobe warnings and infos")
        for found in notes:
            terminalreporter.write_line(describe(found))
