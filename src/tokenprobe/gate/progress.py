"""Live progress for people at a terminal, plain lines for CI logs, JSON lines for scripts.

The gate tells the display two things, whatever it is::

    with make_progress(quiet=..., json_lines=...) as progress:
        progress.stage_started("conformance-published")
        progress.stage_finished("conformance-published", stage_verdict, so_far)

``stage_verdict`` is the stage's `Verdict`, ``so_far`` the gate's own (stages merged and graded
as the final verdict will be): the counts shown are the verdict's, so the last count on screen
is the one the final line gives. While a stage runs the display keeps time: the live table
redraws its elapsed time (Rich calls `RichProgress.render` at each refresh), CI lines and JSON
lines add a heartbeat every interval.

Displays: `RichProgress` (a live table: stage, status, elapsed, findings per severity) when
stderr is a TTY outside CI; `LineProgress` (one line per event, a heartbeat every
`LINE_INTERVAL_S`) when ``CI`` is set, ``TERM=dumb`` or stderr is not a TTY; `JsonProgress`
(one JSON object per line) for ``--json``; `QuietProgress` for ``--quiet``. Everything goes to
stderr so stdout stays free for machine output. Only counts and stage names are shown: never
evidence, so never a secret.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import IO, Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from tokenprobe.core.summary import Verdict

LINE_INTERVAL_S = 10.0  # CI logs: a heartbeat, not a flood
JSON_INTERVAL_S = 5.0
SEVERITIES = ("error", "warning", "info")
Clock = Callable[[], float]


@dataclasses.dataclass
class StageState:
    name: str
    started: float
    status: str = "running"
    finished: float | None = None
    counts: dict[str, int] = dataclasses.field(default_factory=dict)  # findings per severity
    line: str = ""  # its verdict's line, once finished

    def elapsed(self, now: float) -> float:
        return (self.finished if self.finished is not None else now) - self.started


class Progress:
    """Tracks stages; subclasses decide how (and whether) to show them."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self.stages: dict[str, StageState] = {}
        self.current: StageState | None = None
        self.so_far: Verdict | None = None
        self.lock = threading.Lock()  # the heartbeat shows from its own thread

    def stage_started(self, name: str) -> None:
        with self.lock:
            self.current = self.stages[name] = StageState(name, self.clock())
            self.show("stage_started", self.current)

    def stage_finished(self, name: str, judged: Verdict, so_far: Verdict | None = None) -> None:
        with self.lock:
            stage = self.stages.get(name) or StageState(name, self.clock())
            self.stages[name] = stage
            stage.finished, stage.status = self.clock(), judged.status
            stage.counts = {s: judged.counts[s] for s in SEVERITIES}
            stage.line = judged.line()
            self.so_far = so_far or self.so_far
            if self.current is stage:
                self.current = None
            self.show("stage_finished", stage)

    def tick(self) -> None:
        """The heartbeat: shows the running stage's time."""
        with self.lock:
            if self.current is not None:
                self.show("running", self.current)

    def show(self, event: str, stage: StageState) -> None:
        """Display an event; the base class shows nothing."""

    def close(self) -> None:
        """Release the display (stop a live view or a heartbeat)."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class QuietProgress(Progress):
    """``--quiet``: nothing at all."""


class StreamProgress(Progress):
    """Events written to a stream, with a heartbeat every ``interval_s`` while a stage runs."""

    def __init__(self, stream: IO[str], clock: Clock, interval_s: float) -> None:
        super().__init__(clock)
        self.stream = stream
        self.stopped = threading.Event()
        self.heartbeat = threading.Thread(target=self._beat, args=(interval_s,), daemon=True)
        self.heartbeat.start()

    def _beat(self, interval_s: float) -> None:
        while not self.stopped.wait(interval_s):
            self.tick()

    def show(self, event: str, stage: StageState) -> None:
        print(self.format(event, stage, self.clock()), file=self.stream, flush=True)

    def format(self, event: str, stage: StageState, now: float) -> str:
        raise NotImplementedError

    def close(self) -> None:
        self.stopped.set()
        self.heartbeat.join()


class LineProgress(StreamProgress):
    """One line per start and finish; a heartbeat every ``interval_s`` while a stage runs."""

    def __init__(
        self, stream: IO[str], clock: Clock = time.monotonic, interval_s: float = LINE_INTERVAL_S
    ) -> None:
        super().__init__(stream, clock, interval_s)

    def format(self, event: str, stage: StageState, now: float) -> str:
        return f"tokenprobe: {describe(event, stage, now)}"


class JsonProgress(StreamProgress):
    """``--json``: one object per event, for scripts reading stderr."""

    def __init__(
        self, stream: IO[str], clock: Clock = time.monotonic, interval_s: float = JSON_INTERVAL_S
    ) -> None:
        super().__init__(stream, clock, interval_s)

    def format(self, event: str, stage: StageState, now: float) -> str:
        record: dict[str, Any] = {
            "event": event,
            "stage": stage.name,
            "status": stage.status,
            "elapsed_s": round(stage.elapsed(now), 3),
            "findings": stage.counts,
            "so_far": self.so_far.counts if self.so_far else None,
        }
        return json.dumps(record, sort_keys=True)


class RichProgress(Progress):
    """A live table redrawn in place on a terminal; its elapsed times tick at each refresh."""

    def __init__(self, console: Console, clock: Clock = time.monotonic) -> None:
        super().__init__(clock)
        self.live = Live(
            console=console, refresh_per_second=2, transient=False, get_renderable=self.render
        )
        self.live.start()

    def show(self, event: str, stage: StageState) -> None:
        self.live.refresh()

    def render(self) -> Table:
        now = self.clock()
        title = "tokenprobe gate"
        if self.so_far is not None:
            title += f" · so far: {self.so_far.line()}"
        table = Table(title=title)
        for column in ("stage", "status", "elapsed", *SEVERITIES):
            table.add_column(column, justify="left" if column in ("stage", "status") else "right")
        for stage in list(self.stages.values()):
            counts = [str(stage.counts[s]) if stage.counts else "" for s in SEVERITIES]
            table.add_row(stage.name, stage.status, f"{stage.elapsed(now):.0f} s", *counts)
        return table

    def close(self) -> None:
        self.live.stop()


def describe(event: str, stage: StageState, now: float) -> str:
    """One human line for an event."""
    if event == "stage_started":
        return f"{stage.name}: started"
    if event == "stage_finished":
        return f"{stage.name}: {stage.line} ({stage.elapsed(now):.1f} s)"
    return f"{stage.name}: running, {stage.elapsed(now):.0f} s"


def is_interactive(stream: IO[str], environ: Mapping[str, str]) -> bool:
    """A person is watching: a TTY, not CI, not a dumb terminal."""
    if environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if environ.get("TERM", "") == "dumb":
        return False
    return stream.isatty()


def make_progress(
    *,
    quiet: bool = False,
    json_lines: bool = False,
    stream: IO[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Progress:
    """The display for this run: quiet, JSON lines, a live table, or plain lines."""
    out = stream if stream is not None else sys.stderr
    env = os.environ if environ is None else environ
    if quiet:
        return QuietProgress()
    if json_lines:
        return JsonProgress(out)
    if is_interactive(out, env):
        return RichProgress(Console(file=out, stderr=out is sys.stderr))
    return LineProgress(out)
