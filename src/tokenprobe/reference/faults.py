"""The fault catalogue: named, documented deviations of the reference target.

Each fault breaks exactly one thing a check or probe looks for, so the test suite can prove that
check can fail. Switch faults on at start: ``tokenprobe serve --fault NAME[=VALUE]``
(repeatable); ``--list-faults`` prints this table. A fault's VALUE, where it takes one, tunes
it (a delay, a share).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping


@dataclasses.dataclass(frozen=True)
class Fault:
    name: str
    description: str
    # For faults that take a value: what it means and its default.
    value_help: str = ""
    default: float | None = None


_CATALOGUE = [
    # Contract: status codes and error bodies
    Fault(
        "status-401", "wrong credentials answer 401 + WWW-Authenticate (stock SimpleJWT), not 400"
    ),
    Fault("password-echo", "the 400 for wrong credentials repeats the submitted password"),
    Fault(
        "enumeration-message", "unknown usernames get a different 400 message than wrong passwords"
    ),
    Fault("stack-trace-body", "the 400 for wrong credentials carries a Python traceback in JSON"),
    Fault("debug-error-page", "malformed JSON answers a 500 Django debug page (HTML traceback)"),
    Fault("html-error-pages", "framework errors (400/404/500) use Django's HTML pages, not JSON"),
    Fault("server-error-on-unicode", "500 when the username is not ASCII"),
    Fault("server-error-on-long-input", "500 when a field is longer than 1,000 characters"),
    Fault(
        "server-error-on-wrong-type", "500 when a field is not a string (list, number, object...)"
    ),
    Fault("text-content-type", "200 token responses are sent as text/plain"),
    Fault(
        "problem-json-errors",
        "400s are sent as application/problem+json, a JSON type the spec does not document",
    ),
    # Tokens
    Fault("missing-refresh", "200 body has no refresh token"),
    Fault("same-tokens", "access and refresh are the same string"),
    Fault("alg-none", "tokens are unsigned (alg none, empty signature)"),
    Fault("weak-secret", "tokens are signed with HS256 and the well-known secret 'secret'"),
    Fault("expired-access", "access token is issued already expired"),
    Fault("no-exp", "access token has no exp claim"),
    Fault("long-lived-access", "access token lives one year"),
    Fault("wrong-token-type", "access token claims token_type 'refresh'"),
    Fault("fixed-jti", "every token carries the same jti"),
    Fault("sensitive-claims", "access token carries the user's password hash and email"),
    # Caching and transport
    Fault("no-cache-headers", "token responses lack Cache-Control: no-store and Pragma: no-cache"),
    Fault("accepts-form", "form-encoded and multipart credentials are accepted (stock DRF)"),
    Fault("accepts-get-query", "GET or POST with credentials in the query string issues tokens"),
    Fault(
        "session-cookie",
        "a login also sets a Django session cookie and a CSRF cookie (dj-rest-auth's default)",
    ),
    # Correct variations: the contract leaves room for them, so no check may fail them
    Fault(
        "extra-response-fields",
        "not a defect: the 200 also carries a user object, token_type, expires_in and scope",
    ),
    Fault(
        "oauth-error-body",
        'not a defect: 400s are {"error", "error_description"} (RFC 6749 §5.2), not DRF\'s shape',
    ),
    # Authentication logic
    Fault("enumeration-timing", "no dummy password hash for unknown usernames (answers faster)"),
    Fault("case-insensitive-password", "passwords are compared case-insensitively"),
    Fault(
        "password-truncation",
        "only the first N characters of the password are checked",
        value_help="characters checked",
        default=8,
    ),
    Fault("empty-password-accepted", "an empty password logs a real user in"),
    Fault("injection-bypass", "a SQL-injection password (' OR '1'='1) logs a real user in"),
    Fault("nosql-bypass", 'a password object such as {"$ne": null} logs a real user in'),
    Fault("no-lockout", "no per-account throttle of failed logins (stock DRF)"),
    Fault(
        "unbounded-input",
        "no length limit, and a hash whose cost grows with the password's length (CVE-2013-1443)",
    ),
    # Performance and availability
    Fault(
        "slow", "every token request waits before answering", value_help="delay in ms", default=200
    ),
    Fault(
        "slower",
        "every token request takes VALUE % longer than it would: it waits that share of its own"
        " handling time (a slower release)",
        value_help="percent",
        default=25,
    ),
    Fault(
        "stall",
        "the whole target freezes periodically: VALUE ms frozen at the start of every 2 s",
        value_help="frozen ms per 2 s period",
        default=500,
    ),
    Fault("flaky", "a share of token requests answer 502", value_help="share 0..1", default=0.2),
    # Conformance (issue 3)
    Fault("no-allow-header", "405 answers lack the Allow header"),
    # Security probes (issue 4)
    Fault("key-location-header", "token headers carry jku (a key URL) and kid"),
]

CATALOGUE: Mapping[str, Fault] = {fault.name: fault for fault in _CATALOGUE}


def parse_faults(specs: Iterable[str]) -> dict[str, float | None]:
    """Parse ``NAME`` / ``NAME=VALUE`` strings; raise ValueError naming the bad one."""
    active: dict[str, float | None] = {}
    for spec in specs:
        name, _, raw = spec.partition("=")
        name = name.strip()
        fault = CATALOGUE.get(name)
        if fault is None:
            raise ValueError(f"unknown fault {name!r}; see --list-faults")
        if raw and fault.default is None:
            raise ValueError(f"fault {name!r} takes no value")
        try:
            active[name] = float(raw) if raw else fault.default
        except ValueError:
            raise ValueError(f"fault {name!r}: value {raw!r} is not a number") from None
    return active


def describe_catalogue() -> str:
    """The catalogue as an aligned text table, for ``--list-faults``."""
    width = max(len(f.name) for f in _CATALOGUE)
    lines = []
    for fault in _CATALOGUE:
        extra = (
            f" [={fault.value_help}, default {fault.default:g}]"
            if fault.default is not None
            else ""
        )
        lines.append(f"{fault.name:<{width}}  {fault.description}{extra}")
    return "\n".join(lines)
