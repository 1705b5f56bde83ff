"""User enumeration by timing: a real account's wrong password must not take longer (or shorter)
than an unknown username's.

Samples are taken in interleaved groups (one real-account sample and several unknown-username
samples, order randomised within each group) so that drift in the target's load hits both
alike. Only the real-account samples spend the pool's wrong-password budget, so a group holds
more unknown-username samples than real ones (`TimingBudget.unknown_per_real`): one account's
budget is enough for a verdict. After each batch a two-sided Mann-Whitney U test (scipy)
compares the groups; a difference is reported only when it is significant *and* large
(common-language effect size and median difference above their floors). Sampling stops early
when the answer is clear either way, and never exceeds the probe's share of the budget.
"""

from __future__ import annotations

import dataclasses
import random
import statistics

from scipy.stats import mannwhitneyu

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

    @property
    def difference_ms(self) -> float:
        return self.median_real_ms - self.median_unknown_ms

    def is_leak(self, budget: TimingBudget) -> bool:
        return (
            self.p_value < budget.alpha
            and abs(self.effect - 0.5) >= budget.min_effect
            and abs(self.difference_ms) >= budget.min_difference_ms
        )

    def is_clearly_equal(self, budget: TimingBudget) -> bool:
        """Nothing suggestive: more samples would not change the verdict."""
        return (
            self.p_value > budget.clear_pass_p and abs(self.effect - 0.5) < budget.clear_pass_effect
        )

    def as_details(self) -> dict[str, float | int]:
        return {
            "pairs": self.pairs,
            "unknown_username_samples": self.unknown_samples,
            "median_real_account_ms": round(self.median_real_ms, 3),
            "median_unknown_username_ms": round(self.median_unknown_ms, 3),
            "median_difference_ms": round(self.difference_ms, 3),
            "p_value": float(f"{self.p_value:.3g}"),
            "effect_cles": round(self.effect, 3),
        }


def compare_samples(real_ms: list[float], unknown_ms: list[float]) -> TimingVerdict:
    """Mann-Whitney U (two-sided) and the common-language effect size U / (n1 * n2)."""
    result = mannwhitneyu(real_ms, unknown_ms, alternative="two-sided")
    return TimingVerdict(
        pairs=len(real_ms),
        unknown_samples=len(unknown_ms),
        median_real_ms=statistics.median(real_ms),
        median_unknown_ms=statistics.median(unknown_ms),
        p_value=float(result.pvalue),
        effect=float(result.statistic) / (len(real_ms) * len(unknown_ms)),
    )


def _sample_batch(ctx: ProbeContext, pairs: int) -> tuple[list[float], list[float], int]:
    """One batch of interleaved groups; returns both samples (ms) and the count of 429s."""
    real_ms: list[float] = []
    unknown_ms: list[float] = []
    throttled_count = 0
    for account in ctx.spend_failures(pairs):
        order = [True] + [False] * ctx.options.timing.unknown_per_real
        random.shuffle(order)
        for is_real in order:
            username = account.username if is_real else unknown_username()
            answer = ctx.client.login(username, wrong_password())
            throttled_count += answer.throttled
            (real_ms if is_real else unknown_ms).append(answer.elapsed_s * 1000)
    return real_ms, unknown_ms, throttled_count


def timing_demand(options: SecurityOptions) -> FailureDemand:
    """Real-account samples: the least for a verdict, the most the budget allows."""
    return FailureDemand(options.timing.min_pairs, options.timing.max_pairs)


def probe_enumeration_by_timing(ctx: ProbeContext) -> ProbeResult:
    """Wrong-password answers for real accounts and unknown usernames take the same time
    (ASVS 6.3.8): no significant difference above the effect-size floors."""
    budget = ctx.options.timing
    if ctx.allowance < budget.min_pairs:
        return ctx.short_of_failures(budget.min_pairs, ctx.allowance)
    real_ms: list[float] = []
    unknown_ms: list[float] = []
    verdict: TimingVerdict | None = None
    while len(real_ms) < budget.max_pairs:
        batch = min(budget.batch_pairs, budget.max_pairs - len(real_ms))
        batch_real, batch_unknown, throttled_count = _sample_batch(ctx, batch)
        if throttled_count:
            return throttled(f"{throttled_count} timing samples answered 429")
        if not batch_real:
            break  # the probe's share of the budget is spent
        real_ms += batch_real
        unknown_ms += batch_unknown
        if len(real_ms) < budget.min_pairs:
            continue
        verdict = compare_samples(real_ms, unknown_ms)
        if verdict.is_leak(budget) or verdict.is_clearly_equal(budget):
            break
    if verdict is None:
        return ctx.short_of_failures(budget.min_pairs, len(real_ms))
    details = verdict.as_details()
    summary = (
        f"{len(real_ms)} real-account and {len(unknown_ms)} unknown-username samples: median "
        f"{verdict.median_real_ms:.2f} ms (real account) vs {verdict.median_unknown_ms:.2f} ms "
        f"(unknown username), p={verdict.p_value:.2g}, effect {verdict.effect:.2f}"
    )
    if verdict.is_leak(budget):
        return violated("response time tells real accounts from unknown ones", [summary], **details)
    return passed(f"no timing difference above the floors; {summary}", **details)


PROBES = [Probe("enumeration by timing", probe_enumeration_by_timing, timing_demand)]
