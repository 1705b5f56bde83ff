"""A load run's checks and findings: what `tokenprobe.core.summary.verdict` judges it by.

One check per SLO threshold (``slo:<name>``, its breach finding TP-LOAD-001), one for the load
generator's CPU (TP-LOAD-002), and one for scenarios switched off for lack of credentials
(TP-LOAD-003). ``tokenprobe load``, a headless plain Locust run and Locust's web UI all judge a
run through `add_checks`, so they cannot disagree. The load section keeps the measurements
(an SLO's observed value, never whether it passed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tokenprobe.core import catalogue
from tokenprobe.core.findings import Finding
from tokenprobe.core.summary import CheckResult, Stop, Summary, Verdict, verdict


def add_checks(summary: Summary, results: Mapping[str, Any]) -> None:
    """A check per SLO threshold and one for the generator's CPU, with their findings: each
    breached SLO (an error, so it fails the run unless re-graded or accepted) and a saturated
    generator."""
    stopped = results.get("stopped")
    incomplete = (
        f"; INCOMPLETE run: stopped after {stopped['after_s']:g} of {stopped['planned_s']:g} s"
        if stopped
        else ""
    )
    for slo in results["slo"]:
        message = f"observed {slo['observed']} (threshold {slo['threshold']}){incomplete}"
        name = f"SLO {slo['name']} {slo['threshold']}"
        summary.checks.append(CheckResult(slo_check_id(slo["name"]), name, "load", message))
        if not slo["passed"]:
            summary.findings.append(slo_breach(slo))
    summary.checks.append(generator_check(results["cpu"]))
    if results["unreliable"]:
        summary.findings.append(saturated_generator(results["cpu"]))


def slo_check_id(name: str) -> str:
    return f"{catalogue.SLO_CHECK_PREFIX}{name}"


def slo_breach(slo: Mapping[str, Any]) -> Finding:
    expected = f"{slo['name']} {slo['threshold']}"
    received = "no data" if slo["observed"] is None else f"{slo['name']} = {slo['observed']}"
    return catalogue.finding(
        catalogue.entry_of("load", "slo").id,
        f"SLO {expected}: observed {slo['observed']}",
        expected=expected,
        received=received,
        check=slo_check_id(slo["name"]),
    )


def generator_check(cpu: Mapping[str, Any]) -> CheckResult:
    """Whether the load generator had CPU to spare: the check of TP-LOAD-002."""
    known = catalogue.entry_of("load", "generator_cpu")
    processes = cpu["processes"]
    samples = sum(usage["samples"] for usage in processes.values())
    message = f"{samples} CPU samples of {len(processes)} load-generating processes"
    return CheckResult(known.id, known.check, "load", message, ran=samples > 0)


def saturated_generator(cpu: Mapping[str, Any]) -> Finding:
    threshold = cpu["threshold_percent"]
    busy = [
        f"{process} {usage['saturated']} of {usage['samples']} samples"
        for process, usage in cpu["processes"].items()
        if usage["saturated"]
    ]
    return catalogue.finding(
        catalogue.entry_of("load", "generator_cpu").id,
        f"CPU at or above {threshold} %: {', '.join(busy)}",
        expected=f"load generator CPU below {threshold} %",
        received=", ".join(busy),
    )


def scenarios_not_run(off: Sequence[str]) -> tuple[CheckResult, Finding]:
    """Scenarios switched off for lack of credentials: not evaluated, never passed."""
    entry = catalogue.not_evaluated_entry("load", catalogue.CREDENTIALS)
    names = ", ".join(off)
    message = f"no credentials: {names} not run"
    check = CheckResult(entry.id, entry.check, "load", message, ran=False)
    finding = catalogue.finding(
        entry.id,
        f"{names} not run: no credentials given (the target's accounts are needed)",
        expected=f"{names} run with the target's accounts",
        received=f"not evaluated: {catalogue.CREDENTIALS}",
    )
    return check, finding


def judge(
    results: Mapping[str, Any], switched_off: Sequence[str] = (), require_complete: bool = False
) -> Verdict:
    """The verdict of a run's results as they stand (Locust's own process: its web UI and its
    exit code), by the rules every report uses."""
    summary = Summary(command="load", target="")
    if switched_off:
        check, finding = scenarios_not_run(switched_off)
        summary.checks.append(check)
        summary.findings.append(finding)
    add_checks(summary, results)
    stopped = results.get("stopped")
    if stopped:
        summary.stop(Stop(stopped["reason"], "load"))
    summary.grade(require_complete=require_complete)
    return verdict(summary)
