"""Requests still unanswered when a run stops are counted, not forgotten.

The target answers every login after 1.8 s (``slow=1800``; under the 2 s of its own
readiness check); a run offers 4 req/s for 3 s, so
whatever it sends in its last seconds is still in flight when it stops. Those requests are
``unanswered`` (in total, per step, per scenario), they count as errors in the error-ratio
SLO, and the percentiles of the answered ones are marked as lower bounds. Every intended
arrival is accounted for: answered, unanswered, cut off or dropped, across worker processes too.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.load.conftest import ONLY_VALID_LOGINS, locust_args, run_together

SLOW_MS = 1800
RATE, DURATION_S = 4, 3
INTENDED = RATE * DURATION_S  # constant arrivals: exactly this many are due before the stop
# Worker processes start their schedules late on a loaded machine (1.8 s was seen): their run is
# longer, so that some of their requests are answered before the last ones are in flight.
PROCESSES_DURATION_S = 5
SLO = "error_ratio<0.05, p95<100000"  # one unanswered of 12 breaches it
HEALTHY_MS = 300  # well under the 1 s stop grace


@pytest.fixture(scope="module")
def runs(target_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> dict:
    # One target per run: each has its own 8 threads, so no run queues behind another's.
    targets = {key: target_factory(f"slow={SLOW_MS}", users=u) for key, u in
               (("open", 20), ("closed", 21), ("processes", 22))}  # fmt: skip
    # A healthy target for closed users: 0.3 s an answer, always one request in flight each.
    targets["closed-healthy"] = target_factory(f"slow={HEALTHY_MS}", users=23)
    base = tmp_path_factory.mktemp("unanswered")
    common = ("--tp-weights", ONLY_VALID_LOGINS)
    duration = ("--tp-duration", f"{DURATION_S}s")
    extra = {
        "open": ("--tp-rate", str(RATE), *duration),
        "closed": ("--tp-model", "closed", "--tp-users", "2", *duration),
        "processes": ("--tp-rate", str(RATE), "--processes", "2",
                      "--tp-duration", f"{PROCESSES_DURATION_S}s"),
        "closed-healthy": ("--tp-model", "closed", "--tp-users", "6", *duration),
    }  # fmt: skip
    return run_together(
        {
            key: (
                locust_args(targets[key], base / key, *common, *args, "--tp-slo", SLO),
                base / key,
            )
            for key, args in extra.items()
        }
    )


@pytest.mark.parametrize("key", ["open", "closed", "processes"])
def test_requests_in_flight_at_the_stop_are_unanswered_errors(runs: dict, key: str) -> None:
    run = runs[key]
    results = run.results
    assert results["unanswered"] > 0, run.output
    assert results["steps"][0]["unanswered"] == results["unanswered"]
    assert results["scenarios"]["valid_login"]["unanswered"] == results["unanswered"]
    assert results["percentiles_are_lower_bounds"] is True
    # Unanswered requests are errors: the error-ratio SLO sees them and the run fails.
    error_ratio = next(slo for slo in results["slo"] if slo["name"] == "error_ratio")
    answered = results["requests"]
    assert error_ratio["observed"] == pytest.approx(
        results["unanswered"] / (answered + results["unanswered"]), abs=1e-4
    )
    assert not error_ratio["passed"]
    assert run.returncode == 1, run.output
    # A latency SLO judged on answered requests only says its value is a lower bound.
    p95 = next(slo for slo in results["slo"] if slo["name"] == "p95")
    assert p95["observed_is_lower_bound"] is True


def test_every_intended_arrival_is_accounted_for(runs: dict) -> None:
    """Open model: answered, unanswered, cut off (sent young, or due and never sent) or
    dropped is every arrival due before the stop, the first one included (a stream starting a
    moment after the run must not skip its turn)."""
    results = runs["open"].results
    accounted = results["requests"] + results["unanswered"] + results["cut_off"]
    assert accounted + results["dropped"] == INTENDED, results


def test_the_master_merges_the_workers_unanswered_requests(runs: dict) -> None:
    """Every request a worker sent is answered or unanswered in the master's totals, every
    worker's last report in. (Each worker's schedule starts at its own test start, after the
    master's: an arrival a late worker had not reached when the master stopped the run was
    never due there, so how many were sent depends on the machine's load.)"""
    results = runs["processes"].results
    sent = sum(step["sent"] for step in results["steps"])
    accounted = results["requests"] + results["unanswered"] + results["cut_off"]
    assert results["missing_reports"] == []
    assert accounted >= sent > 0, results


def test_requests_the_stop_cut_off_young_are_not_the_targets_errors(runs: dict) -> None:
    """Closed users are killed at the stop, each with a request in flight for less than the
    target's 0.3 s: cut off by the generator, not unanswered, and the run passes. (A user the
    shape's last tick stops first gives its request up as a ramp-down does: not counted at all,
    so how many are cut off depends on the timing of the stop.)"""
    run = runs["closed-healthy"]
    results = run.results
    assert results["unanswered"] == 0, results
    assert results["cut_off"] <= 6, results
    assert results["percentiles_are_lower_bounds"] is False
    assert run.returncode == 0, run.output
