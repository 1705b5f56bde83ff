"""The breakpoint profile's capacity search against targets whose capacity is known.

``slow=100`` on one gunicorn worker with 8 threads: every request holds a thread for 100 ms
(plus ~2 ms of hashing), so the target answers at most about 8 / 0.102 ≈ 78 requests/s. With a
short time budget the search cannot converge, but what it reports must already be true: a
level that broke above the capacity and one that held at or below it. Its accuracy against
wrk, with the default budget, is measured in ``bench/capacity.py``.

The clean target answers far more than 30 logins/s, so a search with a safety maximum of 30
must say "not reached, ≥ 30" and give no capacity figure.

A search is judged as one: its latency SLOs on the steps that held (the overload steps exceed
them on purpose), and it fails only below a capacity SLO (``capacity>X``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.load.conftest import finish, locust_args, start

TRUE_CAPACITY_RPS = 78.0


@pytest.fixture(scope="module")
def runs(
    target_factory: Any, load_target: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    slow = target_factory("slow=100")
    base = tmp_path_factory.mktemp("breakpoint")
    common = ("--tp-profile", "breakpoint", "--tp-weights", "valid_login=1")
    specs = {
        # First probe at 40 req/s (holds), then 80 (breaks); the budget ends the bisection.
        "search": (slow, (*common, "--tp-rate", "40", "-t", "26s",
                          "--tp-slo", "p95<2000,error_ratio<0.05,capacity>500")),
        "ceiling": (load_target, (*common, "--tp-rate", "30", "--tp-max-rate", "30",
                                  "-t", "20s", "--tp-slo", "error_ratio<0.05,capacity>20")),
    }  # fmt: skip
    started = {
        key: (start(locust_args(target, base / key, *extra), base / key), base / key)
        for key, (target, extra) in specs.items()
    }
    return {key: finish(process, workdir) for key, (process, workdir) in started.items()}


def test_the_search_brackets_the_capacity_with_per_step_evidence(runs: dict[str, Any]) -> None:
    run = runs["search"]
    results = run.results
    capacity = results["capacity"]
    assert capacity["reached"], capacity
    lo, hi = capacity["bracket"]
    assert results["capacity_rps"] == capacity["capacity_rps"] == lo
    # Never above what the target can do; below only when the shared machine starves it.
    assert 0.25 * TRUE_CAPACITY_RPS <= lo <= 1.1 * TRUE_CAPACITY_RPS, capacity
    assert hi > lo
    broke = [p for p in capacity["probes"] if not p["held"]]
    assert broke, capacity["probes"]
    assert all("answered" in p["reason"] or "p95" in p["reason"] for p in broke)
    measured = [s for s in results["steps"] if s["purpose"] == "measure"]
    judged = [s for s in measured if s["held"] is not None]  # the budget may cut the last
    assert [s["held"] for s in judged] == [p["held"] for p in capacity["probes"]]
    assert {"offered_rps", "achieved_rps", "p95_ms", "error_ratio", "held", "reason"} <= set(
        measured[0]
    )
    # A step that broke was answered more slowly than it was offered.
    assert any(s["achieved_rps"] < s["offered_rps"] for s in judged if not s["held"])


def test_a_search_fails_only_below_its_capacity_slo(runs: dict[str, Any]) -> None:
    """The overload steps broke the latency and error SLOs; the steps that held kept them. What
    fails the run is the capacity SLO the target is below (exit 1)."""
    run = runs["search"]
    results = run.results
    held = [s["step"] for s in results["steps"] if s["purpose"] == "measure" and s["held"]]
    assert results["slo_steps"] == held != []
    verdicts = {slo["name"]: slo["passed"] for slo in results["slo"]}
    assert verdicts == {"p95": True, "error_ratio": True, "capacity": False}, results["slo"]
    assert run.returncode == 1, run.output


def test_the_search_stays_within_its_time_budget(runs: dict[str, Any]) -> None:
    results = runs["search"].results
    assert results["capacity"]["search_s"] <= 28
    assert results["duration_s"] <= 27


def test_a_safety_maximum_that_holds_is_not_a_capacity(runs: dict[str, Any]) -> None:
    run = runs["ceiling"]
    assert run.returncode == 0, run.output  # a capacity SLO below the level it held: met
    results = run.results
    (capacity_slo,) = [slo for slo in results["slo"] if slo["name"] == "capacity"]
    assert (capacity_slo["observed"], capacity_slo["passed"]) == (30, True)
    assert capacity_slo["observed_is_lower_bound"] is True
    capacity = results["capacity"]
    assert not capacity["reached"]
    assert results["capacity_rps"] is None  # never a capacity figure
    assert capacity["at_least_rps"] == 30
    assert "not reached, ≥ 30" in capacity["summary"]
    assert "capacity not reached, ≥ 30" in run.output
    # The maximum was probed, held, and the search ended there, well within its budget.
    assert [p["level"] for p in capacity["probes"]] == [30]
    assert results["duration_s"] < 20
