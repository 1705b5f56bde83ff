"""The runner's run-to-run drift, learned from stored runs: how far a percentile of the same
build moves between runs beyond each run's own sampling noise.

A bootstrap interval (`tokenprobe.reports.statistics`) covers the noise *within* two runs; it
cannot know that the machine as a whole was slower during one of them. The stored runs beside
the previous run (the folders of its report root, ``--compare``'s parent) show how much that
happens on this runner: for each scope and percentile, DerSimonian & Laird's between-run
variance τ² of the log percentile over the newest ``drift-runs`` comparable runs (each weighted
by its own bootstrap variance), at least `MIN_DRIFT_RUNS` of them. A comparison's latency
intervals then widen by ``t(k - 2) · √(2τ²)`` in quadrature (`statistics.widened`).

*Comparable* runs have the same load shape: model, arrival, profile, and every measured step's
offered rate, users and length (a sequential run's plan instead of its length, which depends on
when it was decided); the target's address may differ (the embedded target's port changes
every run). Runs that started at or after the judged run, the judged run itself, and
runs whose histograms cannot be read are left out. A stored run that was itself a regression
widens the estimate: the drift learned is then, if anything, too large (fewer verdicts, never a
false *regressed*).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tokenprobe.core.config import RegressionConfig
from tokenprobe.core.defaults import LATENCY_PERCENTILES
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.summary import plural
from tokenprobe.load.evidence import Evidence, Scope, find_evidence, read_evidence
from tokenprobe.load.section import load_section
from tokenprobe.reports.rundir import run_folders
from tokenprobe.reports.statistics import (
    MIN_BLOCKS,
    LogEstimate,
    between_run_variance,
    block_log_percentiles,
    drift_margin,
    request_log_percentiles,
    requests_needed,
)
from tokenprobe.reports.summary_json import read_stored_summary

# Fewer runs than this teach nothing about drift (t on k - 2 degrees of freedom: 3 at least).
MIN_DRIFT_RUNS = 5


@dataclasses.dataclass(frozen=True)
class DriftEstimate:
    """One scope's percentile: the runs it was learned from and τ² of its log."""

    runs: int
    variance: float | None  # None: fewer than `MIN_DRIFT_RUNS` runs had this percentile

    @property
    def sigma(self) -> float | None:
        return None if self.variance is None else self.variance**0.5

    def margin(self, confidence: float) -> float:
        """Log ratio to add in quadrature to an interval at ``confidence`` (0 when unknown)."""
        if self.variance is None:
            return 0.0
        return drift_margin(self.variance, self.runs, confidence)

    def describe(self) -> str:
        if self.sigma is None:
            return f"run-to-run drift unknown ({self.runs} of {MIN_DRIFT_RUNS} runs)"
        return f"run-to-run drift ±{self.sigma:.1%} from {self.runs} runs"


@dataclasses.dataclass(frozen=True)
class Drift:
    """What the stored runs taught, per (scope, percentile name)."""

    root: Path | None  # where the runs were looked for; None when drift is not learned
    runs: tuple[Path, ...] = ()  # the comparable runs read, newest first
    estimates: Mapping[tuple[str, str], DriftEstimate] = dataclasses.field(default_factory=dict)
    consulted: bool = True  # False: drift was not looked for (``drift-runs = 0``)

    def estimate(self, scope: str, name: str) -> DriftEstimate:
        return self.estimates.get((scope, name), DriftEstimate(len(self.runs), None))

    def describe(self) -> str:
        """One line for people: where the latency intervals' drift came from."""
        if not self.consulted:
            return "not learned (drift-runs = 0): intervals cover each run's own noise only"
        runs = plural(len(self.runs), "comparable stored run")
        if len(self.runs) < MIN_DRIFT_RUNS:
            own = "intervals cover each run's own noise only"
            return f"unknown: {runs}, {MIN_DRIFT_RUNS} needed; {own}"
        return f"learned from {runs}"

    def to_dict(self) -> dict[str, Any]:
        """summary.json ``comparison.regression.drift``."""
        by_scope: dict[str, dict[str, Any]] = {}
        for (scope, name), estimate in self.estimates.items():
            sigma = None if estimate.sigma is None else round(estimate.sigma, 5)
            by_scope.setdefault(scope, {})[name] = {"runs": estimate.runs, "sigma": sigma}
        if not self.consulted:
            return {"root": None, "runs": [], "min_runs": MIN_DRIFT_RUNS, "sigma": None,
                    "description": self.describe()}  # fmt: skip
        return {
            "description": self.describe(),
            "root": None if self.root is None else str(self.root),
            "runs": [path.name for path in self.runs],
            "min_runs": MIN_DRIFT_RUNS,
            "sigma": by_scope,
        }


