"""User enumeration by timing: a real account's wrong password must not take longer (or shorter)
than an unknown username's.

Samples are taken in interleaved groups (one real-account sample and several unknown-username
samples, order randomised within each group) so that drift in the target's load hits both
alike. Only the real-account samples spend the pool's wrong-password budget, so a group holds
more unknown-username samples than real ones (`TimingBudget.unknown_per_real`): one account's
budget is enough for a verdict. After each batch a two-sided Mann-Whitney U test (scipy)
compares the groups; a difference is reported only when it is significant *and* large
(common-language effect size and median difference above their floors). Sampling stops early
when the answer is clear either way, and never exceeds the probe's share of the budget. Each
test is taken at the budget's ``alpha`` divided by the number of tests the plan may make
(`TimingBudget.look_level`), so that stopping at the first significant one keeps the false
alarm rate of the whole plan below ``alpha``.

The sampling (`sample_until_clear`) does not care which field names the account: TP-SEC-002
sends usernames, TP-SEC-019 (`tokenprobe.security.field_enumeration`) another login field's
values, each through its own `SampleBody`.
"""

from __future__ import annotations

import dataclasses
import math
import random
import statistics
from collections.abc import Callable, Collection

from tokenprobe.core.credentials import Credential
from tokenprobe.security.options import SecurityOptions, TimingBudget
from tokenprobe.security.probe import (
    FailureDemand,
    Probe,
    ProbeContext,
    ProbeResult,
    passed,
    throttled,
    unknown_username,
    violated,
    wrong_password,
)


@dataclasses.dataclass(frozen=True)
class TimingVerdict:
    pairs: int  # real-account samples (each spent one wrong password)
    unknown_samples: int
    median_real_ms: float
    median_unknown_ms: float
    p_value: float
    # P(real-account sample > unknown-username sample): 0.5 when indistinguishable.
    effect: float
    level: float  # p must be below this to count: the plan's alpha over its looks

    @property
    def difference_ms(self) -> float:
        return self.median_real_ms - self.median_unknown_ms

    def is_leak(self, budget: TimingBudget) -> bool:
        return (
            self.p_value < self.level
            and abs(self.effect - 0.5) >= budget.min_effect
            and abs(self.difference_ms) >= budget.min_difference_ms
        )

    def is_clearly_equal(self, budget: TimingBudget) -> bool:
        """Nothing suggestive: more samples would not change the verdict."""
        return (
            self.p_value > budget.clear_pass_p and abs(self.effect - 0.5) < budget.clear_pass_effect
        )

    def as_details(self, unknown: str = "username") -> dict[str, float | int]:
        """The numbers behind the verdict; ``unknown`` names what the unknown samples sent."""
        return {
            "pairs": self.pairs,
            f"unknown_{unknown}_samples": self.unknown_samples,
            "median_real_account_ms": round(self.median_real_ms, 3),
            f"median_unknown_{unknown}_ms": round(self.median_unknown_ms, 3),
            "median_difference_ms": round(self.difference_ms, 3),
            "p_value": float(f"{self.p_value:.3g}"),
            "level": float(f"{self.level:.3g}"),
            "effect_cles": round(self.effect, 3),
        }


def compare_samples(real_ms: list[float], unknown_ms: list[float], level: float) -> TimingVerdict:
    """Mann-Whitney U (two-sided) and the common-language effect size U / (n1 * n2); a
    difference counts below ``level``."""
    from scipy.stats import mannwhitneyu  # SciPy's import costs a second: only when sampling

    result = mannwhitneyu(real_ms, unknown_ms, alternative="two-sided")
    return TimingVerdict(
        pairs=len(real_ms),
        unknown_samples=len(unknown_ms),
        median_real_ms=statistics.median(real_ms),
        median_unknown_ms=statistics.median(unknown_ms),
        p_value=float(result.pvalue),
        effect=float(result.statistic) / (len(real_ms) * len(unknown_ms)),
        level=level,
    )


STANDARD_NORMAL = statistics.NormalDist()
SMALLEST_P = 1e-300  # a p of 0 (complete separation in float) has no normal quantile


def conditional_power(verdict: TimingVerdict, planned_pairs: int, alpha: float) -> float:
    """The chance that the test at ``planned_pairs`` real samples reaches p < ``alpha`` if the
    difference continues as observed (Lan, Simon & Halperin 1982, under the current trend).

    Brownian-motion approximation of U's z statistic: the unknown samples grow in a fixed ratio
    to the real ones, so information grows with the real samples, t = pairs / planned. With
    B(t) = √t·Z and the trend's drift B(t)/t, the final z is normal with mean Z/√t and variance
    1 - t given the data so far."""
    t = verdict.pairs / planned_pairs
    if t >= 1:
        return 1.0 if verdict.p_value < alpha else 0.0
    z_now = STANDARD_NORMAL.inv_cdf(1 - max(verdict.p_value, SMALLEST_P) / 2)
    z_needed = STANDARD_NORMAL.inv_cdf(1 - alpha / 2)
    return 1 - STANDARD_NORMAL.cdf((z_needed - z_now / math.sqrt(t)) / math.sqrt(1 - t))


