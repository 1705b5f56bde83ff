"""Fixtures for the security probes' self-tests.

The probes spend wrong passwords (and lock the brute-force canary out for 5 minutes), so they
never run against targets other test modules share: every target here is the security tests'
own (``owner="security"`` in the session's ``target_factory``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tokenprobe import security
from tokenprobe.core.findings import Severity
from tokenprobe.core.session import TargetSession
from tokenprobe.core.summary import CheckVerdict, Summary, verdict
from tokenprobe.reference.embedded import EmbeddedTarget
from tokenprobe.security import SecurityOptions

SecurityTarget = Callable[..., EmbeddedTarget]
RunProbes = Callable[..., Summary]


@pytest.fixture(scope="session")
def security_target(target_factory: Callable[..., EmbeddedTarget]) -> SecurityTarget:
    """``security_target("weak-secret")``: a target of the security tests' own."""

    def get(*faults: str, **options: Any) -> EmbeddedTarget:
        return target_factory(*faults, owner="security", **options)

    return get


def session_of(target: EmbeddedTarget) -> TargetSession:
    return TargetSession(target.base_url, target.credentials, embedded=True)


@pytest.fixture
def run_probes(tmp_path: Path) -> RunProbes:
    """``run_probes(target, "TP-SEC-003", severities={...})``: run some probes, get the summary."""

    def run(target: EmbeddedTarget, *probe_ids: str, **options: Any) -> Summary:
        options.setdefault("probes", frozenset(probe_ids))
        return security.run(session_of(target), SecurityOptions(**options))

    return run


def check(summary: Summary, probe_id: str) -> CheckVerdict:
    """The probe's check as the run's verdict judges it (its outcome, message, findings)."""
    return next(c for c in verdict(summary).checks if c.id == probe_id)


def finding_ids(summary: Summary) -> set[str]:
    return {f.id for f in summary.findings}


def as_error(*probe_ids: str) -> dict[str, Severity]:
    return dict.fromkeys(probe_ids, Severity.ERROR)
