"""User enumeration by answer: a wrong password and an unknown username must look the same;
and, judged with unknown usernames alone, an unknown username's answer never says so."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from tokenprobe.core import catalogue
from tokenprobe.security.client import Answer
from tokenprobe.security.probe import (
    Probe,
    ProbeContext,
    ProbeResult,
    fixed_demand,
    not_evaluated,
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

# An answer that says the account does not exist ("No account with this username", "User not
# found", USER_NOT_FOUND, "We can't find a user with that email address"): an account word
# bound to its non-existence, in a message that is not the generic one ("No active account
# found with the given credentials", "Invalid username or password"). Narrow on purpose: a
# message it misses is TP-SEC-001's to catch on staging; one it flags must say so.
_SUBJECT = r"(?:user(?:name)?|account|e ?mail(?: address)?)s?"
# "unknown user" ends its phrase: "unknown user agent" is no account.
_PHRASE_END = r"(?=\s*(?:$|[.,;:!?)\]\"']|\b(?:or|with|named?|for)\b))"
SAYS_UNKNOWN = re.compile(
    rf"\b{_SUBJECT}\b.{{0,40}}?\b(?:does ?n[o'\u2019]?t exist|not exist|no longer exists|not found"
    r"|(?:could|can) ?not be found|not registered|is not associated)\b"
    rf"|\b(?:no such|unknown|nonexistent|non existent) {_SUBJECT}\b{_PHRASE_END}"
    rf"|\bno {_SUBJECT} (?:with|for|named|by|matching|matches|found|registered|exists)\b"
    rf"|\b(?:can ?n?[o'\u2019]?t|could ?n?[o'\u2019]?t|unable to) find"
    rf" (?:\w+ ){{0,2}}?{_SUBJECT}\b",
    re.IGNORECASE,
)
# The generic message names the password beside the account ("username or password", "User
# not found or wrong password", "Username/password not found") or speaks of credentials.
GENERIC = re.compile(
    r"\bcredentials?\b|(?:\bor|\band|/)\s*(?:(?:wrong|incorrect|invalid|bad)\s+)?password"
    r"|\bpassword\s*(?:or\b|and\b|/)",
    re.IGNORECASE,
)
CAMEL_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
NOT_FOUND = (404, 410)  # an unknown username "not found" by its status
MESSAGE_EXCERPT_CHARS = 120


def body_without(answer: Answer, sent: Sequence[str]) -> str:
    """The answer's body with what was sent masked: a body that repeats the submitted username
    or password differs for every request, and says nothing about whether the account exists
    (echoing the password is TP-CONF-003's business)."""
    text = _masked(answer, sent)
    body = _json_or_none(text)
    return json.dumps(body, sort_keys=True) if body is not None else text


def _masked(answer: Answer, sent: Sequence[str]) -> str:
    """The answer's text with each value sent, raw or JSON-escaped, replaced."""
    text = answer.text
    for value in (v for v in sent if len(v) >= MIN_MASKED_LENGTH):
        for form in {value, json.dumps(value)[1:-1]}:
            text = text.replace(form, "<sent>")
    return text


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


NO_LOGIN = not_evaluated(
    "no account that logs in: nothing shows that this endpoint's answers are a login's",
    catalogue.CREDENTIALS,
)


def says_unknown(answer: Answer, sent: Sequence[str]) -> list[str]:
    """The messages of an answer (with what was sent masked) that say the account does not
    exist; a JSON field's name counts as part of its message ({"username": ["not found"]})."""
    masked = _masked(answer, sent)  # parsed once below, not dumped to be parsed again
    return [
        text[:MESSAGE_EXCERPT_CHARS]
        for text in _messages(_json_or_none(masked), masked)
        if SAYS_UNKNOWN.search(_words(text)) and not GENERIC.search(text)
    ]


def _words(text: str) -> str:
    """Codes read as words: USER_NOT_FOUND, auth/user-not-found, UserNotFoundException."""
    return " ".join(re.split(r"[_\-/\s]+", CAMEL_HUMP.sub(" ", text)))


def probe_enumeration_by_unknown_users(ctx: ProbeContext) -> ProbeResult:
    """An unknown username's answer does not say that the account does not exist: no message
    saying so, no 404 where a real account logs in (ASVS 6.3.8). It spends no wrong password on
    a real account, so the production profile runs it where TP-SEC-001 cannot run."""
    # Only where the endpoint logs a real account in is its answer the login's: a wrong URL's
    # 404 page ("/api/login was not found on this server") is no answer about an account.
    if not ctx.token_pair:
        return NO_LOGIN
    sent = (unknown_username(), wrong_password())
    answer = ctx.client.login(*sent)
    details = {"unknown_username_status": answer.status}
    if answer.throttled:
        return throttled("answered 429", **details)
    if answer.status in NOT_FOUND:
        violations = [f"status {answer.status} for an unknown username; a real account logs in"]
    elif 400 <= answer.status < 500:  # a rejection's own words (a 5xx is TP-CONF-101's)
        violations = [f"the answer says so: {text!r}" for text in says_unknown(answer, sent)]
    else:
        violations = []
    if violations:
        return violated(
            "an unknown username's answer says the account does not exist", violations, **details
        )
    return passed(f"answered {answer.status}; nothing in it says the account is unknown", **details)


PROBES = [
    Probe("enumeration by answer", probe_enumeration_by_answer, fixed_demand(1, 1)),
    Probe("enumeration by answer, unknown users", probe_enumeration_by_unknown_users),
]


def _messages(body: object, text: str, path: str = "") -> list[str]:
    """Every string of a JSON body, each after the names of the fields it sits in; a body
    that is not JSON is one message."""
    if body is None:
        return [text]
    if isinstance(body, dict):
        return [m for key, value in body.items() for m in _messages(value, "", f"{path}{key}: ")]
    if isinstance(body, list):
        return [m for value in body for m in _messages(value, "", path)]
    return [f"{path}{body}"] if isinstance(body, str) else []


def _json_or_none(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None