# The body of one sample: with a real account's identifier, or (None) an unknown one; always
# a fresh wrong password.
SampleBody = Callable[[Credential | None], dict[str, object]]


def username_body(account: Credential | None) -> dict[str, object]:
    username = account.username if account is not None else unknown_username()
    return {"username": username, "password": wrong_password()}


@dataclasses.dataclass(frozen=True)
class Sampling:
    """What `sample_until_clear` gathered: the verdict (None: fewer real samples than the
    least, or a 429 in the way) and the counts behind it."""

    verdict: TimingVerdict | None
    real_samples: int
    unknown_samples: int
    throttled: int = 0


def _sample_batch(
    ctx: ProbeContext, accounts: list[Credential], unknown_per_real: int, body: SampleBody
) -> tuple[list[float], list[float], int]:
    """One batch of interleaved groups, one per account; returns both samples (ms) and the
    count of 429s."""
    real_ms: list[float] = []
    unknown_ms: list[float] = []
    throttled_count = 0
    for account in accounts:
        order = [True] + [False] * unknown_per_real
        random.shuffle(order)
        for is_real in order:
            answer = ctx.client.post_json(body(account if is_real else None))
            throttled_count += answer.throttled
            (real_ms if is_real else unknown_ms).append(answer.elapsed_s * 1000)
    return real_ms, unknown_ms, throttled_count


def sample_until_clear(
    ctx: ProbeContext,
    budget: TimingBudget,
    body: SampleBody = username_body,
    among: Collection[str] | None = None,
) -> Sampling:
    """Batches of interleaved groups until the verdict is clear either way, ``budget.max_pairs``
    real samples, or the running probe's allowance is spent; real samples only from the
    accounts ``among`` names, when given."""
    real_ms: list[float] = []
    unknown_ms: list[float] = []
    verdict: TimingVerdict | None = None
    # The plan is fixed before the first sample: the looks it may take set each test's level.
    planned = min(budget.max_pairs, ctx.allowance)
    level = budget.look_level(planned)
    while len(real_ms) < budget.max_pairs:
        batch = min(budget.batch_pairs, budget.max_pairs - len(real_ms))
        accounts = ctx.spend_failures(batch, among)
        batch_real, batch_unknown, throttled_count = _sample_batch(
            ctx, accounts, budget.unknown_per_real, body
        )
        if throttled_count:
            return Sampling(None, len(real_ms), len(unknown_ms), throttled_count)
        if not batch_real:
            break  # the probe's share of the budget is spent
        real_ms += batch_real
        unknown_ms += batch_unknown
        if len(real_ms) < budget.min_pairs:
            continue
        verdict = compare_samples(real_ms, unknown_ms, level)
        if verdict.is_leak(budget) or decided_equal(verdict, budget, planned):
            break
    return Sampling(verdict, len(real_ms), len(unknown_ms))


def decided_equal(verdict: TimingVerdict, budget: TimingBudget, planned_pairs: int) -> bool:
    """No difference, and more samples up to the planned size would almost surely not find
    one."""
    futile = conditional_power(verdict, planned_pairs, verdict.level) < budget.futility_power
    return verdict.is_clearly_equal(budget) or futile


def describe(verdict: TimingVerdict, unknown: str = "username") -> str:
    """One evidence line: the samples, the medians, p and the effect."""
    return (
        f"{verdict.pairs} real-account and {verdict.unknown_samples} unknown-{unknown} samples:"
        f" median {verdict.median_real_ms:.2f} ms (real account) vs"
        f" {verdict.median_unknown_ms:.2f} ms (unknown {unknown}), p={verdict.p_value:.2g}"
        f" (level {verdict.level:.2g}), effect {verdict.effect:.2f}"
    )


def timing_demand(options: SecurityOptions) -> FailureDemand:
    """Real-account samples: the least for a verdict, the most the budget allows."""
    return FailureDemand(options.timing.min_pairs, options.timing.max_pairs)


def probe_enumeration_by_timing(ctx: ProbeContext) -> ProbeResult:
    """Wrong-password answers for real accounts and unknown usernames take the same time
    (ASVS 6.3.8): no significant difference above the effect-size floors."""
    budget = ctx.options.timing
    if ctx.allowance < budget.min_pairs:
        return ctx.short_of_failures(budget.min_pairs, ctx.allowance)
    sampling = sample_until_clear(ctx, budget)
    if sampling.throttled:
        return throttled(f"{sampling.throttled} timing samples answered 429")
    verdict = sampling.verdict
    if verdict is None:
        return ctx.short_of_failures(budget.min_pairs, sampling.real_samples)
    details = verdict.as_details()
    summary = describe(verdict)
    if verdict.is_leak(budget):
        return violated("response time tells real accounts from unknown ones", [summary], **details)
    return passed(f"no timing difference above the floors; {summary}", **details)


PROBES = [Probe("enumeration by timing", probe_enumeration_by_timing, timing_demand)]
