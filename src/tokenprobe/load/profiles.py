"""Load profiles as data: each is a list of steps, looked up by the elapsed time.

A step's ``level`` is an arrival rate (requests/s) in the open model and a user count in the
closed model. Every profile but one is a pure function of (options, elapsed time), so the
master's load shape and every worker's arrival streams compute the same level at the same
moment without exchanging messages. The breakpoint profile is a capacity search
(`tokenprobe.load.search`): it starts with an open-ended warm-up, and the master adds each
next step once it has judged the last; workers receive the steps in a message
(`tokenprobe.load.breakpoint`).
"""

from __future__ import annotations

import dataclasses
import math

from tokenprobe.core import defaults

PROFILES = defaults.LOAD_PROFILES
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
BREAKPOINT_WARMUP_S = 3.0
SPIKE_WINDOW = (0.4, 0.6)  # the spike occupies this share of the run
SPIKE_BASELINE_SHARE = 0.2  # baseline level as a share of the spike's level


@dataclasses.dataclass(frozen=True)
class Step:
    index: int
    start_s: float
    end_s: float  # math.inf: open-ended, until the next step is decided (breakpoint)
    level: float
    warmup: bool = False  # not judged: first connections, a cold target, a settling queue
    purpose: str = ""  # breakpoint: warm-up, settle, measure or drain

    def as_message(self) -> dict[str, object]:
        return {**dataclasses.asdict(self), "end_s": None if math.isinf(self.end_s) else self.end_s}

    @classmethod
    def from_message(cls, data: dict[str, object], shift_s: float = 0.0) -> Step:
        end = data["end_s"]
        return cls(**{**data, "start_s": float(data["start_s"]) + shift_s,  # type: ignore[arg-type]
                      "end_s": math.inf if end is None else float(end) + shift_s})  # type: ignore[arg-type]  # fmt: skip

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclasses.dataclass
class Profile:
    name: str
    model: str  # "open" or "closed"
    steps: list[Step]
    budget_s: float = 0.0  # breakpoint: the search's time limit

    @property
    def duration_s(self) -> float:
        """How long the run may last: the last step's end, or the search's budget."""
        return self.budget_s if self.is_breakpoint else self.steps[-1].end_s

    @property
    def is_breakpoint(self) -> bool:
        return self.name == "breakpoint"

    def step_at(self, elapsed_s: float) -> Step | None:
        """The step running at ``elapsed_s`` since the start, or None once the profile ended."""
        if elapsed_s >= self.duration_s:
            return None
        for step in reversed(self.steps):  # the current step is the last or close to it
            if step.start_s <= elapsed_s:
                return step if elapsed_s < step.end_s else None
        return None

    def max_level(self) -> float:
        return max(step.level for step in self.steps)

    def put(self, step: Step) -> None:
        """Add a step, or replace the one with its index (breakpoint: the search decides)."""
        if step.index < len(self.steps):
            self.steps[step.index] = step
        else:
            self.steps.append(step)


def build_profile(name: str, model: str, level: float, duration_s: float | None) -> Profile:
    """Steps of a named profile; ``level`` is the peak rate (open) or user count (closed)."""
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}")
    if model not in ("open", "closed"):
        raise ValueError(f"unknown model {model!r}; choose open or closed")
    if level <= 0:
        raise ValueError(f"load level must be positive, got {level:g}")
    duration = duration_s if duration_s and duration_s > 0 else DEFAULT_DURATION_S[name]
    if name == "breakpoint":
        first = round_level(level, model)
        warmup = Step(0, 0.0, math.inf, first, warmup=True, purpose="warm-up")
        return Profile(name, model, [warmup], budget_s=duration)
    shape = _SHAPES[name](level, duration, model)
    steps = [
        Step(index, start, end, lvl) for index, (start, end, lvl) in enumerate(shape) if end > start
    ]
    return Profile(name, model, steps)


def _smoke(level: float, duration: float, model: str) -> list[tuple[float, float, float]]:
    return [(0.0, duration, min(level, SMOKE_LEVEL[model]))]


def _constant(level: float, duration: float, model: str) -> list[tuple[float, float, float]]:
    return [(0.0, duration, level)]


def _ramp(level: float, duration: float, model: str) -> list[tuple[float, float, float]]:
    return _steps(level, duration, RAMP_STEPS, model)


def _spike(level: float, duration: float, model: str) -> list[tuple[float, float, float]]:
    low = round_level(level * SPIKE_BASELINE_SHARE, model)
    up, down = (duration * share for share in SPIKE_WINDOW)
    return [(0.0, up, low), (up, down, level), (down, duration, low)]


def _steps(
    level: float, duration: float, count: int, model: str
) -> list[tuple[float, float, float]]:
    width = duration / count
    return [
        (k * width, (k + 1) * width, round_level(level * (k + 1) / count, model))
        for k in range(count)
    ]


def round_level(level: float, model: str) -> float:
    # Users are whole; rates may be fractional but never zero.
    return float(max(1, math.ceil(level))) if model == "closed" else max(level, 0.1)


_SHAPES = {
    "smoke": _smoke,
    "constant": _constant,
    "ramp": _ramp,
    "spike": _spike,
    "soak": _constant,
}


def users_for_rate(rate: float, stream_rate: float) -> int:
    """Open model: how many arrival streams (Locust users) carry ``rate`` requests/s.

    Each stream sends at ``rate / users`` ≤ ``stream_rate``; more streams give more concurrency
    to absorb slow answers without falling behind the schedule.
    """
    return max(1, math.ceil(rate / stream_rate))
