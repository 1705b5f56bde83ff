"""Regression verdicts: is this run's load worse than a previous run's, beyond the tolerance?

For each scope (the whole run, ``total``, and every scenario both runs have, by the names the
runs report) and each configured percentile, for each scope's error ratio, and for
``capacity_rps`` when both runs searched for one, a confidence interval for new / previous
(`tokenprobe.reports.statistics`) decides, with ``t`` the tolerance (default 0.1). A comparison
fails if any of its m intervals is wholly beyond the band, so ``confidence`` is for all of them
together: each is taken at ``1 - (1 - confidence) / m`` (Bonferroni; Dunn 1961). Nothing to
compare (a previous run without load results or histograms) is a not-evaluated finding,
TP-REG-005.

* **regressed**: the whole interval is worse than the tolerance (latency, errors: above
  ``1 + t``; capacity: below ``1 / (1 + t)``). Only this fails: an error finding (TP-REG-001
  latency, TP-REG-002 error ratio, TP-REG-003 capacity).
* **improved**: the whole interval is better by more than the tolerance (the same band,
  mirrored: ``1 / (1 + t)`` and ``1 + t``, so that twice as fast and twice as slow are equally
  far from 1).
* **unchanged**: the whole interval lies within the band ``[1 / (1 + t), 1 + t]``.
* **inconclusive**: the interval straddles an edge of the band, or a run has too few samples
  for the percentile (fewer than ``min-tail-samples`` beyond it), or fewer than `MIN_BLOCKS`
  seconds, or its load generator was CPU-saturated. The verdict says how many requests per run
  would decide: an interval's width shrinks as 1/√n, so ``n · (half width / distance to the
  edge)²``, both measured in log ratio. An info finding, TP-REG-004.

An error ratio of 0 in both runs is *unchanged* (nothing failed to compare). A capacity is
known only within its search's bracket (the highest level that held, the lowest that broke; "at
least" when none broke); the ratio's interval is that of the two brackets (``[new low / old
high, new high / old low]``), a resolution, not a sampling interval: a finer search narrows it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from tokenprobe.core import catalogue
from tokenprobe.core.config import RegressionConfig
from tokenprobe.core.defaults import LATENCY_PERCENTILES, REGRESSION_MAX_RESAMPLES
from tokenprobe.core.findings import Finding
from tokenprobe.core.summary import CheckResult, Summary
from tokenprobe.load.evidence import (
    HISTOGRAMS_FILE,
    TOTAL_SCOPE,
    Evidence,
    Scope,
    find_evidence,
    read_evidence,
)
from tokenprobe.load.looks import Judge, Look
from tokenprobe.load.section import Capacity, LoadSection, load_section
from tokenprobe.reports.drift import NO_DRIFT, Drift, DriftEstimate, learn_drift
from tokenprobe.reports.statistics import (
    MIN_BLOCKS,
    RatioInterval,
    block_percentile_ratios,
    error_ratio_interval,
    percentile_of_counts,
    request_percentile_ratios,
    requests_needed,
    widened,
)

Verdict = Literal["regressed", "improved", "unchanged", "inconclusive"]
# For one word about many verdicts: the first of these that any verdict has (nothing may be
# called unchanged or improved while another metric could not be judged).
OVERALL_ORDER: tuple[Verdict, ...] = ("regressed", "inconclusive", "improved", "unchanged")
MAX_FACTOR = 100.0  # "needs more than 100x the requests" beyond this
# Each tail of a bootstrap interval holds at least this many resamples (`resamples_for`).
MIN_TAIL_RESAMPLES = 3
SOURCE = "regression"
METHODS = {
    "blocks": "bootstrap percentile interval over blocks of seconds "
    "(Efron & Tibshirani 1993; Carlstein 1986)",
    "requests": "bootstrap percentile interval over single requests (Efron & Tibshirani 1993)",
}
DRIFT_METHOD = (
    "widened by run-to-run drift: DerSimonian & Laird (1986) between-run variance over stored"
    " runs, t on k - 2 degrees of freedom (Higgins, Thompson & Spiegelhalter 2009)"
)
ERROR_RATIO_METHOD = "ratio of proportions, log interval (Katz et al. 1978)"
CAPACITY_METHOD = "capacity search bracket: highest level that held, lowest that broke"


@dataclasses.dataclass(frozen=True)
class MetricVerdict:
    """One metric of one scope: previous and current values, new/previous and its interval."""

    scope: str  # "total" or a scenario name as the runs report it
    metric: str  # "p95_ms", "error_ratio", "capacity_rps"
    previous: float | None
    current: float | None
    verdict: Verdict
    reason: str  # one line for people
    interval: RatioInterval | None = None  # of current / previous
    samples: tuple[int, int] = (0, 0)  # requests in this scope: previous run, this run
    samples_needed: int | None = None  # per run, to turn an inconclusive verdict into another
    drift: DriftEstimate | None = None  # latency only: what the stored runs said of drift

    @property
    def ratio(self) -> float | None:
        if self.previous is None or self.current is None or self.previous <= 0:
            return None
        return self.current / self.previous

    @property
    def label(self) -> str:
        name = self.metric.removesuffix("_ms").replace("_", " ")
        return name if self.scope == TOTAL_SCOPE else f"{self.scope} {name}"

    @property
    def check_id(self) -> str:
        where = "" if self.scope == TOTAL_SCOPE else f"[{self.scope}]"
        return f"{catalogue.REGRESSION_CHECK_PREFIX}{self.metric}{where}"

    def to_dict(self) -> dict[str, Any]:
        interval = None
        if self.interval is not None:
            interval = [_finite(self.interval.low), _finite(self.interval.high)]
        return {
            "scope": self.scope,
            "metric": self.metric,
            "previous": self.previous,
            "current": self.current,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "interval": interval,
            "verdict": self.verdict,
            "reason": self.reason,
            "samples": {"previous": self.samples[0], "current": self.samples[1]},
            "samples_needed": self.samples_needed,
            "drift_sigma": None if self.drift is None else _rounded(self.drift.sigma),
            "drift_runs": None if self.drift is None else self.drift.runs,
        }

    def check(self) -> CheckResult:
        """Its check: failed by its regression finding; an inconclusive verdict did not judge."""
        name = f"{self.label} vs previous run"
        ran = self.verdict != "inconclusive"
        return CheckResult(self.check_id, name, SOURCE, self.reason, ran=ran)

    def finding(self, tolerance: float) -> Finding | None:
        """A regressed metric's error finding (inconclusive ones are reported together)."""
        if self.verdict != "regressed":
            return None
        better = "at least" if self.metric == "capacity_rps" else "at most"
        bound = 1 / (1 + tolerance) if self.metric == "capacity_rps" else 1 + tolerance
        found = catalogue.finding(
            catalogue.regression_rule(self.metric).id,
            f"{self.label}: {self.reason}",
            expected=f"{self.label} {better} {bound:.3g} times the previous {self.previous:g}",
            received=f"{self.current:g}, ratio {describe_interval(self.ratio, self.interval)}",
            source=SOURCE,
            check=self.check_id,
        )
        # Its metric's check fails with it, and so does the comparison as a whole.
        return dataclasses.replace(found, seen_by=(catalogue.REGRESSION_OVERALL_CHECK,))


