"""The result of a run, and its one verdict.

A run's `Summary` holds what was seen: its checks (each `CheckResult` says only whether it
looked), its findings (each belongs to one check, `Finding.check`), the run's problems (it
could not run), its stop, and its sections. `verdict` is the one function that judges it:
every check's outcome, the status, the exit code and the counts. Every surface (the exit code,
the console line, summary.json, JUnit, Markdown, HTML, history, the Locust web UI) renders the
`Verdict`, never a rule of its own.

summary.json, schema version 1 (documented in docs/reports.md, "summary.json")::

    {"schema_version": 1, "tool": "tokenprobe 0.1.0", "command": "conformance",
     "status": "pass" | "fail" | "error", "exit_code": int, "target": URL,
     "embedded_target": bool,   # the embedded reference target, started for this run
     "started_at": ISO-8601, "finished_at": ISO-8601, "duration_s": float,
     "counts": {"error", "warning", "info", "accepted", "not_evaluated", "problems"},
     "findings": [{"id", "severity", "title", "evidence", "expected", "received",
                   "reference", "source", "count", "check", "seen_by", "accepted"}],
     "errors": ["one-line reason", ...],   # the run's problems: it could not run
     "checks": [{"id", "name", "source", "outcome", "message", "duration_s", "ran",
                 "findings": [finding IDs that decide its outcome]}],
     "not_evaluated": int,      # checks a not-evaluated finding names (catalogue)
     "stopped": null | {"reason": "time" | "SIGINT" | "SIGTERM", "stage", "budget_s"},
     <section>: {...}}          # "conformance", "security", "load", ... per command

``checks`` lists everything that was evaluated or tried, passed or not (each becomes a JUnit
test case); ``findings`` lists only what went wrong.

``stopped`` says why a run ended before its end (its time budget ran out, or a signal came) and
which command or stage was running; its findings and checks are what it got to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, Literal

from tokenprobe import __version__
from tokenprobe.core import catalogue
from tokenprobe.core.findings import Finding, Severity, apply_severity_overrides, raise_to_error
from tokenprobe.core.interrupts import exit_code_of
from tokenprobe.core.redact import redact_data

SCHEMA_VERSION = 1


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


Outcome = Literal["passed", "failed", "skipped"]
Status = Literal["pass", "fail", "error"]
EXIT_CODES: dict[Status, int] = {"pass": 0, "fail": 1, "error": 2}


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """One check, probe or SLO threshold as tried in a run: whether it looked, never its
    outcome, which its findings decide (`verdict`)."""

    id: str  # stable: a finding ID family ("TP-TOKEN-003"), "slo:<name>", "regression:<m>"
    name: str
    source: str  # "conformance", "security", "load"
    message: str = ""
    duration_s: float = 0.0
    # False: it could not look (nothing it applies to, not run, stopped): skipped, never passed.
    ran: bool = True


TIME = "time"  # `Stop.reason` when a budget ran out; otherwise the signal's name


@dataclasses.dataclass(frozen=True)
class Stop:
    """Why a run, or a stage of it, ended before its end, and what was running then."""

    reason: str  # TIME, or the signal's name: "SIGTERM", "SIGINT"
    stage: str  # the command or gate stage that was running
    budget_s: float | None = None  # the budget that ran out (reason TIME)

    @property
    def exit_code(self) -> int:
        """2 (could not run) when out of time; 128 + the signal's number for a signal."""
        return 2 if self.reason == TIME else exit_code_of(self.reason)

    def describe(self) -> str:
        if self.reason == TIME:
            return f"{self.stage}: out of time (its {self.budget_s:g} s budget ran out)"
        return f"{self.stage}: interrupted by {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Summary:
    command: str
    target: str
    started_at: dt.datetime = dataclasses.field(default_factory=utc_now)
    finished_at: dt.datetime | None = None
    findings: list[Finding] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    checks: list[CheckResult] = dataclasses.field(default_factory=list)
    sections: dict[str, Any] = dataclasses.field(default_factory=dict)
    # Finding ID → why the baseline accepts it; accepted findings never fail the run.
    accepted: dict[str, str] = dataclasses.field(default_factory=dict)
    stopped: Stop | None = None  # the run ended early: out of time or a signal
    # The target was the embedded reference target, started for this run: its URL's port
    # changes every run, so the history groups its runs by this, not by the URL.
    embedded_target: bool = False

    def stop(self, stop: Stop) -> None:
        """Record that the run ended early; the reason is also one of its errors."""
        self.stopped = stop
        self.errors.append(stop.describe())

    def grade(
        self, severities: Mapping[str, Severity] | None = None, *, require_complete: bool = False
    ) -> None:
        """Re-grade the findings as configured (``[severities]``); then, with
        ``require_complete`` (``--require-complete``), make every not-evaluated finding an error.
        Every command and the gate grade this one way, before any baseline (which may still
        accept a not-evaluated finding)."""
        self.findings = apply_severity_overrides(self.findings, severities or {})
        if require_complete:
            self.findings = raise_to_error(self.findings, catalogue.NOT_EVALUATED_IDS)

    def is_accepted(self, finding: Finding) -> bool:
        return finding.id in self.accepted

    @property
    def status(self) -> Status:
        return verdict(self).status

    @property
    def exit_code(self) -> int:
        return verdict(self).exit_code

    def finish(self) -> None:
        self.finished_at = utc_now()

    @property
    def duration_s(self) -> float:
        """Seconds from its start to its finish (to now, while it runs)."""
        finished = self.finished_at or utc_now()
        return round((finished - self.started_at).total_seconds(), 3)

    def redacted(self, redact: Callable[[str], str]) -> Summary:
        """A copy with every string (findings, checks, errors, sections) redacted as data."""
        return dataclasses.replace(
            self,
            target=redact(self.target),
            findings=[
                dataclasses.replace(
                    f,
                    title=redact(f.title),
                    evidence=redact(f.evidence),
                    expected=redact(f.expected),
                    received=redact(f.received),
                    reference=redact(f.reference),
                )
                for f in self.findings
            ],
            errors=[redact(e) for e in self.errors],
            checks=[
                dataclasses.replace(c, name=redact(c.name), message=redact(c.message))
                for c in self.checks
            ],
            sections=redact_data(self.sections, redact),
            accepted={k: redact(v) for k, v in self.accepted.items()},
        )

    def to_dict(self) -> dict[str, Any]:
        finished = self.finished_at or utc_now()
        judged = verdict(self)
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": f"tokenprobe {__version__}",
            "command": self.command,
            "status": judged.status,
            "exit_code": judged.exit_code,
            "target": self.target,
            "embedded_target": self.embedded_target,
            "started_at": self.started_at.isoformat(),
            "finished_at": finished.isoformat(),
            "duration_s": self.duration_s,
            "counts": judged.counts,
            "findings": [{**f.to_dict(), "accepted": self.is_accepted(f)} for f in self.findings],
            "errors": list(self.errors),
            "checks": [check_entry(c) for c in judged.checks],
            "not_evaluated": judged.counts["not_evaluated"],
            "stopped": self.stopped.to_dict() if self.stopped else None,
            **with_outcomes(self.sections, judged),
        }


