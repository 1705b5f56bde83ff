"""How a tokenprobe check fails in Schemathesis: a fixed title, an "Expected / Received" message.

A failure's title is ``"<ID> <title>"`` from the catalogue, so Schemathesis' own output, its
reports and our findings all name the same stable ID. Messages never carry a password or a token.
"""

from __future__ import annotations

from typing import NoReturn

from schemathesis import Case
from schemathesis.core.failures import Failure, Severity

from tokenprobe.conformance.catalogue import BY_NAME

# Returned by a check when its rule does not apply to this response. Schemathesis records a
# check that returns a truthy value as "not run" rather than "passed".
NOT_APPLICABLE = True


class TokenprobeFailure(Failure):
    """A tokenprobe check failed; one unique failure per check and operation."""

    code = "ST901"  # Schemathesis' group for custom checks
    kind_title = "tokenprobe check failed"

    @property
    def _unique_key(self) -> str:
        return self.title


def title_of(check_name: str) -> str:
    spec = BY_NAME[check_name]
    return f"{spec.id} {spec.title}"


def fail(check_name: str, case: Case | None, expected: str, received: str) -> NoReturn:
    """Raise the failure of ``check_name`` with an "Expected … / Received …" message."""
    raise TokenprobeFailure(
        operation=case.operation.label if case is not None else None,
        title=title_of(check_name),
        message=f"Expected: {expected}\nReceived: {received}",
        severity=Severity.HIGH,
    )
