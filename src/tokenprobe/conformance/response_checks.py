"""Response checks (TP-CONF-NNN): how the token endpoint answers, whatever the outcome.

Each check is a Schemathesis check ``(ctx, response, case)`` stating one rule; IDs, titles,
severities and standards are in `tokenprobe.core.catalogue`.
"""

from __future__ import annotations

import json
import re

import schemathesis
from schemathesis import Case, CheckContext, Response

from tokenprobe.conformance import policy
from tokenprobe.conformance.failures import NOT_APPLICABLE, fail, note
from tokenprobe.conformance.tokens import (
    header,
    issued_tokens,
    json_body,
    media_type,
    submitted_password,
)

# Statuses the published spec documents as application/json.
DOCUMENTED_JSON_STATUSES = frozenset({200, 400})
DEBUG_MARKERS = (
    ("Python traceback", re.compile(r"Traceback \(most recent call last\)")),
    ("stack frame", re.compile(r'File \\?"[^"\\]+\\?", line \d+')),
    ("Django debug page", re.compile(r"You're seeing this error because you have|Django Version:")),
    ("exception class name", re.compile(r"\b(?:[A-Z]\w+Error|Exception) at /")),
)
# Shorter passwords are too likely to occur in any text ("No active account…" contains "active").
MIN_ECHO_LENGTH = 8


def claims_json(response: Response) -> bool:
    kind = media_type(response)
    return kind == "application/json" or kind.endswith("+json")


def documented_answer_not_json(response: Response, case: Case) -> bool:
    """A 200 or 400 to the documented method whose Content-Type is not JSON. The spec documents
    POST's answers: an empty 200 to OPTIONS (Flask answers it by itself) or a 400 to another
    method is HTTP's business, not the contract's."""
    documented = response.request.method == case.operation.method.upper()
    return (
        documented
        and response.status_code in DOCUMENTED_JSON_STATUSES
        and not claims_json(response)
    )


@schemathesis.check
def json_responses_are_json(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """200 and 400 answers to the documented method are application/json; any answer claiming
    JSON parses as JSON."""
    if documented_answer_not_json(response, case):
        fail(
            "json_responses_are_json",
            case,
            f"Content-Type: application/json on a {response.status_code}",
            f"Content-Type: {header(response, 'Content-Type') or '(none)'}",
        )
    if not claims_json(response):
        return NOT_APPLICABLE
    if json_body(response) is None:
        fail(
            "json_responses_are_json",
            case,
            "a body that parses as JSON",
            f"{len(response.content)} bytes that do not parse, starting {response.content[:20]!r}",
        )
    return None


@schemathesis.check
def no_debug_output(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """No answer carries a stack trace, a stack frame or a framework debug page."""
    if response.status_code < 300:
        return NOT_APPLICABLE  # token responses are TP-TOKEN checks' business
    text = response.content.decode("utf-8", "replace")
    for what, marker in DEBUG_MARKERS:
        if marker.search(text):
            fail(
                "no_debug_output",
                case,
                "an error body without internals",
                f"{what} in the {response.status_code} body ({media_type(response) or 'no type'})",
            )
    return None


@schemathesis.check
def password_not_echoed(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """No error answer repeats the password the request submitted."""
    password = submitted_password(case)
    if response.status_code < 300 or not password or len(password.strip()) < MIN_ECHO_LENGTH:
        return NOT_APPLICABLE
    text = response.content.decode("utf-8", "replace")
    escaped = json.dumps(password)[1:-1]
    if password in text or escaped in text:
        fail(
            "password_not_echoed",
            case,
            "an error body without the submitted password",
            f"the {response.status_code} body contains the {len(password)}-character password",
        )
    return None


@schemathesis.check
def wrong_credentials_answer_400(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Rejected credentials get the documented 400, not 401/403 (stock SimpleJWT says 401)."""
    if not 400 <= response.status_code < 500 or not carries_credentials(case):
        return NOT_APPLICABLE
    if not answers_wrong_credentials(response, case):
        return None
    challenge = header(response, "WWW-Authenticate")
    fail(
        "wrong_credentials_answer_400",
        case,
        "400 (the published spec documents only 200 and 400; RFC 6749 §5.2 invalid_grant)",
        # What this server sent, nothing about which server it might be.
        f"{response.status_code}" + (f" with WWW-Authenticate: {challenge}" if challenge else ""),
    )


def answers_wrong_credentials(response: Response, case: Case) -> bool:
    """A 401 or 403 to a login attempt: the deviation this check reports."""
    return response.status_code in (401, 403) and carries_credentials(case)


def carries_credentials(case: Case) -> bool:
    """A login attempt: a POST whose body names a username and a password, of any JSON type (a
    server that coerces ``"password": 123`` to text and rejects it says the same 401)."""
    body = case.body
    return (
        case.method.upper() == "POST"
        and isinstance(body, dict)
        and "username" in body
        and "password" in body
    )


@schemathesis.check
def tokens_not_cacheable(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A response carrying tokens sends Cache-Control: no-store (RFC 6749 §5.1)."""
    if not issued_tokens(response):
        return NOT_APPLICABLE
    pragma = header(response, "Pragma")
    if (pragma or "").lower() != "no-cache":  # noted first: the failure below ends the check
        note("tokens_not_cacheable", case, "Pragma: no-cache", f"Pragma: {pragma or '(none)'}")
    cache_control = header(response, "Cache-Control") or ""
    directives = {d.strip().split("=", 1)[0].lower() for d in cache_control.split(",")}
    if "no-store" not in directives:
        fail(
            "tokens_not_cacheable",
            case,
            "Cache-Control: no-store",
            f"Cache-Control: {cache_control or '(none)'}",
        )
    return None


# Cookie names of the frameworks' sessions and CSRF tokens, compared case-insensitively.
SESSION_COOKIE = re.compile(r"sess|sid$|^connect\.sid$|csrf|xsrf|auth|token|remember", re.I)


@schemathesis.check
def no_second_credential(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A login that issues the token pair sets no session or CSRF cookie beside it: a second
    credential the client did not ask for, which a cookie-authenticated API must then defend
    against CSRF (a warning: hardening, not the contract)."""
    if not issued_tokens(response):
        return NOT_APPLICABLE
    names = sorted(
        {name for name in map(_cookie_name, response.headers.get("set-cookie", [])) if name}
    )
    credentials = [name for name in names if SESSION_COOKIE.search(name)]
    if credentials:
        note(
            "no_second_credential",
            case,
            "the token pair only, no session or CSRF cookie",
            "Set-Cookie: " + ", ".join(credentials),
        )
    return None


def _cookie_name(set_cookie: str) -> str:
    """The name of one Set-Cookie header's cookie (never its value: it may be a credential)."""
    return set_cookie.split("=", 1)[0].strip() if "=" in set_cookie else ""


@schemathesis.check
def protocol_answer_well_formed(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Protocol answers carry their headers: 405 an Allow (MUST), 429 a Retry-After (advised).

    The statuses listed in ``[checks.protocol_answer_well_formed] statuses`` are protocol
    answers, not contract violations: Schemathesis' status checks do not flag them.
    """
    status = response.status_code
    if status not in policy.protocol_statuses(ctx.config) or status not in (405, 429):
        return NOT_APPLICABLE
    if status == 405 and not header(response, "Allow"):
        fail("protocol_answer_well_formed", case, "405 with an Allow header", "no Allow header")
    if status == 429 and not header(response, "Retry-After"):
        note("protocol_answer_well_formed", case, "429 with Retry-After", "no Retry-After")
    return None
