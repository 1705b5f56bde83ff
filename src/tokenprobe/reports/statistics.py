"""Confidence intervals for the ratio of a metric between two runs (new / old).

* **Latency percentiles:** a two-sample bootstrap of the percentile ratio with the percentile
  interval (Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 13;
  ``scipy.stats.bootstrap`` with ``paired=False``). Each run is resampled on its own, from its
  stored histograms:

  - ``blocks`` (default): whole blocks of consecutive seconds are drawn with replacement, the
    non-overlapping block bootstrap for dependent data (Carlstein 1986, *Ann. Statist.* 14(3);
    Künsch 1989, *Ann. Statist.* 17(3)). Latencies of one run are correlated in time: a second
    in which the machine was busy slows many requests together, and resampling single requests
    would then give an interval far too narrow for what the next run will see.
  - ``requests``: single requests drawn with replacement (the ordinary bootstrap), for runs whose
    requests are independent. A run of more than `MAX_REQUEST_SAMPLES` requests is represented
    by that many values drawn from its histogram in proportion to the counts; the interval is
    then, if anything, wider than the data warrant.

  With few units to resample (a 10 s run has 10 blocks) the percentile interval is too narrow;
  it is widened to the *expanded percentile interval* (Hesterberg 2015, "What Teachers Should
  Know About the Bootstrap", *The American Statistician* 69(4)): for confidence ``1 - a`` the
  bootstrap distribution's percentiles taken are those of confidence ``1 - a'``, with
  ``a'/2 = Φ(-√(n/(n-1)) · t(a/2, n-1))`` and ``n`` the fewer units of the two runs (10 blocks:
  95 % becomes 98.3 %; 300 blocks: 95.1 %).

  A percentile is HdrHistogram's: the smallest recorded value with at least
  ``round(q/100 · n)`` samples at or below it, so the statistic equals what the load report shows.
* **Error ratios:** the ratio of two proportions with Katz' log interval (Katz, Baptista, Azen &
  Pike 1978, *Biometrics* 34(3); ``scipy.stats.contingency.relative_risk``). When a run has no
  failure (or no success) at all, 0.5 is added to every cell first (Haldane 1956; Anscombe 1956),
  the usual correction that keeps the interval finite.

* **Run-to-run drift:** a percentile of the same build moves between runs by more than each run's
  own sampling noise (the machine's mood changes between runs). Between-run variance of the log
  percentile, over stored runs, is DerSimonian & Laird's (1986, *Controlled Clinical Trials*
  7(3)) method-of-moments estimate of the random-effects variance τ², each run weighted by the
  inverse of its own bootstrap variance; a ratio of two runs then carries ``2τ²`` more variance,
  added to the bootstrap interval's half widths in quadrature with the quantile of Student's t
  on ``k - 2`` degrees of freedom (the prediction interval for a new study of a random-effects
  meta-analysis: Higgins, Thompson & Spiegelhalter 2009, *J. R. Statist. Soc. A* 172(1)).

Everything here is numbers in, numbers out: no files, no verdicts (`tokenprobe.reports.regression`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from tokenprobe.load.evidence import Distribution

# SciPy is imported inside the functions that use it: its import costs a second, and only a
# comparison computes a verdict (the gate and every command import this module without one).

MIN_BLOCKS = 5  # blocks (seconds) with samples each run needs for a block bootstrap
# ``requests`` resampling: at most this many values stand for one run (memory and time bound).
MAX_REQUEST_SAMPLES = 20_000
# Bootstrap replicates computed per batch: bounds memory to batch * (blocks + values) numbers.
BATCH = 250
SEED = 20_261_128  # fixed: the same two runs always get the same interval
# Replicates for one run's variance of a log percentile: a standard error needs far fewer than
# an interval's tails (Efron & Tibshirani 1993, ch. 6: 25-200).
SPREAD_RESAMPLES = 200
# A run's variance is floored at the histograms' resolution (3 significant digits: 0.1 %), so
# that a run whose resamples all gave one value does not take all the weight.
MIN_LOG_VARIANCE = 1e-3**2


@dataclasses.dataclass(frozen=True)
class RatioInterval:
    """A two-sided confidence interval for new / old; bounds may be 0 or inf, never NaN."""

    low: float
    high: float

    @property
    def log_center(self) -> float:
        return (math.log(self.low) + math.log(self.high)) / 2

    @property
    def log_half_width(self) -> float:
        return (math.log(self.high) - math.log(self.low)) / 2

    @property
    def finite(self) -> bool:
        return 0 < self.low <= self.high < math.inf


def requests_needed(percentile: float, tail_samples: int) -> int:
    """Requests a run needs for ``tail_samples`` of them to lie beyond ``percentile``."""
    return math.ceil(tail_samples / (1 - percentile / 100) - 1e-9)


def percentile_of_counts(values: np.ndarray, counts: np.ndarray, percentile: float) -> np.ndarray:
    """HdrHistogram's percentile for each row of ``counts`` (rows: resamples, columns: the
    sorted ``values``); NaN for a row with no sample."""
    cumulative = np.cumsum(counts, axis=-1)
    totals = cumulative[..., -1]
    targets = np.maximum(1, np.floor(percentile / 100 * totals + 0.5))
    positions = (cumulative < targets[..., None]).sum(axis=-1)
    picked = values[np.minimum(positions, len(values) - 1)]
    return np.where(totals > 0, picked, np.nan)


class BlockSample:
    """One run as blocks of seconds over a shared grid of values: a blocks-by-values matrix."""

    def __init__(self, blocks: Sequence[Distribution], grid: np.ndarray) -> None:
        self.grid = grid
        self.matrix = np.zeros((len(blocks), len(grid)), dtype=np.int64)
        for row, block in enumerate(blocks):
            self.matrix[row, np.searchsorted(grid, block.values_ms)] = block.counts

    def percentiles(self, chosen: np.ndarray, percentiles: Sequence[float]) -> np.ndarray:
        """Percentiles of the union of the ``chosen`` blocks (block indexes, last axis)."""
        lead, width = chosen.shape[:-1], chosen.shape[-1]
        rows = chosen.reshape(-1, width)
        blocks = len(self.matrix)
        offsets = np.arange(len(rows))[:, None] * blocks
        picks = np.bincount((rows + offsets).ravel(), minlength=len(rows) * blocks)
        # einsum's own loop, not BLAS: a threaded BLAS on a busy CI runner spends more time
        # waiting for its threads than these small products take.
        counts = np.einsum("rb,bv->rv", picks.reshape(len(rows), blocks), self.matrix)
        result = [percentile_of_counts(self.grid, counts, p) for p in percentiles]
        return np.stack(result).reshape(len(percentiles), *lead)


def block_percentile_ratios(
    old: Sequence[Distribution],
    new: Sequence[Distribution],
    percentiles: Sequence[float],
    *,
    confidence: float,
    resamples: int,
) -> list[RatioInterval]:
    """Block bootstrap: one interval per percentile for new/old."""
    values = [b.values_ms for b in (*old, *new) if len(b.values_ms)]
    grid = np.unique(np.concatenate(values)) if values else np.zeros(1)
    before, after = BlockSample(old, grid), BlockSample(new, grid)

    def ratio(old_blocks: np.ndarray, new_blocks: np.ndarray, axis: int = -1) -> np.ndarray:
        return after.percentiles(new_blocks, percentiles) / before.percentiles(
            old_blocks, percentiles
        )

    data = (np.arange(len(old)), np.arange(len(new)))
    widened = expanded_confidence(confidence, min(len(old), len(new)))
    return _bootstrap(data, ratio, len(percentiles), widened, resamples)


def request_percentile_ratios(
    old: Distribution,
    new: Distribution,
    percentiles: Sequence[float],
    *,
    confidence: float,
    resamples: int,
) -> list[RatioInterval]:
    """Ordinary bootstrap over single requests: one interval per percentile for new/old.

    Each request is represented by the index of its recorded value, so that a resample's
    percentiles come from counting (`percentile_of_counts`), not from sorting."""
    rng = np.random.default_rng(SEED)
    samples = (request_indexes(old, rng), request_indexes(new, rng))

    def ratio(old_indexes: np.ndarray, new_indexes: np.ndarray, axis: int = -1) -> np.ndarray:
        after = _counted_percentiles(new, new_indexes, percentiles)
        return after / _counted_percentiles(old, old_indexes, percentiles)

    widened = expanded_confidence(confidence, min(old.total, new.total))
    return _bootstrap(samples, ratio, len(percentiles), widened, resamples)


def expanded_confidence(confidence: float, units: int) -> float:
    """The confidence level whose percentile interval is Hesterberg's expanded interval at
    ``confidence`` for ``units`` resampled units (blocks or requests) per run."""
    from scipy import stats

    if units < 2:
        return confidence
    alpha = 1 - confidence
    spread = math.sqrt(units / (units - 1)) * float(stats.t.ppf(1 - alpha / 2, units - 1))
    return float(1 - 2 * stats.norm.cdf(-spread))


def request_indexes(sample: Distribution, rng: np.random.Generator) -> np.ndarray:
    """Each request as the index of its value, or `MAX_REQUEST_SAMPLES` indexes drawn in
    proportion to the counts."""
    indexes = np.arange(len(sample.values_ms))
    if sample.total <= MAX_REQUEST_SAMPLES:
        return np.repeat(indexes, sample.counts)
    weights = sample.counts / sample.total
    return rng.choice(indexes, size=MAX_REQUEST_SAMPLES, p=weights)


def _counted_percentiles(
    sample: Distribution, chosen: np.ndarray, percentiles: Sequence[float]
) -> np.ndarray:
    """Percentiles of each resample (value indexes on the last axis), by counting."""
    lead, width = chosen.shape[:-1], chosen.shape[-1]
    rows = chosen.reshape(-1, width)
    size = len(sample.values_ms)
    offsets = np.arange(len(rows))[:, None] * size
    counts = np.bincount((rows + offsets).ravel(), minlength=len(rows) * size)
    counts = counts.reshape(len(rows), size)
    result = [percentile_of_counts(sample.values_ms, counts, p) for p in percentiles]
    return np.stack(result).reshape(len(percentiles), *lead)


def _bootstrap(
    data: tuple[np.ndarray, np.ndarray],
    statistic: object,
    outputs: int,
    confidence: float,
    resamples: int,
) -> list[RatioInterval]:
    from scipy import stats

    result = stats.bootstrap(
        data,
        statistic,  # type: ignore[arg-type]
        n_resamples=resamples,
        batch=BATCH,
        vectorized=True,
        paired=False,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(SEED),
    )
    lows = np.atleast_1d(result.confidence_interval.low)
    highs = np.atleast_1d(result.confidence_interval.high)
    return [_interval(lows[i], highs[i]) for i in range(outputs)]


def _interval(low: float, high: float) -> RatioInterval:
    """NaN (a replicate without samples) means nothing is known: the widest interval."""
    if math.isnan(low) or math.isnan(high):
        return RatioInterval(0.0, math.inf)
    return RatioInterval(float(low), float(high))


def error_ratio_interval(
    old_failures: int, old_requests: int, new_failures: int, new_requests: int, confidence: float
) -> RatioInterval:
    """Katz' log interval for (new failures / new requests) / (old failures / old requests)."""
    from scipy import stats
    from scipy.stats.contingency import relative_risk

    zero_cell = 0 in (old_failures, new_failures) or old_failures == old_requests
    zero_cell |= new_failures == new_requests
    if not zero_cell:
        bounds = relative_risk(new_failures, new_requests, old_failures, old_requests)
        interval = bounds.confidence_interval(confidence)
        return RatioInterval(float(interval.low), float(interval.high))
    # Haldane-Anscombe: 0.5 added to every cell (failures and successes of both runs).
    a, n1 = new_failures + 0.5, new_requests + 1.0
    c, n2 = old_failures + 0.5, old_requests + 1.0
    log_ratio = math.log((a / n1) / (c / n2))
    spread = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return RatioInterval(math.exp(log_ratio - z * spread), math.exp(log_ratio + z * spread))


