"""The timing probe: detects the enumeration-timing fault, stays quiet on the clean target.

Rates over many runs are the bench's job (bench/security_timing.py); these tests show the two
directions hold, with budgets small enough for the suite.
"""

from __future__ import annotations

from tests.security.conftest import RunProbes, SecurityTarget, check
from tokenprobe.security import TimingBudget
from tokenprobe.security.options import field_timing_budget
from tokenprobe.security.timing import (
    TimingVerdict,
    compare_samples,
    conditional_power,
    decided_equal,
)

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


LEVEL = 0.001  # the level these verdicts are judged at


def verdict_of(pairs: int, p_value: float, effect: float) -> TimingVerdict:
    return TimingVerdict(pairs, 4 * pairs, 230.0, 230.0, p_value, effect, LEVEL)


def test_sampling_stops_once_more_samples_would_not_find_a_difference() -> None:
    """Futility: 6 of 18 planned real samples, p = 0.3 and an effect 0.06 from even (not
    "clearly equal"): even continuing that trend, p < alpha at 18 is out of reach (about 3 %)."""
    budget = TimingBudget()
    weak = verdict_of(6, 0.3, 0.56)
    assert not weak.is_clearly_equal(budget)
    assert conditional_power(weak, 18, LEVEL) < budget.futility_power
    assert decided_equal(weak, budget, 18)
    # A large planned budget keeps sampling: the same trend could still get there.
    assert not decided_equal(weak, budget, 600)
    # A trend towards a leak is never cut short.
    strong = verdict_of(6, 0.01, 0.8)
    assert conditional_power(strong, 18, LEVEL) > 0.5
    assert not decided_equal(strong, budget, 18)
    # At the planned size the test itself decides.
    assert conditional_power(verdict_of(18, 0.0005, 0.8), 18, LEVEL) == 1.0
    assert conditional_power(verdict_of(18, 0.3, 0.56), 18, LEVEL) == 0.0


def test_every_look_of_the_plan_shares_alpha_and_a_clear_leak_still_shows_at_the_first() -> None:
    """Stopping at the first significant look would raise the false-alarm rate with each look:
    each is taken at alpha over the plan's looks. Complete separation at the least sample (6
    real, 24 unknown) stays below that level, for one account's plan and for a pool's."""
    from scipy.stats import mannwhitneyu

    budget = TimingBudget()
    assert budget.looks(6) == 1
    assert budget.looks(100) == 1 + (100 - 6 + 5) // 6  # 17
    assert budget.looks(1000) == budget.looks(budget.max_pairs)
    assert budget.look_level(100) == budget.alpha / 17
    separated = mannwhitneyu([100.0 + i for i in range(6)], [float(i) for i in range(24)])
    assert separated.pvalue < budget.look_level(budget.max_pairs)


def test_a_fields_single_look_shows_a_leak_through_a_loaded_machines_hiccups() -> None:
    """TP-SEC-019 at its least (one look: 3 real samples): two unknown samples slower than a
    real one (a loaded machine) must not hide a 60 ms leak. With 8 unknown per real one, a
    single such sample gave p = 1.4e-3 over the 1e-3 level, and the leak passed."""
    budget = field_timing_budget()
    unknown = [5.0 + i * 0.01 for i in range(budget.unknown_per_real * budget.min_pairs)]
    unknown[:2] = [65.5, 66.5]  # slower than the fastest real sample
    verdict = compare_samples([65.0, 66.0, 67.0], unknown, budget.look_level(budget.min_pairs))
    assert verdict.is_leak(budget), verdict
