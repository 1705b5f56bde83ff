"""The security run: every selected probe against one target, into one `Summary`.

Outcome rules, for each probe's `CheckResult`:

* ``failed``  — at least one error-severity finding (after severity overrides);
* ``passed``  — evaluated, and no error-severity finding (warnings and infos are reported);
* ``skipped`` — not evaluated (no credentials, no budget, no canary, no key, a 429 in the
  way): never a pass, and reported as the not-evaluated finding of the missing need (warning by
  default), so a verdict always says what it did not look at;
* ``error``   — the run broke (the target stopped answering); the summary's status is "error".

The pool's wrong-password budget is planned before the first probe (`budget.plan_failures`),
after finding which fields besides the username log in (`login_fields.discover`, only when a
probe of those fields is selected): their probes demand a share only when they can use it.

The run has a time budget too (``budget_s``): every request's deadline is at most its end. When
it runs out, or SIGINT/SIGTERM comes (`Interrupted`), the probe under way ends as ``error``, the
probes after it are ``skipped`` ("not run"), and the summary records the `Stop`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Collection, Sequence
from typing import Any

from tokenprobe.core import catalogue
from tokenprobe.core.credentials import Credential
from tokenprobe.core.deadlines import Deadline
from tokenprobe.core.errors import OutOfTime, StageError
from tokenprobe.core.findings import Finding, apply_severity_overrides, deduplicate, seen_again
from tokenprobe.core.interrupts import Interrupted
from tokenprobe.core.session import TargetSession
from tokenprobe.core.summary import TIME, CheckResult, Stop, Summary
from tokenprobe.security.accounts import ProbeAccounts
from tokenprobe.security.budget import plan_failures
from tokenprobe.security.client import ProbeClient
from tokenprobe.security.field_enumeration import FIELD_PROBES, demand_for, evaluable_fields
from tokenprobe.security.login_fields import LoginFields, discover
from tokenprobe.security.options import SecurityOptions
from tokenprobe.security.probe import FailureDemand, Probe, ProbeContext, ProbeResult
from tokenprobe.security.registry import check_severity_ids, select_probes

SOURCE = "security"
SHOWN_SIGHTINGS = 3  # violations a finding names in its evidence


def choose_canary(session: TargetSession, options: SecurityOptions) -> Credential | None:
    """The configured canary; on the embedded target, the last seeded account is dedicated to
    brute force (the pool never uses it). A user's target without a canary gets none."""
    if options.canary is not None:
        return options.canary
    if session.embedded and options.allow_brute_force and session.credentials:
        return session.credentials[-1]
    return None


def run(session: TargetSession, options: SecurityOptions | None = None) -> Summary:
    """Run the security probes against ``session`` and return the summary (no files: the
    probes have no tool of their own whose reports to keep)."""
    options = options or SecurityOptions()
    if options.verify_key is None and session.verify_key is not None:
        # The key the target is known to sign with (the embedded target's), unless one is given.
        options = dataclasses.replace(options, verify_key=session.verify_key)
    redactor = session.redactor
    check_severity_ids(options.severities)
    probes = select_probes(options.probes)
    canary = choose_canary(session, options)
    if canary is not None:
        redactor.add_password(canary.password)
    pool_accounts = [
        c for c in session.credentials if canary is None or c.username != canary.username
    ]
    deadline = Deadline.after(options.budget_s)
    client = ProbeClient(session.token_url, redactor, options.request_timeout_s, deadline)
    pool = ProbeAccounts(client, pool_accounts, options.failures_per_account)
    ctx = ProbeContext(client, pool, options, canary)
    summary = Summary(
        command="security", target=session.token_url, embedded_target=session.embedded
    )
    section: dict[str, Any] = {}
    allowances: dict[str, int] = {}
    try:
        ctx.login_fields = _find_login_fields(probes, ctx, pool_accounts, summary)
        pool.reserve({u for f in evaluable_fields(ctx.login_fields) for u in f.usernames})
        demands = failure_demands(probes, options, ctx.login_fields, pool.capacity_of)
        allowances = plan_failures(demands, pool.capacity)
        for probe in probes:
            if summary.stopped is not None:
                break
            ctx.allowance = allowances.get(probe.name, 0)
            check, findings, entry = _run_one(probe, ctx, options, summary)
            summary.checks.append(check)
            summary.findings.extend(findings)
            section[probe.id] = entry
    except Interrupted as exc:  # between two probes
        summary.stop(Stop(exc.signal_name, options.stage))
    finally:
        client.close()
    if summary.stopped is not None:
        summary.checks += [_not_run(p, summary.stopped) for p in probes if p.id not in section]
    summary.findings = catalogue.fold_same_causes(one_per_lack(deduplicate(summary.findings)))
    summary.sections[SOURCE] = {
        "probes": section,
        "requests": client.requests_sent,
        "pool_accounts": pool.size,
        "failures_per_account": options.failures_per_account,
        "failure_budget": allowances,
        "canary": canary.username if canary else None,
        **({"login_fields": ctx.login_fields.as_details()} if ctx.login_fields else {}),
    }
    summary.finish()
    return summary