NO_DRIFT = Drift(None, consulted=False)


def learn_drift(
    previous_dir: Path,
    current: Mapping[str, Any],
    current_dir: Path,
    scopes: Iterable[str],
    settings: RegressionConfig,
    history: Sequence[Path] | None = None,
) -> Drift:
    """The drift of every ``scopes`` percentile, from ``history`` (run folders, newest first)
    when given, else from the comparable runs stored beside ``previous_dir``."""
    if settings.drift_runs <= 0:
        return NO_DRIFT
    if history is not None:
        return drift_of_runs(readable_runs(history[: settings.drift_runs]), scopes, settings)
    root = previous_dir.resolve().parent
    runs = comparable_runs(root, current, current_dir, settings.drift_runs)
    return drift_of_runs(runs, scopes, settings, root)


def comparable_runs(
    root: Path, current: Mapping[str, Any], current_dir: Path, limit: int
) -> list[tuple[Path, Evidence]]:
    """The newest ``limit`` runs of ``root`` with ``current``'s load shape that started before it
    and whose histograms read, newest first."""
    shape, started = load_shape(current), str(current.get("started_at", ""))
    if shape is None:
        return []
    this_run = current_dir.resolve()
    candidates = []
    for folder in run_folders(root):
        summary = read_stored_summary(folder)
        if summary is None or folder.resolve() == this_run:
            continue
        if load_shape(summary) == shape and str(summary.get("started_at", "")) < started:
            candidates.append((str(summary.get("started_at")), folder))
    candidates.sort(reverse=True)
    runs = []
    for _, folder in candidates:
        runs += readable_runs([folder])
        if len(runs) == limit:
            break
    return runs


def readable_runs(folders: Iterable[Path]) -> list[tuple[Path, Evidence]]:
    """Each folder with its histograms, in order; one whose histograms cannot be read is left
    out (a damaged old run teaches nothing; it does not stop this comparison)."""
    runs = []
    for folder in folders:
        path = find_evidence(folder)
        if path is None:
            continue
        try:
            runs.append((folder, read_evidence(path)))
        except ConfigError:
            continue
    return runs


def drift_of_runs(
    runs: Sequence[tuple[Path, Evidence]],
    scopes: Iterable[str],
    settings: RegressionConfig,
    root: Path | None = None,
) -> Drift:
    """τ² per scope and configured percentile over ``runs``."""
    names = list(settings.percentiles)
    levels = [LATENCY_PERCENTILES[name] for name in names]
    estimates: dict[tuple[str, str], DriftEstimate] = {}
    for scope in scopes:
        per_level: list[list[LogEstimate]] = [[] for _ in names]
        for _, evidence in runs:
            stored = evidence.scopes.get(scope)
            if stored is None:
                continue
            for index, estimate in enumerate(_log_percentiles(stored, levels, settings)):
                if estimate is not None:
                    per_level[index].append(estimate)
        for name, found in zip(names, per_level, strict=True):
            variance = between_run_variance(found) if len(found) >= MIN_DRIFT_RUNS else None
            estimates[(scope, name)] = DriftEstimate(len(found), variance)
    return Drift(root, tuple(folder for folder, _ in runs), estimates)


def _log_percentiles(
    scope: Scope, levels: list[float], settings: RegressionConfig
) -> list[LogEstimate | None]:
    """A run's log percentiles, None where it has too few samples beyond one to count."""
    total = scope.distribution.total
    enough = [total >= requests_needed(level, settings.min_tail_samples) for level in levels]
    if not any(enough) or (settings.resample == "blocks" and scope.filled_blocks < MIN_BLOCKS):
        return [None] * len(levels)
    if settings.resample == "blocks":
        found = block_log_percentiles(scope.blocks, scope.distribution, levels)
    else:
        found = request_log_percentiles(scope.distribution, levels)
    return [estimate if ok else None for estimate, ok in zip(found, enough, strict=True)]


def load_shape(summary: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """What makes two runs' latencies comparable; None without load results. A sequential
    run's length depends on when its comparison was decided: its plan stands for it."""
    load = load_section(summary)
    if load is None:
        return None
    plan = load.sequential
    measured = tuple(
        (step.offered_rps, step.users, None if plan else step.duration_s)
        for step in load.measured_steps()
    )
    length = (plan.first_look_s, plan.max_s) if plan else None
    return (load.model, load.arrival, load.profile, measured, length)
