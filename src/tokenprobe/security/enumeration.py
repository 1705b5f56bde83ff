"""User enumeration by answer: a wrong password and an unknown username must look the same."""

from __future__ import annotations

from tokenprobe.security.client import Answer
from tokenprobe.security.probe import (
    Probe,
    ProbeContext,
    ProbeResult,
    fixed_demand,
    passed,
    throttled,
    unknown_username,
    violated,
    wrong_password,
)

# Headers whose value or presence can tell the two cases apart; Date and the like cannot.
HEADERS_THAT_MATTER = (
    "content-type",
    "www-authenticate",
    "retry-after",
    "set-cookie",
    "cache-control",
    "location",
)


def compare_answers(real: Answer, unknown: Answer) -> list[str]:
    """Every observable difference between the two answers, as evidence lines."""
    differences = []
    if real.status != unknown.status:
        differences.append(f"status {real.status} for a real account vs {unknown.status} unknown")
    if real.rejection()[1] != unknown.rejection()[1]:
        differences.append(
            f"body {real.excerpt()!r} for a real account vs {unknown.excerpt()!r} unknown"
        )
    real_headers = {k.lower(): v for k, v in real.headers.items()}
    unknown_headers = {k.lower(): v for k, v in unknown.headers.items()}
    for name in HEADERS_THAT_MATTER:
        if real_headers.get(name) != unknown_headers.get(name):
            differences.append(
                f"header {name}: {real_headers.get(name)!r} for a real account"
                f" vs {unknown_headers.get(name)!r} unknown"
            )
    return differences


def probe_enumeration_by_answer(ctx: ProbeContext) -> ProbeResult:
    """A wrong password for a real account and any password for an unknown username get the
    same status, body and meaningful headers (ASVS 6.3.8)."""
    accounts = ctx.spend_failures(1)
    if not accounts:
        return ctx.short_of_failures(1, 0)
    account = accounts[0]
    real = ctx.client.login(account.username, wrong_password())
    unknown = ctx.client.login(unknown_username(), wrong_password())
    details = {"real_account_status": real.status, "unknown_username_status": unknown.status}
    if real.throttled or unknown.throttled:
        return throttled("answered 429", **details)
    if differences := compare_answers(real, unknown):
        return violated("the answers tell real accounts from unknown ones", differences, **details)
    return passed(f"both answered {real.status} with the same body and headers", **details)


PROBES = [Probe("enumeration by answer", probe_enumeration_by_answer, fixed_demand(1, 1))]
