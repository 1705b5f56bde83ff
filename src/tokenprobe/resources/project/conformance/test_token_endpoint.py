"""The pytest path: ``pytest conformance/`` runs the same checks as ``schemathesis run``.

Every generated and boundary case goes through Schemathesis' checks and tokenprobe's, configured
by the ``schemathesis.toml`` beside this folder (hooks, check settings, protocol statuses): the
file ``schemathesis run`` uses here too. ``tokenprobe init`` writes both.
``TOKENPROBE_SPEC`` picks the spec: ``published`` (default), ``strict`` or a path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from tokenprobe.conformance.hooks import TOKEN_OPERATION, configured_credentials
from tokenprobe.conformance.runner import resolve_spec
from tokenprobe.core.session import TargetSession

CONFIG_FILE = Path(__file__).resolve().parent.parent / "schemathesis.toml"
# Loaded at import, not from a fixture: schemathesis' lazy `from_fixture` loader does not work
# with pytest 9. The target's URL is given per call instead.
schema = schemathesis.openapi.from_path(
    resolve_spec(os.environ.get("TOKENPROBE_SPEC", "published")),
    config=SchemathesisConfig.from_path(CONFIG_FILE),
)


@schema.parametrize()
def test_token_endpoint(case: schemathesis.Case, token_target: TargetSession) -> None:
    case.call_and_validate(base_url=token_target.base_url)


def test_success_path(token_target: TargetSession) -> None:
    """Configured credentials log in, and the 200 passes every check."""
    credentials = configured_credentials()
    if not credentials:
        pytest.skip("no credentials given: the success path (200 with tokens) was NOT exercised")
    method, path = TOKEN_OPERATION.split(" ")
    for credential in credentials[:2]:
        case = schema[path][method].Case(body=credential.as_json(), media_type="application/json")
        response = case.call_and_validate(base_url=token_target.base_url)
        assert response.status_code == 200, f"login as {credential} answered {response.status_code}"
