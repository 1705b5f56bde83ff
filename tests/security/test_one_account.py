"""One account is enough (issue 11): with only ``TOKENPROBE_USERNAME``/``_PASSWORD``, as a QA
engineer on staging has, ``tokenprobe security --url`` evaluates every probe that spends wrong
passwords and catches each authentication and enumeration fault of the reference target."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.conftest import SecurityTarget
from tokenprobe.reference.embedded import EmbeddedTarget
from tokenprobe.security import PROBES

# The probes that spend the account's wrong-password budget (the ones that used to skip).
BUDGETED = sorted(probe.id for probe in PROBES if probe.failures is not None)

# (fault, target options, the error findings that catch it)
FAULTS = [
    ("enumeration-message", {}, {"TP-SEC-001"}),
    # The production hasher (~230 ms a hash) makes the missing dummy hash clear even on a
    # loaded machine: the same target test_timing.py uses.
    ("enumeration-timing", {"hasher": "production", "users": 6}, {"TP-SEC-002"}),
    ("case-insensitive-password", {}, {"TP-SEC-003"}),
    ("password-truncation=8", {}, {"TP-SEC-003"}),
    ("empty-password-accepted", {}, {"TP-SEC-003"}),
    ("injection-bypass", {}, {"TP-SEC-004"}),
    # The fault takes fields of any type: {"$ne": null} logs in, and a username of the wrong
    # type (an operator object, a list) crashes it.
    ("nosql-bypass", {}, {"TP-SEC-004", "TP-SEC-005"}),
    # A 500 for any field that is not a string: NoSQL operator objects too.
    ("server-error-on-wrong-type", {}, {"TP-SEC-004", "TP-SEC-005"}),
]


def security_with_one_account(target: EmbeddedTarget, report_dir: Path) -> dict:
    account = target.credentials[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    env["TOKENPROBE_USERNAME"], env["TOKENPROBE_PASSWORD"] = account.username, account.password
    probes = [arg for probe_id in BUDGETED for arg in ("--probe", probe_id)]
    result = subprocess.run(
        [sys.executable, "-m", "tokenprobe", "security", "--url", target.base_url,
         "--report-dir", str(report_dir), *probes],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert account.password not in result.stdout + result.stderr
    return json.loads((report_dir / "summary.json").read_text())


@pytest.mark.parametrize(("fault", "options", "caught_by"), FAULTS, ids=[f[0] for f in FAULTS])
def test_one_account_catches_each_authentication_fault(
    security_target: SecurityTarget,
    tmp_path: Path,
    fault: str,
    options: dict,
    caught_by: set[str],
) -> None:
    summary = security_with_one_account(security_target(fault, **options), tmp_path)
    errors = {f["id"] for f in summary["findings"] if f["severity"] == "error"}
    assert errors == caught_by, summary["findings"]
    outcomes = {c["id"]: c["outcome"] for c in summary["checks"]}
    assert "skipped" not in outcomes.values(), outcomes
    assert summary["not_evaluated"] == 0
    assert summary["security"]["pool_accounts"] == 1


def test_one_account_passes_the_clean_target_within_its_budget(
    security_target: SecurityTarget, tmp_path: Path
) -> None:
    summary = security_with_one_account(security_target(), tmp_path)
    assert summary["status"] == "pass", summary["findings"]
    assert {c["outcome"] for c in summary["checks"]} == {"passed"}
    budget = summary["security"]["failure_budget"]
    assert sum(budget.values()) <= summary["security"]["failures_per_account"]
