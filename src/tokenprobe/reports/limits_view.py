"""The production profile's limits as report sentences (summary.md and report.html).

The gate writes ``summary["limits"]`` under ``--profile production`` (`core.limits`'s ledger:
the limits, the requests sent per stage, the highest rate sent) and lists the stages it left
out with their reason in ``summary["stages"]``; the checks it left out are skipped checks
with the same reason (`gate.production.NOT_RUN`). The bounded conformance stage's section
(``summary["conformance"]["bounded"]``) has the latency of each login it made.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tokenprobe.core.summary import Summary


def limits_section(summary: Summary) -> dict[str, Any]:
    """The run's limits and what it sent under them; empty for a run without limits."""
    return summary.sections.get("limits") or {}


def login_latencies_ms(summary: Summary) -> list[float]:
    """The latency of each login the bounded conformance stage made."""
    return summary.sections.get("conformance", {}).get("bounded", {}).get("login_latency_ms", [])


def limits_lines(summary: Summary) -> list[str]:
    limits = limits_section(summary)
    if not limits:
        return []
    per_stage = ", ".join(f"{name} {n}" for name, n in limits["requests_per_stage"].items())
    lines = [
        f"Profile {limits['profile']}: {limits['requests_sent']} of {limits['max_requests']} "
        f"requests sent ({per_stage or 'none'}); highest rate {limits['highest_rate_per_s']} "
        f"per second (limit {limits['max_rate_per_s']:g}); bodies at most "
        f"{limits['max_body_bytes']} bytes, no wrong password for the account, no password "
        "in a URL."
    ]
    if latencies := login_latencies_ms(summary):
        lines.append(f"Logins answered in {', '.join(f'{ms:g}' for ms in latencies)} ms.")
    left_out = [
        (name, stage["reason"])
        for name, stage in summary.sections.get("stages", {}).items()
        if stage.get("reason")
    ]
    reasons = Counter(check.message for check in summary.checks if not check.ran)
    for reason in dict.fromkeys(reason for _, reason in left_out):
        stages = ", ".join(name for name, why in left_out if why == reason)
        checks = reasons.get(reason, 0)
        lines.append(f"{reason.capitalize()}: {stages}; {checks} checks (listed as skipped).")
    return lines