def _find_login_fields(
    probes: Sequence[Probe], ctx: ProbeContext, accounts: Sequence[Credential], summary: Summary
) -> LoginFields | None:
    """Which fields besides the username log in, when a probe of them is selected and there is
    an account to probe them with (without one, they are not evaluated like every probe that
    needs one); None (and the reason recorded: an error, or the run's stop) when the target
    would not say."""
    if not accounts or not any(probe.name in FIELD_PROBES for probe in probes):
        return None
    try:
        return discover(ctx.client, accounts, ctx.options.login_fields)
    except OutOfTime:
        summary.stop(Stop(TIME, ctx.options.stage, ctx.options.budget_s))
    except StageError as exc:
        summary.errors.append(f"finding the login fields: {exc}")
    return None


def failure_demands(
    probes: Sequence[Probe],
    options: SecurityOptions,
    fields: LoginFields | None,
    capacity_of: Callable[[Collection[str]], int],
) -> dict[str, FailureDemand]:
    """Probe name → the wrong passwords it asks for; a probe of other login fields asks only
    when such a field can be evaluated, within what its accounts can take (``capacity_of``)."""
    demands = {}
    for probe in probes:
        if probe.failures is None:
            continue
        demand = (
            demand_for(probe, options, fields, capacity_of)
            if probe.name in FIELD_PROBES
            else probe.failures(options)
        )
        if demand is not None:
            demands[probe.name] = demand
    return demands


def _run_one(
    probe: Probe, ctx: ProbeContext, options: SecurityOptions, summary: Summary
) -> tuple[CheckResult, list[Finding], dict[str, Any]]:
    sent_before = ctx.client.requests_sent
    started = time.perf_counter()
    broken = False
    try:
        result = probe.run(ctx)
    except OutOfTime:
        summary.stop(Stop(TIME, options.stage, options.budget_s))
        result, broken = ProbeResult(False, "could not finish: out of time"), True
    except Interrupted as exc:
        summary.stop(Stop(exc.signal_name, options.stage))
        result, broken = ProbeResult(False, f"could not finish: {exc.signal_name}"), True
    except StageError as exc:  # the target stopped answering: the run, not the target, failed
        summary.errors.append(f"{probe.id} {probe.name}: {exc}")
        result, broken = ProbeResult(False, f"could not run: {exc}"), True
    wall_s = time.perf_counter() - started
    findings = apply_severity_overrides(_findings(probe, result, broken), options.severities)
    ran = result.evaluated and not broken
    check = CheckResult(probe.id, probe.name, SOURCE, result.message, round(wall_s, 3), ran)
    entry = {
        "name": probe.name,
        # As configured for this probe; its outcome is the verdict's (summary.json shows it).
        "severity": str(options.severities.get(probe.id, probe.entry.severity)),
        "requests": ctx.client.requests_sent - sent_before,
        "wall_s": round(wall_s, 3),
        **({"details": result.details} if result.details else {}),
        **({"violations": list(result.violations)} if result.violations else {}),
        **({"notes": list(result.notes)} if result.notes else {}),
    }
    return check, findings, entry


def one_per_lack(findings: Sequence[Finding]) -> list[Finding]:
    """One not-evaluated finding per thing lacked (TP-SEC-101 to 106), every probe that lacked
    it among its checks: one cause, one finding, with a count. Its evidence is the first
    probe's reason; each probe's own is its check's message."""
    kept: list[Finding] = []
    first: dict[str, int] = {}
    for found in findings:
        if catalogue.is_not_evaluated(found.id) and found.id in first:
            kept[first[found.id]] = seen_again(kept[first[found.id]], found)
            continue
        first.setdefault(found.id, len(kept))
        kept.append(found)
    return kept


def _one_finding(finding_id: str, sightings: Sequence[str]) -> list[Finding]:
    """A probe's violations (or notes) are sightings of its one rule broken, with one fix (an
    unsigned token is unsigned in both roles, by alg and by signature): one finding, counted,
    the first few as its evidence; summary.json's probe entry lists them all."""
    if not sightings:
        return []
    shown = "; ".join(sightings[:SHOWN_SIGHTINGS])
    more = len(sightings) - SHOWN_SIGHTINGS
    evidence = f"{shown}; and {more} more" if more > 0 else shown
    return [catalogue.finding(finding_id, evidence, count=len(sightings))]


def _not_run(probe: Probe, stop: Stop) -> CheckResult:
    """A probe the run never got to: not evaluated, never a pass."""
    why = "out of time" if stop.reason == TIME else stop.reason
    return CheckResult(probe.id, probe.name, SOURCE, f"not run: {why}", ran=False)


def _findings(probe: Probe, result: ProbeResult, broken: bool) -> list[Finding]:
    """Violations under the probe's ID, notes under its second entry, and a probe that could
    not be evaluated as the not-evaluated finding of what it lacked. That finding's evidence is
    the reason alone (its check names the probe): probes that lacked the same thing are one
    cause (`one_per_lack` folds them, each probe in its checks)."""
    found = _one_finding(probe.id, result.violations)
    if result.notes:
        found += _one_finding(probe.note_entry.id, result.notes)
    if not result.evaluated and not broken:
        missing = catalogue.not_evaluated_entry("security", result.need)
        found.append(
            catalogue.finding(
                missing.id,
                result.message,
                expected=", ".join(probe.entry.needs) or result.need,
                received=f"not evaluated: {result.need}",
                check=probe.id,
            )
        )
    return found
