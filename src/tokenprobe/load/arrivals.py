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
    """One user's schedule; the per-stream rate follows the profile's current step."""

    def __init__(
        self,
        profile: Profile,
        started_wall: float,
        stream_rate: float,
        poisson: bool,
        now_wall: float,
        rng: random.Random | None = None,
    ) -> None:
        self.profile = profile
        self.started_wall = started_wall
        self.stream_rate = stream_rate
        self.poisson = poisson
        self.rng = rng or random.Random()
        # A random phase, so streams spawned together do not fire in lockstep. In a step that
        # sends nothing the gap is infinite: start at once, and pause (`next_arrival`).
        gap = self._gap(now_wall)
        phase = 1.0 if poisson else self.rng.random()
        self._next = now_wall + (gap * phase if gap < float("inf") else 0.0)

    def rate_at(self, wall: float) -> float:
        """Requests/s this one stream should send at ``wall``; 0 once the profile ended."""
        step = self.profile.step_at(wall - self.started_wall)
        return 0.0 if step is None else self._rate_of(step)

    def _rate_of(self, step: Step) -> float:
        return step.level / users_for_rate(step.level, self.stream_rate)

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
            # at a random phase, rather than after a gap measured at the old rate.
            start = self.started_wall + following.start_s
            gap = self._gap(start)
            phase = 1.0 if self.poisson else self.rng.random()
            self._next = start + (gap * phase if gap < float("inf") else 0.0)
        return Arrival(intended, step)
