"""Brute-force protection: consecutive wrong passwords for one account must be throttled.

Runs against the configured canary account only — an account that exists for this purpose —
never a pool account or a real user's (the probe locks the canary out when protection works).
The canary first proves that it logs in (on the reference target that also clears earlier
failures); then up to N wrong passwords follow, stopping at the first 429 or 423.
"""

from __future__ import annotations

from tokenprobe.core import catalogue
from tokenprobe.security.probe import (
    Probe,
    ProbeContext,
    ProbeResult,
    not_evaluated,
    passed,
    throttled,
    violated,
    wrong_password,
)

THROTTLE_STATUSES = (429, 423)  # Too Many Requests, Locked


def probe_brute_force_protection(ctx: ProbeContext) -> ProbeResult:
    """N consecutive wrong passwords for the canary account end in 429 or 423 (ASVS 6.3.1)."""
    canary, options = ctx.canary, ctx.options
    if not options.allow_brute_force:
        return not_evaluated("brute force disabled (--no-brute-force)", catalogue.CANARY)
    if canary is None:
        return not_evaluated(
            "no canary account configured (--canary-username, [security] canary-username-env)",
            catalogue.CANARY,
        )
    first = ctx.client.login(canary.username, canary.password)
    if first.status in THROTTLE_STATUSES:
        return throttled(f"the canary is already throttled ({first.status})")
    if not first.issued_tokens:
        return not_evaluated(
            f"the canary account does not log in ({first.status})", catalogue.CANARY
        )
    statuses: dict[int, int] = {}
    for attempt in range(1, options.brute_force_attempts + 1):
        answer = ctx.client.login(canary.username, wrong_password())
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        if answer.status in THROTTLE_STATUSES:
            retry_after = answer.headers.get("Retry-After", "(none)")
            return passed(
                f"throttled with {answer.status} after {attempt} wrong passwords"
                f" (Retry-After {retry_after})",
                throttled_after=attempt,
                retry_after=retry_after,
                statuses=statuses,
            )
    evidence = ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items()))
    return violated(
        "no brute-force protection",
        [
            f"{options.brute_force_attempts} consecutive wrong passwords for the canary:"
            f" {evidence}; no 429 or 423"
        ],
        attempts=options.brute_force_attempts,
        statuses=statuses,
    )


PROBES = [Probe("brute-force protection", probe_brute_force_protection)]