def with_outcomes(sections: Mapping[str, Any], judged: Verdict) -> dict[str, Any]:
    """The sections, with what summary.json has always shown in them rendered from the verdict
    (never stored there): each SLO's ``passed`` (its ``slo:<name>`` check passed) and each
    security probe's ``outcome``."""
    outcomes = {c.id: c.outcome for c in judged.checks}
    rendered = dict(sections)
    load = sections.get("load")
    if isinstance(load, Mapping) and isinstance(load.get("slo"), list):
        slos = [
            {**slo, "passed": outcomes.get(f"{catalogue.SLO_CHECK_PREFIX}{slo.get('name')}")
             == "passed"} if isinstance(slo, Mapping) else slo
            for slo in load["slo"]
        ]  # fmt: skip
        rendered["load"] = {**load, "slo": slos}
    security = sections.get("security")
    if isinstance(security, Mapping) and isinstance(security.get("probes"), Mapping):
        probes = {
            probe_id: {**entry, "outcome": outcomes.get(probe_id, "skipped")}
            for probe_id, entry in security["probes"].items()
        }
        rendered["security"] = {**security, "probes": probes}
    return rendered


def check_entry(checked: CheckVerdict) -> dict[str, Any]:
    """A check in summary.json: what it is, its outcome, and the findings that decide it."""
    findings = [f.id for f in checked.findings]
    return {**dataclasses.asdict(checked.check), "outcome": checked.outcome, "findings": findings}


