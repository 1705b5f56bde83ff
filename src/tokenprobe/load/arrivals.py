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

A step that sends nothing (a breakpoint drain) has no turns. While the profile's last step is
open-ended (the breakpoint's search adds its steps as it goes), a stream with no turn left
pauses and looks again; otherwise it is done.
"""

from __future__ import annotations

import dataclasses
import math
import random

from tokenprobe.load.profiles import Profile, Step, users_for_rate

PAUSE_POLL_S = 0.25  # a stream with nothing to send looks again this often


@dataclasses.dataclass(frozen=True)
class Arrival:
    intended_wall: float
    step: Step
    send: bool = True  # False: nothing to send; wait until intended_wall, then ask again


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
        self._next = now_wall  # Poisson: the next intended send; constant: where to look again
        if poisson:
            gap = self._gap(now_wall)
            self._next += gap if gap < math.inf else 0.0
        else:
            self._turn = self._first_turn_in_step(now_wall - started_wall)

    def rate_at(self, wall: float) -> float:
        """Requests/s this one stream should send at ``wall``; 0 once the profile ended."""
        step = self.profile.step_at(wall - self.started_wall)
        return 0.0 if step is None else self._rate_of(step)

    def _rate_of(self, step: Step) -> float:
        return step.level / users_for_rate(step.level, self.stream_rate) if step.level > 0 else 0.0

    def _gap(self, wall: float) -> float:
        rate = self.rate_at(wall)
        return self.rng.expovariate(rate) if rate > 0 else math.inf

    # -- constant: turns on each step's schedule --------------------------------------------

    def _turn_from(self, elapsed_s: float) -> tuple[int, int] | None:
        current = self.profile.step_at(elapsed_s)
        if current is None:
            return None
        return self._first_turn(self.profile.steps.index(current), elapsed_s)

    def _first_turn_in_step(self, elapsed_s: float) -> tuple[int, int] | None:
        """A new stream's first turn: from the start of the step running at ``elapsed_s``.

        Locust starts a stream a moment after its step begins (at the run's start, or when a
        ramp's next step needs more streams, up to a shape tick later). Its turns since then
        are due: they are sent late, and counted late (or dropped), never silently skipped.
        """
        current = self.profile.step_at(max(0.0, elapsed_s))
        if current is None:
            return None
        return self._first_turn(self.profile.steps.index(current), current.start_s)

    def _first_turn(self, position: int, elapsed_s: float) -> tuple[int, int] | None:
        """This stream's first turn at or after ``elapsed_s``, in step ``position`` or later;
        None when the profile has no turn left for it (yet)."""
        for later, step in enumerate(self.profile.steps[position:], start=position):
            if step.level <= 0:
                continue
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

    def _constant_arrival(self) -> Arrival | None:
        if self._turn is not None:
            position, number = self._turn
            step = self.profile.steps[position]
            if step.start_s + number / step.level >= step.end_s:
                # The step was cut short after this turn was counted (the breakpoint's search
                # decided its next step): the turn belongs to whatever follows.
                self._turn = self._first_turn(position + 1, step.end_s)
        if self._turn is None:
            if not math.isinf(self.profile.steps[-1].end_s):
                return None  # every step is known, and none has a turn left for this stream
            look = self._next + PAUSE_POLL_S  # the breakpoint's search has yet to decide
            current = self.profile.step_at(look - self.started_wall)
            if current is None:
                return None
            self._next = look
            self._turn = self._turn_from(look - self.started_wall)
            if self._turn is None:
                return Arrival(look, current, send=False)
        position, number = self._turn
        step = self.profile.steps[position]
        intended = self.started_wall + step.start_s + number / step.level
        self._next = intended
        self._turn = self._next_turn(self._turn)
        return Arrival(intended, step)

    # -- Poisson ------------------------------------------------------------------------------

    def _poisson_arrival(self) -> Arrival | None:
        intended = self._next
        step = self.profile.step_at(intended - self.started_wall)
        if step is None:
            return None
        if self._rate_of(step) <= 0:  # a breakpoint drain: pause, and look again
            self._next = intended + PAUSE_POLL_S
            return Arrival(intended, step, send=False)
        self._next = intended + self._gap(intended)
        following = self.profile.step_at(self._next - self.started_wall)
        if following is not None and following.index != step.index:
            # A new step begins before the next arrival: its rate takes over from its start.
            start = self.started_wall + following.start_s
            gap = self._gap(start)
            self._next = start + (gap if gap < math.inf else 0.0)
        return Arrival(intended, step)

    def next_arrival(self) -> Arrival | None:
        """The next intended send; None when the profile has no more load to offer."""
        return self._poisson_arrival() if self.poisson else self._constant_arrival()
