"""From merged books to the numbers a run is judged on: totals, steps, capacity, SLOs.

A step *holds* when the target keeps up and its SLOs do. Keeping up, open model: the answers
that arrived while the step ran (its achieved throughput, by completion time) fall at most
3 % short of the rate it offered; a target past its capacity answers at its capacity whatever
is offered, so the shortfall shows from the step's first second. Closed model: throughput
still grew by 5 % over the best step so far. SLOs: the step's p95 (exact, of the requests it
offered) stays within the p95 SLO and its error ratio within the error-ratio SLO, when those
are configured. The breakpoint profile's capacity search (`tokenprobe.load.search`) probes
levels with these verdicts; its outcome is the ``capacity`` section.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tokenprobe.load.evidence import evidence_document
from tokenprobe.load.latency import Book, Tally, latency_ms, new_histogram, summarize
from tokenprobe.load.locust_options import LocustOptions
from tokenprobe.load.profiles import Step
from tokenprobe.load.recorder import CPU_SATURATED_PERCENT, Recorder
from tokenprobe.load.search import CapacitySearch
from tokenprobe.load.section import LoadSection
from tokenprobe.load.settings import key_of_entry
from tokenprobe.load.slo import evaluate

FOLLOW_TOLERANCE = 0.03  # open model: achieved throughput may trail the offered rate this much
GROWTH_RATIO = 1.05  # closed model: throughput growth over the best step so far
LATE_SHARE = 0.5  # a step with this share of late sends measured the generator, not the target
UNRELIABLE_SHARE = 0.1  # share of CPU samples at saturation that taints the results


def requests_per_arrival(options: LocustOptions) -> float:
    """A login storm is one arrival of ``storm_size`` requests; everything else is one."""
    weights = options.weights
    total = sum(weights.values())
    storm = weights["login_storm"]
    return ((total - storm) + storm * options.storm_size) / total


def limit_of(options: LocustOptions, metric: str) -> float | None:
    for threshold in options.slos:
        if threshold.metric == metric and threshold.scenario is None:
            return threshold.value
    return None


def step_row(
    recorder: Recorder, options: LocustOptions, step: Step, elapsed_s: float
) -> dict[str, Any]:
    """Evidence for one step: offered and achieved rates, p95, errors (no verdict yet)."""
    book = recorder.steps.get(step.index)
    total = book.total() if book else None
    requests = total.requests if total else 0
    failures = total.failures if total else 0
    unanswered = recorder.unanswered_by_step().get(step.index, 0)
    seconds = max(1e-3, min(step.end_s, elapsed_s) - step.start_s)
    per_arrival = requests_per_arrival(options)
    return {
        "step": step.index,
        "purpose": step.purpose or None,
        "start_s": round(step.start_s, 3),
        "duration_s": round(seconds, 3),
        "offered_rps": round(step.level * per_arrival, 3) if options.model == "open" else None,
        "users": int(step.level) if options.model == "closed" else None,
        "achieved_rps": round(recorder.completed.get(step.index, 0) / seconds, 3),
        "requests": requests,
        "failures": failures,
        "sent": recorder.offered.get(step.index, 0),
        "late": recorder.late_by_step.get(step.index, 0),
        "dropped": recorder.dropped.get(step.index, 0),
        "unanswered": unanswered,
        "cut_off": recorder.cut_off.get(step.index, 0),
        "p95_ms": latency_ms(total.histogram)["p95"] if total else None,
        "error_ratio": error_ratio(requests, failures, unanswered),
        "warmup": step.warmup,
    }


def error_ratio(requests: int, failures: int, unanswered: int) -> float | None:
    """Errors, as an SRE counts them, over every request: a request never answered is one."""
    attempted = requests + unanswered
    return round((failures + unanswered) / attempted, 4) if attempted else None


def unanswered_fields(unanswered: int) -> dict[str, Any]:
    """What the percentiles beside these fields are worth: with requests unanswered, only
    the answered ones are in the histogram, and the missing ones are as a rule the slowest
    (left unanswered by a target falling behind): the percentiles are lower bounds."""
    return {"unanswered": unanswered, "percentiles_are_lower_bounds": unanswered > 0}


def deviation_rows(recorder: Recorder) -> list[dict[str, Any]]:
    """Answers that differ from the documented contract but are no load error (information:
    conformance reports the finding), by scenario key and display name."""
    return [
        {"scenario": key_of_entry(name), "name": name, "deviation": text, "occurrences": n}
        for (name, text), n in sorted(recorder.deviations.items())
    ]


def scenario_sections(recorder: Recorder, duration_s: float) -> dict[str, Any]:
    """Keyed by scenario key, as SLOs and the configuration name them; "name" is the display
    name, Locust's request entry (its UI and CSVs). A scenario none of whose requests was
    answered is there too, with its unanswered count."""
    tallies = recorder.run.tallies
    unanswered = recorder.unanswered_by_entry()
    deviations: dict[str, dict[str, int]] = {}
    for (name, text), n in recorder.deviations.items():
        deviations.setdefault(name, {})[text] = n
    return {
        key_of_entry(name): {
            "name": name,
            **summarize(tallies.get(name) or Tally(new_histogram()), duration_s),
            **unanswered_fields(unanswered.get(name, 0)),
            "contract_deviations": deviations.get(name, {}),
        }
        for name in sorted(set(tallies) | set(unanswered))
    }


def step_verdict(
    row: dict[str, Any], options: LocustOptions, best_rps: float | None = None
) -> tuple[bool, str]:
    """Did the step hold, and why not. ``best_rps``: closed model, the best throughput of the
    steps that held before it."""
    if row["warmup"]:
        return True, "warm-up, not judged"
    if not row["requests"]:
        return False, "no answers"
    if options.model == "open":
        floor = (1 - FOLLOW_TOLERANCE) * row["offered_rps"]
        if row["achieved_rps"] < floor:
            achieved, offered = row["achieved_rps"], row["offered_rps"]
            return False, f"answered {achieved:g} req/s of {offered:g} offered"
    elif best_rps is not None and row["achieved_rps"] < GROWTH_RATIO * best_rps:
        return False, f"throughput stopped growing ({row['achieved_rps']:g} req/s)"
    p95_limit = limit_of(options, "p95")
    if p95_limit is not None and row["p95_ms"] is not None and row["p95_ms"] >= p95_limit:
        return False, f"p95 {row['p95_ms']:g} ms ≥ {p95_limit:g} ms"
    error_limit = limit_of(options, "error_ratio")
    if error_limit is not None and row["error_ratio"] >= error_limit:
        return False, f"error ratio {row['error_ratio']:g} ≥ {error_limit:g}"
    return True, "held"


def step_rows(
    recorder: Recorder, options: LocustOptions, steps: list[Step], elapsed_s: float
) -> list[dict[str, Any]]:
    """Every step's evidence and verdict (closed model: growth over the best step so far)."""
    rows: list[dict[str, Any]] = []
    best = None
    for step in steps:
        row = step_row(recorder, options, step, elapsed_s)
        row["held"], row["reason"] = step_verdict(row, options, best)
        if row["held"] and not row["warmup"]:
            best = max(best or 0.0, row["achieved_rps"])
        rows.append(row)
    return rows


