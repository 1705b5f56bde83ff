"""Turning a ``schemathesis run``'s own reports into tokenprobe findings and check results.

Schemathesis writes an NDJSON event stream (every check outcome of every case, and the run-level
checks' failures) and a JSON run report (counts, phases, errors); both are its documented report
formats. This module reads them; it never decides what is a failure, Schemathesis did.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tokenprobe.conformance.catalogue import SOURCE, TOKENPROBE_CHECKS, spec_for
from tokenprobe.core.findings import Finding, Severity
from tokenprobe.core.summary import CheckResult

RUN_CHECK = "SuccessPathExercised"
MAX_EVIDENCE = 400


@dataclasses.dataclass
class CheckTally:
    passed: int = 0
    failed: int = 0
    failures: list[dict[str, Any]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class RunResults:
    tallies: dict[str, CheckTally]
    run_failures: list[dict[str, Any]]  # failures of run-level checks (after_run)
    statuses: Counter[int]
    token_responses: int  # 200s whose body names both tokens
    finished: bool

    def findings(self, redact: Callable[[str], str]) -> list[Finding]:
        findings = []
        for name, tally in self.tallies.items():
            findings += [_finding(name, failure, redact) for failure in tally.failures]
        findings += [_finding(_run_check_name(f), f, redact) for f in self.run_failures]
        return findings

    def check_results(self, credentials_given: bool) -> list[CheckResult]:
        """One result per check: tokenprobe's always, Schemathesis' when they ran."""
        names = [spec.name for spec in TOKENPROBE_CHECKS if spec.name != RUN_CHECK]
        names += sorted(n for n in self.tallies if n not in names and n != RUN_CHECK)
        results = [self._result(name) for name in names]
        results.append(self._run_check_result(credentials_given))
        return results

    def _result(self, name: str) -> CheckResult:
        spec = spec_for(name)
        tally = self.tallies.get(name, CheckTally())
        if tally.failed:
            outcome, message = "failed", f"{tally.failed} failing of {tally.passed + tally.failed}"
        elif tally.passed:
            outcome, message = "passed", f"{tally.passed} responses passed"
        else:
            outcome, message = "skipped", "no response this check applies to"
        return CheckResult(spec.id, name, SOURCE, outcome, message)

    def _run_check_result(self, credentials_given: bool) -> CheckResult:
        spec = spec_for(RUN_CHECK)
        if not credentials_given:
            return CheckResult(
                spec.id, RUN_CHECK, SOURCE, "skipped", "no credentials: success path not exercised"
            )
        if any(_run_check_name(f) == RUN_CHECK for f in self.run_failures):
            return CheckResult(spec.id, RUN_CHECK, SOURCE, "failed", "no login succeeded")
        return CheckResult(spec.id, RUN_CHECK, SOURCE, "passed", "logins succeeded")


def _run_check_name(failure: dict[str, Any]) -> str:
    """Run-level failures carry no check name; ours are known by their title's ID."""
    title = str(failure.get("title", ""))
    return RUN_CHECK if title.startswith(spec_for(RUN_CHECK).id) else title or "run check"


def _finding(check_name: str, failure: dict[str, Any], redact: Callable[[str], str]) -> Finding:
    spec = spec_for(check_name)
    title = str(failure.get("title", ""))
    message = str(failure.get("message", "")).strip()
    if title.startswith(spec.id):  # a tokenprobe check: the message says expected/received
        evidence = message.replace("Expected: ", "expected ").replace(
            "\nReceived: ", " / received "
        )
    else:  # a Schemathesis check: keep its code and title, they name the failure kind
        evidence = f"{failure.get('code', '')} {title}".strip() + (
            f": {message}" if message else ""
        )
    evidence = " ".join(redact(evidence).split())
    if len(evidence) > MAX_EVIDENCE:
        evidence = evidence[:MAX_EVIDENCE] + "…"
    operation = failure.get("operation")
    if operation:
        evidence = f"{operation}: {evidence}"
    return Finding(spec.id, Severity.ERROR, spec.title, evidence, spec.reference, SOURCE)


def read_ndjson(path: Path) -> RunResults:
    tallies: dict[str, CheckTally] = defaultdict(CheckTally)
    statuses: Counter[int] = Counter()
    run_failures: list[dict[str, Any]] = []
    token_responses = 0
    finished = False
    for kind, event in _events(path):
        if kind == "ScenarioFinished":
            recorder = event.get("recorder", {})
            _tally_checks(recorder.get("checks", {}), tallies)
            for interaction in recorder.get("interactions", {}).values():
                response = interaction.get("response") or {}
                if "status_code" in response:
                    statuses[response["status_code"]] += 1
                    token_responses += _carries_tokens(response)
        elif kind == "EngineFinished":
            finished = True
            run_failures += [_failure_dict(f) for f in event.get("failures", [])]
    return RunResults(dict(tallies), run_failures, statuses, token_responses, finished)


def _events(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                yield from record.items()


def _tally_checks(checks: dict[str, list[dict[str, Any]]], tallies: dict[str, CheckTally]) -> None:
    for case_checks in checks.values():
        for check in case_checks:
            tally = tallies[check["name"]]
            if check.get("status") == "failure":
                tally.failed += 1
                info = check.get("failure_info") or {}
                tally.failures.append(_failure_dict(info.get("failure", {})))
            else:
                tally.passed += 1


def _failure_dict(failure: Any) -> dict[str, Any]:
    return failure if isinstance(failure, dict) else {"message": str(failure)}


def _carries_tokens(response: dict[str, Any]) -> bool:
    if response.get("status_code") != 200:
        return False
    content = response.get("content")
    if isinstance(content, dict) and "$base64" in content:
        content = base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    try:
        body = json.loads(content) if isinstance(content, str) else None
    except ValueError:
        return False
    return isinstance(body, dict) and "access" in body and "refresh" in body


def read_json_report(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