def inconclusive_finding(evidence: str, received: str = "") -> Finding:
    entry = catalogue.entry_of("gate", "regression_inconclusive")
    expected = "a verdict for every compared metric"
    return catalogue.finding(
        entry.id,
        evidence,
        expected=expected,
        received=received,
        source=SOURCE,
        check=catalogue.REGRESSION_OVERALL_CHECK,
    )


def inconclusive_summary(verdicts: list[MetricVerdict]) -> Finding:
    """One finding for every inconclusive verdict of a comparison (each is also a check)."""
    labels = ", ".join(v.label for v in verdicts)
    evidence = f"{len(verdicts)} inconclusive: {labels}"
    demanding = max(
        (v for v in verdicts if v.samples_needed is not None),
        key=lambda v: v.samples_needed or 0,
        default=None,
    )
    if demanding is not None:
        evidence += (
            f"; the most demanding, {demanding.label}, needs about"
            f" {demanding.samples_needed} requests per run"
        )
    return inconclusive_finding(evidence, received=labels)


@dataclasses.dataclass(frozen=True)
class Regression:
    """Every verdict of one comparison, or why none could be made."""

    settings: RegressionConfig
    verdicts: tuple[MetricVerdict, ...] = ()
    not_evaluated: str = ""  # why nothing was judged ("" when verdicts were made)
    interval_confidence: float | None = None  # each interval's, after Bonferroni's correction
    drift: Drift = NO_DRIFT  # the run-to-run drift the latency intervals were widened by

    @property
    def overall(self) -> Verdict:
        found = {v.verdict for v in self.verdicts}
        return next((v for v in OVERALL_ORDER if v in found), "inconclusive")

    def findings(self) -> list[Finding]:
        if self.not_evaluated:
            entry = catalogue.not_evaluated_entry("gate", catalogue.PREVIOUS_RUN)
            check = catalogue.REGRESSION_OVERALL_CHECK
            return [catalogue.finding(entry.id, self.not_evaluated, source=SOURCE, check=check)]
        found = [v.finding(self.settings.tolerance) for v in self.verdicts]
        findings = [f for f in found if f is not None]
        inconclusive = [v for v in self.verdicts if v.verdict == "inconclusive"]
        if inconclusive:
            findings.append(inconclusive_summary(inconclusive))
        return findings

    def checks(self) -> list[CheckResult]:
        """The comparison as a whole (the check of its inconclusive and not-evaluated
        findings), then each metric's verdict."""
        message = f"not evaluated: {self.not_evaluated}" if self.not_evaluated else self.outcome()
        overall = CheckResult(
            catalogue.REGRESSION_OVERALL_CHECK, "load vs previous run", SOURCE, message,
            ran=not self.not_evaluated,
        )  # fmt: skip
        return [overall, *(v.check() for v in self.verdicts)]

    def apply_to(self, summary: Summary) -> None:
        """Its findings and checks join the run's (before severities and the baseline apply)."""
        summary.findings.extend(self.findings())
        summary.checks.extend(self.checks())

    def outcome(self) -> str:
        """The comparison in a few words, as the verdict line ends: ``regressed: p95, p99``;
        ``inconclusive: p99 needs about 1200 requests per run``; ``unchanged``."""
        overall = self.overall
        if overall == "regressed":
            regressed = [v.label for v in self.verdicts if v.verdict == "regressed"]
            return f"regressed: {', '.join(regressed)}"
        if overall == "inconclusive":
            needing = [v for v in self.verdicts if v.samples_needed is not None]
            if needing:
                most = max(needing, key=lambda v: v.samples_needed or 0)
                return (
                    f"inconclusive: {most.label} needs about {most.samples_needed} requests"
                    " per run to decide"
                )
            undecided = [v.label for v in self.verdicts if v.verdict == "inconclusive"]
            return f"inconclusive: {', '.join(undecided) or 'nothing was compared'}"
        return overall

    def counts(self) -> dict[str, int]:
        return {v: sum(x.verdict == v for x in self.verdicts) for v in OVERALL_ORDER}

    def to_dict(self) -> dict[str, Any]:
        """summary.json ``comparison.regression``."""
        settings = self.settings
        return {
            "verdict": None if self.not_evaluated else self.overall,
            "counts": self.counts(),
            "not_evaluated": self.not_evaluated or None,
            "tolerance": settings.tolerance,
            "confidence": settings.confidence,
            "interval_confidence": self.interval_confidence,
            "percentiles": list(settings.percentiles),
            "min_tail_samples": settings.min_tail_samples,
            "resample": settings.resample,
            "bootstrap_resamples": settings.resamples,
            "methods": {
                "latency": METHODS[settings.resample],
                "drift": DRIFT_METHOD,
                "error_ratio": ERROR_RATIO_METHOD,
                "capacity": CAPACITY_METHOD,
            },
            "drift_runs": settings.drift_runs,
            "drift": self.drift.to_dict(),
            "verdicts": [v.to_dict() for v in self.verdicts],
        }