@dataclasses.dataclass
class SearchOutcome:
    """A breakpoint run's search, the verdict it took on each step, and how long it ran."""

    search: CapacitySearch
    verdicts: dict[int, tuple[bool, str]]
    search_s: float


def capacity_section(
    search: CapacitySearch, rows: list[dict[str, Any]], model: str, search_s: float
) -> dict[str, Any]:
    """What the capacity search found: the capacity with its bracket, or only a lower bound.

    Open model: levels are offered rates, and the capacity is the highest rate that held.
    Closed model: levels are users, and the capacity is the best throughput that held."""
    if model == "closed":
        held = [r["achieved_rps"] for r in rows if r["purpose"] == "measure" and r["held"]]
        best = max(held) if held else None
        rps = best if search.reached else None
        at_least = None if search.reached else best
    else:
        rps, at_least = search.capacity, search.at_least
    return {
        "reached": search.reached,
        "capacity_rps": rps,
        "at_least_rps": at_least,
        "bracket": [search.lo, search.hi],
        "bracket_unit": "req/s" if model == "open" else "users",
        "resolution": search.resolution,
        "converged": search.converged,
        "search_s": round(search_s, 1),
        "probes": [
            {"level": p.level, "purpose": p.purpose, "held": p.held, "reason": p.reason}
            for p in search.probes
        ],
        "stopped": search.stopped or None,
        "summary": search.describe(),
    }


