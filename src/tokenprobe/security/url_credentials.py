"""Credentials in the URL: the token endpoint must not read credentials from the query string.

URLs end up in proxy and server access logs, browser history and Referer headers. Only a real
credential shows the defect for sure: a server may answer every GET 405 and every wrong login
400, yet issue tokens for a right one. So the probe sends a working account in the query string
of a GET and of a POST with no body, and any tokens are the evidence. It prefers the canary (the
account that exists to be abused) and falls back to a pool account; the account first logs in
the documented way, so a refusal through the URL cannot be a locked or wrong account. The
password then sits in the target's own access logs, which is why the canary comes first; ours
never show it (the redactor knows its URL-encoded forms too). Without a working account the
probe is not evaluated, never passed.

(Comparing the answer to wrong credentials in the URL with a wrong JSON login's proves nothing:
many endpoints answer a missing body with their generic "invalid credentials".)
"""

from __future__ import annotations

from tokenprobe.core import catalogue
from tokenprobe.core.credentials import Credential
from tokenprobe.security.probe import (
    Probe,
    ProbeContext,
    ProbeResult,
    not_evaluated,
    passed,
    verdict,
)

METHODS = ("GET", "POST")


def working_account(ctx: ProbeContext) -> Credential | None:
    """The canary, else a pool account, whichever logs in with a JSON body right now."""
    candidates = [ctx.canary, ctx.pool.valid_account()]
    for account in candidates:
        if (
            account is not None
            and ctx.client.login(account.username, account.password).issued_tokens
        ):
            return account
    return None


def probe_credentials_in_query_string(ctx: ProbeContext) -> ProbeResult:
    """GET and POST with a working account's credentials only in the query string never issue
    tokens (ASVS 14.2.1; RFC 6749 §2.3.1: never in the request URI)."""
    account = working_account(ctx)
    if account is None:
        return not_evaluated(
            "no account that logs in (canary or pool) to send in the query string",
            catalogue.CREDENTIALS,
        )
    violations, throttled_count, statuses = [], 0, {}
    for method in METHODS:
        answer = ctx.client.send(method, params=account.as_json())
        statuses[method] = answer.status
        throttled_count += answer.throttled
        if answer.issued_tokens:
            violations.append(
                f"{method} with a real account's credentials in the query string: {answer.status},"
                " tokens issued"
            )
    result = verdict(
        violations, throttled_count, len(METHODS), "query-string logins", statuses=statuses
    )
    if result.evaluated and not result.violations:
        shown = ", ".join(f"{method} {status}" for method, status in statuses.items())
        return passed(
            f"a real account in the query string got no tokens ({shown})", statuses=statuses
        )
    return result


PROBES = [Probe("credentials in the URL", probe_credentials_in_query_string)]
