"""Every answer is judged: a response that breaks the contract is a failure that says why.

Each faulty target breaks one rule a scenario checks; the same scenarios pass on the clean
target (``test_models``: zero failures with every scenario running).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.gate.misbehaving import misbehaving_server
from tests.load.conftest import finish, locust_args, run_together, start
from tokenprobe.load.runner import LOCUSTFILE
from tokenprobe.load.scenarios import judge_rejected_credentials
from tokenprobe.load.settings import SCENARIOS

# Faults that break different scenarios share one target (fewer targets, a faster suite).
TARGETS = {
    "contract": ("missing-refresh", "debug-error-page", "status-401"),
    "expired": ("expired-access",),
    "flaky": ("flaky=0.5",),
}
WEIGHTS = "valid_login=2,malformed_body=3,wrong_password=1,unknown_user=1"
# target, scenario key, expected failure message fragment
CASES = [
    # the 200 lacks one half of the pair (missing-refresh)
    ("contract", "valid_login", "200 without a refresh token"),
    # malformed JSON answers a 500 debug page instead of a 4xx (debug-error-page)
    ("contract", "malformed_body", "malformed JSON answered server error 500"),
    # the access token is issued already expired (expired-access)
    ("expired", "valid_login", "access token already expired"),
    # a share of answers are 502s (flaky)
    ("flaky", "valid_login", "server error 502"),
]


@pytest.fixture(scope="module")
def runs(target_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("validation")
    specs = {}
    for key, faults in TARGETS.items():
        target = target_factory(*faults)
        extra = ("--tp-weights", WEIGHTS, "--tp-rate", "16", "--tp-duration", "3s")
        specs[key] = (locust_args(target, base / key, *extra), base / key)
    return run_together(specs)


@pytest.mark.parametrize(("target", "scenario", "message"), CASES, ids=[c[2] for c in CASES])
def test_contract_breaks_are_failures_with_a_reason(
    runs: dict, target: str, scenario: str, message: str
) -> None:
    run = runs[target]
    assert run.returncode in (0, 1), run.output
    assert run.results["scenarios"][scenario]["failures"] > 0
    # Locust's own failure table names the request entry: the scenario's display name.
    entry = SCENARIOS[scenario]
    assert run.results["scenarios"][scenario]["name"] == entry
    lines = run.failure_messages()
    assert any(entry in line and message in line for line in lines), lines


@pytest.mark.parametrize("scenario", ["wrong_password", "unknown_user"])
def test_a_401_for_bad_credentials_is_information_not_a_load_error(
    runs: dict, scenario: str
) -> None:
    """Wrong credentials answered 401 instead of the documented 400 (status-401): still a
    rejection, so no load error and no SLO breach (conformance reports the finding once);
    the load results keep the count, as information."""
    run = runs["contract"]
    section = run.results["scenarios"][scenario]
    assert section["failures"] == 0, run.failure_messages()
    deviation = "answered 401 where the spec documents 400"
    assert section["contract_deviations"] == {deviation: section["requests"]} != {deviation: 0}
    rows = [r for r in run.results["contract_deviations"] if r["scenario"] == scenario]
    assert rows == [
        {"scenario": scenario, "name": SCENARIOS[scenario], "deviation": deviation,
         "occurrences": section["requests"]},
    ]  # fmt: skip
    assert not any(SCENARIOS[scenario] in line for line in run.failure_messages())


def test_failures_never_quote_tokens(runs: dict) -> None:
    for run in runs.values():
        assert "eyJ" not in "\n".join(run.failure_messages())


def test_a_request_past_its_timeout_is_a_failure_that_says_so(tmp_path: Path) -> None:
    """A target that trickles its answer never trips a per-read timeout; the request timeout
    ends each request anyway, and names itself as the reason. (A gevent.Timeout started again
    after it fired fires at once: each request gets a timer of its own.)"""
    with misbehaving_server("trickle=0.2") as server:  # a 150-byte answer would take 30 s
        args = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
            "--only-summary", "--host", server.url, "--tp-results", str(tmp_path / "results.json"),
            "--csv", str(tmp_path / "locust"), "--tp-slo", "", "--tp-model", "closed",
            "-u", "1", "-t", "4s", "--tp-weights", "unknown_user=1", "--tp-request-timeout", "0.8",
        ]  # fmt: skip
        run = finish(start(args, tmp_path), tmp_path)
    assert run.returncode in (0, 1), run.output
    timed_out = [m for m in run.failure_messages() if "no complete answer within 0.8 s" in m]
    assert timed_out, run.output
    assert run.results["scenarios"]["unknown_user"]["failures"] >= 3  # one per 0.8 s, not one


def test_tokenprobe_load_passes_its_request_timeout_to_locust(tmp_path: Path) -> None:
    """``tokenprobe load --request-timeout``: the same deadline, from the command users run."""
    with misbehaving_server("trickle=0.2") as server:
        result = subprocess.run(
            [sys.executable, "-m", "tokenprobe", "load", "--url", server.url, "--model", "closed",
             "--users", "1", "--duration", "4s", "--weights", "unknown_user=1", "--slo", "",
             "--request-timeout", "0.8", "--report-dir", str(tmp_path / "run")],
            capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
        )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    reasons = [str(reason) for reason in summary["load"]["failure_reasons"]]
    assert any("no complete answer within 0.8 s" in reason for reason in reasons), reasons


def test_a_request_timeout_of_zero_is_refused_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tokenprobe", "load", "--url", "http://127.0.0.1:9",
         "--request-timeout", "0"],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--request-timeout" in result.stderr
    assert "more than 0" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("status", "problem"),
    [
        (400, None),  # the documented rejection
        (401, None),  # stock SimpleJWT: a contract deviation, counted apart, no load error
        (403, None),
        (404, "bad credentials answered 404, expected 400"),  # a wrong path rejects nothing
        (415, "bad credentials answered 415, expected 400"),
        (200, "bad credentials accepted (200)"),
    ],
)
def test_only_a_rejection_of_credentials_passes_for_bad_credentials(
    status: int, problem: str | None
) -> None:
    """The judge of wrong_password and unknown_user: a pure function of the answer."""
    assert judge_rejected_credentials(SimpleNamespace(status_code=status)) == problem
