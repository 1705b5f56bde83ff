"""The bounded conformance stage (issue 22): a fixed, production-safe plan of requests, judged
by the same checks as a ``schemathesis run``, under the run's limits.

Every run goes through a counting service in front of a reference target, so each test also
holds the plan to what production allows: a handful of POSTs, no password in a URL, no body
over 16 KiB, never a wrong password for the account.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.counting import Received, counting_service
from tokenprobe.conformance import bounded
from tokenprobe.core.findings import Severity
from tokenprobe.core.limits import RequestLedger, RequestLimits, enforced
from tokenprobe.core.session import TargetSession
from tokenprobe.core.summary import Summary, verdict
from tokenprobe.reference.embedded import EmbeddedTarget

RATE = 100.0  # pacing is tests/test_limits.py's subject; here it only slows the suite
# The defects issue 22 names, each with the error finding that must catch it.
CAUGHT = [
    ("alg-none", "TP-TOKEN-002"),  # an unsigned token
    ("no-exp", "TP-TOKEN-003"),  # a token without exp
    ("no-cache-headers", "TP-CONF-005"),  # no Cache-Control: no-store
    ("sensitive-claims", "TP-TOKEN-008"),  # a password hash in a claim
    ("stack-trace-body", "TP-CONF-002"),  # a stack trace in a 400
]
TOKEN_CHECKS = {
    "token_pair_well_formed", "token_algorithm_allowed", "token_expiry_valid",
    "token_lifetime_within_policy", "token_type_matches", "TokenIdUnique", "tokens_distinct",
    "no_sensitive_claims",
}  # fmt: skip

BoundedRun = Callable[..., tuple[Summary, list[Received], RequestLedger]]


@pytest.fixture
def bounded_run() -> BoundedRun:
    def run(target: EmbeddedTarget, accounts: int = 1) -> tuple[Summary, list, RequestLedger]:
        account = target.credentials[0]
        ledger = RequestLedger(RequestLimits(60, RATE), protected=account)
        with counting_service(target.base_url) as service, enforced(ledger):
            session = TargetSession(service.url, target.credentials[:accounts])
            summary = bounded.run(session)
        assert_production_safe(service.received, account.username, account.password)
        return summary, service.received, ledger

    return run


def assert_production_safe(received: list[Received], username: str, password: str) -> None:
    assert received, "nothing was sent"
    for request in received:
        assert request.method in ("POST", "OPTIONS")  # OPTIONS: a --url target's reachability
        assert "?" not in request.target
        assert not request.chunked  # every body is measured
        assert len(request.body) <= 16 * 1024
        try:
            body = json.loads(request.body)
        except ValueError:
            assert username.encode() not in request.body
            continue
        if isinstance(body, dict) and body.get("username") == username:
            assert body.get("password") == password


def errors_of(summary: Summary) -> set[str]:
    return {f.id for f in summary.findings if f.severity is Severity.ERROR}


def test_a_clean_target_passes_and_every_check_looked(clean_target, bounded_run) -> None:
    summary, received, ledger = bounded_run(clean_target)
    assert summary.exit_code == 0, [f.to_dict() for f in summary.findings]
    outcomes = {c.check.name: c.outcome for c in verdict(summary).checks}
    assert {name: outcomes[name] for name in TOKEN_CHECKS} == dict.fromkeys(TOKEN_CHECKS, "passed")
    assert outcomes["SuccessPathExercised"] == "passed"
    assert len(received) == ledger.sent == len(bounded.plan(clean_target.credentials[0]))
    section = summary.sections["conformance"]
    assert section["token_responses"] == bounded.LOGINS
    assert len(section["login_latency_ms"]) == bounded.LOGINS  # the logins' own latency
    assert all(0 < ms < 10_000 for ms in section["login_latency_ms"])


@pytest.mark.parametrize(("fault", "finding"), CAUGHT, ids=[fault for fault, _ in CAUGHT])
def test_each_defect_is_an_error_the_clean_target_lacks(
    target_factory, clean_target, bounded_run, fault: str, finding: str
) -> None:
    faulty, _, _ = bounded_run(target_factory(fault))
    assert finding in errors_of(faulty)
    clean, _, _ = bounded_run(clean_target)
    assert finding not in errors_of(clean)


def test_without_an_account_it_says_the_logins_were_not_evaluated(clean_target, bounded_run):
    summary, received, _ = bounded_run(clean_target, accounts=0)
    assert len(received) == len(bounded.plan(None))  # no login was attempted
    assert summary.exit_code == 0
    outcomes = {c.check.name: c.outcome for c in verdict(summary).checks}
    assert outcomes["SuccessPathExercised"] == "skipped"
    assert outcomes["token_pair_well_formed"] == "skipped"  # no token seen: never "passed"
    assert outcomes["no_debug_output"] == "passed"  # the error answers were still judged
    assert "TP-CONF-011" in {f.id for f in summary.findings}
