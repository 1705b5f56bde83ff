"""Run-to-run drift learned from stored runs widens the latency intervals: on synthetic runs
(real HdrHistograms, the real evidence file) whose whole-run speed drifts by a known amount."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest

from tokenprobe.core.config import RegressionConfig
from tokenprobe.reports.drift import MIN_DRIFT_RUNS
from tokenprobe.reports.regression import MetricVerdict, Regression, judge_regression
from tokenprobe.reports.statistics import LogEstimate, between_run_variance, drift_margin

from .synthetic_runs import synthetic_run

DEFAULTS = RegressionConfig()
START = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
STEPS = [{"offered_rps": 40.0, "users": None, "duration_s": 30.0, "warmup": False}]
DRIFT_SD = 0.08  # the runner's whole-run speed: exp(N(0, 0.08)), about ±8 % between runs
# Drawn once from that drift (seeded): the previous run met a fast moment, this run a slow one
# (the ratio 1.25 is two drift standard deviations apart, as 1 in 20 pairs are).
FAST, SLOW = 0.92, 1.15


def stored_run(root: Path, index: int, *, scale: float, seed: int, rate: float = 40.0) -> Path:
    """A run folder under ``root``, ``index`` minutes after `START`, with a summary.json."""
    folder = root / f"run{index:02d}"
    section = synthetic_run(folder, seed=seed, scale=scale)["load"]
    steps = [{**STEPS[0], "offered_rps": rate}]
    started = (START + dt.timedelta(minutes=index)).isoformat()
    load = {**section, "model": "open", "arrival": "constant", "profile": "constant",
            "steps": steps}  # fmt: skip
    summary = {"command": "load", "started_at": started, "load": load}
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def drifting_history(root: Path, runs: int) -> None:
    """``runs`` clean runs of one build whose speed drifts from run to run."""
    rng = np.random.default_rng(7)
    for index in range(runs):
        stored_run(root, index, scale=math.exp(rng.normal(0, DRIFT_SD)), seed=100 + index)


def compare(
    root: Path, current_scale: float, settings: RegressionConfig = DEFAULTS, history: int = 12
) -> Regression:
    """The previous run (fast moment) against this one, ``history`` runs stored before both."""
    drifting_history(root, history)
    previous = stored_run(root, 50, scale=FAST, seed=1)
    current = stored_run(root, 51, scale=current_scale, seed=2)
    summaries = [json.loads((p / "summary.json").read_text()) for p in (previous, current)]
    regression = judge_regression(summaries[1], current, summaries[0], previous, settings)
    assert regression is not None
    return regression


def total(regression: Regression, metric: str) -> MetricVerdict:
    return next(v for v in regression.verdicts if (v.scope, v.metric) == ("total", metric))


def test_dersimonian_laird_by_hand() -> None:
    # y = 0, 0.2, 0.4 with variance 0.01 each: w = 100, mean 0.2, Q = 100 (0.04 + 0.04) = 8,
    # C = 300 - 30000/300 = 200, tau^2 = (8 - 2) / 200.
    estimates = [LogEstimate(y, 0.01) for y in (0.0, 0.2, 0.4)]
    assert between_run_variance(estimates) == pytest.approx(0.03)
    # Runs that differ no more than their own noise: no drift (truncated at 0).
    assert between_run_variance([LogEstimate(y, 0.01) for y in (0.0, 0.05, 0.1)]) == 0.0
    # Student's t on k - 2 degrees of freedom times sqrt(2 tau^2): wider with fewer runs.
    assert drift_margin(0.03, 5, 0.95) > drift_margin(0.03, 20, 0.95) > 1.96 * math.sqrt(0.06)


def test_runner_drift_alone_regresses_without_history_and_not_with_it(tmp_path: Path) -> None:
    # The same build, a fast moment then a slow one: the within-run interval calls it slower...
    alone = compare(tmp_path / "off", SLOW, RegressionConfig(drift_runs=0))
    assert total(alone, "p50_ms").verdict == "regressed"
    assert total(alone, "p50_ms").drift is None
    # ...the twelve stored runs show the runner moves that much on its own: no false alarm.
    learned = compare(tmp_path / "on", SLOW)
    p50 = total(learned, "p50_ms")
    assert p50.verdict == "inconclusive"
    assert p50.drift is not None
    assert p50.drift.runs == 13
    assert p50.drift.sigma == pytest.approx(DRIFT_SD, rel=0.5)
    assert "run-to-run drift ±" in p50.reason
    assert "from 13 runs" in p50.reason
    assert p50.interval is not None
    assert total(alone, "p50_ms").interval is not None
    assert p50.interval.low < total(alone, "p50_ms").interval.low
    assert learned.overall != "regressed"


def test_a_slower_release_still_regresses_through_the_drift(tmp_path: Path) -> None:
    regression = compare(tmp_path, 2 * FAST)  # twice as slow: far beyond the runner's drift
    assert total(regression, "p50_ms").verdict == "regressed"
    assert total(regression, "p95_ms").verdict == "regressed"
    assert "TP-REG-001" in {f.id for f in regression.findings()}


def test_too_little_history_says_so_and_judges_within_runs_only(tmp_path: Path) -> None:
    few = compare(tmp_path / "few", SLOW, history=MIN_DRIFT_RUNS - 3)  # + the previous run
    p50 = total(few, "p50_ms")
    assert p50.drift is not None
    assert p50.drift.sigma is None
    assert f"run-to-run drift unknown ({MIN_DRIFT_RUNS - 2} of {MIN_DRIFT_RUNS} runs)" in p50.reason
    assert p50.verdict == "regressed"  # as without drift: nothing to widen by
    drift = few.to_dict()["drift"]
    assert drift["sigma"]["total"]["p50"] == {"runs": MIN_DRIFT_RUNS - 2, "sigma": None}


def test_only_comparable_earlier_runs_teach_it(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    drifting_history(root, 6)
    stored_run(root, 20, scale=3.0, seed=20, rate=80.0)  # another load shape: not comparable
    (root / "damaged").mkdir()
    (root / "damaged" / "summary.json").write_text("{not json")
    unreadable = stored_run(root, 21, scale=1.0, seed=21)
    (unreadable / "latency_histograms.json").write_text("{}")
    previous = stored_run(root, 50, scale=FAST, seed=1)
    current = stored_run(root, 51, scale=1.0, seed=2)
    stored_run(root, 52, scale=5.0, seed=3)  # started after this run: not history
    (root / "latest").symlink_to("run50")
    summaries = [json.loads((p / "summary.json").read_text()) for p in (previous, current)]
    regression = judge_regression(summaries[1], current, summaries[0], root / "latest", DEFAULTS)
    assert regression is not None
    drift = regression.to_dict()["drift"]
    assert drift["root"] == str(root.resolve())
    assert drift["runs"] == ["run50", *(f"run{i:02d}" for i in range(5, -1, -1))]
    assert drift["sigma"]["total"]["p50"]["runs"] == 7
    json.dumps(regression.to_dict(), allow_nan=False)


def test_drift_off_learns_nothing(tmp_path: Path) -> None:
    regression = compare(tmp_path, SLOW, RegressionConfig(drift_runs=0), history=8)
    data = regression.to_dict()
    assert data["drift_runs"] == 0
    assert data["drift"]["sigma"] is None
    assert all(v["drift_sigma"] is None and v["drift_runs"] is None for v in data["verdicts"])
    assert "drift" not in total(regression, "p50_ms").reason


def test_drift_too_wide_to_decide_says_more_requests_will_not_help(tmp_path: Path) -> None:
    p50 = total(compare(tmp_path, SLOW), "p50_ms")
    assert p50.verdict == "inconclusive"
    assert p50.samples_needed is None
    assert "more requests will not decide" in p50.reason