def held_view(recorder: Recorder, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A breakpoint run's measured steps that held, as one result the SLOs are judged on:
    their exact latencies merged, requests, failures and throughput (per scenario too)."""
    held = [r for r in rows if r["purpose"] == "measure" and r["held"]]
    book = Book()
    for row in held:
        if row["step"] in recorder.steps:
            book.add(recorder.steps[row["step"]])
    seconds = sum(r["duration_s"] for r in held) or 1e-3
    return {
        **summarize(book.total(), seconds),
        "unanswered": sum(r["unanswered"] for r in held),
        "dropped": sum(r["dropped"] for r in held),
        "scenarios": {
            key_of_entry(name): {"name": name, **summarize(tally, seconds)}
            for name, tally in sorted(book.tallies.items())
        },
        "slo_steps": [r["step"] for r in held],
    }


def cpu_verdict(recorder: Recorder) -> tuple[bool, dict[str, Any]]:
    """Results are unreliable when any load-generating process spent ≥10 % of its samples at
    ≥90 % CPU: a saturated generator delays sends and inflates latencies."""
    report = {}
    unreliable = False
    for process, (samples, saturated) in sorted(recorder.cpu.items()):
        share = saturated / samples if samples else 0.0
        report[process] = {"samples": samples, "saturated": saturated, "share": round(share, 3)}
        unreliable |= samples >= 2 and share >= UNRELIABLE_SHARE
    return unreliable, {"threshold_percent": CPU_SATURATED_PERCENT, "processes": report}


def build_results(
    recorder: Recorder,
    options: LocustOptions,
    duration_s: float,
    search: SearchOutcome | None = None,
    final: bool = True,
) -> dict[str, Any]:
    """The complete, JSON-ready result of a run (the master's or the standalone process's), in
    `LoadResults`' fields; not ``final``: a snapshot that leaves the per-second series to
    settle as usual."""
    if final:
        recorder.settle_series()
    run = recorder.run
    total = run.total()
    results: dict[str, Any] = {
        "model": options.model,
        "arrival": options.arrival if options.model == "open" else None,
        "profile": options.profile.name,
        "duration_s": round(duration_s, 3),
        **summarize(total, duration_s),
        **unanswered_fields(sum(recorder.unanswered.values())),
        "scenarios": scenario_sections(recorder, duration_s),
        "late": recorder.late,
        "dropped": sum(recorder.dropped.values()),
        "cut_off": sum(recorder.cut_off.values()),
        "contract_deviations": deviation_rows(recorder),
    }
    started = [s for s in options.profile.steps if s.start_s < duration_s]
    rows = step_rows(recorder, options, started, duration_s)
    results["steps"] = rows
    results["capacity_rps"] = None
    if search is not None:
        for row in rows:  # the verdicts the search acted on, taken when each step was judged
            unjudged = (
                (None, "not judged: the run ended first")
                if row["purpose"] == "measure"
                else (True, "not judged")
            )
            row["held"], row["reason"] = search.verdicts.get(row["step"], unjudged)
        results["capacity"] = capacity_section(search.search, rows, options.model, search.search_s)
        results["capacity_rps"] = results["capacity"]["capacity_rps"]
    if search is None:
        results["slo"] = evaluate(options.slos, LoadSection.model_validate(results))
    else:  # its overload steps exceed the SLOs on purpose: judged on the steps that held
        held = held_view(recorder, rows)
        judged = LoadSection.model_validate({**held, "capacity": results["capacity"]})
        results["slo"] = evaluate(options.slos, judged)
        results["slo_steps"] = held["slo_steps"]
    results["unreliable"], results["cpu"] = cpu_verdict(recorder)
    results["series"] = [recorder.series[k] for k in sorted(recorder.series)]
    results["histograms"] = {
        name: tally.histogram.encode().decode("ascii") for name, tally in run.tallies.items()
    }
    # Keyed like "scenarios" (by scenario key): a comparison reads both runs by those keys.
    results["evidence"] = evidence_document(run, recorder.settled)
    return results
