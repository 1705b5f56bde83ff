"""A load run's results, typed: one codec from the Locust child to every reader.

The Locust child assembles a run's results (`tokenprobe.load.results`) and writes them through
`LoadResults` as ``results.json``; the load runner (and a plain Locust run's own process) reads
that file back through the same record, and puts it in summary.json as ``load``, less the bulky
parts (the per-second series, the histograms, the evidence). Whatever reads that section back,
from the run just made or from one stored long ago (the reports, the breakpoint line,
``--compare``, the regression verdicts, the drift learned from stored runs, ``tokenprobe
history``), decodes it here once, with pydantic, instead of checking each value's type where it
is used.

Read by the rules of `tokenprobe.core.records`: unknown fields are ignored; a damaged part a
reader can do without (the steps, the SLOs, the capacity search, the plan of a sequential run)
reads as missing; a damaged number of the run itself makes the whole section unreadable, and
`load_section` gives None: "no load results", as for a run without a load stage. Scenarios
are keyed by scenario key; summaries written before the keys named them by display name
(``valid login``), which is read as its key. Written back, a record keeps the fields it was
given and no others (`encode`): the file says what the run wrote, never a default it lacked.
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
    throttled: int = 0
    throughput_rps: float | None = None
    latency_ms: Latency = Latency()
    unanswered: int = 0
    percentiles_are_lower_bounds: bool = False  # some requests unanswered: theirs are missing


class Scenario(Scope):
    # Answers outside the contract that are information, not load errors: text → occurrences.
    contract_deviations: Annotated[dict[str, int] | None, MissingIfDamaged] = None


class Deviation(Record):
    """Answers outside the contract that are information, not load errors."""

    scenario: str = "?"
    name: str | None = None  # the scenario's display name
    deviation: str = "?"
    occurrences: int | None = None


class Step(Record):
    """One step of the load profile: its evidence and whether it held (`results.step_rows`)."""

    step: int | None = None
    purpose: str | None = None  # a breakpoint search's step: "measure", "settle"...
    start_s: float | None = None
    duration_s: float | None = None
    offered_rps: float | None = None  # open model
    users: int | None = None  # closed model
    achieved_rps: float | None = None
    requests: int = 0
    failures: int = 0
    sent: int = 0
    late: int = 0
    dropped: int = 0
    unanswered: int = 0
    cut_off: int = 0
    p95_ms: float | None = None
    error_ratio: float | None = None
    warmup: bool = False
    held: bool | None = None  # None: the run ended before the step was judged
    reason: str | None = None


class Probe(Record):
    """One level a breakpoint search tried."""

    level: Number
    purpose: str = ""
    held: bool | None = None
    reason: str = ""


class Capacity(Record):
    """What a breakpoint search found (`tokenprobe.load.results.capacity_section`)."""

    reached: bool = False
    # Numbers as the search wrote them (an int stays an int: reports show them as written).
    capacity_rps: Number | None = None
    at_least_rps: Number | None = None
    bracket: list[Number | None] = Field(default_factory=list)  # [held at, broke at]
    bracket_unit: str = "req/s"
    resolution: Number | None = None
    converged: bool | None = None
    search_s: Number | None = None
    probes: Annotated[list[Probe], ReadableItems] = Field(default_factory=list)
    stopped: str | None = None  # why the search ended early, if it did
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


class CpuUsage(Record):
    samples: int = 0
    saturated: int = 0  # samples at or above the threshold
    share: float = 0.0


class Cpu(Record):
    """The load-generating processes' CPU (`tokenprobe.load.results.cpu_verdict`)."""

    threshold_percent: float = 0.0
    processes: dict[str, CpuUsage] = Field(default_factory=dict)  # by role-index


class Stopped(Record):
    """A run stopped before its end (a signal, STOP in the web UI): its results are partial."""

    reason: str
    after_s: float
    planned_s: float


class Decided(Record):
    """A sequential run its judge ended: complete, and shorter than planned."""

    reason: str
    after_s: float


class FailureReason(Record):
    """Why requests failed, from Locust's statistics."""

    name: str  # Locust's request entry
    scenario: str  # its scenario key
    error: str
    occurrences: int


class Second(Latency):
    """One second of the run: answers, failures and their latency percentiles."""

    t: int
    requests: int = 0
    failures: int = 0


class SequentialPlan(Record):
    """A run that sent until its comparison was decided (`tokenprobe.load.looks`)."""

    first_look_s: float | None = None
    max_s: float | None = None
    planned_looks: int = 1


class LoadSection(Scope):
    """summary.json's ``load``: the run's numbers and verdict inputs, without the bulky parts."""

    model: str | None = None  # "open" or "closed"
    arrival: str | None = None
    profile: str | None = None
    duration_s: float | None = None
    scenarios: dict[str, Scenario] = Field(default_factory=dict)
    late: int = 0  # sends that left after their intended time
    dropped: int = 0
    cut_off: int = 0
    # What a reader can do without reads as missing when damaged, never as a guess.
    contract_deviations: Annotated[list[Deviation], ReadableItems] = Field(default_factory=list)
    steps: Annotated[list[Step], ReadableItems] = Field(default_factory=list)
    capacity_rps: float | None = None
    capacity: Annotated[Capacity | None, MissingIfDamaged] = None
    slo: Annotated[list[Slo], ReadableItems] = Field(default_factory=list)
    # A breakpoint run: the SLOs judge these steps only.
    slo_steps: Annotated[list[int] | None, MissingIfDamaged] = None
    unreliable: bool = False  # the load generator's CPU was saturated (TP-LOAD-002)
    cpu: Annotated[Cpu | None, MissingIfDamaged] = None
    complete: bool | None = None
    stopped: Annotated[Stopped | None, MissingIfDamaged] = None
    # Workers whose last report never reached the master: the totals lack their last seconds.
    missing_reports: list[str] = Field(default_factory=list)
    decided: Annotated[Decided | None, MissingIfDamaged] = None
    failure_reasons: Annotated[list[FailureReason], ReadableItems] = Field(default_factory=list)
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


BULKY = frozenset({"series", "histograms", "evidence"})  # in results.json, not in summary.json


class LoadResults(LoadSection):
    """results.json: what the Locust child writes at the end of a run (or a snapshot of one)."""

    series: list[Second] = Field(default_factory=list)
    histograms: dict[str, str] = Field(default_factory=dict)  # HDR, encoded, by display name
    evidence: dict[str, Any] = Field(default_factory=dict)  # `tokenprobe.load.evidence`'s file

    def section(self, failure_reasons: list[FailureReason]) -> dict[str, Any]:
        """summary.json's ``load``: without the bulky parts, nor whether an SLO passed (its
        check's outcome says so: stored once, as findings)."""
        section = encode(self, exclude={*BULKY, "failure_reasons"})
        section["slo"] = [encode(slo, exclude={"passed"}) for slo in self.slo]
        section["failure_reasons"] = [encode(reason) for reason in failure_reasons]
        return section


def encode(record: Record, exclude: set[str] | None = None) -> dict[str, Any]:
    """``record`` as JSON-ready data: the fields it was given, as given."""
    return record.model_dump(mode="json", exclude_unset=True, exclude=exclude)


def decode_load(section: Any) -> LoadSection | None:
    """A load section as stored; None when there is none or it cannot be read."""
    return None if section is None else decoded(LoadSection, section)


def load_section(summary: Mapping[str, Any]) -> LoadSection | None:
    """A summary's (summary.json's, or `Summary.sections`') load section, decoded."""
    return decode_load(summary.get("load"))