# -- run-to-run drift --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LogEstimate:
    """One run's log percentile and the bootstrap variance of that log."""

    value: float
    variance: float


def block_log_percentiles(
    blocks: Sequence[Distribution], whole: Distribution, percentiles: Sequence[float]
) -> list[LogEstimate | None]:
    """Each percentile of one run as a `LogEstimate`, its variance from a block bootstrap;
    None where the run has no sample."""
    values = [b.values_ms for b in blocks if len(b.values_ms)]
    if not values or not whole.total:
        return [None] * len(percentiles)
    sample = BlockSample(blocks, np.unique(np.concatenate(values)))
    rng = np.random.default_rng(SEED)
    chosen = rng.integers(0, len(blocks), size=(SPREAD_RESAMPLES, len(blocks)))
    return _log_estimates(whole, percentiles, sample.percentiles(chosen, percentiles))


def request_log_percentiles(
    whole: Distribution, percentiles: Sequence[float]
) -> list[LogEstimate | None]:
    """The same, single requests resampled."""
    if not whole.total:
        return [None] * len(percentiles)
    rng = np.random.default_rng(SEED)
    indexes = request_indexes(whole, rng)
    chosen = indexes[rng.integers(0, len(indexes), size=(SPREAD_RESAMPLES, len(indexes)))]
    return _log_estimates(whole, percentiles, _counted_percentiles(whole, chosen, percentiles))


