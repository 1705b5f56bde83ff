"""Authentication bypass: only the exact password of an active account may obtain tokens.

Attempts that pair a real username with a wrong password spend the pool's budget (the target
counts them towards the account's lockout), so each probe lists them most valuable first and
sends as many as its allowance covers: its ``least`` are the attempts that catch the commonest
defects (a case-insensitive compare, truncation at 8 characters, an empty password, the SQL
tautology, a NoSQL operator object, a loosely compared boolean). Attempts with an unknown
username cost nothing and go out in full: they catch crashes (5xx), and injections that match
any row. Any 200 is a bypass and any 5xx a crash, both error-severity; a 429 leaves the probe
"not evaluated". Evidence names the variant, never the password.
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
    fixed_demand,
    passed,
    throttled,
    unknown_username,
    verdict,
    violated,
    wrong_password,
)

# (label, function of the real password → near miss), most valuable first; variants equal to
# the password are dropped. The first NEAR_MISS_LEAST are the probe's least.
NEAR_MISSES: list[tuple[str, Callable[[str], str]]] = [
    ("case swapped", str.swapcase),
    ("truncated to 8 characters", lambda p: p[:8]),
    ("empty", lambda p: ""),
    ("truncated to 72 bytes", lambda p: p.encode()[:72].decode("utf-8", "ignore")),
    ("upper case", str.upper),
    ("lower case", str.lower),
    ("last character dropped", lambda p: p[:-1]),
    ("first character dropped", lambda p: p[1:]),
    ("extended by 8 characters", lambda p: p + "Extra-99"),
    ("character appended", lambda p: p + "x"),
    ("character prepended", lambda p: "x" + p),
]
NEAR_MISS_LEAST = 3

# Most valuable first within each list; PASSWORD_INJECTIONS orders them across lists for the
# attempts with a real username (the first INJECTION_LEAST are the probe's least).
SQL = ["' OR '1'='1", "' OR 1=1 --", '" OR ""="', "admin' --", "') OR ('1'='1"]
LDAP = ["*", "*)(uid=*))(|(uid=*", "*)(|(objectClass=*)"]
NOSQL: list[Any] = [{"$ne": None}, {"$gt": ""}, {"$regex": ".*"}, {"$exists": True}]
PASSWORD_INJECTIONS: list[Any] = [SQL[0], NOSQL[0], *SQL[1:], *NOSQL[1:], *LDAP]
INJECTION_LEAST = 2

# (label, replacement for the field): values of the wrong JSON type, most valuable first (a
# boolean true passes a loose comparison; a list or an object holding the value passes a lenient
# parser). The first TYPE_CONFUSION_LEAST are the probe's least.
TYPE_CONFUSIONS: list[tuple[str, Callable[[str], Any]]] = [
    ("boolean true", lambda v: True),
    ("list holding the value", lambda v: [v]),
    ("object holding the value", lambda v: {"value": v}),
    # A fresh number each time: DRF turns a number into the username "0", whose per-username
    # lockout counter other clients (fuzzers above all) may already have filled.
    ("number", lambda v: secrets.randbelow(10**12)),
    ("null", lambda v: None),
]
TYPE_CONFUSION_LEAST = 1


def _judge(label: str, status: int, issued: bool) -> str | None:
    if issued:
        return f"{label}: {status}, tokens issued"
    if status >= 500:
        return f"{label}: {status} (server error)"
    return None


def _attempt_all(
    ctx: ProbeContext,
    attempts: Iterable[tuple[str, dict[str, Any]]],
    what: str,
    coverage: dict[str, int],
) -> ProbeResult:
    logins: list[str] = []  # the worse sightings first: the finding's evidence shows a few
    crashes: list[str] = []
    throttled_count, count = 0, 0
    for label, body in attempts:
        answer = ctx.client.post_json(body)
        count += 1
        throttled_count += answer.throttled
        if problem := _judge(label, answer.status, answer.issued_tokens):
            (logins if answer.issued_tokens else crashes).append(problem)
    result = verdict([*logins, *crashes], throttled_count, count, what, **coverage)
    if result.evaluated and not result.violations and coverage["real_account_variants_skipped"]:
        # Evaluated with the most valuable variants; say what the budget left out.
        skipped = coverage["real_account_variants_skipped"]
        return passed(
            f"{result.message}; {skipped} lower-value variants left out (budget)", **result.details
        )
    return result


def _coverage(accounts: list[Credential], variants: list[Any]) -> dict[str, int]:
    """How many real-account variants the budget allowed, for the evidence numbers."""
    return {
        "real_account_variants": len(accounts),
        "real_account_variants_skipped": len(variants) - len(accounts),
    }


def probe_near_miss_passwords(ctx: ProbeContext) -> ProbeResult:
    """Passwords that differ from the real one in case, length or one character never log in;
    the whole password is verified (NIST SP 800-63B)."""
    accounts = ctx.spend_failures(len(NEAR_MISSES))
    if len(accounts) < NEAR_MISS_LEAST:
        return ctx.short_of_failures(NEAR_MISS_LEAST, len(accounts))
    attempts = []
    for (label, derive), account in zip(NEAR_MISSES, accounts, strict=False):
        near_miss = derive(account.password)
        if near_miss != account.password:
            attempts.append((label, {"username": account.username, "password": near_miss}))
    return _attempt_all(ctx, attempts, "near-miss passwords", _coverage(accounts, NEAR_MISSES))


def probe_injection_strings(ctx: ProbeContext) -> ProbeResult:
    """SQL, LDAP and NoSQL-operator injection in either field never logs in or crashes."""
    accounts = ctx.spend_failures(len(PASSWORD_INJECTIONS))
    if len(accounts) < INJECTION_LEAST:
        return ctx.short_of_failures(INJECTION_LEAST, len(accounts))
    attempts = [
        (f"password {payload!r}", {"username": account.username, "password": payload})
        for payload, account in zip(PASSWORD_INJECTIONS, accounts, strict=False)
    ]
    # Unknown or injected usernames hit no real account's lockout counter: sent in full.
    attempts += [
        (
            f"password {payload!r}, unknown user",
            {"username": unknown_username(), "password": payload},
        )
        for payload in PASSWORD_INJECTIONS
    ]
    attempts += [
        (f"username {payload!r}", {"username": payload, "password": payload})
        for payload in PASSWORD_INJECTIONS
    ]
    coverage = _coverage(accounts, PASSWORD_INJECTIONS)
    return _attempt_all(ctx, attempts, "injection attempts", coverage)


def probe_type_confusion(ctx: ProbeContext) -> ProbeResult:
    """Credentials of the wrong JSON type (list, object, number, boolean, null) get a 4xx."""
    accounts = ctx.spend_failures(len(TYPE_CONFUSIONS))
    if len(accounts) < TYPE_CONFUSION_LEAST:
        return ctx.short_of_failures(TYPE_CONFUSION_LEAST, len(accounts))
    attempts = [
        (
            f"password as {label}",
            {"username": account.username, "password": confuse(account.password)},
        )
        for (label, confuse), account in zip(TYPE_CONFUSIONS, accounts, strict=False)
    ]
    real = accounts[0]
    for label, confuse in TYPE_CONFUSIONS:
        # Free: an unknown username moves no counter; a confused username is no real one.
        attempts.append(
            (
                f"password as {label}, unknown user",
                {"username": unknown_username(), "password": confuse(wrong_password())},
            )
        )
        attempts.append(
            (
                f"username as {label}",
                {"username": confuse(real.username), "password": real.password},
            )
        )
    coverage = _coverage(accounts, TYPE_CONFUSIONS)
    return _attempt_all(ctx, attempts, "type-confused credentials", coverage)


def probe_whitespace_trimming(ctx: ProbeContext) -> ProbeResult:
    """Reports (as information) whether surrounding whitespace is stripped from the password,
    as stock DRF does: not a bypass, but the stored password is not what the user typed."""
    accounts = ctx.spend_failures(1)
    if not accounts:
        return ctx.short_of_failures(1, 0)
    account = accounts[0]
    answer = ctx.client.login(account.username, f" {account.password} ")
    details = {"status": answer.status}
    if answer.throttled:
        return throttled("answered 429", **details)
    if answer.issued_tokens:
        return violated(
            "whitespace is trimmed (information, not a bypass)",
            ["password with a leading and a trailing space: 200, tokens issued"],
            **details,
        )
    return passed(f"password with surrounding spaces: {answer.status}, no tokens", **details)


PROBES = [
    Probe(
        "near-miss passwords",
        probe_near_miss_passwords,
        fixed_demand(NEAR_MISS_LEAST, len(NEAR_MISSES)),
    ),
    Probe(
        "injection strings",
        probe_injection_strings,
        fixed_demand(INJECTION_LEAST, len(PASSWORD_INJECTIONS)),
    ),
    Probe(
        "type-confused credentials",
        probe_type_confusion,
        fixed_demand(TYPE_CONFUSION_LEAST, len(TYPE_CONFUSIONS)),
    ),
    Probe("whitespace trimming", probe_whitespace_trimming, fixed_demand(1, 1)),
]