# -- judging -----------------------------------------------------------------------------------


def judge_regression(
    current: Mapping[str, Any],
    current_dir: Path,
    previous: Mapping[str, Any],
    previous_dir: Path,
    settings: RegressionConfig,
    history: Sequence[Path] | None = None,
) -> Regression | None:
    """Judge this run (summary dict and folder) against a previous one; None when this run has
    no load results (nothing to judge). A previous run without load evidence gives no verdict
    but says why (TP-REG-005); an unreadable histograms file raises `ConfigError`.

    Latency intervals widen by the run-to-run drift learned from ``history`` (run folders), by
    default from the comparable runs stored beside the previous one (`tokenprobe.reports.drift`).
    A sequential run (``load.sequential``, `tokenprobe.load.looks`) may have been judged at
    each of its planned looks: each interval's confidence is corrected for all of them."""
    now, before = load_section(current), load_section(previous)
    if now is None:
        return None
    if before is None:
        return Regression(settings, not_evaluated="the previous run has no load results")
    current_file, previous_file = find_evidence(current_dir), find_evidence(previous_dir)
    if previous_file is None:
        reason = f"the previous run kept no {HISTOGRAMS_FILE} (made by an older tokenprobe?)"
        return Regression(settings, not_evaluated=reason)
    if current_file is None:
        return Regression(settings, not_evaluated=f"this run kept no {HISTOGRAMS_FILE}")
    old, new = read_evidence(previous_file), read_evidence(current_file)
    noisy = _generator_saturated(before, now)
    scopes = _common_scopes(old, new)
    drift = learn_drift(previous_dir, current, current_dir, scopes, settings, history)
    verdicts, each = evidence_verdicts(old, new, settings, noisy, drift, _planned_looks(now))
    verdicts += capacity_verdicts(before, now, settings)
    return Regression(settings, tuple(verdicts), interval_confidence=each, drift=drift)


