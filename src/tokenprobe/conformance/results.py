"""What a ``schemathesis run`` found, as data: `RunResults`, and what it becomes for tokenprobe.

`tokenprobe.conformance.report` (a Schemathesis CLI extension) fills a `RunResults` in the
``schemathesis run`` process from the engine's events and the checks' notes, and writes it as
JSON (``--tokenprobe-findings PATH``); ``tokenprobe conformance`` reads it back here. Nothing is
parsed out of a title or a message: every finding is a `CheckFinding`, and its severity, title
and standard come from the catalogue. Schemathesis' own JSON run report (counts, phases,
errors) is read as Schemathesis documents it.

The findings report, version 1::

    {"version": 1, "finished": bool,
     "findings": [{"id", "expected", "received", "evidence", "count", "cause"}],
     "checks": {"<check name>": {"passed": n, "failed": n, "errors": n}},
     "statuses": {"<HTTP status>": n},
     "token_responses": n}
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tokenprobe.conformance.failures import CheckFinding
from tokenprobe.core.catalogue import CONFORMANCE_CHECKS, conformance_check, conformance_check_id
from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.findings import Finding
from tokenprobe.core.summary import CheckResult

VERSION = 1
SOURCE = "conformance"
RUN_CHECK = "SuccessPathExercised"
MAX_TEXT = 400  # characters of evidence (or expected, received) kept per finding


@dataclasses.dataclass
class CheckTally:
    passed: int = 0
    failed: int = 0
    errors: int = 0  # the check itself crashed on a response


@dataclasses.dataclass
class RunResults:
    findings: list[CheckFinding] = dataclasses.field(default_factory=list)
    tallies: dict[str, CheckTally] = dataclasses.field(default_factory=dict)
    statuses: Counter[int] = dataclasses.field(default_factory=Counter)
    token_responses: int = 0  # 200s that issued tokens
    finished: bool = False

    def add_finding(self, found: CheckFinding) -> None:
        """Keep each cause once, counting the cases that showed it: the same failure on every
        case is one finding with a count, never one per case."""
        for index, known in enumerate(self.findings):
            if known.key == found.key:
                self.findings[index] = known.seen_again(found)
                return
        self.findings.append(found)

    def tally(self, check_name: str) -> CheckTally:
        return self.tallies.setdefault(check_name, CheckTally())

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "finished": self.finished,
            "findings": [f.to_dict() for f in self.findings],
            "checks": {name: dataclasses.asdict(t) for name, t in self.tallies.items()},
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            "token_responses": self.token_responses,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResults:
        return cls(
            findings=[CheckFinding.from_dict(f) for f in data["findings"]],
            tallies={name: CheckTally(**t) for name, t in data["checks"].items()},
            statuses=Counter({int(status): n for status, n in data["statuses"].items()}),
            token_responses=int(data["token_responses"]),
            finished=bool(data["finished"]),
        )

    def to_findings(self, redact: Callable[[str], str]) -> list[Finding]:
        return [shape(found, redact).to_finding() for found in self.findings]

    def check_results(self, credentials_given: bool, complete: bool = True) -> list[CheckResult]:
        """One result per check: tokenprobe's always, Schemathesis' when they ran.

        ``complete`` False: the run was stopped early, and Schemathesis then skips its
        run-level checks, so the run-level check is not evaluated (never passed)."""
        names = list(dict.fromkeys(e.check for e in CONFORMANCE_CHECKS if e.check != RUN_CHECK))
        names += sorted(n for n in self.tallies if n not in names and n != RUN_CHECK)
        results = [self._result(name) for name in names]
        if complete:
            results.append(self._run_check_result(credentials_given))
        else:
            check_id = conformance_check(RUN_CHECK).id
            results.append(
                CheckResult(check_id, RUN_CHECK, SOURCE, "run stopped before its end", ran=False)
            )
        return results

    def _result(self, name: str) -> CheckResult:
        """What the check looked at; its findings decide its outcome. A check that crashed on
        every response it applies to did not look (its crash is a run problem, `crashed`)."""
        tally = self.tallies.get(name, CheckTally())
        check_id = conformance_check_id(name)
        judged = tally.passed + tally.failed
        if judged:
            message = f"{tally.failed} failing of {judged}" if tally.failed else f"{judged} passed"
            if tally.errors:
                message += f"; crashed on {tally.errors} more"
            return CheckResult(check_id, name, SOURCE, message + " responses")
        if tally.errors:
            return CheckResult(check_id, name, SOURCE, self.crashed(name), ran=False)
        return CheckResult(check_id, name, SOURCE, "no response this check applies to", ran=False)

    def crashed(self, name: str) -> str:
        return f"the check crashed on {self.tallies[name].errors} responses"

    def crashes(self) -> list[str]:
        """A run problem per check that crashed: what it did not judge was not looked at."""
        return [f"{name}: {self.crashed(name)}" for name, t in self.tallies.items() if t.errors]

    def _run_check_result(self, credentials_given: bool) -> CheckResult:
        check_id = conformance_check(RUN_CHECK).id
        if not credentials_given:  # its not-evaluated finding (TP-CONF-011) says so too
            message = "no credentials: success path not exercised"
            return CheckResult(check_id, RUN_CHECK, SOURCE, message, ran=False)
        if any(f.id == check_id for f in self.findings):
            return CheckResult(check_id, RUN_CHECK, SOURCE, "no login succeeded")
        return CheckResult(check_id, RUN_CHECK, SOURCE, "logins succeeded")


def shape(found: CheckFinding, redact: Callable[[str], str]) -> CheckFinding:
    """Redacted, on one line, and short: evidence from a target may be anything. Redacted
    first: a secret cut in half by the shortening would no longer be recognised."""
    expected, received, evidence = (
        _line(redact(text)) for text in (found.expected, found.received, found.evidence)
    )
    return dataclasses.replace(
        found, expected=expected, received=received, evidence=evidence, cause=redact(found.cause)
    )


def _line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def write_results(results: RunResults, path: Path) -> Path:
    return write_text_atomic(path, json.dumps(results.to_dict(), indent=1) + "\n")


def read_results(path: Path) -> RunResults | None:
    """The findings report at ``path``; None when the run wrote none (it never got going)."""
    try:
        return RunResults.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None


def read_json_report(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
