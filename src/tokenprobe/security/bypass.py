"""Authentication bypass: only the exact password of an active account may obtain tokens.

Every attempt spends one wrong password from the pool's budget, so attempts are spread over
several accounts; near-miss passwords are derived from the account's own password. Any 200 is
a bypass and any 5xx a crash, both error-severity; a 429 leaves the probe "not evaluated".
Evidence names the variant, never the password.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

from tokenprobe.core.credentials import Credential
from tokenprobe.security.probe import (
    Probe,
    ProbeContext,
    ProbeResult,
    not_evaluated,
    passed,
    verdict,
    violated,
)

# (label, function of the real password → near miss); variants equal to the password are dropped.
NEAR_MISSES: list[tuple[str, Callable[[str], str]]] = [
    ("case swapped", str.swapcase),
    ("upper case", str.upper),
    ("lower case", str.lower),
    ("truncated to 8 characters", lambda p: p[:8]),
    ("truncated to 72 bytes", lambda p: p.encode()[:72].decode("utf-8", "ignore")),
    ("last character dropped", lambda p: p[:-1]),
    ("first character dropped", lambda p: p[1:]),
    ("extended by 8 characters", lambda p: p + "Extra-99"),
    ("character appended", lambda p: p + "x"),
    ("character prepended", lambda p: "x" + p),
    ("empty", lambda p: ""),
]

SQL = ["' OR '1'='1", "' OR 1=1 --", '" OR ""="', "admin' --", "') OR ('1'='1"]
LDAP = ["*", "*)(uid=*))(|(uid=*", "*)(|(objectClass=*)"]
NOSQL: list[Any] = [{"$ne": None}, {"$gt": ""}, {"$regex": ".*"}, {"$exists": True}]

# (label, replacement for the field): values of the wrong JSON type.
TYPE_CONFUSIONS: list[tuple[str, Callable[[str], Any]]] = [
    ("list holding the value", lambda v: [v]),
    ("object holding the value", lambda v: {"value": v}),
    # A fresh number each time: DRF turns a number into the username "0", whose per-username
    # lockout counter other clients (fuzzers above all) may already have filled.
    ("number", lambda v: secrets.randbelow(10**12)),
    ("boolean true", lambda v: True),
    ("null", lambda v: None),
]


def _judge(label: str, status: int, issued: bool) -> str | None:
    if issued:
        return f"{label}: {status}, tokens issued"
    if status >= 500:
        return f"{label}: {status} (server error)"
    return None


def _attempt_all(
    ctx: ProbeContext, attempts: Iterable[tuple[str, dict[str, Any]]], what: str
) -> ProbeResult:
    violations, throttled, count = [], 0, 0
    for label, body in attempts:
        answer = ctx.client.post_json(body)
        count += 1
        throttled += answer.throttled
        if problem := _judge(label, answer.status, answer.issued_tokens):
            violations.append(problem)
    return verdict(violations, throttled, count, what)


def _with_budget(ctx: ProbeContext, count: int) -> list[Credential] | None:
    accounts = ctx.pool.take_failures(count)
    return accounts if len(accounts) == count else None


def probe_near_miss_passwords(ctx: ProbeContext) -> ProbeResult:
    """Passwords that differ from the real one in case, length or one character never log in;
    the whole password is verified (NIST SP 800-63B)."""
    accounts = _with_budget(ctx, len(NEAR_MISSES))
    if accounts is None:
        return not_evaluated(f"needs {len(NEAR_MISSES)} wrong-password attempts from the pool")
    attempts = []
    for (label, derive), account in zip(NEAR_MISSES, accounts, strict=True):
        near_miss = derive(account.password)
        if near_miss != account.password:
            attempts.append((label, {"username": account.username, "password": near_miss}))
    return _attempt_all(ctx, attempts, "near-miss passwords")


def probe_injection_strings(ctx: ProbeContext) -> ProbeResult:
    """SQL, LDAP and NoSQL-operator injection in either field never logs in or crashes."""
    payloads: list[Any] = [*SQL, *LDAP, *NOSQL]
    accounts = _with_budget(ctx, len(payloads))
    if accounts is None:
        return not_evaluated(f"needs {len(payloads)} wrong-password attempts from the pool")
    attempts = [
        (f"password {payload!r}", {"username": account.username, "password": payload})
        for payload, account in zip(payloads, accounts, strict=True)
    ]
    # Injected usernames hit no real account's lockout counter: no budget needed.
    attempts += [
        (f"username {payload!r}", {"username": payload, "password": payload})
        for payload in payloads
    ]
    return _attempt_all(ctx, attempts, "injection attempts")


def probe_type_confusion(ctx: ProbeContext) -> ProbeResult:
    """Credentials of the wrong JSON type (list, object, number, boolean, null) get a 4xx."""
    accounts = _with_budget(ctx, len(TYPE_CONFUSIONS))
    if accounts is None:
        return not_evaluated(f"needs {len(TYPE_CONFUSIONS)} wrong-password attempts from the pool")
    attempts = []
    for (label, confuse), account in zip(TYPE_CONFUSIONS, accounts, strict=True):
        attempts.append(
            (
                f"password as {label}",
                {"username": account.username, "password": confuse(account.password)},
            )
        )
        attempts.append(
            (
                f"username as {label}",
                {"username": confuse(account.username), "password": account.password},
            )
        )
    return _attempt_all(ctx, attempts, "type-confused credentials")


def probe_whitespace_trimming(ctx: ProbeContext) -> ProbeResult:
    """Reports (as information) whether surrounding whitespace is stripped from the password,
    as stock DRF does: not a bypass, but the stored password is not what the user typed."""
    accounts = _with_budget(ctx, 1)
    if accounts is None:
        return not_evaluated("needs 1 wrong-password attempt from the pool")
    account = accounts[0]
    answer = ctx.client.login(account.username, f" {account.password} ")
    details = {"status": answer.status}
    if answer.throttled:
        return not_evaluated("answered 429: not evaluated", **details)
    if answer.issued_tokens:
        return violated(
            "whitespace is trimmed (information, not a bypass)",
            ["password with a leading and a trailing space: 200, tokens issued"],
            **details,
        )
    return passed(f"password with surrounding spaces: {answer.status}, no tokens", **details)


PROBES = [
    Probe("near-miss passwords", probe_near_miss_passwords),
    Probe("injection strings", probe_injection_strings),
    Probe("type-confused credentials", probe_type_confusion),
    Probe("whitespace trimming", probe_whitespace_trimming),
]
