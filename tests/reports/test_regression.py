"""Regression verdicts on synthetic runs: real HdrHistograms with known distributions."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hdrh.histogram import HdrHistogram
from scipy.stats.contingency import relative_risk

from tokenprobe.core.config import RegressionConfig
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.findings import Severity, apply_severity_overrides
from tokenprobe.core.summary import Summary, verdict
from tokenprobe.load.evidence import HISTOGRAMS_FILE, read_evidence
from tokenprobe.load.latency import new_histogram
from tokenprobe.reports.drift import NO_DRIFT, Drift, DriftEstimate
from tokenprobe.reports.regression import (
    MetricVerdict,
    Regression,
    classify,
    evidence_verdicts,
    judge_regression,
    look_judge,
)
from tokenprobe.reports.statistics import (
    RatioInterval,
    block_percentile_ratios,
    error_ratio_interval,
    expanded_confidence,
    percentile_of_counts,
    request_percentile_ratios,
)

from .synthetic_runs import synthetic_run

DEFAULTS = RegressionConfig()


def judge(
    tmp_path: Path,
    previous: dict[str, Any],
    current: dict[str, Any],
    settings: RegressionConfig = DEFAULTS,
) -> Regression:
    old, new = tmp_path / "previous", tmp_path / "current"
    before, now = synthetic_run(old, **previous), synthetic_run(new, **current)
    regression = judge_regression(now, new, before, old, settings)
    assert regression is not None
    return regression


def verdict_of(regression: Regression, metric: str, scope: str = "total") -> MetricVerdict:
    (found,) = [v for v in regression.verdicts if v.metric == metric and v.scope == scope]
    return found


def test_the_evidence_is_hdrhistograms_standard_encoding(tmp_path: Path) -> None:
    synthetic_run(tmp_path, seed=1, seconds=3, per_second=10, scenarios=("a", "b c"))
    document = json.loads((tmp_path / HISTOGRAMS_FILE).read_text())
    encoded = document["scenarios"]["b c"]["histogram"]
    assert encoded.startswith("HISTFAAA")  # V2 compressed, base64: what every HDR port reads
    assert HdrHistogram.decode(encoded).get_total_count() == 15
    assert document["total"]["requests"] == 30
    assert len(document["blocks"]["books"]) == 3  # one per second
    evidence = read_evidence(tmp_path / HISTOGRAMS_FILE)
    assert list(evidence.scopes) == ["total", "a", "b c"]  # names as the run reports them
    assert [b.total for b in evidence.scopes["total"].blocks] == [10, 10, 10]


def test_percentiles_are_hdrhistograms(tmp_path: Path) -> None:
    histogram = new_histogram()
    rng = np.random.default_rng(3)
    for value in rng.lognormal(9, 0.6, 5000):
        histogram.record_value(int(value))
    synthetic = read_evidence(_write_one(tmp_path, histogram)).scopes["total"].distribution
    for percentile in (50.0, 90.0, 95.0, 99.0, 99.9):
        expected = histogram.get_value_at_percentile(percentile) / 1000
        assert percentile_of_counts(synthetic.values_ms, synthetic.counts, percentile) == expected


def _write_one(folder: Path, histogram: HdrHistogram) -> Path:
    encoded = histogram.encode().decode("ascii")
    entry = {"requests": histogram.get_total_count(), "failures": 0, "throttled": 0,
             "histogram": encoded}  # fmt: skip
    document = {"format": "HdrHistogram V2, compressed, base64 (HdrHistogram.encode())",
                "unit": "microseconds", "total": entry, "scenarios": {},
                "blocks": {"seconds": 1, "digits": 2, "books": []}}  # fmt: skip
    path = folder / HISTOGRAMS_FILE
    path.write_text(json.dumps(document))
    return path


def test_same_distribution_twice_is_unchanged(tmp_path: Path) -> None:
    regression = judge(tmp_path, {"seed": 1}, {"seed": 2})  # 30 s x 40 requests each
    assert verdict_of(regression, "p50_ms").verdict == "unchanged"
    assert verdict_of(regression, "p95_ms").verdict == "unchanged"
    assert all(v.verdict != "regressed" for v in regression.verdicts)
    assert not [f for f in regression.findings() if f.severity is Severity.ERROR]


def test_half_as_slow_again_is_regressed_with_an_error_finding(tmp_path: Path) -> None:
    regression = judge(tmp_path, {"seed": 1}, {"seed": 2, "scale": 1.5})
    p50 = verdict_of(regression, "p50_ms")
    assert p50.verdict == "regressed"
    assert p50.interval is not None
    assert 1.1 < p50.interval.low <= 1.5 <= p50.interval.high
    assert regression.overall == "regressed"
    findings = regression.findings()
    assert {f.id for f in findings if f.severity is Severity.ERROR} == {"TP-REG-001"}
    summary = Summary(command="gate", target="t")
    regression.apply_to(summary)
    assert summary.status == "fail"
    failed = {c.check.id for c in verdict(summary).checks if c.outcome == "failed"}
    # The verdict line names the comparison's result, on every surface that prints it.
    assert "; vs previous run: regressed: p50" in verdict(summary).line()
    assert "regression:p50_ms" in failed
    assert "regression:p95_ms[valid_login]" in failed
    # The normal model: [severities] re-grades it, like any finding.
    summary.findings = apply_severity_overrides(summary.findings, {"TP-REG-001": Severity.WARNING})
    assert summary.status == "pass"


def test_faster_is_improved(tmp_path: Path) -> None:
    regression = judge(tmp_path, {"seed": 1}, {"seed": 2, "scale": 1 / 1.5})
    assert verdict_of(regression, "p50_ms").verdict == "improved"
    assert regression.findings() == [] or all(f.id == "TP-REG-004" for f in regression.findings())


def test_too_few_samples_beyond_a_percentile_is_inconclusive(tmp_path: Path) -> None:
    small = {"seconds": 10, "per_second": 10}  # 100 requests: p95 needs 200, p99 1000
    regression = judge(tmp_path, {"seed": 1, **small}, {"seed": 2, "scale": 3, **small})
    assert verdict_of(regression, "p50_ms").verdict == "regressed"
    p95, p99 = verdict_of(regression, "p95_ms"), verdict_of(regression, "p99_ms")
    assert (p95.verdict, p95.samples_needed) == ("inconclusive", 200)
    assert (p99.verdict, p99.samples_needed) == ("inconclusive", 1000)
    assert "p99 needs 1000 requests per run" in p99.reason
    (info,) = [f for f in regression.findings() if f.id == "TP-REG-004"]
    assert info.severity is Severity.INFO
    assert "needs about 1000 requests per run" in info.evidence
    # Undecided overall: the verdict line says what would decide it.
    (tmp_path / "same").mkdir()
    same = judge(tmp_path / "same", {"seed": 1, **small}, {"seed": 2, **small})
    assert same.overall == "inconclusive"
    assert same.outcome() == "inconclusive: p99 needs about 1000 requests per run to decide"


def test_the_samples_needed_estimate_decides(tmp_path: Path) -> None:
    """An inconclusive verdict's estimate, doubled, gives a verdict: width ~ 1/sqrt(n)."""
    few = {"seconds": 10, "per_second": 4}
    before = judge(tmp_path, {"seed": 11, **few}, {"seed": 21, "scale": 1.3, **few})
    p50 = verdict_of(before, "p50_ms")
    assert p50.verdict == "inconclusive"
    assert p50.samples_needed is not None
    assert p50.samples_needed > 40
    more = {"seconds": 10, "per_second": math.ceil(2 * p50.samples_needed / 10)}
    after = judge(tmp_path, {"seed": 11, **more}, {"seed": 21, "scale": 1.3, **more})
    assert verdict_of(after, "p50_ms").verdict == "regressed"


