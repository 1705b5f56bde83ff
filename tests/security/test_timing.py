"""The timing probe: detects the enumeration-timing fault, stays quiet on the clean target.

Rates over many runs are the bench's job (bench/security_timing.py); these tests show the two
directions hold, with budgets small enough for the suite.
"""

from __future__ import annotations

from tests.security.conftest import RunProbes, SecurityTarget, check
from tokenprobe.security import TimingBudget

PROBE = "TP-SEC-002"
CLEAN_RUNS = 3


def test_timing_probe_detects_missing_dummy_hash(
    security_target: SecurityTarget, run_probes: RunProbes
) -> None:
    # The production hasher (~230 ms a hash) makes the missing dummy hash unmistakable even on
    # a loaded CI machine; few users keep its seeding and the pool's verification logins cheap.
    target = security_target("enumeration-timing", hasher="production", users=6)
    budget = TimingBudget(min_pairs=10, batch_pairs=10, max_pairs=30)
    summary = run_probes(target, PROBE, timing=budget, allow_brute_force=False)
    result = check(summary, PROBE)
    assert result.outcome == "failed", result.message
    details = summary.sections["security"]["probes"][PROBE]["details"]
    assert details["median_difference_ms"] > 100
    assert details["p_value"] < budget.alpha


def test_timing_probe_does_not_fire_on_clean_target(
    security_target: SecurityTarget, run_probes: RunProbes
) -> None:
    target = security_target()
    outcomes = [
        check(run_probes(target, PROBE, allow_brute_force=False), PROBE).outcome
        for _ in range(CLEAN_RUNS)
    ]
    assert outcomes == ["passed"] * CLEAN_RUNS
