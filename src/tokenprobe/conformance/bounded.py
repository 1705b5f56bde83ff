"""The conformance checks on a few requests sent in-process: the production profile's stage.

A ``schemathesis run`` generates hundreds of requests, megabyte bodies among them, from a
process the run's limits cannot reach (`core.limits`). This stage sends a fixed plan instead,
each request an OpenAPI case of the published spec sent through a `DeadlineSession` (so the
limits admit it): the account's logins, and answers that need no account (an unknown user,
malformed and mistyped bodies). Each answer is judged by the checks a Schemathesis run applies
to it: tokenprobe's token and response checks, and Schemathesis' own response checks, with the
same ``schemathesis.toml`` (the run's token policy) and the same rule for one cause, one finding
(`hooks.filter_failure`). Checks that send requests of their own are not run.
"""

from __future__ import annotations

import dataclasses
import functools
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import schemathesis
from schemathesis import Case, Response
from schemathesis.checks import CheckContext
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure, FailureGroup

from tokenprobe.conformance import hooks, response_checks, token_checks
from tokenprobe.conformance.boundary import UNKNOWN_USER, WRONG_PASSWORD
from tokenprobe.conformance.failures import NOT_APPLICABLE, NOTES, CheckFinding
from tokenprobe.conformance.report import finding_of
from tokenprobe.conformance.results import RUN_CHECK, RunResults, shape
from tokenprobe.conformance.runner import resolve_spec
from tokenprobe.conformance.tokens import issued_tokens
from tokenprobe.core import catalogue, defaults
from tokenprobe.core.config import TokenPolicy
from tokenprobe.core.credentials import Credential
from tokenprobe.core.deadlines import Deadline
from tokenprobe.core.errors import OutOfTime, StageError, TokenprobeError
from tokenprobe.core.http import DeadlineSession
from tokenprobe.core.native_files import write_schemathesis_toml
from tokenprobe.core.session import TOKEN_PATH, TargetSession
from tokenprobe.core.summary import Summary

LOGIN = "login"
LOGINS = 2  # two pairs: each token's jti is its own, and no two pairs are the same
# Schemathesis' checks that only read the answer they are given (the others send requests).
SCHEMATHESIS_RESPONSE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
TOKENPROBE_RESPONSE_CHECKS: tuple[Callable[..., Any], ...] = (
    response_checks.json_responses_are_json,
    response_checks.no_debug_output,
    response_checks.password_not_echoed,
    response_checks.wrong_credentials_answer_400,
    response_checks.tokens_not_cacheable,
    response_checks.no_second_credential,
    response_checks.protocol_answer_well_formed,
    token_checks.token_pair_well_formed,
    token_checks.token_algorithm_allowed,
    token_checks.token_expiry_valid,
    token_checks.token_lifetime_within_policy,
    token_checks.token_type_matches,
    token_checks.tokens_distinct,
    token_checks.no_sensitive_claims,
)


@dataclasses.dataclass(frozen=True)
class BoundedOptions:
    policy: TokenPolicy | None = None
    request_timeout_s: float = defaults.REQUEST_TIMEOUT_S
    budget_s: float = defaults.CONFORMANCE_BUDGET_S
    stage: str = "conformance"


@dataclasses.dataclass(frozen=True)
class Planned:
    name: str
    body: Any  # a JSON value, or bytes sent as they are with Content-Type: application/json


def plan(account: Credential | None) -> list[Planned]:
    """The requests, in order: never a wrong password for the account, never a body over a
    few hundred bytes; the unknown username is new each run (no lockout accumulates)."""
    unknown = f"{UNKNOWN_USER}.{secrets.token_hex(4)}"
    logins = [Planned(LOGIN, account.as_json()) for _ in range(LOGINS)] if account else []
    return [
        *logins,
        Planned("unknown user", {"username": unknown, "password": WRONG_PASSWORD}),
        Planned("malformed JSON", b'{"username": "' + unknown.encode() + b'", "password": '),
        Planned("no password", {"username": unknown}),
        Planned("wrong types", {"username": 12345, "password": [WRONG_PASSWORD]}),
    ]


def run(session: TargetSession, options: BoundedOptions | None = None) -> Summary:
    """Send the plan to ``session`` and judge every answer; a summary, never an exception."""
    options = options or BoundedOptions()
    summary = Summary(
        command="conformance", target=session.token_url, embedded_target=session.embedded
    )
    account = session.credentials[0] if session.credentials else None
    results = RunResults()
    deadline = Deadline.after(options.budget_s)
    login_ms: list[float] = []  # each login's time to a complete answer
    try:
        operation = _operation(options.policy)
        _send_and_judge(session, operation, plan(account), results, options, deadline, login_ms)
        results.finished = True
    except TokenprobeError as exc:
        summary.errors.append(session.redactor(str(exc)))
    finally:  # this run's notes only: the next run in this process starts with none
        for found in NOTES.drain():  # the warnings and infos the checks noted
            results.add_finding(shape(found, session.redactor))
    summary.errors.extend(results.crashes())  # what a crashed check did not judge
    if results.finished:
        _judge_success_path(results, account)
    summary.findings.extend(results.to_findings(session.redactor))
    summary.checks.extend(results.check_results(account is not None, results.finished))
    summary.sections["conformance"] = {
        "spec": "published",
        "requests": sum(results.statuses.values()),
        "statuses": {str(k): v for k, v in sorted(results.statuses.items())},
        "credentials": len(session.credentials[:1]),
        "success_path_exercised": results.token_responses > 0,
        "token_responses": results.token_responses,
        "login_latency_ms": [round(ms, 1) for ms in login_ms],
    }
    summary.finish()
    return summary


