"""Schemathesis hooks for POST /api/v1/token/: the module ``schemathesis.toml`` loads.

``hooks = "tokenprobe.conformance.hooks"`` registers, for every ``schemathesis run`` that loads it:

* the token-aware checks (`token_checks`, `response_checks`);
* credential-aware generation: a share of *positive* cases log in with valid credentials from
  ``TOKENPROBE_USERNAME``/``TOKENPROBE_PASSWORD`` or ``TOKENPROBE_CREDENTIALS``, injected at case
  level so negative cases stay negative (REFERENCE §4 pitfall);
* the deterministic boundary cases (`tokenprobe.conformance.boundary`), added to the examples phase;
* protocol answers (405, 415, 429 by default) exempted from Schemathesis' status checks;
* `SuccessPathExercised`, the run-level check that the 200 path was exercised (without
  credentials a warning, TP-CONF-011; ``[checks.SuccessPathExercised] require-complete = true``
  makes it a failure);
* the "tokenprobe" CLI extension (`tokenprobe.conformance.report`): ``--tokenprobe-findings PATH``
  writes every finding as data, warnings and infos are shown in Schemathesis' summary, and a
  bad credentials file or setting is one line and exit 2 before anything runs.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import Counter
from typing import Any

import schemathesis
import schemathesis.cli
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, Response

from tokenprobe.conformance import policy, response_checks, token_checks
from tokenprobe.conformance.boundary import LOGINS_ONLY_ENV, boundary_cases
from tokenprobe.conformance.failures import (
    NOT_APPLICABLE,
    CheckFinding,
    TokenprobeFailure,
    fail,
    note,
)
from tokenprobe.conformance.report import FindingsReport, add_options
from tokenprobe.conformance.tokens import issued_tokens
from tokenprobe.core import catalogue
from tokenprobe.core.credentials import (
    ENV_CREDENTIALS,
    ENV_PASSWORD,
    ENV_USERNAME,
    Credential,
    from_environment,
)

__all__ = ["SuccessPathExercised", "response_checks", "token_checks"]

TOKEN_OPERATION = "POST /api/v1/token/"
# Share of positive cases sent with valid credentials: enough 200s to check tokens on, while
# most cases still explore the rejection path.
LOGIN_SHARE_PERCENT = 30
# Schemathesis' status checks that would flag a protocol answer as a contract violation.
STATUS_CHECK_FAILURES = frozenset({"ST103", "ST202"})
UNDOCUMENTED_STATUS = "ST103"  # status_code_conformance (TP-CONF-102)
# content_type_conformance (TP-CONF-103): a missing, undocumented or malformed media type.
CONTENT_TYPE_FAILURES = frozenset({"ST104", "ST105", "ST106"})

# Logins sent in the examples phase, so the success path never depends on chance.
DETERMINISTIC_LOGINS = 2


CREDENTIAL_VARIABLES = (ENV_USERNAME, ENV_PASSWORD, ENV_CREDENTIALS)


def configured_credentials() -> tuple[Credential, ...]:
    """Valid credentials from the environment as it is now (the pytest path points it at the
    target it starts after this module is imported)."""
    return _credentials_for(*(os.environ.get(k, "") for k in CREDENTIAL_VARIABLES))


@functools.cache
def _credentials_for(username: str, password: str, csv_path: str) -> tuple[Credential, ...]:
    environment = dict(zip(CREDENTIAL_VARIABLES, (username, password, csv_path), strict=True))
    return tuple(from_environment(environment))


def _applies(case: Case) -> bool:
    return case.operation.label == TOKEN_OPERATION


@schemathesis.hook
def flatmap_case(context: schemathesis.HookContext, case: Case) -> st.SearchStrategy[Case]:
    """Send valid credentials in a share of positive cases (never in negative ones)."""
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    credentials = configured_credentials()
    if not credentials or not positive or not _applies(case):
        return st.just(case)
    login = st.sampled_from(credentials).map(lambda credential: _with_credentials(case, credential))
    return st.integers(0, 99).flatmap(
        lambda roll: login if roll < LOGIN_SHARE_PERCENT else st.just(case)
    )


def _with_credentials(case: Case, credential: Credential) -> Case:
    case.body = credential.as_json()
    case.media_type = "application/json"
    return case


@schemathesis.hook
def before_add_examples(context: schemathesis.HookContext, examples: list[Case]) -> None:
    """Add the boundary cases (unless ``TOKENPROBE_LOGINS_ONLY``), and logins with valid
    credentials, to the examples phase."""
    operation = context.operation
    if operation is None or operation.label != TOKEN_OPERATION:
        return
    if os.environ.get(LOGINS_ONLY_ENV) != "1":
        for boundary in boundary_cases():
            examples.append(operation.Case(body=boundary.body, media_type="application/json"))
    for credential in configured_credentials()[:DETERMINISTIC_LOGINS]:
        examples.append(operation.Case(body=credential.as_json(), media_type="application/json"))


@schemathesis.hook
def filter_failure(
    context: schemathesis.HookContext, failure: object, case: Case, response: Response
) -> bool:
    """Keep every failure except a status check's complaint about a protocol answer, and those
    a check of ours names more precisely (one cause, one finding): status_code_conformance's
    about a 401 or 403 to a login attempt (TP-CONF-004 names it), content_type_conformance's
    about a documented 200 or 400 that is not JSON (TP-CONF-001 names it)."""
    code = getattr(failure, "code", None)
    if code in CONTENT_TYPE_FAILURES:
        return not response_checks.documented_answer_not_json(response, case)
    if code not in STATUS_CHECK_FAILURES:
        return True
    if code == UNDOCUMENTED_STATUS and response_checks.answers_wrong_credentials(response, case):
        return False
    config = case.operation.schema.config.checks_config_for(operation=case.operation)
    return response.status_code not in policy.protocol_statuses(config)


@schemathesis.check
class SuccessPathExercised:
    """With credentials configured, at least one login succeeds (a 200 carrying tokens).

    Without credentials it cannot tell: a not-evaluated warning (TP-CONF-011), or with
    ``require-complete = true`` in its ``[checks.SuccessPathExercised]`` section that same
    finding as a failure, so a run that never saw a token cannot pass."""

    def __init__(self, **settings: Any) -> None:
        # Schemathesis passes the check's section of schemathesis.toml as keyword arguments;
        # "require-complete" (hyphenated, as Schemathesis' own keys are) is no Python name.
        self._require_complete = policy.require_complete(settings)
        self._lock = threading.Lock()
        self._succeeded: set[str] = set()
        self._attempts: Counter[int] = Counter()  # status of each distinct login attempt
        self._seen_cases: set[str] = set()

    def after_response(self, ctx: CheckContext, response: Response, case: Case) -> bool | None:
        username = _configured_username(case)
        if username is None:
            return NOT_APPLICABLE
        with self._lock:
            if case.id not in self._seen_cases:  # replays and shrinking call again
                self._seen_cases.add(case.id)
                self._attempts[response.status_code] += 1
            if issued_tokens(response):
                self._succeeded.add(username)
        return None

    def after_run(self, ctx: CheckContext) -> None:
        credentials = configured_credentials()
        if not credentials:
            if self._require_complete:
                raise _not_evaluated_failure()
            note("SuccessPathExercised", None, "valid credentials", "none", NO_CREDENTIALS_NOTE)
            return
        if not self._succeeded:
            answers = ", ".join(f"{n} x {s}" for s, n in sorted(self._attempts.items()))
            fail(
                "SuccessPathExercised",
                None,
                f"at least one 200 with tokens for the {len(credentials)} configured credential(s)",
                f"no login succeeded ({answers or 'no case carried the credentials'})",
            )


NO_CREDENTIALS_NOTE = (
    "expected valid credentials / received none: the success path (200 with tokens) was NOT "
    f"exercised; set {ENV_USERNAME} and {ENV_PASSWORD}, or {ENV_CREDENTIALS}"
)


def no_credentials_finding() -> CheckFinding:
    """TP-CONF-011: the success path was not evaluated, for want of credentials."""
    (entry,) = (
        e for e in catalogue.entries_of("conformance", "SuccessPathExercised") if e.not_evaluated
    )
    return CheckFinding.stated(entry.id, None, "valid credentials", "none", NO_CREDENTIALS_NOTE)


def _not_evaluated_failure() -> TokenprobeFailure:
    """TP-CONF-011 as a failure of the run: it was asked to be complete."""
    return TokenprobeFailure(no_credentials_finding(), operation=None)


def _configured_username(case: Case) -> str | None:
    body = case.body
    if not isinstance(body, dict):
        return None
    for credential in configured_credentials():
        if (
            body.get("username") == credential.username
            and body.get("password") == credential.password
        ):
            return credential.username
    return None


# The CLI extension. Schemathesis imports this module (schemathesis.toml's `hooks`) before it
# parses `schemathesis run`'s options, so the options added here are accepted on that command.
add_options(schemathesis.cli.add_group("tokenprobe"))
schemathesis.cli.handler()(FindingsReport)