def test_busy_seconds_widen_the_block_interval(tmp_path: Path) -> None:
    """Seconds that slow every request together: resampling single requests pretends to know
    far more than the run shows; resampling seconds does not."""
    busy = {"second_sd": 0.3}
    old, new = tmp_path / "old", tmp_path / "new"
    synthetic_run(old, seed=1, **busy)
    synthetic_run(new, seed=2, **busy)
    before = read_evidence(old / HISTOGRAMS_FILE).scopes["total"]
    after = read_evidence(new / HISTOGRAMS_FILE).scopes["total"]
    options = {"confidence": 0.95, "resamples": 2000}
    (blocks,) = block_percentile_ratios(before.blocks, after.blocks, [50.0], **options)
    (requests,) = request_percentile_ratios(
        before.distribution, after.distribution, [50.0], **options
    )
    assert blocks.low < 1 < blocks.high  # the runs come from one distribution
    assert blocks.log_half_width > 2 * requests.log_half_width


def test_a_saturated_generator_leaves_latency_inconclusive(tmp_path: Path) -> None:
    regression = judge(tmp_path, {"seed": 1}, {"seed": 2, "scale": 2, "load": {"unreliable": True}})
    p50 = verdict_of(regression, "p50_ms")
    assert p50.verdict == "inconclusive"
    assert p50.reason == "the load generator was CPU-saturated in this run: latencies are inflated"