def _planned_looks(load: LoadSection) -> int:
    """The judgements a sequential run's plan may make (1: not sequential)."""
    return max(1, load.sequential.planned_looks) if load.sequential else 1


def evidence_verdicts(
    old: Evidence,
    new: Evidence,
    settings: RegressionConfig,
    noisy: str = "",
    drift: Drift = NO_DRIFT,
    looks: int = 1,
) -> tuple[list[MetricVerdict], float]:
    """The latency and error-ratio verdicts of every scope both runs have, and each interval's
    confidence. The gate fails if any interval is wholly beyond the band, at any of the
    ``looks``: ``confidence`` holds for all of them together when each of the m intervals of
    each look is taken at 1 - (1 - confidence) / (m · looks). The looks repeat only the
    sampling: the drift between the two runs is one draw whichever look judges it, so its
    margin is taken at 1 - (1 - confidence) / m."""
    pairs = [(scope, old.scopes[scope], new.scopes[scope]) for scope in _common_scopes(old, new)]
    intervals = sum(_interval_count(o, n, settings, noisy) for _, o, n in pairs)
    confidence = bonferroni(settings.confidence, intervals * max(1, looks))
    each = dataclasses.replace(
        settings, confidence=confidence, resamples=resamples_for(confidence, settings.resamples)
    )
    drift_confidence = bonferroni(settings.confidence, intervals)
    verdicts: list[MetricVerdict] = []
    for scope, before_scope, now_scope in pairs:
        verdicts += latency_verdicts(
            scope, before_scope, now_scope, each, noisy, drift, drift_confidence
        )
        verdicts += error_ratio_verdicts(scope, before_scope, now_scope, each)
    return verdicts, confidence


