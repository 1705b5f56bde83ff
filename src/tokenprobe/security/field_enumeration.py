"""User enumeration through the other fields that log in (TP-SEC-018, TP-SEC-019).

TP-SEC-001 and TP-SEC-002 vary only the username. A target that also takes an email (see
`tokenprobe.security.login_fields`) must keep the same promise there: a wrong password for a
real account's email and any password for an unknown email get the same answer, in the same
time. These probes ask that, per accepted field, with the accounts whose value logged in.

Their wrong passwords go to those accounts and come out of the same per-account budget (a
lockout counts the account, whichever field named it). The runner plans a demand for them only
when some field is evaluable (`demand_for`), so a target without another login field costs
nothing, and one account's budget still evaluates every username probe.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from typing import Any

from tokenprobe.core import catalogue
from tokenprobe.core.credentials import Credential
from tokenprobe.core.errors import StageError
from tokenprobe.security.enumeration import compare_answers
from tokenprobe.security.login_fields import LoginField, LoginFields
from tokenprobe.security.options import SecurityOptions
from tokenprobe.security.probe import (
    FailureDemand,
    Probe,
    ProbeContext,
    ProbeResult,
    fixed_demand,
    not_evaluated,
    passed,
    throttled,
    violated,
    wrong_password,
)
from tokenprobe.security.timing import SampleBody, describe, sample_until_clear

BY_ANSWER = "enumeration by answer, other login fields"
BY_TIMING = "enumeration by timing, other login fields"


def field_timing_demand(options: SecurityOptions) -> FailureDemand:
    """Real-account samples per field: the least for a verdict, the most the plan allows."""
    return FailureDemand(options.field_timing.min_pairs, options.field_timing.max_pairs)


def demand_for(
    probe: Probe,
    options: SecurityOptions,
    fields: LoginFields | None,
    capacity_of: Callable[[Collection[str]], int],
) -> FailureDemand | None:
    """The wrong passwords a field probe may be planned: its demand once per evaluable field,
    at most what the accounts whose value logs in can take (``capacity_of``: it spends on them
    alone); none when there is no such field, or one of them cannot take the least (it then
    spends nothing, and says it was not evaluated for want of attempts)."""
    assert probe.failures is not None
    demand = probe.failures(options)
    least = most = 0
    for field in evaluable_fields(fields):
        capacity = capacity_of(field.usernames)
        if capacity < demand.least:
            return None
        least += demand.least
        most += min(demand.most, capacity)
    return FailureDemand(least, most) if least else None


def evaluable_fields(fields: LoginFields | None) -> list[LoginField]:
    return [f for f in fields.to_probe if f.evaluable] if fields is not None else []


def _fields_to_probe(ctx: ProbeContext) -> tuple[list[LoginField], ProbeResult | None]:
    """The fields to probe, or the result that ends the probe before any request: a pass that
    says there is no other login field, or "not evaluated" for a field no account's value
    logs in with (or a 429 that may have hidden one), or for want of any account at all."""
    if ctx.pool.valid_account() is None:
        return [], ctx.short_of_failures(1, 0)  # no account that logs in: TP-SEC-101
    found = ctx.login_fields
    if found is None:  # the runner records why discovery failed
        raise StageError("the login fields could not be found")
    details: dict[str, Any] = {"login_fields": found.as_details()}
    pending = found.to_probe
    if not pending:
        if found.throttled:
            return [], throttled(f"{found.throttled} login-field discovery answers were 429")
        return [], passed(found.none_accepted(), **details)
    if missing := [f for f in pending if not f.evaluable]:
        message = "; ".join(f.why_not_evaluable() for f in missing)
        return [], not_evaluated(message, catalogue.FIELD_VALUES, **details)
    return pending, None


def _short(field: LoginField, wanted: int, got: int) -> ProbeResult:
    """Not evaluated for want of wrong passwords on the accounts whose value logs in."""
    return not_evaluated(
        f"field {field.name}: needs {wanted} wrong-password attempts on the"
        f" {len(field.values)} account(s) that log in with their {field.name}, got {got} (give"
        f" more accounts with their {field.name}, or a higher --failures-per-account if the"
        " target's lockout allows it)",
        catalogue.ACCOUNTS,
        wanted=wanted,
        allowed=got,
    )


def _body(field: LoginField) -> SampleBody:
    """A login by the field: the account's value, or an unknown one; a fresh wrong password."""

    def body(account: Credential | None) -> dict[str, object]:
        value = field.values[account.username] if account is not None else field.unknown_value()
        return {field.name: value, "password": wrong_password()}

    return body


