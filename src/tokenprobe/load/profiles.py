"""Load profiles as data: each is a list of steps, a pure function of the elapsed time.

A step's ``level`` is an arrival rate (requests/s) in the open model and a user count in the
closed model. Because the profile is a pure function of (options, elapsed time), the master's
load shape and every worker's arrival streams compute the same level at the same moment
without exchanging messages.
"""

from __future__ import annotations

import dataclasses
import math

from tokenprobe.core import defaults

PROFILES = ("smoke", "constant", "ramp", "spike", "soak", "breakpoint")
DEFAULT_DURATION_S = {
    "smoke": 10.0,
    "constant": defaults.LOAD_DURATION_S,
    "ramp": 120.0,
    "spike": 60.0,
    "soak": 1800.0,
    "breakpoint": 300.0,
}
SMOKE_LEVEL = {"open": 2.0, "closed": 1.0}
RAMP_STEPS = 4
BREAKPOINT_STEPS = 10
SPIKE_WINDOW = (0.4, 0.6)  # the spike occupies this share of the run
SPIKE_BASELINE_SHARE = 0.2  # baseline level as a share of the spike's level


@dataclasses.dataclass(frozen=True)
class Step:
    index: int
    start_s: float
    end_s: float
    level: float
    warmup: bool = False  # not judged: first connections and a cold target are slow

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    model: str  # "open" or "closed"
    steps: tuple[Step, ...]

    @property
    def duration_s(self) -> float:
        return self.steps[-1].end_s

    @property
    def is_breakpoint(self) -> bool:
        return self.name == "breakpoint"

    def step_at(self, elapsed_s: float) -> Step | None:
        """The step running at ``elapsed_s`` since the start, or None once the profile ended."""
        for step in self.steps:
            if step.start_s <= elapsed_s < step.end_s:
                return step
        return None

    def max_level(self) -> float:
        return max(step.level for step in self.steps)


def build_profile(name: str, model: str, level: float, duration_s: float | None) -> Profile:
    """Steps of a named profile; ``level`` is the peak rate (open) or user count (closed)."""
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}")
    if model not in ("open", "closed"):
        raise ValueError(f"unknown model {model!r}; choose open or closed")
    if level <= 0:
        raise ValueError(f"load level must be positive, got {level:g}")
    duration = duration_s if duration_s and duration_s > 0 else DEFAULT_DURATION_S[name]
    shape = _SHAPES[name](level, duration, model)
    steps = tuple(
        Step(index, start, end, lvl, warmup=name == "breakpoint" and index == 0)
        for index, (start, end, lvl) in enumerate(shape)
        if end > start
    )
    return Profile(name, model, steps)


def _smoke(level: float, duration: float, model: str) -> list[tuple[float, float, float]]:
    return [(0.0, duration, min(level, SMOKE_LEVEL[model]))]


def _constant(level: float, duration: float, model: str) -> list[tuple[float, float, float]]:
    return [(0.0, duration, level)]


def _ramp(level: float, duration: float, model: str) -> list[tuple[float, float, float]]:
    return _steps(level, duration, RAMP_STEPS, model)


def _spike(level: float, duration: float, model: str) -> list[tuple[float, float, float]]:
    low = _round_level(level * SPIKE_BASELINE_SHARE, model)
    up, down = (duration * share for share in SPIKE_WINDOW)
    return [(0.0, up, low), (up, down, level), (down, duration, low)]


def _breakpoint(level: float, duration: float, model: str) -> list[tuple[float, float, float]]:
    """A warm-up at the first step's level, then equal steps up to ``level`` (the highest rate
    worth trying), all of the same length."""
    width = duration / (BREAKPOINT_STEPS + 1)
    steps = _steps(level, duration - width, BREAKPOINT_STEPS, model)
    first = steps[0][2]
    return [(0.0, width, first)] + [(start + width, end + width, lvl) for start, end, lvl in steps]


def _steps(
    level: float, duration: float, count: int, model: str
) -> list[tuple[float, float, float]]:
    width = duration / count
    return [
        (k * width, (k + 1) * width, _round_level(level * (k + 1) / count, model))
        for k in range(count)
    ]


def _round_level(level: float, model: str) -> float:
    # Users are whole; rates may be fractional but never zero.
    return float(max(1, math.ceil(level))) if model == "closed" else max(level, 0.1)


_SHAPES = {
    "smoke": _smoke,
    "constant": _constant,
    "ramp": _ramp,
    "spike": _spike,
    "soak": _constant,
    "breakpoint": _breakpoint,
}


def users_for_rate(rate: float, stream_rate: float) -> int:
    """Open model: how many arrival streams (Locust users) carry ``rate`` requests/s.

    Each stream sends at ``rate / users`` ≤ ``stream_rate``; more streams give more concurrency
    to absorb slow answers without falling behind the schedule.
    """
    return max(1, math.ceil(rate / stream_rate))