def bonferroni(confidence: float, intervals: int) -> float:
    """Each interval's confidence so that all ``intervals`` hold together with ``confidence``
    (Bonferroni; Dunn 1961)."""
    return 1 - (1 - confidence) / max(1, intervals)


def resamples_for(confidence: float, configured: int) -> int:
    """Enough bootstrap resamples that each tail of a ``confidence`` interval holds at least
    `MIN_TAIL_RESAMPLES` of them (a percentile interval's end is read from its tail), never
    fewer than ``configured`` and never more than `REGRESSION_MAX_RESAMPLES` (a plan of very
    many looks then reads its ends from fewer)."""
    tail = (1 - confidence) / 2
    wanted = max(configured, math.ceil(MIN_TAIL_RESAMPLES / tail))
    return min(wanted, max(configured, REGRESSION_MAX_RESAMPLES))


def look_judge(
    old: Evidence, settings: RegressionConfig, max_s: float, drift: Callable[[list[str]], Drift]
) -> Judge:
    """How a sequential run (`tokenprobe.load.looks`) judges each look against the previous
    run's evidence ``old``: exactly as the final judgement will (the same intervals, corrected
    for every look the plan may take), with the run-to-run ``drift`` of the scopes judged.
    What stays open: the inconclusive verdicts that the rest of the run, up to ``max_s``, could
    still decide, against this previous run or the next run (`more_would_decide`), and the
    whole run's percentiles this run has too few samples for as yet but will have by then
    (`baseline_shortfalls`). This run is the next one's previous run: one that stopped as soon
    as the previous run's own size allowed would leave every later comparison as short."""

    def judge(new: Evidence, at_s: float, looks: int) -> Look:
        verdicts, _ = evidence_verdicts(
            old, new, settings, "", drift(_common_scopes(old, new)), looks
        )
        growth = max_s / max(at_s, 1.0)
        undecided = [v.label for v in verdicts if more_would_decide(v, int(v.samples[1] * growth))]
        total = new.scopes[TOTAL_SCOPE].distribution.total
        short = baseline_shortfalls(total, int(total * growth), settings)
        return Look(at_s, new.scopes[TOTAL_SCOPE].requests, tuple(undecided + short))

    return judge


def baseline_shortfalls(samples: int, samples_by_end: int, settings: RegressionConfig) -> list[str]:
    """The configured percentiles a run of ``samples`` latencies cannot have judged against it
    yet, and will by the end (``samples_by_end``), as ``"p99 (for the next run)"``."""
    return [
        f"{name} (for the next run)"
        for name in settings.percentiles
        if samples
        < requests_needed(LATENCY_PERCENTILES[name], settings.min_tail_samples)
        <= samples_by_end
    ]


def more_would_decide(verdict: MetricVerdict, current_by_end: int) -> bool:
    """Whether more requests in this run could turn an inconclusive ``verdict``: it said how
    many requests per run would decide it, more than this run has now and no more than it
    will have by the end of its budget (``current_by_end`` in its scope). Whether the previous
    run has that many does not matter: if it has not, this run still decides the verdict
    against the next one (it will be the next run's previous run)."""
    if verdict.verdict != "inconclusive" or verdict.samples_needed is None:
        return False
    return verdict.samples[1] < verdict.samples_needed <= current_by_end


def _interval_count(old: Scope, new: Scope, settings: RegressionConfig, noisy: str) -> int:
    """How many confidence intervals one scope gets: its judged percentiles, its error ratio
    when a request failed in either run."""
    latency = 0 if noisy else sum(
        _shortfall(name, LATENCY_PERCENTILES[name], old, new, settings) is None
        for name in settings.percentiles
    )  # fmt: skip
    errors = bool(old.requests and new.requests and (old.failures or new.failures))
    return latency + errors


