"""The load section of summary.json, typed: one codec for everything that reads it.

The Locust child writes a run's results as JSON (`tokenprobe.load.results`); the load runner
puts them in summary.json as ``load``. Whatever reads that section back, from the run just made
or from one stored long ago (the reports, the breakpoint line, ``--compare``, the regression
verdicts, the drift learned from stored runs, ``tokenprobe history``), decodes it here once,
with pydantic, instead of checking each value's type where it is used.

Read by the rules of `tokenprobe.core.records`: unknown fields are ignored; a damaged part a
reader can do without (the steps, the SLOs, the capacity search, the plan of a sequential run)
reads as missing; a damaged number of the run itself makes the whole section unreadable, and
`load_section` gives None: "no load results", as for a run without a load stage. Scenarios
are keyed by scenario key; summaries written before the keys named them by display name
(``valid login``), which is read as its key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, field_validator

from tokenprobe.core.defaults import LATENCY_PERCENTILES
from tokenprobe.core.records import MissingIfDamaged, ReadableItems, Record, decoded
from tokenprobe.load.settings import key_of_entry

Number = int | float
LATENCY_FIELDS = (*LATENCY_PERCENTILES, "max")


class Latency(Record):
    """Milliseconds; None where a scope had no answered request."""

    p50: float | None = None
    p90: float | None = None
    p95: float | None = None
    p99: float | None = None
    p999: float | None = None
    max: float | None = None

    def values(self) -> list[float | None]:
        """In `LATENCY_FIELDS` order."""
        return [getattr(self, name) for name in LATENCY_FIELDS]


class Scope(Record):
    """The whole run's numbers or one scenario's."""

    name: str | None = None  # a scenario's display name (Locust's request entry)
    requests: int = 0
    failures: int = 0
    throughput_rps: float | None = None
    latency_ms: Latency = Latency()
    unanswered: int = 0


class Deviation(Record):
    """Answers outside the contract that are information, not load errors."""

    scenario: str = "?"
    deviation: str = "?"
    occurrences: int | None = None


class Step(Record):
    offered_rps: float | None = None
    users: int | None = None
    duration_s: float | None = None
    achieved_rps: float | None = None
    held: bool | None = None
    warmup: bool = False


class Capacity(Record):
    """What a breakpoint search found (`tokenprobe.load.results.capacity_section`)."""

    reached: bool = False
    # Numbers as the search wrote them (an int stays an int: reports show them as written).
    capacity_rps: Number | None = None
    at_least_rps: Number | None = None
    bracket: list[Number | None] = Field(default_factory=list)  # [held at, broke at]
    bracket_unit: str = "req/s"
    search_s: Number | None = None
    probes: list[dict[str, Any]] = Field(default_factory=list)
    summary: str | None = None

    def found_rps(self) -> float | None:
        """Its capacity, or the lower bound it held; None when it found neither."""
        return self.capacity_rps if self.capacity_rps is not None else self.at_least_rps


class Slo(Record):
    """One SLO threshold as judged (`tokenprobe.load.slo.evaluate`)."""

    name: str = ""
    threshold: str = ""
    observed: Number | None = None  # as written: an int stays an int
    unit: str = ""
    observed_is_lower_bound: bool = False
    judged: bool = True  # False: a capacity threshold without a search
    passed: bool | None = None


class SequentialPlan(Record):
    """A run that sent until its comparison was decided (`tokenprobe.load.looks`)."""

    first_look_s: float | None = None
    max_s: float | None = None
    planned_looks: int = 1


class LoadSection(Scope):
    model: str | None = None  # "open" or "closed"
    arrival: str | None = None
    profile: str | None = None
    scenarios: dict[str, Scope] = Field(default_factory=dict)
    # What a reader can do without reads as missing when damaged, never as a guess.
    contract_deviations: Annotated[list[Deviation], ReadableItems] = Field(default_factory=list)
    steps: Annotated[list[Step], ReadableItems] = Field(default_factory=list)
    capacity_rps: float | None = None
    capacity: Annotated[Capacity | None, MissingIfDamaged] = None
    slo: Annotated[list[Slo], ReadableItems] = Field(default_factory=list)
    unreliable: bool = False  # the load generator's CPU was saturated (TP-LOAD-002)
    sequential: Annotated[SequentialPlan | None, MissingIfDamaged] = None

    @field_validator("scenarios", mode="before")
    @classmethod
    def _by_key(cls, scenarios: Any) -> Any:
        if not isinstance(scenarios, Mapping):
            return scenarios  # the model refuses it
        return {key_of_entry(str(name)): v for name, v in scenarios.items()}

    def measured_steps(self) -> list[Step]:
        """The steps that count: every one but a warm-up."""
        return [step for step in self.steps if not step.warmup]

    def scopes(self) -> dict[str, Scope]:
        """``total`` (the whole run), then every scenario by key."""
        return {"total": self, **dict(sorted(self.scenarios.items()))}


def decode_load(section: Any) -> LoadSection | None:
    """A load section as stored; None when there is none or it cannot be read."""
    return None if section is None else decoded(LoadSection, section)


def load_section(summary: Mapping[str, Any]) -> LoadSection | None:
    """A summary's (summary.json's, or `Summary.sections`') load section, decoded."""
    return decode_load(summary.get("load"))


def decode_capacity(section: Any) -> Capacity | None:
    """A breakpoint search's ``capacity`` as the Locust child wrote it; None without one."""
    return decoded(Capacity, section) if section else None
