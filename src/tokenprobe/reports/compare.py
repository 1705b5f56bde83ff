"""``--compare DIR``: what changed since a previous run.

Findings are matched by (ID, title): the evidence of one deviation varies from run to run
(counts, timings), its ID and title do not. *New* = only in this run, *fixed* = only in the
previous one, *unchanged* = in both. Latency (p50/p95/p99) and throughput deltas come from the
``load`` sections of both summaries when both have one, in total and per common scenario
(by key; a summary written before scenarios were keyed by key is read by their display names).
The regression verdicts (`tokenprobe.reports.regression`) ride along when they were judged;
`comparison_plan` lets a load run send until they are decided.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tokenprobe.core import defaults
from tokenprobe.core.config import RegressionConfig
from tokenprobe.core.errors import ConfigError, TokenprobeError
from tokenprobe.core.summary import SCHEMA_VERSION, Summary
from tokenprobe.load.evidence import find_evidence, read_evidence
from tokenprobe.load.looks import LookPlan
from tokenprobe.load.section import Scope, load_section
from tokenprobe.reports.drift import Drift, learn_drift
from tokenprobe.reports.regression import Regression, judge_regression, look_judge
from tokenprobe.reports.rundir import resolve_run_dir
from tokenprobe.reports.summary_json import SUMMARY_FILE, stored_run

COMPARED_PERCENTILES = ("p50", "p95", "p99")


@dataclasses.dataclass(frozen=True)
class MetricDelta:
    scope: str  # "total" or a scenario key
    metric: str  # "p50_ms", "p95_ms", "p99_ms", "throughput_rps"
    previous: float
    current: float

    @property
    def change(self) -> float:
        return self.current - self.previous

    @property
    def change_pct(self) -> float | None:
        return None if self.previous == 0 else 100.0 * self.change / self.previous

    @property
    def improved(self) -> bool:
        """Lower latency or higher throughput."""
        return self.change > 0 if self.metric == "throughput_rps" else self.change < 0

    def to_dict(self) -> dict[str, Any]:
        pct = self.change_pct
        return {
            "scope": self.scope,
            "metric": self.metric,
            "previous": self.previous,
            "current": self.current,
            "change": round(self.change, 3),
            "change_pct": None if pct is None else round(pct, 1),
        }


@dataclasses.dataclass(frozen=True)
class Comparison:
    previous_run: str  # the directory compared with, as given
    previous_started_at: str | None
    previous_status: str | None
    new: tuple[dict[str, str], ...]  # {"id", "title", "severity"}
    fixed: tuple[dict[str, str], ...]
    unchanged: tuple[dict[str, str], ...]
    load: tuple[MetricDelta, ...] = ()
    regression: Regression | None = None

    def to_dict(self) -> dict[str, Any]:
        """summary.json ``comparison`` section."""
        regression = {} if self.regression is None else {"regression": self.regression.to_dict()}
        return {
            "previous_run": self.previous_run,
            "previous_started_at": self.previous_started_at,
            "previous_status": self.previous_status,
            "new": list(self.new),
            "fixed": list(self.fixed),
            "unchanged": list(self.unchanged),
            "load": [d.to_dict() for d in self.load],
            **regression,
        }


@dataclasses.dataclass(frozen=True)
class PreviousRun:
    """The run ``--compare`` names: as given, where it really is, and its summary."""

    given: Path
    run_dir: Path  # ``latest`` followed
    summary: Mapping[str, Any]


def load_previous_run(path: Path) -> PreviousRun:
    """`ConfigError` (one line) when ``path`` holds no readable tokenprobe summary."""
    return PreviousRun(path, resolve_run_dir(path), load_summary_json(path))


def comparison_plan(
    previous: PreviousRun,
    settings: RegressionConfig,
    run_dir: Path,
    *,
    first_s: float,
    max_s: float,
    every_s: float = defaults.LOAD_LOOK_EVERY_S,
) -> LookPlan | None:
    """A load run that sends until its comparison with ``previous`` is decided: looks from
    ``first_s`` on, every ``every_s``, at most ``max_s`` (docs/regression.md, "Sending until
    decided"). None when the previous run kept no readable evidence: the run then sends its
    whole length (a baseline for the next), and the final judgement says why it judged nothing.

    The run-to-run drift is learned once, at the first look, from the runs stored beside the
    previous one that share its load shape (this run's, when the previous run was also
    sequential with the same plan)."""
    found = find_evidence(previous.run_dir)
    if found is None:
        return None
    try:
        old = read_evidence(found)
    except TokenprobeError:
        return None
    started = dt.datetime.now(dt.UTC).isoformat()
    learned: dict[tuple[str, ...], Drift] = {}

    def drift(scopes: list[str]) -> Drift:
        key = tuple(scopes)
        if key not in learned:
            current = {**previous.summary, "started_at": started}
            learned[key] = learn_drift(previous.run_dir, current, run_dir, scopes, settings)
        return learned[key]

    return LookPlan(first_s, every_s, max_s, look_judge(old, settings, max_s, drift))


def load_summary_json(run_dir: Path) -> dict[str, Any]:
    """The ``summary.json`` of a previous run; `ConfigError` (one line) when there is none."""
    path = resolve_run_dir(run_dir) / SUMMARY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"--compare {run_dir}: no {SUMMARY_FILE} there") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"--compare {run_dir}: unreadable {SUMMARY_FILE}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings", []), list):
        raise ConfigError(f"--compare {run_dir}: {SUMMARY_FILE} is not a tokenprobe summary")
    if data.get("schema_version", SCHEMA_VERSION) > SCHEMA_VERSION:
        raise ConfigError(
            f"--compare {run_dir}: schema_version {data['schema_version']} is newer than "
            f"this tokenprobe understands ({SCHEMA_VERSION})"
        )
    return data


def judge_against(
    summary: Summary, run_dir: Path, previous: PreviousRun, settings: RegressionConfig
) -> Regression | None:
    """Judge this run's load numbers (``summary``, its folder ``run_dir``) against the previous
    run's; the verdicts' findings and checks join ``summary``, before severities and the
    baseline apply. Unreadable evidence is an error of this run, whose reports still get
    written; None when there was nothing to judge (no load results in this run)."""
    try:
        regression = judge_regression(
            summary.to_dict(), run_dir, previous.summary, previous.run_dir, settings
        )
    except TokenprobeError as exc:
        summary.errors.append(str(exc))
        return None
    if regression is not None:
        regression.apply_to(summary)
    return regression


def compare_runs(current: Mapping[str, Any], previous_dir: Path) -> Comparison:
    """Compare a summary dict (``Summary.to_dict()``) with the run stored in ``previous_dir``."""
    return compare_summaries(current, load_summary_json(previous_dir), str(previous_dir))


def compare_summaries(
    current: Mapping[str, Any],
    previous: Mapping[str, Any],
    previous_run: str,
    regression: Regression | None = None,
) -> Comparison:
    now, before = _findings_by_key(current), _findings_by_key(previous)
    return Comparison(
        previous_run=previous_run,
        previous_started_at=previous.get("started_at"),
        previous_status=previous.get("status"),
        new=tuple(now[k] for k in now if k not in before),
        fixed=tuple(before[k] for k in before if k not in now),
        unchanged=tuple(now[k] for k in now if k in before),
        load=tuple(load_deltas(current, previous)),
        regression=regression,
    )


def load_deltas(current: Mapping[str, Any], previous: Mapping[str, Any]) -> list[MetricDelta]:
    """Total and per-scenario deltas for every metric both runs' load sections report."""
    now, before = load_section(current), load_section(previous)
    if now is None or before is None:
        return []
    old_scopes = before.scopes()
    return [
        delta
        for scope, values in now.scopes().items()
        if scope in old_scopes
        for delta in _scope_deltas(scope, values, old_scopes[scope])
    ]


def _scope_deltas(scope: str, current: Scope, previous: Scope) -> list[MetricDelta]:
    now, before = _metrics(current), _metrics(previous)
    return [
        MetricDelta(scope, metric, before[metric], value)
        for metric, value in now.items()
        if metric in before
    ]


def _metrics(scope: Scope) -> dict[str, float]:
    """``{"p50_ms": …, "throughput_rps": …}`` for whichever numbers a scope has."""
    candidates = {f"{p}_ms": getattr(scope.latency_ms, p) for p in COMPARED_PERCENTILES}
    candidates["throughput_rps"] = scope.throughput_rps
    return {name: value for name, value in candidates.items() if value is not None}


def _findings_by_key(summary: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
    """A run's findings by (ID, title), as a comparison names them."""
    run = stored_run(dict(summary))
    keyed: dict[tuple[str, str], dict[str, str]] = {}
    for finding in run.findings if run is not None else []:
        key = (finding.id, finding.title)
        keyed.setdefault(key, {"id": finding.id, "title": finding.title,
                               "severity": finding.severity})  # fmt: skip
    return keyed
