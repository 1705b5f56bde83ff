"""A sequential load run's exchange with its judge, through a folder both can see.

The gate with ``--compare`` sends until the comparison with the previous run is decided
(docs/regression.md, "Sending until decided"). The statistics live above the load suite, in
the gate's process; the run lives in Locust's. So the Locust process (the master, or the only
one) writes the latency evidence so far to `EVIDENCE_FILE` every ``--tp-look-every`` seconds,
and the runner in the gate's process judges each new one; when nothing more can be decided it
writes `DECIDED_FILE` (the reason, one line), and Locust ends the run as complete.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tokenprobe.core.files import write_text_atomic
from tokenprobe.load.evidence import Evidence
from tokenprobe.load.section import Decided

EVIDENCE_FILE = "evidence.json"  # the evidence so far, in the histograms file's format
DECIDED_FILE = "decided"  # written by the judge: end the run now
# A look this close to a planned time counts as that look (the process wakes once a second).
LAST_LOOK_MARGIN_S = 1.0


def decided(folder: Path) -> str | None:
    """The judge's reason to end the run, once it has written one."""
    try:
        return (folder / DECIDED_FILE).read_text(encoding="utf-8").strip() or "decided"
    except FileNotFoundError:
        return None


def look_time(document: Any) -> float:
    """When the look in an `EVIDENCE_FILE` document was taken (seconds into the run): the
    locustfile adds it to the evidence; `ValueError` when it is not there."""
    elapsed = document.get("elapsed_s") if isinstance(document, dict) else None
    if isinstance(elapsed, bool) or not isinstance(elapsed, int | float):
        raise ValueError(f"a look without its time (elapsed_s: {elapsed!r})")
    return float(elapsed)


def decide(folder: Path, reason: str) -> None:
    """Tell the run to end."""
    write_text_atomic(folder / DECIDED_FILE, reason + "\n")


@dataclasses.dataclass(frozen=True)
class Look:
    """One look at the evidence so far: when, how many requests, what was still open."""

    at_s: float
    requests: int
    open: tuple[str, ...]  # the metrics more requests could still decide

    def to_dict(self) -> dict[str, Any]:
        return {"at_s": round(self.at_s, 1), "requests": self.requests, "open": list(self.open)}


# What a judge makes of the evidence of a look taken ``at_s`` seconds into the run, its
# statistics corrected for the plan's ``looks`` judgements in all.
Judge = Callable[[Evidence, float, int], Look]


@dataclasses.dataclass
class LookPlan:
    """A sequential run: looks from ``first_s`` on, every ``every_s``, until ``max_s`` (the
    run's planned length); it ends at the first look with nothing open."""

    first_s: float
    every_s: float
    max_s: float
    judge: Judge
    taken: list[Look] = dataclasses.field(default_factory=list)
    failed: str | None = None  # why the looks stopped (the run then sends its planned length)

    @property
    def planned(self) -> int:
        """Every judgement the plan may make: its looks before ``max_s``, and the final one
        on the finished run (a statistic corrected for all of them holds at any of them)."""
        times = itertools.count(self.every_s, self.every_s)
        interim = itertools.takewhile(lambda t: t < self.max_s - LAST_LOOK_MARGIN_S, times)
        return 1 + sum(1 for t in interim if t >= self.first_s - LAST_LOOK_MARGIN_S)

    def due(self, at_s: float) -> bool:
        """Whether a look taken at ``at_s`` is one the plan judges (not before its first look,
        nor past its planned number)."""
        return at_s >= self.first_s - LAST_LOOK_MARGIN_S and len(self.taken) < self.planned - 1

    def look(self, evidence: Evidence, at_s: float) -> str | None:
        """Judge one look; the reason to end the run, or None to go on."""
        if not self.due(at_s):
            return None
        taken = self.judge(evidence, at_s, self.planned)
        self.taken.append(taken)
        if taken.open:
            return None
        return "nothing left to decide"

    def to_dict(self, decided: Decided | None) -> dict[str, Any]:
        """summary.json ``load.sequential``; ``decided``: the run's own record of its end."""
        return {
            "first_look_s": self.first_s,
            "look_every_s": self.every_s,
            "max_s": self.max_s,
            "planned_looks": self.planned,
            "looks": [look.to_dict() for look in self.taken],
            "ended": "decided" if decided else "its planned length ran out",
            "ended_after_s": decided.after_s if decided else None,
            "looks_failed": self.failed,
        }
