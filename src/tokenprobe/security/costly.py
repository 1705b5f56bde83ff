"""Costly input: megabyte credentials must be refused up front, quickly, with a 4xx.

Every login costs a password hash (OWASP API4). An endpoint should reject an absurd field by
its length before it reaches the hasher or the database. The probe sends a megabyte password
and a megabyte username, each with an unknown username (no account's lockout counter is
touched), and compares the answer with a plain wrong login: the same answer means the field was
checked as credentials, i.e. nothing limited its length.
"""

from __future__ import annotations

from tokenprobe.security.client import RequestTimedOut
from tokenprobe.security.probe import (
    Probe,
    ProbeContext,
    ProbeResult,
    not_evaluated,
    passed,
    unknown_username,
    verdict,
    wrong_password,
)


def probe_megabyte_credentials(ctx: ProbeContext) -> ProbeResult:
    """A megabyte username or password gets a 4xx other than the wrong-credentials answer,
    within the time limit; never a 5xx (OWASP API Top 10 2023 API4)."""
    size, limit_s = ctx.options.costly_input_bytes, ctx.options.costly_input_limit_s
    baseline = ctx.rejection_baseline
    if baseline.throttled or baseline.issued_tokens:
        return not_evaluated(f"a wrong login answered {baseline.status}: no baseline to compare")
    bodies = {
        "megabyte password": {"username": unknown_username(), "password": "P" * size},
        "megabyte username": {"username": "u" * size, "password": wrong_password()},
    }
    violations, throttled, seen = [], 0, {}
    for label, body in bodies.items():
        try:
            answer = ctx.client.post_json(body, timeout=max(limit_s * 5, 10.0))
        except RequestTimedOut:
            violations.append(f"{label}: no answer within {max(limit_s * 5, 10.0):g} s")
            continue
        seen[label] = {"status": answer.status, "elapsed_ms": round(answer.elapsed_s * 1000, 1)}
        throttled += answer.throttled
        if answer.server_error:
            violations.append(f"{label}: {answer.status} (server error)")
        elif answer.elapsed_s > limit_s:
            violations.append(
                f"{label}: answered after {answer.elapsed_s:.2f} s (limit {limit_s:g} s)"
            )
        elif answer.rejection() == baseline.rejection():
            violations.append(
                f"{label}: {answer.status} {answer.excerpt()!r}, the same as a wrong login:"
                " checked as credentials, no length limit"
            )
    result = verdict(violations, throttled, len(bodies), "megabyte fields", answers=seen)
    if result.evaluated and not result.violations:
        statuses = ", ".join(f"{k} {v['status']} in {v['elapsed_ms']} ms" for k, v in seen.items())
        return passed(f"rejected up front: {statuses}", answers=seen)
    return result


PROBES = [Probe("costly input", probe_megabyte_credentials)]
