"""The load shape: Locust's `LoadTestShape` driven by the configured profile.

The shape runs on the master (or the standalone process). Each tick it reads the profile's
current step: the open model needs ``rate / stream_rate`` arrival streams (users), the closed
model the step's user count. A breakpoint run first lets its capacity search decide the next
step (`tokenprobe.load.breakpoint`) and ends when the search does.

It reads Locust's common options itself (``use_common_options``): ``-t`` is the profile's
duration, ``-u`` the closed model's peak users and ``-r`` its spawn rate
(`tokenprobe.load.locust_options`). In the web UI, where the open model has no use for the
users and ramp-up fields, the listeners turn them off (`LoadRun.web_ui_fields`).
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

    use_common_options = True

    def tick(self) -> tuple[int, float, list] | None:
        load = current_run()
        # The run's own clock, which the arrival streams and the books follow too. The shape's
        # starts a moment earlier, before the test_start listeners run, and ticks once a
        # second on it: a profile that ends on a whole second must end at that tick, not a
        # second late because the run's clock read a millisecond less (its last requests were
        # then no longer in flight at the stop). So the later of the two clocks decides.
        elapsed = max(load.elapsed_s(), self.get_run_time())
        current = load.started and not load.recorder.closed
        if not current:
            # A test's first tick comes before its test_start listeners made its run: this is
            # the run made at init or the last one stopped (web UI), on a clock long past its
            # profile's end when START is pressed a while later. The shape's clock was just reset.
            elapsed = self.get_run_time()
        if current and load.end_requested:  # a signal, the request cap, a sequential judge
            return None
        if current and load.breakpoint is not None and not load.breakpoint.tick(elapsed):
            return None
        step = load.options.profile.step_at(elapsed)
        if step is None:
            return None
        user_class = OpenUser if load.options.model == "open" else ClosedUser
        if step.level <= 0:  # a breakpoint drain: nothing sent until the queue is empty
            stop_rate = max(MIN_SPAWN_RATE, load.environment.runner.user_count / SPAWN_WITHIN_S)
            return 0, stop_rate, [user_class]
        if load.options.model == "open":
            users = users_for_rate(step.level, load.options.stream_rate)
            return users, max(MIN_SPAWN_RATE, users / SPAWN_WITHIN_S), [OpenUser]
        users = int(step.level)
        spawn_rate = load.common.spawn_rate or max(MIN_SPAWN_RATE, float(users))
        return users, spawn_rate, [ClosedUser]