def _common_scopes(old: Evidence, new: Evidence) -> list[str]:
    """``total``, then every scenario both runs have (by the names the runs report)."""
    return [name for name in new.scopes if name in old.scopes]


def _generator_saturated(before: LoadSection, now: LoadSection) -> str:
    """Why latencies cannot be judged when a run's own load generator was the bottleneck
    (TP-LOAD-002): it delays sends and inflates latencies; "" when neither run's was."""
    runs = {"the previous run": before.unreliable, "this run": now.unreliable}
    saturated = [name for name, flag in runs.items() if flag]
    if not saturated:
        return ""
    where = "both runs" if len(saturated) == 2 else saturated[0]
    return f"the load generator was CPU-saturated in {where}: latencies are inflated"


@dataclasses.dataclass(frozen=True)
class Shortfall:
    """Why a metric cannot be judged on these runs, and the requests per run it would need."""

    reason: str
    needed: int | None = None


def latency_verdicts(
    scope: str,
    old: Scope,
    new: Scope,
    settings: RegressionConfig,
    noisy: str,
    drift: Drift = NO_DRIFT,
    drift_confidence: float | None = None,
) -> list[MetricVerdict]:
    """One verdict per configured percentile of one scope, each interval widened by that
    percentile's run-to-run drift when the stored runs told it, taken at ``drift_confidence``
    (default: the interval's)."""
    names = list(settings.percentiles)
    levels = [LATENCY_PERCENTILES[name] for name in names]
    shortfalls = [
        Shortfall(noisy) if noisy else _shortfall(name, level, old, new, settings)
        for name, level in zip(names, levels, strict=True)
    ]
    judged = any(short is None for short in shortfalls)
    intervals = _latency_intervals(old, new, levels, settings) if judged else []
    samples = (old.distribution.total, new.distribution.total)
    verdicts = []
    for index, (name, level) in enumerate(zip(names, levels, strict=True)):
        previous, current = _percentile(old, level), _percentile(new, level)
        estimate = drift.estimate(scope, name) if drift.consulted else None
        base = MetricVerdict(scope, f"{name}_ms", previous, current, "inconclusive", "",
                             samples=samples, drift=estimate)  # fmt: skip
        short = shortfalls[index]
        if short is not None:
            verdicts.append(
                dataclasses.replace(base, reason=short.reason, samples_needed=short.needed)
            )
            continue
        interval, margin = intervals[index], 0.0
        if estimate is not None and base.ratio is not None:
            margin = estimate.margin(drift_confidence or settings.confidence)
            interval = widened(interval, base.ratio, margin)
        verdicts.append(_classified(base, interval, settings.tolerance, "ms", margin))
    return verdicts


def _percentile(scope: Scope, level: float) -> float | None:
    sample = scope.distribution
    if not sample.total:
        return None
    return round(float(percentile_of_counts(sample.values_ms, sample.counts, level)), 3)


def _shortfall(
    name: str, level: float, old: Scope, new: Scope, settings: RegressionConfig
) -> Shortfall | None:
    """Too few samples beyond the percentile, or too few seconds to resample; None if enough."""
    needed = requests_needed(level, settings.min_tail_samples)
    if min(old.distribution.total, new.distribution.total) < needed:
        return Shortfall(
            f"{name} needs {needed} requests per run ({settings.min_tail_samples} beyond it);"
            f" had {old.distribution.total} and {new.distribution.total}",
            needed,
        )
    blocks = min(old.filled_blocks, new.filled_blocks)
    if settings.resample == "blocks" and blocks < MIN_BLOCKS:
        return Shortfall(
            f"needs samples in at least {MIN_BLOCKS} seconds of each run; had {blocks}"
        )
    return None


