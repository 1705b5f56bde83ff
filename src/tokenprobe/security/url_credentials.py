"""Credentials in the URL: the token endpoint must not read credentials from the query string.

URLs end up in proxy and server access logs, browser history and Referer headers. The probe
never sends a real password in a URL (that would itself leak it into the target's logs): it
sends an unknown username and a random wrong password in the query string, with no body. An
endpoint that ignores the query answers "missing fields" (400) or 405; one that reads it checks
the credentials and answers exactly like a wrong login, which is the evidence.
"""

from __future__ import annotations

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


def probe_credentials_in_query_string(ctx: ProbeContext) -> ProbeResult:
    """GET and POST with credentials only in the query string are not evaluated as a login
    (ASVS 14.2.1; RFC 6749 §2.3.1: never in the request URI)."""
    baseline = ctx.rejection_baseline
    if baseline.throttled or baseline.issued_tokens:
        return not_evaluated(f"a wrong login answered {baseline.status}: no baseline to compare")
    violations, throttled, statuses = [], 0, {}
    for method in ("GET", "POST"):
        query = {"username": unknown_username(), "password": wrong_password()}
        answer = ctx.client.send(method, params=query)
        statuses[method] = answer.status
        throttled += answer.throttled
        if answer.issued_tokens:
            violations.append(f"{method} with credentials in the query string: tokens issued")
        elif answer.rejection() == baseline.rejection():
            violations.append(
                f"{method} with credentials in the query string and no body was checked as a"
                f" login: {answer.status} {answer.excerpt()!r}, the same as a wrong JSON login"
            )
    result = verdict(violations, throttled, 2, "query-string logins", statuses=statuses)
    if result.evaluated and not result.violations:
        return passed(
            f"query-string credentials ignored (GET {statuses['GET']}, POST {statuses['POST']})",
            statuses=statuses,
        )
    return result


PROBES = [Probe("credentials in the URL", probe_credentials_in_query_string)]