def _log_estimates(
    whole: Distribution, percentiles: Sequence[float], replicates: np.ndarray
) -> list[LogEstimate | None]:
    estimates: list[LogEstimate | None] = []
    for level, row in zip(percentiles, replicates, strict=True):
        point = float(percentile_of_counts(whole.values_ms, whole.counts, level))
        kept = row[np.isfinite(row) & (row > 0)]
        if point <= 0 or len(kept) < 2:
            estimates.append(None)
            continue
        variance = max(float(np.var(np.log(kept), ddof=1)), MIN_LOG_VARIANCE)
        estimates.append(LogEstimate(math.log(point), variance))
    return estimates


def between_run_variance(estimates: Sequence[LogEstimate]) -> float:
    """DerSimonian & Laird's τ²: how much the runs' values vary beyond their own variances
    (Q, the weighted sum of squares about the weighted mean, against its k - 1 expected under
    no drift); 0 when they vary no more than that."""
    values = np.array([e.value for e in estimates])
    weights = 1 / np.array([e.variance for e in estimates])
    mean = float(np.sum(weights * values) / np.sum(weights))
    q = float(np.sum(weights * (values - mean) ** 2))
    scale = float(np.sum(weights) - np.sum(weights**2) / np.sum(weights))
    return max(0.0, (q - (len(estimates) - 1)) / scale) if scale > 0 else 0.0


def drift_margin(variance: float, runs: int, confidence: float) -> float:
    """How far, in log ratio, the drift of two runs moves a ratio at ``confidence``: Student's
    t on ``runs - 2`` degrees of freedom times the drift's standard deviation, √(2τ²)."""
    from scipy import stats

    quantile = float(stats.t.ppf(0.5 + confidence / 2, max(1, runs - 2)))
    return quantile * math.sqrt(2 * variance)


def widened(interval: RatioInterval, ratio: float, margin: float) -> RatioInterval:
    """``interval`` with ``margin`` (log ratio) added to each half width in quadrature, about
    the observed ``ratio`` (so a skewed bootstrap interval stays skewed)."""
    if margin <= 0 or not interval.finite or ratio <= 0:
        return interval
    center = math.log(ratio)
    below = math.hypot(center - math.log(interval.low), margin)
    above = math.hypot(math.log(interval.high) - center, margin)
    return RatioInterval(math.exp(center - below), math.exp(center + above))
