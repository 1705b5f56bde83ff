"""The load shape: Locust's `LoadTestShape` driven by the configured profile.

The shape runs on the master (or the standalone process). Each tick it reads the profile's
current step: the open model needs ``rate / stream_rate`` arrival streams (users), the closed
model the step's user count. A breakpoint run also stops as soon as a finished step failed to
hold (see `tokenprobe.load.results`), so it never pushes far past the capacity it found.
"""

from __future__ import annotations

from locust import LoadTestShape

from tokenprobe.load.listeners import current_run
from tokenprobe.load.profiles import users_for_rate
from tokenprobe.load.users import ClosedUser, OpenUser

MIN_SPAWN_RATE = 10.0
# Open-model streams must all run from the start of a step, or its first moments are
# under-offered: spawn them within a fifth of a second.
SPAWN_WITHIN_S = 0.2


class ProfileShape(LoadTestShape):
    """Steps as data (`tokenprobe.load.profiles`); ``tick`` only looks them up."""

    def tick(self) -> tuple[int, float, list] | None:
        load = current_run()
        elapsed = self.get_run_time()
        step = load.options.profile.step_at(elapsed)
        if step is None:
            return None
        if load.options.profile.is_breakpoint and load.breakpoint_broken(elapsed):
            return None
        if load.options.model == "open":
            users = users_for_rate(step.level, load.options.stream_rate)
            return users, max(MIN_SPAWN_RATE, users / SPAWN_WITHIN_S), [OpenUser]
        users = int(step.level)
        return users, max(MIN_SPAWN_RATE, float(users)), [ClosedUser]