@functools.cache
def _operation(policy: TokenPolicy | None) -> Any:
    """The published spec's token operation, configured as a ``schemathesis run`` of this
    policy would be (the same rendered ``schemathesis.toml``, tokenprobe's hooks loaded).
    Once per policy and process: loading a configuration imports its hooks again and adds to
    ``sys.path``, which a monitor's every run would otherwise repeat."""
    with tempfile.TemporaryDirectory(prefix="tokenprobe-bounded-") as folder:
        config_file = write_schemathesis_toml(Path(folder), policy)
        config = SchemathesisConfig.from_path(config_file)
    schema = schemathesis.openapi.from_path(resolve_spec("published"), config=config)
    return schema[TOKEN_PATH]["POST"]


def _send_and_judge(
    session: TargetSession,
    operation: Any,
    planned: list[Planned],
    results: RunResults,
    options: BoundedOptions,
    deadline: Deadline,
    login_ms: list[float],
) -> None:
    checks = [*_checks(), ("TokenIdUnique", token_checks.TokenIdUnique().after_response)]
    ctx = _context(operation)  # one operation: one context for every answer
    with DeadlineSession(options.request_timeout_s) as http:
        for request in planned:
            case = operation.Case(body=request.body, media_type="application/json")
            response = _call(case, session, http, deadline)
            tokens = issued_tokens(response)
            session.redactor.add(*tokens.values())
            if request.name == LOGIN:
                login_ms.append(response.elapsed * 1000)
            results.statuses[response.status_code] += 1
            results.token_responses += bool(tokens)
            for name, check in checks:  # TokenIdUnique's one instance sees every pair
                _judge(name, check, ctx, response, case, results, session.redactor)


def _call(case: Case, session: TargetSession, http: DeadlineSession, deadline: Deadline) -> Any:
    """Send ``case``; no answer is a `StageError` (or `OutOfTime`, the stage's time spent)."""
    try:
        return case.call(base_url=session.base_url, session=http, deadline=deadline)
    except requests.RequestException as exc:
        if deadline.expired:
            raise OutOfTime(f"its {deadline.budget_s:g} s budget ran out") from None
        raise StageError(f"POST {session.token_url} failed: {type(exc).__name__}") from None


def _checks() -> list[tuple[str, Callable[..., Any]]]:
    registered = {check.__name__: check for check in schemathesis.checks.CHECKS.get_all()}
    chosen = [(name, registered[name]) for name in SCHEMATHESIS_RESPONSE_CHECKS]
    return chosen + [(check.__name__, check) for check in TOKENPROBE_RESPONSE_CHECKS]


def _context(operation: Any) -> CheckContext:
    """What Schemathesis hands a check judging an answer of ``operation``
    (`Case.validate_response`)."""
    config = operation.schema.config.checks_config_for(operation=operation)
    return CheckContext(
        override=None, auth=None, headers=None, config=config, transport_kwargs=None,
        response_checks=None,
    )  # fmt: skip


def _judge(
    name: str,
    check: Callable[..., Any],
    ctx: CheckContext,
    response: Response,
    case: Case,
    results: RunResults,
    redact: Callable[[str], str],
) -> None:
    """Run one check on one answer; tally it only where it applied (passed means it looked)."""
    tally = results.tally(name)
    try:
        outcome = check(ctx, response, case)
    except (Failure, FailureGroup) as exc:
        failures = list(exc.exceptions) if isinstance(exc, FailureGroup) else [exc]
        kept = [f for f in failures if hooks.filter_failure(None, f, case, response)]
        if kept:
            tally.failed += 1
            for failure in kept:
                results.add_finding(shape(finding_of(name, failure), redact))
        return
    except Exception:  # a check that crashed did not look (`RunResults.crashes`)
        tally.errors += 1
        return
    if outcome is not NOT_APPLICABLE:
        tally.passed += 1


def _judge_success_path(results: RunResults, account: Credential | None) -> None:
    """`hooks.SuccessPathExercised` for this plan: the account's logins issued tokens."""
    if account is None:
        found = hooks.no_credentials_finding()
    elif results.token_responses == 0:
        answers = ", ".join(f"{n} x {s}" for s, n in sorted(results.statuses.items()))
        found = CheckFinding.stated(
            catalogue.conformance_check(RUN_CHECK).id, None,
            f"{LOGINS} logins of the account with tokens", f"no login succeeded ({answers})",
        )  # fmt: skip
    else:
        return
    results.add_finding(found)