def test_error_ratio_regressed(tmp_path: Path) -> None:
    regression = judge(
        tmp_path, {"seed": 1, "failure_share": 0.01}, {"seed": 2, "failure_share": 0.1}
    )
    errors = verdict_of(regression, "error_ratio")
    assert errors.verdict == "regressed"
    assert {f.id for f in regression.findings() if f.severity is Severity.ERROR} == {"TP-REG-002"}


def test_no_failure_in_either_run_is_unchanged(tmp_path: Path) -> None:
    small = {"seconds": 5, "per_second": 10}
    errors = verdict_of(judge(tmp_path, {"seed": 1, **small}, {"seed": 2, **small}), "error_ratio")
    assert (errors.verdict, errors.interval) == ("unchanged", None)


def test_katz_interval_is_scipys_and_stays_finite_with_zero_counts() -> None:
    expected = relative_risk(30, 1000, 10, 1000).confidence_interval(0.95)
    ours = error_ratio_interval(10, 1000, 30, 1000, 0.95)
    assert (ours.low, ours.high) == pytest.approx((expected.low, expected.high))
    zero = error_ratio_interval(0, 1000, 30, 1000, 0.95)  # none before: 0.5 added to each cell
    assert zero.finite
    assert zero.low > 1.1
    assert error_ratio_interval(0, 1000, 0, 1000, 0.95).finite


@pytest.mark.parametrize(
    ("low", "high", "higher_is_better", "verdict"),
    [
        (1.11, 1.5, False, "regressed"),  # wholly above 1 + t
        (1.05, 1.5, False, "inconclusive"),  # straddles 1.1
        (0.95, 1.05, False, "unchanged"),  # within [1/1.1, 1.1]
        (0.5, 0.9, False, "improved"),  # wholly below 1/1.1
        (0.5, 0.9, True, "regressed"),  # capacity: new/old below 1/1.1 is worse
        (1.2, math.inf, True, "improved"),
        (0.0, math.inf, False, "inconclusive"),  # nothing known
    ],
)
def test_the_verdict_rule(low: float, high: float, higher_is_better: bool, verdict: str) -> None:
    interval = RatioInterval(low, high)
    assert classify(interval, 0.1, higher_is_better=higher_is_better) == verdict


def test_expanded_interval_widens_for_few_blocks_only() -> None:
    assert expanded_confidence(0.95, 10) == pytest.approx(0.9829, abs=1e-4)
    assert expanded_confidence(0.95, 100_000) == pytest.approx(0.95, abs=1e-4)


def steps(held_up_to: float, failed_at: float) -> list[dict[str, Any]]:
    rates = [held_up_to / 2, held_up_to, failed_at]
    return [{"offered_rps": r, "held": r <= held_up_to, "warmup": False} for r in rates]


@pytest.mark.parametrize(
    ("previous", "current", "verdict"),
    [
        ((40, 50), (20, 25), "regressed"),  # fails where the previous one held
        ((40, 50), (40, 50), "inconclusive"),  # the same bracket: [0.8, 1.25] straddles
        ((20, 25), (40, 50), "improved"),
    ],
)
def test_capacity_is_judged_on_the_search_brackets(
    tmp_path: Path, previous: tuple, current: tuple, verdict: str
) -> None:
    def load(bracket: tuple) -> dict[str, Any]:
        return {"capacity_rps": bracket[0], "steps": steps(*bracket), "model": "open"}

    small = {"seconds": 5, "per_second": 10}  # latencies are not the point here
    regression = judge(
        tmp_path,
        {"seed": 1, "load": load(previous), **small},
        {"seed": 2, "load": load(current), **small},
    )
    capacity = verdict_of(regression, "capacity_rps")
    assert capacity.verdict == verdict
    if verdict == "regressed":
        assert "TP-REG-003" in {f.id for f in regression.findings()}


