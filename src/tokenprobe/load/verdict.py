"""A load run's checks and findings: what `tokenprobe.core.summary.verdict` judges it by.

One check per SLO threshold (``slo:<name>``, its breach finding TP-LOAD-001), one for the load
generator's CPU (TP-LOAD-002), one for scenarios switched off for lack of credentials
(TP-LOAD-003), and a breakpoint run's search (``capacity``: its result, or a run problem when
it found nothing). ``tokenprobe load``, a headless plain Locust run and Locust's web UI all judge a
run through `add_checks`, so they cannot disagree. The load section keeps the measurements
(an SLO's observed value, never whether it passed).
"""

from __future__ import annotations

from collections.abc import Sequence

from tokenprobe.core import catalogue
from tokenprobe.core.findings import Finding
from tokenprobe.core.summary import CheckResult, Stop, Summary, Verdict, verdict
from tokenprobe.load.section import Capacity, Cpu, LoadSection, Slo


def add_checks(summary: Summary, results: LoadSection) -> None:
    """A check per SLO threshold and one for the generator's CPU, with their findings: each
    breached SLO (an error, so it fails the run unless re-graded or accepted) and a saturated
    generator."""
    stopped = results.stopped
    incomplete = (
        f"; INCOMPLETE run: stopped after {stopped.after_s:g} of {stopped.planned_s:g} s"
        if stopped
        else ""
    )
    scope = _slo_scope(results)
    for slo in results.slo:
        name = f"SLO {slo.name} {slo.threshold}"
        if not slo.judged:
            message = "not judged: no breakpoint search in this run"
            summary.checks.append(CheckResult(slo_check_id(slo.name), name, "load", message,
                                              ran=False))  # fmt: skip
            continue
        message = f"observed {observed_text(slo)} (threshold {slo.threshold}){scope}{incomplete}"
        summary.checks.append(CheckResult(slo_check_id(slo.name), name, "load", message))
        if not slo.passed:
            summary.findings.append(slo_breach(slo))
    if results.missing_reports:  # numbers short of what was sent: no verdict can rest on them
        workers = ", ".join(results.missing_reports)
        summary.errors.append(
            f"load: no last report from worker(s) {workers}: the totals lack their last seconds"
        )
    if results.capacity:
        add_capacity_check(summary, results.capacity)
    cpu = results.cpu or Cpu()
    summary.checks.append(generator_check(cpu))
    if results.unreliable:
        summary.findings.append(saturated_generator(cpu))


def observed_text(slo: Slo) -> str:
    """An SLO's observed value for people: with its unit, "≥" when it is a lower bound."""
    if slo.observed is None:
        return "no data"
    text = f"{slo.observed:g} {slo.unit}".rstrip()
    return f"≥ {text}" if slo.observed_is_lower_bound else text


def _slo_scope(results: LoadSection) -> str:
    steps = results.slo_steps
    if steps is None:
        return ""
    return (
        f"; judged on the {len(steps)} measured steps that held"
        if steps
        else ("; no measured step held")
    )


CAPACITY_CHECK = "capacity"


def add_capacity_check(summary: Summary, capacity: Capacity) -> None:
    """A breakpoint run's search as a check: its result (the capacity with its bracket, or the
    level it held without reaching one). A search that found neither could not search: a run
    problem (exit 2), not a finding about the target."""
    found = search_result(capacity)
    known = capacity.found_rps() is not None
    took_s = float(capacity.search_s or 0.0)
    check = CheckResult(CAPACITY_CHECK, "breakpoint search", "load", found, took_s, ran=known)
    summary.checks.append(check)
    if not known:
        summary.errors.append(f"breakpoint: the search could not find the capacity: {found}")


def search_found_nothing(results: LoadSection) -> bool:
    """A breakpoint run whose search found neither a capacity nor a level that held."""
    capacity = results.capacity
    return capacity is not None and capacity.found_rps() is None


def search_result(capacity: Capacity) -> str:
    """The search's result in one sentence, first in every report of a breakpoint run."""
    took = f"{len(capacity.probes)} probes in {capacity.search_s} s"
    if capacity.reached and capacity.capacity_rps is not None:
        held, broke = [*capacity.bracket, None, None][:2]
        return (
            f"Capacity {capacity.capacity_rps} req/s (held at {held}, broke at {broke} "
            f"{capacity.bracket_unit}; {took})"
        )
    if capacity.at_least_rps is not None:
        return f"Capacity not reached: ≥ {capacity.at_least_rps} req/s held ({took})"
    found = capacity.summary or "capacity unknown"  # the search's own words
    return f"{found[:1].upper()}{found[1:]} ({took})"


def slo_check_id(name: str) -> str:
    return f"{catalogue.SLO_CHECK_PREFIX}{name}"


def slo_breach(slo: Slo) -> Finding:
    expected = f"{slo.name} {slo.threshold}"
    received = "no data" if slo.observed is None else f"{slo.name} = {slo.observed}"
    return catalogue.finding(
        catalogue.entry_of("load", "slo").id,
        f"SLO {expected}: observed {slo.observed}",
        expected=expected,
        received=received,
        check=slo_check_id(slo.name),
    )


def generator_check(cpu: Cpu) -> CheckResult:
    """Whether the load generator had CPU to spare: the check of TP-LOAD-002."""
    known = catalogue.entry_of("load", "generator_cpu")
    processes = cpu.processes
    samples = sum(usage.samples for usage in processes.values())
    message = f"{samples} CPU samples of {len(processes)} load-generating processes"
    return CheckResult(known.id, known.check, "load", message, ran=samples > 0)


def saturated_generator(cpu: Cpu) -> Finding:
    threshold = cpu.threshold_percent
    busy = [
        f"{process} {usage.saturated} of {usage.samples} samples"
        for process, usage in cpu.processes.items()
        if usage.saturated
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
    results: LoadSection, switched_off: Sequence[str] = (), require_complete: bool = False
) -> Verdict:
    """The verdict of a run's results as they stand (Locust's own process: its web UI and its
    exit code), by the rules every report uses."""
    summary = Summary(command="load", target="")
    if switched_off:
        check, finding = scenarios_not_run(switched_off)
        summary.checks.append(check)
        summary.findings.append(finding)
    add_checks(summary, results)
    if results.stopped:
        summary.stop(Stop(results.stopped.reason, "load"))
    summary.grade(require_complete=require_complete)
    return verdict(summary)
