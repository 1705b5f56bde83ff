"""The breakpoint profile at run time: the capacity search driving the load shape.

The master (or the standalone process) runs it from the load shape's ``tick``. After an
unjudged warm-up, each probe of a level is three steps: *settle* (the target and the
connections reach the new level; not judged), *measure* (judged: `results.step_verdict` on
exact per-step percentiles and the throughput achieved while it ran) and *drain* (nothing is
sent until every request sent so far has been answered, so that the verdict is complete and
the next probe starts from an empty queue: a probe that follows an overloaded one under any
load would inherit its backlog and break for it).
The search (`tokenprobe.load.search`) then picks the next level. Workers learn each step from
a message (their arrival streams and books follow the master's steps); ``--tp-duration`` /
``-t`` bounds the whole search.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from tokenprobe.load.profiles import BREAKPOINT_WARMUP_S, Step, round_level
from tokenprobe.load.results import (
    FOLLOW_TOLERANCE,
    LATE_SHARE,
    SearchOutcome,
    step_row,
    step_verdict,
)
from tokenprobe.load.search import CapacitySearch

if TYPE_CHECKING:
    from tokenprobe.load.listeners import LoadRun

logger = logging.getLogger("tokenprobe.load")
STEPS_MESSAGE = "tokenprobe_steps"
SETTLE_S = 2.0
MEASURE_SAMPLES = 300  # enough for a p95 and for a 3 % throughput shortfall to show
MEASURE_S = (4.0, 12.0)  # shortest and longest measure step
# Before judging, the master waits for the workers' next reports (every 3 s) to bring in the
# measure step's last answers; a standalone process has them at once.
REPORT_WAIT_S = {"master": 3.5, "standalone": 0.0}
# Every request is answered or fails by the client's own timeout (FastHttpUser: 60 s); after
# this, those still unanswered count as the target falling behind.
ANSWER_TIMEOUT_S = 65.0


class BreakpointDriver:
    """Master/standalone: runs the search, appends its steps, judges each measure step."""

    def __init__(self, run: LoadRun) -> None:
        self.run = run
        options = run.options
        self.profile = options.profile
        self.search = CapacitySearch(
            start=self.profile.steps[0].level,
            maximum=options.max_level,
            resolution=options.resolution,
        )
        self.verdicts: dict[int, tuple[bool, str]] = {0: (True, "warm-up, not judged")}
        self.measuring: tuple[Step, str] | None = None  # the probe awaiting its verdict
        self.best_rps: float | None = None  # closed model: best throughput that held
        self.ended_s: float | None = None

    def tick(self, elapsed_s: float) -> bool:
        """Advance the search; False once it is over and the run should stop."""
        if self.ended_s is not None:
            return False
        if elapsed_s >= self.profile.budget_s:
            self.search.stopped = f"time budget of {self.profile.budget_s:g} s used up"
            return self._end(elapsed_s)
        if self.measuring is None:
            if elapsed_s >= BREAKPOINT_WARMUP_S:
                return self._probe_next(elapsed_s)
            return True
        step, purpose = self.measuring
        if not self._judgeable(step, elapsed_s):
            return True
        held, reason = self._verdict(step, elapsed_s)
        self.verdicts[step.index] = (held, reason)
        logger.info("tokenprobe: breakpoint %s %g: %s", purpose, step.level, reason)
        if self.search.stopped:
            return self._end(elapsed_s)
        self.search.record(step.level, held, purpose, reason)
        return self._probe_next(elapsed_s)

    def outcome(self, elapsed_s: float) -> SearchOutcome:
        return SearchOutcome(self.search, self.verdicts, self.ended_s or elapsed_s)

    # -- steps ------------------------------------------------------------------------------

    def _probe_next(self, now_s: float) -> bool:
        decision = self.search.next_level()
        if decision is None:
            return self._end(now_s)
        level, purpose = decision
        model = self.run.options.model
        level = round_level(level, model)
        measure_s = self._measure_s(level)
        first = len(self.profile.steps)
        steps = [
            Step(first, now_s, now_s + SETTLE_S, level, warmup=True, purpose="settle"),
            Step(first + 1, now_s + SETTLE_S, now_s + SETTLE_S + measure_s, level,
                 purpose="measure"),
            Step(first + 2, now_s + SETTLE_S + measure_s, math.inf, 0.0, warmup=True,
                 purpose="drain"),
        ]  # fmt: skip
        self._put([self._cut(self.profile.steps[-1], now_s), *steps])
        self.measuring = (steps[1], purpose)
        return True

    def _measure_s(self, level: float) -> float:
        rate = level if self.run.options.model == "open" else (self.best_rps or level)
        return min(MEASURE_S[1], max(MEASURE_S[0], MEASURE_SAMPLES / max(rate, 1e-3)))

    def _end(self, now_s: float) -> bool:
        self.ended_s = now_s
        self._put([self._cut(self.profile.steps[-1], now_s)])
        logger.info("tokenprobe: breakpoint: %s", self.search.describe())
        return False

    @staticmethod
    def _cut(step: Step, now_s: float) -> Step:
        return Step(**{**step.__dict__, "end_s": min(step.end_s, max(now_s, step.start_s))})

    def _put(self, steps: list[Step]) -> None:
        for step in steps:
            self.profile.put(step)
        runner = self.run.environment.runner
        if isinstance(runner, MasterRunner):
            message = {
                "started_wall": self.run.started_wall,
                "steps": [step.as_message() for step in steps],
            }
            runner.send_message(STEPS_MESSAGE, message)

    # -- verdicts ---------------------------------------------------------------------------

    def _judgeable(self, step: Step, elapsed_s: float) -> bool:
        """Every request sent so far is answered (the queue is empty: the next probe starts
        clean), or the client's timeout has passed."""
        waited = elapsed_s - step.end_s
        if waited < REPORT_WAIT_S["master" if self.run.role == "master" else "standalone"]:
            return False
        recorder = self.run.recorder
        answered = sum(book.total().requests for book in recorder.steps.values())
        return answered >= sum(recorder.offered.values()) or waited >= ANSWER_TIMEOUT_S

    def _verdict(self, step: Step, elapsed_s: float) -> tuple[bool, str]:
        options = self.run.options
        row = step_row(self.run.recorder, options, step, elapsed_s)
        if row["sent"] and row["late"] >= LATE_SHARE * row["sent"]:
            self.search.stopped = (
                f"the load generator sent {row['late']} of {row['sent']} requests late at "
                f"{step.level:g}: its own limit, not the target's"
            )
            return False, self.search.stopped
        unanswered = row["sent"] - row["requests"]
        if unanswered > FOLLOW_TOLERANCE * row["sent"]:
            return False, f"{unanswered} of {row['sent']} requests unanswered"
        held, reason = step_verdict(row, options, self.best_rps)
        if held and options.model == "closed":
            self.best_rps = max(self.best_rps or 0.0, row["achieved_rps"])
        return held, reason


def receive_steps(environment: Environment, current_run: Callable[[], LoadRun | None]) -> None:
    """Worker: follow the master's breakpoint steps (registered once per process)."""
    runner = environment.runner
    if not isinstance(runner, WorkerRunner) or STEPS_MESSAGE in runner.custom_messages:
        return

    def on_steps(environment: Environment, msg: Any, **_kw: Any) -> None:
        run = current_run()
        if run is None or not run.options.profile.is_breakpoint:
            return
        shift = msg.data["started_wall"] - run.started_wall
        for data in msg.data["steps"]:
            run.options.profile.put(Step.from_message(data, shift))

    runner.register_message(STEPS_MESSAGE, on_steps)
