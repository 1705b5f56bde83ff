"""Transport and caching: token responses are never cached, and only JSON is accepted."""

from __future__ import annotations

import json

from tokenprobe.core import catalogue
from tokenprobe.security.client import Answer
from tokenprobe.security.probe import (
    Probe,
    ProbeContext,
    ProbeResult,
    not_evaluated,
    passed,
    throttled,
    verdict,
    violated,
)


def _successful_login(ctx: ProbeContext) -> Answer | ProbeResult:
    account = ctx.pool.valid_account()
    if account is None:
        return not_evaluated("no usable credentials for a successful login", catalogue.CREDENTIALS)
    answer = ctx.client.login(account.username, account.password)
    if answer.throttled:
        return throttled("a valid login answered 429")
    if not answer.issued_tokens:
        return not_evaluated(f"a valid login answered {answer.status}", catalogue.CREDENTIALS)
    return answer


def _header(answer: Answer, name: str) -> str:
    return next((v for k, v in answer.headers.items() if k.lower() == name), "")


def probe_cache_control_no_store(ctx: ProbeContext) -> ProbeResult:
    """A response carrying tokens has Cache-Control: no-store (RFC 6749 §5.1)."""
    answer = _successful_login(ctx)
    if isinstance(answer, ProbeResult):
        return answer
    value = _header(answer, "cache-control")
    directives = {d.strip().lower() for d in value.split(",")}
    if "no-store" not in directives:
        return violated(
            "token response may be cached",
            [f"200 with tokens: Cache-Control {value or '(absent)'!r}, expected no-store"],
            cache_control=value,
        )
    return passed(f"Cache-Control: {value}", cache_control=value)


def probe_pragma_no_cache(ctx: ProbeContext) -> ProbeResult:
    """A response carrying tokens has Pragma: no-cache, for HTTP/1.0 caches (RFC 6749 §5.1)."""
    answer = _successful_login(ctx)
    if isinstance(answer, ProbeResult):
        return answer
    value = _header(answer, "pragma")
    if "no-cache" not in value.lower():
        return violated(
            "no Pragma: no-cache",
            [f"200 with tokens: Pragma {value or '(absent)'!r}, expected no-cache"],
            pragma=value,
        )
    return passed(f"Pragma: {value}", pragma=value)


def probe_strict_content_type(ctx: ProbeContext) -> ProbeResult:
    """Valid credentials sent as form, multipart or text/plain do not log in: the endpoint
    accepts application/json only (ASVS 4.0.3 13.2.5)."""
    account = ctx.pool.valid_account()
    if account is None:
        return not_evaluated("no usable credentials", catalogue.CREDENTIALS)
    credentials = account.as_json()
    attempts = {
        "application/x-www-form-urlencoded": {"data": credentials},
        "multipart/form-data": {"files": {k: (None, v) for k, v in credentials.items()}},
        "text/plain (JSON text)": {
            "data": json.dumps(credentials),
            "headers": {"Content-Type": "text/plain"},
        },
    }
    violations, throttled, statuses = [], 0, {}
    for label, kwargs in attempts.items():
        answer = ctx.client.send("POST", **kwargs)
        statuses[label] = answer.status
        throttled += answer.throttled
        if answer.issued_tokens:
            violations.append(f"{label}: {answer.status}, tokens issued")
    return verdict(violations, throttled, len(attempts), "non-JSON logins", statuses=statuses)


PROBES = [
    Probe("Cache-Control no-store", probe_cache_control_no_store),
    Probe("Pragma no-cache", probe_pragma_no_cache),
    Probe("strict request Content-Type", probe_strict_content_type),
]
