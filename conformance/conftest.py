"""Fixture of the pytest path (``pytest conformance/``): the target.

The target is ``TOKENPROBE_URL`` when set (credentials from ``TOKENPROBE_USERNAME``/
``TOKENPROBE_PASSWORD`` or ``TOKENPROBE_CREDENTIALS``), else the embedded reference target.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tokenprobe.credentials import ENV_CREDENTIALS, ENV_PASSWORD, ENV_USERNAME
from tokenprobe.session import TargetSession, target_session

ENV_URL = "TOKENPROBE_URL"


@pytest.fixture(scope="session")
def token_target() -> Iterator[TargetSession]:
    with target_session(os.environ.get(ENV_URL) or None) as session:
        if session.embedded is not None:
            # The hooks read credentials from the environment: point it at the embedded
            # target's for the rest of the process, because Schemathesis' run-level checks run
            # at session finish, after fixtures are torn down.
            os.environ.pop(ENV_USERNAME, None)
            os.environ.pop(ENV_PASSWORD, None)
            os.environ[ENV_CREDENTIALS] = str(session.embedded.credentials_file)
        yield session