def searched(low: float, high: float | None, model: str = "open") -> dict[str, Any]:
    """A load section with the capacity search's outcome (issue 13's ``capacity`` section)."""
    reached = high is not None
    capacity = {"reached": reached, "capacity_rps": low if reached else None,
                "at_least_rps": None if reached else low, "bracket": [low, high],
                "bracket_unit": "req/s" if model == "open" else "users"}  # fmt: skip
    steps = [{"achieved_rps": low, "held": True}, {"achieved_rps": low * 1.02, "held": False}]
    return {"capacity": capacity, "capacity_rps": capacity["capacity_rps"], "model": model,
            "steps": steps}  # fmt: skip


@pytest.mark.parametrize(
    ("previous", "current", "verdict"),
    [
        (searched(40, 42), searched(20, 21), "regressed"),
        (searched(40, 42), searched(40, 42), "unchanged"),  # a converged search: 5 % wide
        (searched(40, 42), searched(80, None), "improved"),  # at least 80: not even reached
        (searched(80, None), searched(80, None), "inconclusive"),  # both only "at least"
        (searched(40, 60, "closed"), searched(20, 30, "closed"), "regressed"),  # throughput
    ],
)
def test_capacity_from_the_capacity_search(
    tmp_path: Path, previous: dict[str, Any], current: dict[str, Any], verdict: str
) -> None:
    small = {"seconds": 5, "per_second": 10}
    regression = judge(
        tmp_path, {"seed": 1, "load": previous, **small}, {"seed": 2, "load": current, **small}
    )
    assert verdict_of(regression, "capacity_rps").verdict == verdict


def test_no_capacity_in_one_run_no_capacity_verdict(tmp_path: Path) -> None:
    load = {"capacity_rps": 40, "steps": steps(40, 50)}
    small = {"seconds": 5, "per_second": 10}
    regression = judge(tmp_path, {"seed": 1, "load": load, **small}, {"seed": 2, **small})
    assert not [v for v in regression.verdicts if v.metric == "capacity_rps"]


def test_scopes_are_the_scenarios_both_runs_report(tmp_path: Path) -> None:
    regression = judge(
        tmp_path,
        {"seed": 1, "scenarios": ("valid login", "wrong password"), "seconds": 5},
        {"seed": 2, "scenarios": ("valid login", "unknown user"), "seconds": 5},
    )
    # Stored by scenario key, as the load section keys them; compared by those keys.
    assert {v.scope for v in regression.verdicts} == {"total", "valid_login"}


def test_a_previous_run_without_evidence_is_not_evaluated(tmp_path: Path) -> None:
    now = synthetic_run(tmp_path / "current", seed=1)
    (tmp_path / "previous").mkdir()
    regression = judge_regression(
        now, tmp_path / "current", {"load": {}}, tmp_path / "previous", DEFAULTS
    )
    assert regression is not None
    assert regression.verdicts == ()
    (finding,) = regression.findings()
    assert (finding.id, finding.severity) == ("TP-REG-005", Severity.WARNING)
    summary = Summary(command="gate", target="t")
    regression.apply_to(summary)
    assert verdict(summary).not_evaluated == (finding,)  # not evaluated, like any other
    assert "; vs previous run: not evaluated: " in verdict(summary).line()
    assert HISTOGRAMS_FILE in finding.evidence
    assert [c.outcome for c in verdict(summary).checks] == ["skipped"]


def test_a_run_without_load_results_is_not_judged(tmp_path: Path) -> None:
    assert judge_regression({}, tmp_path, {"load": {}}, tmp_path, DEFAULTS) is None


def test_unreadable_evidence_is_a_one_line_config_error(tmp_path: Path) -> None:
    now = synthetic_run(tmp_path / "current", seed=1)
    before = synthetic_run(tmp_path / "previous", seed=2)
    (tmp_path / "previous" / HISTOGRAMS_FILE).write_text('{"format": "something else"}')
    with pytest.raises(ConfigError, match="not a tokenprobe latency histograms file") as caught:
        judge_regression(now, tmp_path / "current", before, tmp_path / "previous", DEFAULTS)
    assert "\n" not in str(caught.value)