def probe_field_enumeration_by_answer(ctx: ProbeContext) -> ProbeResult:
    """For each field besides the username that logs in (an email): a wrong password for a real
    account's value and for an unknown value get the same status, body and meaningful headers
    (ASVS 6.3.8)."""
    fields, early = _fields_to_probe(ctx)
    if early is not None:
        return early
    violations: list[str] = []
    details: dict[str, Any] = {}
    for field in fields:
        accounts = ctx.spend_failures(1, field.usernames)
        if not accounts:
            return _short(field, 1, 0)
        real_body, unknown_body = _body(field)(accounts[0]), _body(field)(None)
        real = ctx.client.post_json(real_body)
        unknown = ctx.client.post_json(unknown_body)
        details[field.name] = {"real_account_status": real.status, "unknown_status": unknown.status}
        if real.throttled or unknown.throttled:
            return throttled(f"field {field.name}: answered 429", **details)
        differences = compare_answers(real, unknown, _strings(real_body), _strings(unknown_body))
        violations += [f"field {field.name}: {difference}" for difference in differences]
    names = ", ".join(f.name for f in fields)
    if violations:
        return violated(f"the answers by {names} tell real accounts apart", violations, **details)
    return passed(f"by {names}: a real account and an unknown one answered alike", **details)


def probe_field_enumeration_by_timing(ctx: ProbeContext) -> ProbeResult:
    """For each field besides the username that logs in (an email): wrong-password answers for
    real accounts' values and for unknown values take the same time (ASVS 6.3.8), judged as
    TP-SEC-002 judges the username."""
    fields, early = _fields_to_probe(ctx)
    if early is not None:
        return early
    budget = ctx.options.field_timing
    violations: list[str] = []
    lines: list[str] = []
    details: dict[str, Any] = {}
    for index, field in enumerate(fields):
        # Each field gets its share of what is left: the plan counted one demand per field.
        share = ctx.allowance // (len(fields) - index)
        if share < budget.min_pairs:
            return _short(field, budget.min_pairs, share)
        capped = dataclasses.replace(budget, max_pairs=min(budget.max_pairs, share))
        sampling = sample_until_clear(ctx, capped, _body(field), field.usernames)
        if sampling.throttled:
            return throttled(f"field {field.name}: {sampling.throttled} timing samples were 429")
        if sampling.verdict is None:
            return _short(field, budget.min_pairs, sampling.real_samples)
        verdict = sampling.verdict
        details[field.name] = verdict.as_details(unknown=field.name)
        line = f"field {field.name}: {describe(verdict, field.name)}"
        (violations if verdict.is_leak(budget) else lines).append(line)
    if violations:
        return violated("response time tells real accounts apart", violations, **details)
    return passed(f"no timing difference above the floors; {'; '.join(lines)}", **details)


def _strings(body: dict[str, object]) -> list[str]:
    return [v for v in body.values() if isinstance(v, str)]


PROBES = [
    Probe(BY_ANSWER, probe_field_enumeration_by_answer, fixed_demand(1, 1)),
    Probe(BY_TIMING, probe_field_enumeration_by_timing, field_timing_demand),
]
# The probes whose demand the runner plans only for evaluable fields (`demand_for`).
FIELD_PROBES = frozenset(probe.name for probe in PROBES)
