"""The load shape: Locust's `LoadTestShape` driven by the configured profile.

The shape runs on the master (or the standalone process). Each tick it reads the profile's
current stage: the open model needs ``rate / stream_rate`` arrival streams (users), the closed
model the stage's user count. A breakpoint run also stops as soon as a finished step failed to
hold (see `tokenprobe.load.results`), so it never pushes far past the capacity it found.
"""

from __future__ import annotations

from locust import LoadTestShape

from tokenprobe.load.listeners import current
from tokenprobe.load.profiles import users_for_rate
from tokenprobe.load.users import ClosedUser, OpenUser

MIN_SPAWN_RATE = 10.0
# Open-model streams must all run from the start of a stage, or its first moments are
# under-offered: spawn them within a fifth of a second.
SPAWN_WITHIN_S = 0.2


class ProfileShape(LoadTestShape):
    """Stages as data (`tokenprobe.load.profiles`); ``tick`` only looks them up."""

    def tick(self) -> tuple[int, float, list] | None:
        load = current()
        elapsed = self.get_run_time()
        stage = load.config.profile.stage_at(elapsed)
        if stage is None:
            return None
        if load.config.profile.is_breakpoint and load.breakpoint_broken(elapsed):
            return None
        if load.config.model == "open":
            users = users_for_rate(stage.level, load.config.stream_rate)
            return users, max(MIN_SPAWN_RATE, users / SPAWN_WITHIN_S), [OpenUser]
        users = int(stage.level)
        return users, max(MIN_SPAWN_RATE, float(users)), [ClosedUser]
