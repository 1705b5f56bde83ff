"""From merged books to the numbers a run is judged on: totals, steps, capacity, SLOs.

The breakpoint rule: a step *holds* when the target keeps up (open model: at least 90 % of the
requests the schedule offered were answered; closed model: throughput still grew by at least
5 % over the previous step), its p95 stays within the p95 SLO and its error ratio within the
error-ratio SLO, when those are configured. ``capacity_rps`` is the offered rate (open) or the
achieved throughput (closed) of the last step that held before the first that did not.
"""

from __future__ import annotations

from typing import Any

from tokenprobe.load.evidence import evidence_document
from tokenprobe.load.latency import latency_ms, summarize
from tokenprobe.load.locust_options import LocustOptions
from tokenprobe.load.profiles import Step
from tokenprobe.load.recorder import CPU_SATURATED_PERCENT, Recorder
from tokenprobe.load.settings import SCENARIOS
from tokenprobe.load.slo import evaluate

FOLLOW_RATIO = 0.9  # open model: answered / offered requests for a step to hold
GROWTH_RATIO = 1.05  # closed model: throughput growth for a step to hold
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


def step_rows(
    recorder: Recorder, options: LocustOptions, steps: list[Step]
) -> list[dict[str, Any]]:
    """Evidence for each step: offered and achieved rates, p95, errors, held or not and why."""
    rows: list[dict[str, Any]] = []
    per_arrival = requests_per_arrival(options)
    for step in steps:
        book = recorder.steps.get(step.index)
        total = book.total() if book else None
        requests = total.requests if total else 0
        failures = total.failures if total else 0
        p95 = latency_ms(total.histogram)["p95"] if total else None
        row = {
            "step": step.index,
            "start_s": round(step.start_s, 3),
            "duration_s": round(step.duration_s, 3),
            "offered_rps": round(step.level * per_arrival, 3) if options.model == "open" else None,
            "users": int(step.level) if options.model == "closed" else None,
            "achieved_rps": round(requests / step.duration_s, 3),
            "requests": requests,
            "failures": failures,
            "dropped": recorder.dropped.get(step.index, 0),
            "p95_ms": p95,
            "error_ratio": round(failures / requests, 4) if requests else None,
            "warmup": step.warmup,
        }
        row["held"], row["reason"] = _step_verdict(row, rows[-1] if rows else None, options)
        rows.append(row)
    return rows


def _step_verdict(
    row: dict[str, Any], previous: dict[str, Any] | None, options: LocustOptions
) -> tuple[bool, str]:
    if row["warmup"]:
        return True, "warm-up, not judged"
    if not row["requests"]:
        return False, "no answers"
    if options.model == "open" and row["achieved_rps"] < FOLLOW_RATIO * row["offered_rps"]:
        return False, f"answered {row['achieved_rps']:g} of {row['offered_rps']:g} req/s offered"
    if (
        options.model == "closed"
        and previous is not None
        and not previous["warmup"]
        and previous["held"]
        and row["achieved_rps"] < GROWTH_RATIO * previous["achieved_rps"]
    ):
        return False, f"throughput stopped growing ({row['achieved_rps']:g} req/s)"
    p95_limit = limit_of(options, "p95")
    if p95_limit is not None and row["p95_ms"] is not None and row["p95_ms"] >= p95_limit:
        return False, f"p95 {row['p95_ms']:g} ms ≥ {p95_limit:g} ms"
    error_limit = limit_of(options, "error_ratio")
    if error_limit is not None and row["error_ratio"] >= error_limit:
        return False, f"error ratio {row['error_ratio']:g} ≥ {error_limit:g}"
    return True, "held"


def capacity_rps(rows: list[dict[str, Any]], model: str) -> float | None:
    """The last step that held before the first that did not (None when none held)."""
    best = None
    for row in rows:
        if row["warmup"]:
            continue
        if not row["held"]:
            break
        best = row["offered_rps"] if model == "open" else row["achieved_rps"]
    return best


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


def build_results(recorder: Recorder, options: LocustOptions, duration_s: float) -> dict[str, Any]:
    """The complete, JSON-ready result of a run (the master's or the standalone process's)."""
    recorder.settle_series()
    total = recorder.run.total()
    results: dict[str, Any] = {
        "model": options.model,
        "arrival": options.arrival if options.model == "open" else None,
        "profile": options.profile.name,
        "duration_s": round(duration_s, 3),
        **summarize(total, duration_s),
        "scenarios": {
            name: summarize(tally, duration_s)
            for name, tally in sorted(recorder.run.tallies.items())
        },
        "late": recorder.late,
        "dropped": sum(recorder.dropped.values()),
    }
    started = [s for s in options.profile.steps if s.start_s < duration_s]
    rows = step_rows(recorder, options, started)
    results["steps"] = rows
    results["capacity_rps"] = (
        capacity_rps(rows, options.model) if options.profile.is_breakpoint else None
    )
    results["slo"] = evaluate(options.slos, results)
    results["unreliable"], results["cpu"] = cpu_verdict(recorder)
    results["series"] = [recorder.series[k] for k in sorted(recorder.series)]
    results["histograms"] = {
        name: tally.histogram.encode().decode("ascii")
        for name, tally in recorder.run.tallies.items()
    }
    results["scenario_keys"] = {v: k for k, v in SCENARIOS.items()}
    # Keyed like "scenarios" (the run book's names): the evidence is read back by name.
    results["evidence"] = evidence_document(recorder.run, recorder.settled)
    return results