def _latency_intervals(
    old: Scope, new: Scope, levels: list[float], settings: RegressionConfig
) -> list[RatioInterval]:
    """Every percentile's interval from one bootstrap (called only when some can be judged)."""
    options = {"confidence": settings.confidence, "resamples": settings.resamples}
    if settings.resample == "blocks":
        return block_percentile_ratios(old.blocks, new.blocks, levels, **options)
    return request_percentile_ratios(old.distribution, new.distribution, levels, **options)


def error_ratio_verdicts(
    scope: str, old: Scope, new: Scope, settings: RegressionConfig
) -> list[MetricVerdict]:
    if not old.requests or not new.requests:
        return []
    previous = round(old.failures / old.requests, 6)
    current = round(new.failures / new.requests, 6)
    base = MetricVerdict(scope, "error_ratio", previous, current, "unchanged", "",
                         None, (old.requests, new.requests))  # fmt: skip
    if not old.failures and not new.failures:
        return [dataclasses.replace(base, reason="no failed request in either run")]
    interval = error_ratio_interval(
        old.failures, old.requests, new.failures, new.requests, settings.confidence
    )
    return [_classified(base, interval, settings.tolerance, "")]


def capacity_verdicts(
    before: LoadSection, now: LoadSection, settings: RegressionConfig
) -> list[MetricVerdict]:
    """``capacity_rps`` of both runs, each known within its search bracket."""
    old, new = capacity_bracket(before), capacity_bracket(now)
    if old is None or new is None:
        return []
    interval = RatioInterval(new[0] / old[1], new[1] / old[0] if old[0] else math.inf)
    base = MetricVerdict(TOTAL_SCOPE, "capacity_rps", old[0], new[0], "inconclusive", "",
                         interval, (before.requests, now.requests))  # fmt: skip
    verdict = classify(interval, settings.tolerance, higher_is_better=True)
    brackets = f"previous {_bracket_text(old)}, now {_bracket_text(new)} req/s"
    if verdict == "inconclusive":
        reason = f"capacity known only within {brackets}: a finer capacity search narrows it"
    else:
        reason = f"{verdict}: {brackets}, ratio {describe_interval(base.ratio, interval)}"
    return [dataclasses.replace(base, verdict=verdict, reason=reason)]


def capacity_bracket(load: LoadSection) -> tuple[float, float] | None:
    """(lowest, highest) the capacity can be, in req/s, from a load section; None without one.

    From the capacity search's ``capacity`` section: the highest level that held and the lowest
    that broke (open model); the best throughput that held and the best any step achieved, as
    the target never answered faster (closed model); "at least" the maximum when none broke.
    A summary written before the search keeps ``capacity_rps`` and its steps."""
    if load.capacity is not None:
        return _searched_bracket(load.capacity, load)
    capacity = load.capacity_rps
    if capacity is None or capacity <= 0:
        return None
    failed = [
        rate
        for step in load.measured_steps()
        if step.held is False
        # A summary without a model was written before the closed model: an open one.
        and (rate := step.achieved_rps if load.model == "closed" else step.offered_rps) is not None
        and rate > capacity
    ]
    return capacity, min(failed, default=math.inf)


def _searched_bracket(capacity: Capacity, load: LoadSection) -> tuple[float, float] | None:
    low = capacity.capacity_rps or capacity.at_least_rps
    if low is None or low <= 0:
        return None
    if not capacity.reached:
        return low, math.inf
    if capacity.bracket_unit == "req/s":
        high = capacity.bracket[1] if len(capacity.bracket) == 2 else None
        return low, high if high is not None and high > low else math.inf
    achieved = [step.achieved_rps for step in load.measured_steps() if step.achieved_rps]
    return low, max([*achieved, low])


def _bracket_text(bracket: tuple[float, float]) -> str:
    high = "∞" if math.isinf(bracket[1]) else f"{bracket[1]:g}"
    return f"[{bracket[0]:g}, {high})"


