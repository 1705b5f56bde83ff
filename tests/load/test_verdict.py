"""A load run's checks and findings (`tokenprobe.load.verdict`), judged by the one verdict."""

from __future__ import annotations

from typing import Any

from tokenprobe.core.summary import Summary, verdict
from tokenprobe.load.section import LoadSection
from tokenprobe.load.slo import evaluate, parse_slos
from tokenprobe.load.verdict import add_checks

CPU = {"threshold_percent": 90, "processes": {"master": {"samples": 10, "saturated": 0}}}
TOTAL = {"requests": 100, "failures": 0, "throughput_rps": 10.0, "unanswered": 0,
         "latency_ms": {"p95": 50.0}, "scenarios": {}, "dropped": 0}  # fmt: skip


def judged(slos: str, **results: Any) -> Summary:
    results = {**TOTAL, **results}
    summary = Summary("load", "http://127.0.0.1:1")
    slo = evaluate(parse_slos(slos), LoadSection.model_validate(results))
    add_checks(summary, LoadSection.model_validate({**results, "slo": slo, "cpu": CPU}))
    return summary


def capacity(rps: float | None, at_least: float | None = None) -> dict[str, Any]:
    return {"reached": rps is not None, "capacity_rps": rps, "at_least_rps": at_least,
            "bracket": [rps, None], "probes": [], "search_s": 30.0,
            "summary": "capacity unknown: no level was judged"}  # fmt: skip


def outcomes(summary: Summary) -> dict[str, str]:
    return {c.id: c.outcome for c in verdict(summary).checks}


def test_a_capacity_slo_fails_only_below_it() -> None:
    below = judged("capacity>100", capacity=capacity(80.0))
    assert outcomes(below) == {"slo:capacity": "failed", "TP-LOAD-002": "passed",
                               "capacity": "passed"}  # fmt: skip
    assert below.exit_code == 1
    above = judged("capacity>50", capacity=capacity(80.0))
    assert above.exit_code == 0
    # Not reached: the level that held is a lower bound, and enough to meet the SLO.
    held = judged("capacity>50", capacity=capacity(None, at_least=60.0))
    assert held.exit_code == 0
    assert "observed ≥ 60 req/s" in next(c.message for c in held.checks if c.id == "slo:capacity")


def test_a_capacity_slo_without_a_search_is_not_judged() -> None:
    summary = judged("capacity>100,p95<500")
    assert outcomes(summary)["slo:capacity"] == "skipped"
    assert summary.findings == []
    assert summary.exit_code == 0


def test_a_search_that_found_nothing_could_not_search() -> None:
    summary = judged("", capacity=capacity(None))
    assert outcomes(summary)["capacity"] == "skipped"
    assert summary.exit_code == 2
    assert summary.errors == [
        "breakpoint: the search could not find the capacity: Capacity unknown: no level was"
        " judged (0 probes in 30.0 s)"
    ]