@dataclasses.dataclass(frozen=True)
class CheckVerdict:
    check: CheckResult
    outcome: Outcome
    findings: tuple[Finding, ...]  # every finding that decides it (its own and folded ones)

    @property
    def id(self) -> str:
        return self.check.id

    @property
    def message(self) -> str:
        return self.check.message


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A run judged: what every report says, from one rule (`verdict`)."""

    status: Status
    exit_code: int
    checks: tuple[CheckVerdict, ...]
    # Findings per severity (accepted ones included, and counted apart), checks a not-evaluated
    # finding names, and the run's problems (it could not run: never called errors in words).
    counts: dict[str, int]
    not_evaluated: tuple[Finding, ...]
    comparison: str = ""  # with --compare: the regression verdict, as its check says it

    def outcomes(self) -> Counter[str]:
        return Counter(c.outcome for c in self.checks)

    def line(self) -> str:
        """The verdict in one line, as the console prints it: ``FAIL; findings: 3 error (1
        accepted), 2 warning, 0 info; 2 checks not evaluated``."""
        counts = self.counts
        text = STATUS_WORDS[self.status]
        accepted = f" ({counts['accepted']} accepted)" if counts["accepted"] else ""
        text += f"; findings: {counts['error']} error, {counts['warning']} warning"
        text += f", {counts['info']} info{accepted}"
        if counts["not_evaluated"]:
            text += f"; {plural(counts['not_evaluated'], 'check')} not evaluated"
        if counts["problems"]:
            text += f"; {plural(counts['problems'], 'run problem')}"
        if self.comparison:
            text += f"; vs previous run: {self.comparison}"
        return text


STATUS_WORDS: dict[Status, str] = {"pass": "PASS", "fail": "FAIL", "error": "ERROR (could not run)"}


def plural(count: int, noun: str) -> str:
    """``"1 check"``, ``"2 checks"``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def verdict(summary: Summary) -> Verdict:
    """The one verdict of ``summary``.

    A check failed when a finding it owns (or saw, ``seen_by``) is an error the baseline does
    not accept; else it is skipped when it could not look (``ran`` False, or a not-evaluated
    finding of its own: --require-complete makes that an error, so a failure); else it passed.
    A finding of a check the run does not list gets one (its catalogue check), so every counted
    error fails a check, and a failing run fails at least one. The status is "error" when the
    run had a problem (it could not run, or was stopped), else "fail" when a check failed.
    """
    by_check: dict[str, list[Finding]] = {}
    for found in summary.findings:
        for check_id in found.checks:
            by_check.setdefault(check_id, []).append(found)
    checks = [*summary.checks, *_checks_of_orphans(summary)]
    judged = tuple(_judge_check(c, by_check.get(c.id, []), summary) for c in checks)
    status: Status = "pass"
    if summary.errors:
        status = "error"
    elif any(c.outcome == "failed" for c in judged):
        status = "fail"
    exit_code = summary.stopped.exit_code if summary.stopped else EXIT_CODES[status]
    not_evaluated = tuple(f for f in summary.findings if catalogue.is_not_evaluated(f.id))
    severities = Counter(str(f.severity) for f in summary.findings)
    counts = {
        **{str(s): severities[str(s)] for s in sorted(Severity, reverse=True)},
        "accepted": sum(summary.is_accepted(f) for f in summary.findings),
        "not_evaluated": len({c for f in not_evaluated for c in f.checks}),
        "problems": len(summary.errors),
    }
    compared = [c.message for c in checks if c.id == catalogue.REGRESSION_OVERALL_CHECK]
    return Verdict(status, exit_code, judged, counts, not_evaluated, next(iter(compared), ""))


def _judge_check(check: CheckResult, findings: list[Finding], summary: Summary) -> CheckVerdict:
    return CheckVerdict(check, _outcome(check, findings, summary), tuple(findings))


def _outcome(check: CheckResult, findings: list[Finding], summary: Summary) -> Outcome:
    if any(f.severity is Severity.ERROR and not summary.is_accepted(f) for f in findings):
        return "failed"
    if not check.ran or any(catalogue.is_not_evaluated(f.id) for f in findings):
        return "skipped"
    return "passed"


def _checks_of_orphans(summary: Summary) -> list[CheckResult]:
    """A check for each check ID that findings name and the run does not list."""
    listed = {c.id for c in summary.checks}
    orphans: dict[str, CheckResult] = {}
    for found in summary.findings:
        for check_id in found.checks:
            if check_id not in listed and check_id not in orphans:
                known = catalogue.BY_ID.get(check_id)
                name = known.check if known else found.title
                orphans[check_id] = CheckResult(check_id, name, found.source or summary.command)
    return list(orphans.values())
