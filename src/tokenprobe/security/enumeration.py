"""User enumeration by answer: a wrong password and an unknown username must look the same."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

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

# A cookie's name where requests joined several Set-Cookie headers with ", " (an Expires date's
# ", 21 Oct 2015" is no name: a name is followed by "=").
COOKIE_NAME = re.compile(r"(?:^|,\s*)([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=")
# Shorter values are too likely to be part of any message ("user" in "No user found").
MIN_MASKED_LENGTH = 8
# Headers whose value or presence can tell the two cases apart; Date and the like cannot.
HEADERS_THAT_MATTER = (
    "content-type",
    "www-authenticate",
    "retry-after",
    "set-cookie",
    "cache-control",
    "location",
)


def body_without(answer: Answer, sent: Sequence[str]) -> str:
    """The answer's body with what was sent masked: a body that repeats the submitted username
    or password differs for every request, and says nothing about whether the account exists
    (echoing the password is TP-CONF-003's business)."""
    text = answer.text
    for value in (v for v in sent if len(v) >= MIN_MASKED_LENGTH):
        for form in {value, json.dumps(value)[1:-1]}:
            text = text.replace(form, "<sent>")
    body = _json_or_none(text)
    return json.dumps(body, sort_keys=True) if body is not None else text


def compare_answers(
    real: Answer, unknown: Answer, real_sent: Sequence[str] = (), unknown_sent: Sequence[str] = ()
) -> list[str]:
    """Every observable difference between the two answers, as evidence lines; the values each
    request sent are masked in its body first."""
    differences = []
    if real.status != unknown.status:
        differences.append(f"status {real.status} for a real account vs {unknown.status} unknown")
    if body_without(real, real_sent) != body_without(unknown, unknown_sent):
        differences.append(
            f"body {real.excerpt()!r} for a real account vs {unknown.excerpt()!r} unknown"
        )
    real_headers, unknown_headers = headers_that_matter(real), headers_that_matter(unknown)
    for name in HEADERS_THAT_MATTER:
        if real_headers.get(name) != unknown_headers.get(name):
            differences.append(
                f"header {name}: {real_headers.get(name)!r} for a real account"
                f" vs {unknown_headers.get(name)!r} unknown"
            )
    return differences


def headers_that_matter(answer: Answer) -> dict[str, str]:
    """The headers that can tell the cases apart, lower-cased; cookies by name only: a load
    balancer's or a session's cookie has a new value on every answer, its name does not."""
    headers = {k.lower(): v for k, v in answer.headers.items() if k.lower() in HEADERS_THAT_MATTER}
    if "set-cookie" in headers:
        names = sorted(set(COOKIE_NAME.findall(headers["set-cookie"])))
        headers["set-cookie"] = "cookies " + ", ".join(names)
    return headers


def probe_enumeration_by_answer(ctx: ProbeContext) -> ProbeResult:
    """A wrong password for a real account and any password for an unknown username get the
    same status, body and meaningful headers (ASVS 6.3.8)."""
    accounts = ctx.spend_failures(1)
    if not accounts:
        return ctx.short_of_failures(1, 0)
    account = accounts[0]
    real_sent = (account.username, wrong_password())
    unknown_sent = (unknown_username(), wrong_password())
    real = ctx.client.login(*real_sent)
    unknown = ctx.client.login(*unknown_sent)
    details = {"real_account_status": real.status, "unknown_username_status": unknown.status}
    if real.throttled or unknown.throttled:
        return throttled("answered 429", **details)
    if differences := compare_answers(real, unknown, real_sent, unknown_sent):
        return violated("the answers tell real accounts from unknown ones", differences, **details)
    return passed(f"both answered {real.status} with the same body and headers", **details)


PROBES = [Probe("enumeration by answer", probe_enumeration_by_answer, fixed_demand(1, 1))]


def _json_or_none(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None
