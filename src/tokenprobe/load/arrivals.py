"""Open-model arrival schedules: when each request is *meant* to be sent.

Each Locust user in the open model is one arrival stream, like one wrk2 connection: its
schedule advances by ``1/rate`` (constant) or an exponential gap (Poisson), independent of how
long answers take. A request sent after its intended time still has its latency measured from
the intended time (no coordinated omission); the streams of all users add up to the profile's
rate, and Poisson streams add up to a Poisson process.
"""

from __future__ import annotations

import dataclasses
import random

from tokenprobe.load.profiles import Profile, Step, users_for_rate

PAUSE_POLL_S = 0.25  # a stream in a step that sends nothing looks again this often


@dataclasses.dataclass(frozen=True)
class Arrival:
    intended_wall: float
    step: Step
    send: bool = True  # False: the step sends nothing; wait until intended_wall, then ask again


class ArrivalStream:
    """One user's schedule; the per-stream rate follows the profile's current step.

    ``index`` is the stream's turn among the run's streams (across worker processes, ``local
    number * workers + worker slot``). Constant streams start at phase ``index / n`` of their
    gap (``n`` streams in the step), so together they send evenly spaced arrivals, as k6's
    constant-arrival-rate does. Streams that each drew a random phase would sample anything
    periodic on the target (a freeze every 2 s) at only ``n`` fixed phases, drawn anew each
    run, and percentiles would vary with that draw.
    """

    def __init__(
        self,
        profile: Profile,
        started_wall: float,
        stream_rate: float,
        poisson: bool,
        now_wall: float,
        rng: random.Random | None = None,
        index: int = 0,
    ) -> None:
        self.profile = profile
        self.started_wall = started_wall
        self.stream_rate = stream_rate
        self.poisson = poisson
        self.rng = rng or random.Random()
        self.index = index
        # In a step that sends nothing the gap is infinite: start at once, and pause
        # (`next_arrival`).
        gap = self._gap(now_wall)
        self._next = now_wall + (gap * self._phase(now_wall) if gap < float("inf") else 0.0)

    def rate_at(self, wall: float) -> float:
        """Requests/s this one stream should send at ``wall``; 0 once the profile ended."""
        step = self.profile.step_at(wall - self.started_wall)
        return 0.0 if step is None else self._rate_of(step)

    def _rate_of(self, step: Step) -> float:
        return step.level / users_for_rate(step.level, self.stream_rate)

    def _phase(self, wall: float) -> float:
        """Where in its first gap this stream starts: Poisson waits a whole (random) gap;
        constant streams take their turn, ``index / n``, so that together they are evenly
        spaced."""
        if self.poisson:
            return 1.0
        step = self.profile.step_at(wall - self.started_wall)
        if step is None or step.level <= 0:
            return 0.0
        streams = users_for_rate(step.level, self.stream_rate)
        return (self.index % streams) / streams

    def _gap(self, wall: float) -> float:
        rate = self.rate_at(wall)
        if rate <= 0:
            return float("inf")
        return self.rng.expovariate(rate) if self.poisson else 1.0 / rate

    def next_arrival(self) -> Arrival | None:
        """The next intended send; None when the profile has no more load to offer."""
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
            # A new step begins before the next arrival: its rate takes over from its start,
            # at this stream's turn, rather than after a gap measured at the old rate.
            start = self.started_wall + following.start_s
            gap = self._gap(start)
            self._next = start + (gap * self._phase(start) if gap < float("inf") else 0.0)
        return Arrival(intended, step)