# -- the rule ----------------------------------------------------------------------------------


def classify(
    interval: RatioInterval, tolerance: float, *, higher_is_better: bool = False
) -> Verdict:
    """The verdict of an interval of new/previous against the band [1/(1+t), 1+t]."""
    upper, lower = 1 + tolerance, 1 / (1 + tolerance)
    low, high = interval.low, interval.high
    if higher_is_better:  # judge the cost, previous/new: a lower capacity costs more
        low, high = (1 / high if high else math.inf), (1 / low if low else math.inf)
    if low > upper:
        return "regressed"
    if high < lower:
        return "improved"
    if low >= lower and high <= upper:
        return "unchanged"
    return "inconclusive"


def samples_factor(interval: RatioInterval, tolerance: float, drift: float = 0.0) -> float | None:
    """How many times the requests per run would narrow ``interval`` enough to decide: its
    sampling part shrinks as 1/√n in log ratio, the run-to-run ``drift`` margin (added in
    quadrature) does not. None when it would take more than `MAX_FACTOR` times, when the drift
    alone is too wide, or when the interval is unbounded."""
    if not interval.finite:
        return None
    edge = math.log(1 + tolerance)
    center, half = abs(interval.log_center), interval.log_half_width
    distance = edge - center if center < edge else center - edge
    if distance <= drift:
        return None
    sampling = max(0.0, half**2 - drift**2)
    factor = max(1.0, sampling / (distance**2 - drift**2))
    return factor if factor <= MAX_FACTOR else None


def _classified(
    base: MetricVerdict, interval: RatioInterval, tolerance: float, unit: str, drift: float = 0.0
) -> MetricVerdict:
    """The verdict of ``interval``; ``drift`` is the run-to-run margin it was widened by."""
    verdict = classify(interval, tolerance)
    values = f"{_value(base.previous, unit)} → {_value(base.current, unit)}"
    described = f"ratio {describe_interval(base.ratio, interval)}"
    if base.drift is not None:
        described += f", {base.drift.describe()}"
    needed = None
    if verdict == "inconclusive":
        factor = samples_factor(interval, tolerance, drift)
        n = min(base.samples)
        if factor is None and _drift_too_wide(interval, tolerance, drift):
            advice = (
                "the run-to-run drift alone is wider than that: more requests will not decide"
                " (a quieter runner or a larger tolerance will)"
            )
        elif factor is None:
            advice = f"more than {MAX_FACTOR:g} times the {n} requests per run would be needed"
        else:
            needed = math.ceil(n * factor)
            advice = f"about {needed} requests per run ({factor:.1f} times as many) would decide"
        reason = f"{values}, {described}: straddles the ±{tolerance:.0%} band; {advice}"
    else:
        band = f"+{tolerance:.0%}" if verdict == "regressed" else f"±{tolerance:.0%}"
        reason = f"{values}, {described}: {verdict} ({band})"
    return dataclasses.replace(
        base, verdict=verdict, reason=reason, interval=interval, samples_needed=needed
    )


def _drift_too_wide(interval: RatioInterval, tolerance: float, drift: float) -> bool:
    distance = abs(math.log(1 + tolerance) - abs(interval.log_center))
    return interval.finite and drift > 0 and distance <= drift


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "?"
    return f"{value:g} {unit}".strip()


def describe_interval(ratio: float | None, interval: RatioInterval | None) -> str:
    """``1.42 (CI 1.21 to 1.66)`` for people; the numbers themselves are in the data."""
    shown = "?" if ratio is None else f"{ratio:.3g}"
    if interval is None:
        return shown
    high = "∞" if math.isinf(interval.high) else f"{interval.high:.3g}"
    return f"{shown} (CI {interval.low:.3g} to {high})"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 5)


def _finite(value: float) -> float | None:
    return None if math.isinf(value) or math.isnan(value) else round(value, 4)