def test_requests_resampling_judges_too(tmp_path: Path) -> None:
    settings = dataclasses.replace(DEFAULTS, resample="requests")
    regression = judge(tmp_path, {"seed": 1}, {"seed": 2, "scale": 1.5}, settings)
    assert verdict_of(regression, "p50_ms").verdict == "regressed"
    assert "single requests" in regression.to_dict()["methods"]["latency"]


def test_summary_json_form(tmp_path: Path) -> None:
    data = judge(tmp_path, {"seed": 1}, {"seed": 2, "scale": 1.5}).to_dict()
    assert data["verdict"] == "regressed"
    assert (data["tolerance"], data["confidence"]) == (0.1, 0.95)
    # Six intervals (p50, p95, p99 of the total and of valid_login; no failure anywhere): each
    # at 1 - 0.05 / 6, so that all six together hold with 95 % (Bonferroni).
    assert data["interval_confidence"] == pytest.approx(1 - 0.05 / 6)
    p50 = next(v for v in data["verdicts"] if (v["scope"], v["metric"]) == ("total", "p50_ms"))
    assert set(p50) == {"scope", "metric", "previous", "current", "ratio", "interval",
                        "verdict", "reason", "samples", "samples_needed", "drift_sigma",
                        "drift_runs"}  # fmt: skip
    assert p50["samples"] == {"previous": 1200, "current": 1200}
    json.dumps(data, allow_nan=False)  # no Infinity or NaN: valid JSON for every reader


def test_a_look_keeps_open_what_the_rest_of_the_run_could_still_decide(tmp_path: Path) -> None:
    """A sequential run's look (the gate with --compare): 400 requests after 10 s. Its p99
    needs 1000 per run: the rest of a 60 s run would get them, to judge against the previous
    run, or if that has too few, for the next run to judge against. With no time left,
    nothing is open."""
    synthetic_run(tmp_path / "previous", seed=1, seconds=30, per_second=40)
    synthetic_run(tmp_path / "current", seed=2, seconds=10, per_second=40)
    synthetic_run(tmp_path / "short", seed=3, seconds=5, per_second=20)
    now = read_evidence(tmp_path / "current" / HISTOGRAMS_FILE)
    old = read_evidence(tmp_path / "previous" / HISTOGRAMS_FILE)
    look = look_judge(old, DEFAULTS, 60.0, lambda scopes: NO_DRIFT)(now, 10.0, 6)
    assert look.requests == 400
    assert {"p99", "p99 (for the next run)"} <= set(look.open)
    assert look_judge(old, DEFAULTS, 10.0, lambda scopes: NO_DRIFT)(now, 10.0, 6).open == ()
    short = read_evidence(tmp_path / "short" / HISTOGRAMS_FILE)  # 100 requests
    against_short = look_judge(short, DEFAULTS, 60.0, lambda scopes: NO_DRIFT)(now, 10.0, 6)
    assert {"p99", "p99 (for the next run)"} <= set(against_short.open)
    assert look_judge(short, DEFAULTS, 10.0, lambda scopes: NO_DRIFT)(now, 10.0, 6).open == ()


def test_the_looks_repeat_the_sampling_not_the_run_to_run_drift(tmp_path: Path) -> None:
    """The drift between two runs is one draw whichever look judges it: with a drift that
    dominates the interval, 6 looks widen it hardly at all (the sampling part only); without
    drift they widen it visibly."""
    synthetic_run(tmp_path / "previous", seed=1, seconds=30, per_second=40)
    synthetic_run(tmp_path / "current", seed=2, seconds=30, per_second=40)
    old = read_evidence(tmp_path / "previous" / HISTOGRAMS_FILE)
    new = read_evidence(tmp_path / "current" / HISTOGRAMS_FILE)
    estimates = {(scope, "p50"): DriftEstimate(20, 0.04) for scope in old.scopes}
    drift = Drift(tmp_path, (), estimates)

    def p50_width(drift: Drift, looks: int) -> float:
        verdicts, _ = evidence_verdicts(old, new, DEFAULTS, "", drift, looks)
        (p50,) = [v for v in verdicts if v.scope == "total" and v.metric == "p50_ms"]
        assert p50.interval is not None
        return math.log(p50.interval.high / p50.interval.low)

    assert p50_width(drift, 6) < 1.03 * p50_width(drift, 1)
    assert p50_width(NO_DRIFT, 6) > 1.1 * p50_width(NO_DRIFT, 1)
