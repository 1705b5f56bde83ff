"""Service-level objectives: parsed from configuration, evaluated against exact results.

Syntax (``tp-slo`` in locust.conf, ``--tp-slo`` on the command line), comma-separated::

    p95<500, p99[valid_login]<800, error_ratio<0.01, throughput_rps>20, dropped_ratio<0.001

Latency metrics (p50 p90 p95 p99 p999 max) are milliseconds and take ``<``; an optional
``[scenario]`` narrows a threshold to one scenario, named by its key (``valid_login``; its
display name ``valid login`` is read as the key), default: all requests. An unknown scenario
is an error when the SLOs are parsed, before any request.
``error_ratio`` and ``dropped_ratio`` take ``<``, ``throughput_rps`` takes ``>``.
``capacity`` (req/s) takes ``>``: the capacity a breakpoint search found (a search that did not
reach one gives its lower bound, "≥ X"); a run without a search does not judge it.

In a breakpoint run every other threshold is judged on the steps that held (`held_view`): its
overload steps exceed them on purpose.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from tokenprobe.load.section import LoadSection, Scope
from tokenprobe.load.settings import scenario_key

LATENCY_METRICS = ("p50", "p90", "p95", "p99", "p999", "max")
UPPER_BOUNDED = (*LATENCY_METRICS, "error_ratio", "dropped_ratio")
LOWER_BOUNDED = ("throughput_rps", "capacity")
CAPACITY = "capacity"
_ITEM = re.compile(
    r"^(?P<metric>[a-z0-9_]+)(?:\[(?P<scenario>[^\]]+)\])?\s*(?P<op>[<>])\s*(?P<value>\d+(?:\.\d+)?)$"
)


@dataclasses.dataclass(frozen=True)
class Threshold:
    metric: str
    op: str
    value: float
    scenario: str | None = None  # a scenario key; None: every request

    @property
    def name(self) -> str:
        return f"{self.metric}[{self.scenario}]" if self.scenario else self.metric

    @property
    def unit(self) -> str:
        """What the threshold and the observed value are in ("" for a ratio)."""
        if self.metric in LATENCY_METRICS:
            return "ms"
        return "req/s" if self.metric in LOWER_BOUNDED else ""

    @property
    def text(self) -> str:
        return f"{self.op} {self.value:g}{' ' if self.unit else ''}{self.unit}"

    def passes(self, observed: float) -> bool:
        return observed < self.value if self.op == "<" else observed > self.value


def parse_slos(text: str | None) -> list[Threshold]:
    """Parse the SLO string; raise ValueError naming the first bad item (or unknown scenario)."""
    thresholds = []
    for raw in (text or "").split(","):
        item = raw.strip()
        if not item:
            continue
        match = _ITEM.match(item)
        if not match:
            raise ValueError(f"SLO {item!r} is not METRIC[<scenario>]<VALUE or >VALUE")
        metric, op = match["metric"], match["op"]
        if metric not in UPPER_BOUNDED + LOWER_BOUNDED:
            raise ValueError(f"SLO {item!r}: unknown metric {metric!r}")
        expected = "<" if metric in UPPER_BOUNDED else ">"
        if op != expected:
            raise ValueError(f"SLO {item!r}: {metric} takes {expected}")
        scenario = match["scenario"].strip() if match["scenario"] else None
        if scenario is not None:
            try:
                scenario = scenario_key(scenario)
            except ValueError as exc:
                raise ValueError(f"SLO {item!r}: {exc}") from None
        thresholds.append(Threshold(metric, op, float(match["value"]), scenario))
    return thresholds


def observe(threshold: Threshold, results: LoadSection) -> float | None:
    """The observed value a threshold is judged on; None when the scenario never ran.

    Requests never answered (``unanswered``) are errors and were intended: they count in the
    error ratio and in what the dropped ratio is a share of."""
    if threshold.metric == CAPACITY:
        return results.capacity.found_rps() if results.capacity else None
    if threshold.metric == "dropped_ratio":
        offered = results.requests + results.unanswered + results.dropped
        return results.dropped / offered if offered else 0.0
    scope = _scope(threshold, results)
    if scope is None:
        return None
    attempted = scope.requests + scope.unanswered
    if threshold.metric == "error_ratio" and attempted:
        return (scope.failures + scope.unanswered) / attempted
    if not scope.requests:
        return None
    if threshold.metric == "throughput_rps":
        return scope.throughput_rps
    return getattr(scope.latency_ms, threshold.metric)


def _scope(threshold: Threshold, results: LoadSection) -> Scope | None:
    """The requests a threshold judges: one scenario's, or all of them."""
    return results.scenarios.get(threshold.scenario) if threshold.scenario else results


def evaluate(thresholds: list[Threshold], results: LoadSection) -> list[dict[str, Any]]:
    """``[{"name", "threshold", "observed", "unit", "passed", "judged"}]`` (`Slo`'s fields); a
    threshold with no data fails, except a capacity without a search, which is not judged
    (``judged`` false). A latency observed with requests unanswered, or a capacity not
    reached, adds ``"observed_is_lower_bound": true``."""
    verdicts = []
    for threshold in thresholds:
        observed = observe(threshold, results)
        judged = observed is not None or threshold.metric != CAPACITY or bool(results.capacity)
        verdict = {
            "name": threshold.name,
            "threshold": threshold.text,
            "observed": None if observed is None else round(observed, 4),
            "unit": threshold.unit,
            "passed": observed is not None and threshold.passes(observed),
            "judged": judged,
        }
        if observed is not None and _lower_bound(threshold, results):
            verdict["observed_is_lower_bound"] = True
        verdicts.append(verdict)
    return verdicts


def _lower_bound(threshold: Threshold, results: LoadSection) -> bool:
    """A latency of answered requests only, while some went unanswered: theirs are missing,
    and a request the target left unanswered is as a rule among its slowest."""
    if threshold.metric == CAPACITY:
        capacity = results.capacity
        return capacity is not None and capacity.found_rps() is not None and not capacity.reached
    if threshold.metric not in LATENCY_METRICS:
        return False
    scope = _scope(threshold, results)
    return bool(scope and scope.unanswered)
