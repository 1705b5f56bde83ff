"""The breakpoint profile finds the capacity of a target whose capacity is known.

``slow=100`` on one gunicorn worker with 8 threads: every request holds a thread for 100 ms
(plus ~2 ms of hashing), so the target answers at most about 8 / 0.102 ≈ 78 requests/s.
After a warm-up, steps of 20 req/s up to 200 req/s, 1.8 s each: 80 still holds (78 ≥ 90 % of
80), 100 does not.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.load.conftest import finish, locust_args, start

TRUE_CAPACITY_RPS = 78.0


@pytest.fixture(scope="module")
def run(target_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    target = target_factory("slow=100")
    workdir = tmp_path_factory.mktemp("breakpoint")
    args = locust_args(
        target, workdir, "--tp-profile", "breakpoint", "--tp-rate", "200",
        "--tp-duration", "20s", "--tp-weights", "valid_login=1",
        "--tp-slo", "p95<2000,error_ratio<0.05",
    )  # fmt: skip
    return finish(start(args, workdir), workdir)


def test_breakpoint_reports_capacity_with_per_step_evidence(run: Any) -> None:
    assert run.returncode in (0, 1), run.output
    results = run.results
    capacity = results["capacity_rps"]
    assert capacity is not None
    # Never above what the target can do; below only when the shared machine starves it.
    assert 0.25 * TRUE_CAPACITY_RPS <= capacity <= 1.1 * TRUE_CAPACITY_RPS, results["steps"]
    steps = results["steps"]
    assert {"offered_rps", "achieved_rps", "p95_ms", "error_ratio", "held", "reason"} <= set(
        steps[0]
    )
    broken = next(step for step in steps if not step["held"])
    assert broken["offered_rps"] > capacity
    assert "answered" in broken["reason"] or "p95" in broken["reason"]


def test_breakpoint_stops_soon_after_the_break(run: Any) -> None:
    results = run.results
    # It stops once a broken step is judged, long before the last step (200 req/s at 18 s).
    assert results["duration_s"] < 16, results["duration_s"]
    assert max(step["offered_rps"] for step in results["steps"]) <= 160
