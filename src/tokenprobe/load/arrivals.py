"""Open-model arrival schedules: when each request is *meant* to be sent.

Each Locust user in the open model is one arrival stream, like one wrk2 connection; its
schedule never waits for answers. A request sent after its intended time still has its
latency measured from the intended time (no coordinated omission).

*Constant* arrivals are evenly spaced in total, as k6's ``constant-arrival-rate`` sends them:
each step of the profile is one schedule at the step's rate (arrival j at ``j / rate`` after
the step's start), and the step's ``n`` streams take turns on it, stream ``i`` sending arrivals
``i, i + n, i + 2n, …``. Streams that each picked a phase of their own would sample anything
periodic on the target (a freeze every 2 s, a cron job) at only ``n`` fixed phases, drawn anew
each run, and percentiles would vary with that draw. *Poisson* streams draw exponential gaps
at their share of the rate, and add up to a Poisson process.
"""

from __future__ import annotations

import dataclasses
import math
import random

from tokenprobe.load.profiles import Profile, Step, users_for_rate


@dataclasses.dataclass(frozen=True)
class Arrival:
    intended_wall: float
    step: Step


class ArrivalStream:
    """One user's schedule; ``index`` is its turn among the run's streams (0, 1, 2, …: across
    worker processes, ``local number * workers + worker slot``)."""

    def __init__(
        self,
        profile: Profile,
        started_wall: float,
        stream_rate: float,
        poisson: bool,
        now_wall: float,
        index: int = 0,
        rng: random.Random | None = None,
    ) -> None:
        self.profile = profile
        self.started_wall = started_wall
        self.stream_rate = stream_rate
        self.poisson = poisson
        self.index = index
        self.rng = rng or random.Random()
        # Constant: this stream's next turn as whole numbers (step position, arrival number in
        # the step): a wall-clock time (1.7e9 s) carries only microseconds, too few to add up.
        self._turn: tuple[int, int] | None = None
        self._next = now_wall  # Poisson: the next intended send
        if poisson:
            self._next += self._gap(now_wall)
        elif (current := profile.step_at(now_wall - started_wall)) is not None:
            self._turn = self._first_turn(profile.steps.index(current), now_wall - started_wall)

    def rate_at(self, wall: float) -> float:
        """Requests/s this one stream should send at ``wall``; 0 once the profile ended."""
        step = self.profile.step_at(wall - self.started_wall)
        if step is None:
            return 0.0
        return step.level / users_for_rate(step.level, self.stream_rate)

    def _gap(self, wall: float) -> float:
        rate = self.rate_at(wall)
        return self.rng.expovariate(rate) if rate > 0 else math.inf

    def _first_turn(self, position: int, elapsed_s: float) -> tuple[int, int] | None:
        """This stream's first turn at or after ``elapsed_s``, in step ``position`` or later;
        None when the profile has no turn left for it."""
        for later, step in enumerate(self.profile.steps[position:], start=position):
            first = math.ceil(max(0.0, elapsed_s - step.start_s) * step.level)
            turn = first + (self.index - first) % users_for_rate(step.level, self.stream_rate)
            if step.start_s + turn / step.level < step.end_s:
                return later, turn
        return None

    def _next_turn(self, turn: tuple[int, int]) -> tuple[int, int] | None:
        """The turn after ``turn``: ``n`` arrivals later, or this stream's first in a later step."""
        position, number = turn
        step = self.profile.steps[position]
        number += users_for_rate(step.level, self.stream_rate)
        if step.start_s + number / step.level < step.end_s:
            return position, number
        return self._first_turn(position + 1, step.end_s)

    def next_arrival(self) -> Arrival | None:
        """The next intended send; None when the profile has no more load to offer."""
        if not self.poisson:
            if self._turn is None:
                return None
            step = self.profile.steps[self._turn[0]]
            intended = self.started_wall + step.start_s + self._turn[1] / step.level
            self._turn = self._next_turn(self._turn)
            return Arrival(intended, step)
        intended = self._next
        step = self.profile.step_at(intended - self.started_wall)
        if step is None:
            return None
        self._next = intended + self._gap(intended)
        return Arrival(intended, step)
