"""Capacity search: which load level to try next, from the verdicts of the levels tried so far.

No ceiling to guess. Starting at the configured level, the level doubles until a probe breaks
(an SLO is breached, or the target's throughput falls behind the offered rate); if the very
first probe breaks, it halves until one holds. The highest level that held and the lowest
that broke then bracket the capacity, and the bracket is bisected until ``hi / lo`` is within
the resolution (5 %). The last level that held is probed once more before it is reported:
a second verdict that disagrees with the first was noise, and the search goes on below it.

The search never goes above the safety maximum: when the maximum itself holds, the capacity is
*not reached*, and only "at least the maximum" is known. Pure logic, no Locust, no clock: the
load shape asks `next_level`, runs the probe, and reports with `record`.
"""

from __future__ import annotations

import dataclasses

GROWTH = 2.0
MAX_CONFIRMATIONS = 3  # re-runs of a knee whose second verdict disagreed, before giving up


@dataclasses.dataclass(frozen=True)
class Probe:
    level: float
    held: bool
    purpose: str  # "grow", "shrink", "bisect" or "confirm"
    reason: str = ""


@dataclasses.dataclass
class CapacitySearch:
    start: float
    maximum: float
    resolution: float = 0.05
    growth: float = GROWTH
    probes: list[Probe] = dataclasses.field(default_factory=list)
    stopped: str = ""  # why the search ended early ("" while it may go on)

    def __post_init__(self) -> None:
        if self.start <= 0 or self.maximum <= 0:
            raise ValueError("capacity search levels must be positive")
        self.start = min(self.start, self.maximum)
        self._confirmed: set[float] = set()
        self._failed_confirmations = 0

    # -- what the probes say ---------------------------------------------------------------

    @property
    def lo(self) -> float | None:
        """The highest level that held (and was not contradicted by a re-run)."""
        held = [p.level for p in self.probes if p.held and p.level not in self._refuted]
        return max(held) if held else None

    @property
    def hi(self) -> float | None:
        """The lowest level that broke."""
        broke = [p.level for p in self.probes if not p.held]
        return min(broke) if broke else None

    @property
    def _refuted(self) -> set[float]:
        broke = {p.level for p in self.probes if not p.held}
        return {p.level for p in self.probes if p.held and p.level in broke}

    @property
    def reached(self) -> bool:
        """A level broke: the capacity lies below it (else it is at least the maximum)."""
        return self.hi is not None

    @property
    def converged(self) -> bool:
        lo, hi = self.lo, self.hi
        return lo is not None and hi is not None and hi <= lo * (1 + self.resolution)

    @property
    def capacity(self) -> float | None:
        """The highest level that held below the lowest that broke; None until a level broke."""
        return self.lo if self.reached else None

    @property
    def at_least(self) -> float | None:
        """Not reached: the highest level that held (the maximum, once it held)."""
        return None if self.reached else self.lo

    # -- what to do next --------------------------------------------------------------------

    def record(self, level: float, held: bool, purpose: str, reason: str = "") -> None:
        self.probes.append(Probe(level, held, purpose, reason))
        if purpose == "confirm":
            self._confirmed.add(level)
            if not held:
                self._failed_confirmations += 1

    def next_level(self) -> tuple[float, str] | None:
        """The next level to probe and why, or None when the search is over."""
        if self.stopped:
            return None
        if not self.probes:
            return self.start, "grow"
        lo, hi = self.lo, self.hi
        if hi is None:  # nothing broke yet: grow, up to the maximum
            if lo is not None and lo >= self.maximum:
                return None  # the maximum held: not reached
            base = lo if lo is not None else self.start
            return min(base * self.growth, self.maximum), "grow"
        if lo is None:  # the lowest level tried broke: shrink until one holds
            return hi / self.growth, "shrink"
        if hi > lo * (1 + self.resolution):
            return round((lo + hi) / 2, 3), "bisect"
        if lo in self._confirmed or self._failed_confirmations >= MAX_CONFIRMATIONS:
            return None
        return lo, "confirm"

    def describe(self) -> str:
        """One line for logs and reports."""
        if self.reached and self.capacity is not None:
            return f"capacity {self.capacity:g} req/s (broke at {self.hi:g})"
        if self.reached:
            return f"capacity below {self.hi:g} (no level held)"
        if self.at_least is not None:
            return f"capacity not reached, ≥ {self.at_least:g}"
        return "capacity unknown: no level was judged"
