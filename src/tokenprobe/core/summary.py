"""``summary.json``: the one machine-readable result every tokenprobe command writes.

Schema version 1 (documented in docs/reports.md, "summary.json")::

    {"schema_version": 1, "tool": "tokenprobe 0.1.0", "command": "conformance",
     "status": "pass" | "fail" | "error", "target": URL,
     "started_at": ISO-8601, "finished_at": ISO-8601, "duration_s": float,
     "findings": [{"id", "severity", "title", "evidence", "expected", "received",
                   "reference", "source", "accepted"}],
     "errors": ["one-line reason", ...],
     "checks": [{"id", "name", "source", "outcome", "message", "duration_s"}],
     "not_evaluated": int,      # findings that say a check could not run (catalogue)
     "stopped": null | {"reason": "time" | "SIGINT" | "SIGTERM", "stage", "budget_s"},
     <section>: {...}}          # "conformance", "security", "load", ... per command

``checks`` lists everything that was evaluated, passed or not (each becomes a JUnit test case);
``findings`` lists only what went wrong.

``stopped`` says why a run ended before its end (its time budget ran out, or a signal came) and
which command or stage was running; its findings and checks are what it got to.

``status`` is "error" when the run could not complete, else "fail" when any finding has
severity error (or a section says it failed, e.g. an SLO breach), else "pass". Findings whose
ID the known-deviation baseline accepts (``accepted``: true, see `tokenprobe.core.baseline`) are
reported but do not fail the run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Literal

from tokenprobe import __version__
from tokenprobe.core import catalogue
from tokenprobe.core.findings import (
    Finding,
    Severity,
    apply_severity_overrides,
    has_errors,
    raise_to_error,
)
from tokenprobe.core.interrupts import exit_code_of
from tokenprobe.core.redact import redact_data

SCHEMA_VERSION = 1


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


Outcome = Literal["passed", "failed", "skipped", "error"]


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """One check, probe or SLO threshold as evaluated in a run."""

    id: str  # stable: a finding ID family ("TP-TOKEN-003") or "slo:<name>"
    name: str
    source: str  # "conformance", "security", "load"
    outcome: Outcome
    message: str = ""
    duration_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


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
    # A section may fail the run without a finding (an SLO breach, say).
    failed_sections: set[str] = dataclasses.field(default_factory=set)
    # Finding ID → why the baseline accepts it; accepted findings never fail the run.
    accepted: dict[str, str] = dataclasses.field(default_factory=dict)
    stopped: Stop | None = None  # the run ended early: out of time or a signal

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

    def findings_of(self, check: CheckResult) -> list[Finding]:
        """The findings a check reported (every ID its check reports, `catalogue`)."""
        ids = catalogue.reported_by_check(check.id)
        return [f for f in self.findings if f.id in ids]

    def effective_outcome(self, check: CheckResult) -> Outcome:
        """A failed check none of whose findings still counts as an error (the baseline accepts
        them, or the configuration re-grades them) counts as passed; its findings are still
        shown. Every report applies this one rule."""
        if check.outcome != "failed":
            return check.outcome
        findings = self.findings_of(check)
        counted = [f for f in findings if f.severity is Severity.ERROR and not self.is_accepted(f)]
        return "passed" if findings and not counted else "failed"

    @property
    def not_evaluated(self) -> list[Finding]:
        """Findings that say a check could not run (no credentials, no budget, no canary, no
        key, a 429): what this verdict did not look at."""
        return [f for f in self.findings if catalogue.is_not_evaluated(f.id)]

    @property
    def not_evaluated_note(self) -> str:
        """``", 2 checks not evaluated"`` (empty when everything was): every verdict line ends
        its status with it, so a pass never hides what it did not look at."""
        count = len(self.not_evaluated)
        return f", {count} check{'' if count == 1 else 's'} not evaluated" if count else ""

    @property
    def status(self) -> str:
        if self.errors:
            return "error"
        counted = (f for f in self.findings if not self.is_accepted(f))
        if has_errors(counted) or self.failed_sections:
            return "fail"
        return "pass"

    @property
    def exit_code(self) -> int:
        if self.stopped is not None:
            return self.stopped.exit_code
        return {"pass": 0, "fail": 1, "error": 2}[self.status]

    def finish(self) -> None:
        self.finished_at = utc_now()

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
            failed_sections=set(self.failed_sections),
            accepted={k: redact(v) for k, v in self.accepted.items()},
        )

    def to_dict(self) -> dict[str, Any]:
        finished = self.finished_at or utc_now()
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": f"tokenprobe {__version__}",
            "command": self.command,
            "status": self.status,
            "target": self.target,
            "started_at": self.started_at.isoformat(),
            "finished_at": finished.isoformat(),
            "duration_s": round((finished - self.started_at).total_seconds(), 3),
            "findings": [{**f.to_dict(), "accepted": self.is_accepted(f)} for f in self.findings],
            "errors": list(self.errors),
            "checks": [c.to_dict() for c in self.checks],
            "not_evaluated": len(self.not_evaluated),
            "stopped": self.stopped.to_dict() if self.stopped else None,
            **self.sections,
        }
