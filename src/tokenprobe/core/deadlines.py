"""Deadlines: the instant by which a request, a stage or a whole run must be over.

A `Deadline` is a point on the monotonic clock with the budget it was made from (for messages).
The gate makes one from ``--max-time``, each stage gets an earlier one (`Deadline.within`), and
every request a stage sends gets one earlier still, so nothing a stage starts can outlive it.
"""

from __future__ import annotations

import dataclasses
import time


@dataclasses.dataclass(frozen=True)
class Deadline:
    at: float  # time.monotonic() value
    budget_s: float  # the allowance it was made from, as people read it

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds, seconds)

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.at

    def within(self, seconds: float) -> Deadline:
        """This deadline, or ``seconds`` from now if that comes first."""
        other = Deadline.after(seconds)
        return other if other.at < self.at else self


def earliest(first: Deadline | None, seconds: float) -> Deadline:
    """``seconds`` from now, or ``first`` when it comes sooner."""
    return Deadline.after(seconds) if first is None else first.within(seconds)
