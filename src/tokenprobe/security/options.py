"""What a security run may do, and how hard it may push: `SecurityOptions`."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

from tokenprobe.core import defaults
from tokenprobe.core.credentials import Credential
from tokenprobe.core.findings import Severity

DEFAULT_FAILURES_PER_ACCOUNT = defaults.FAILURES_PER_ACCOUNT


@dataclasses.dataclass(frozen=True)
class TimingBudget:
    """The timing probe's sample plan: interleaved groups in batches, stop when clear.

    A "pair" is one wrong-password sample for a real account (it spends one attempt of the
    pool's budget) with ``unknown_per_real`` unknown-username samples (free: no account's
    counter moves), in random order. The lopsided design gets a verdict from few real samples:
    with 6 real and 24 unknown, complete separation has p = 3e-6.

    A difference is reported only when all three hold: p below the plan's level (two-sided
    Mann-Whitney U; ``alpha`` split over every test the plan may make, `look_level`), the
    common-language effect size is at least ``min_effect`` away from 0.5, and the medians
    differ by at least ``min_difference_ms``. The two floors keep tiny systematic differences
    (which any large sample makes "significant") from raising alarms.
    """

    min_pairs: int = 6
    # A small leak under load needs many samples (bench/README.md); a clean target usually
    # stops early, at a dozen.
    max_pairs: int = 100
    batch_pairs: int = 6
    unknown_per_real: int = 4
    # The chance of a false alarm on a target without a leak, for the whole sequential plan.
    alpha: float = 0.0001
    min_effect: float = 0.15
    # Stop early as "no difference" only when p exceeds clear_pass_p and the effect is within
    # clear_pass_effect of 0.5: under load a real leak can look weak for the first batches.
    clear_pass_p: float = 0.2
    clear_pass_effect: float = 0.05
    # Stop as "no difference" too once the test at the planned sample size is futile: its
    # conditional power under the trend so far (`timing.conditional_power`) is below this.
    futility_power: float = 0.05
    min_difference_ms: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.batch_pairs <= self.min_pairs <= self.max_pairs:
            raise ValueError("timing budget needs 0 < batch_pairs <= min_pairs <= max_pairs")
        if self.unknown_per_real < 1:
            raise ValueError("timing budget needs unknown_per_real >= 1")
        if not 0 < self.alpha < self.clear_pass_p < 1:
            raise ValueError("timing budget needs 0 < alpha < clear_pass_p < 1")
        if not 0 <= self.clear_pass_effect < self.min_effect < 0.5:
            raise ValueError("timing budget needs 0 <= clear_pass_effect < min_effect < 0.5")
        if not 0 <= self.futility_power < 1:
            raise ValueError("timing budget needs 0 <= futility_power < 1")

    def looks(self, planned_pairs: int) -> int:
        """How many tests a plan of ``planned_pairs`` real samples may make: one at
        ``min_pairs``, then one after each batch."""
        extra = max(0, min(planned_pairs, self.max_pairs) - self.min_pairs)
        return 1 + math.ceil(extra / self.batch_pairs)

    def look_level(self, planned_pairs: int) -> float:
        """Each test's level, so that every test of the plan together raises a false alarm
        with a chance below ``alpha`` (Bonferroni over the looks: stopping at the first
        significant one would otherwise raise the chance with every look)."""
        return self.alpha / self.looks(planned_pairs)


def field_timing_budget() -> TimingBudget:
    """The timing plan for a login field besides the username (TP-SEC-019). Its real-account
    samples come on top of TP-SEC-002's, so its least is 3 and the free unknown samples make up
    for it: 16 per real one. Its level is 10 times TP-SEC-002's, as a field is probed only where
    it logs in. With one look (3 real and 48 unknown) complete separation has p = 1e-4, and two
    unknown samples slower than a real one still 7e-4, below the level: with 24 unknown, one
    such sample (a loaded machine's hiccup) gave p = 1.4e-3 and a leak passed. With the whole
    plan's 10 looks (level 1e-4) the first look's separation decides, else the second's (6 and
    96, p = 1.5e-9)."""
    return TimingBudget(min_pairs=3, batch_pairs=3, max_pairs=30, unknown_per_real=16, alpha=0.001)


@dataclasses.dataclass(frozen=True)
class SecurityOptions:
    """Everything a security run can be told; the defaults are safe against a real service."""

    # Per-ID severity overrides, e.g. {"TP-SEC-015": Severity.ERROR}.
    severities: Mapping[str, Severity] = dataclasses.field(default_factory=dict)
    # Run only these probe IDs (empty: all).
    probes: frozenset[str] = frozenset()
    # Brute force runs only against this account (on the embedded target, a dedicated seeded
    # account is used when none is given), and only when allowed.
    canary: Credential | None = None
    allow_brute_force: bool = True
    brute_force_attempts: int = defaults.BRUTE_FORCE_ATTEMPTS
    # Wrong-password attempts any one pool account may receive in a run (lockout-aware).
    failures_per_account: int = DEFAULT_FAILURES_PER_ACCOUNT
    timing: TimingBudget = dataclasses.field(default_factory=TimingBudget)
    # Login fields besides the username the target is known to accept ("email"): probed even
    # when the target gives no sign of it, and "not evaluated" when no account's value is known.
    login_fields: frozenset[str] = frozenset()
    field_timing: TimingBudget = dataclasses.field(default_factory=field_timing_budget)
    # The real signature verification key (an HMAC secret), if the user has it.
    verify_key: bytes | None = dataclasses.field(default=None, repr=False)
    # Costly input: field size, and how much longer than a small body a megabyte field may take
    # before its cost counts as growing with size (at least this, and at least one login's time).
    costly_input_bytes: int = 1_048_576
    costly_growth_floor_s: float = 0.25
    request_timeout_s: float = defaults.REQUEST_TIMEOUT_S  # one request, total
    budget_s: float = defaults.SECURITY_BUDGET_S  # the whole run
    stage: str = "security"  # what a stop names: the command, or the gate's stage

    def __post_init__(self) -> None:
        if self.brute_force_attempts < 1:
            raise ValueError("brute_force_attempts must be at least 1")
        if self.failures_per_account < 1:
            raise ValueError("failures_per_account must be at least 1")
