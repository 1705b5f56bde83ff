"""Live progress for people at a terminal, plain lines for CI logs, JSON lines for scripts.

The gate calls three methods, whatever the display::

    with make_progress(quiet=..., json_lines=...) as progress:
        progress.stage_started("conformance")
        progress.update(cases=120, requests=340, findings=2)   # absolute values, any time
        progress.stage_finished("conformance", "failed", findings)

Displays: `RichProgress` (a live table: stage, status, elapsed, cases, requests, req/s,
findings) when stderr is a TTY outside CI; `LineProgress` (one line per event, updates at most
every `LINE_INTERVAL_S`) when ``CI`` is set, ``TERM=dumb`` or stderr is not a TTY;
`JsonProgress` (one JSON object per line) for ``--json``; `QuietProgress` for ``--quiet``.
Everything goes to stderr so stdout stays free for machine output. Only counts and stage names
are shown: never evidence, so never a secret.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from tokenprobe.core.findings import Finding, Severity

LINE_INTERVAL_S = 10.0  # CI logs: a heartbeat, not a flood
JSON_INTERVAL_S = 1.0
Clock = Callable[[], float]


@dataclasses.dataclass
class StageState:
    name: str
    started: float
    status: str = "running"
    finished: float | None = None
    counters: dict[str, float] = dataclasses.field(default_factory=dict)
    findings: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)

    def elapsed(self, now: float) -> float:
        return (self.finished if self.finished is not None else now) - self.started

    def requests_per_s(self, now: float) -> float | None:
        """From the stage's own ``rps`` counter, else requests over elapsed time."""
        if "rps" in self.counters:
            return self.counters["rps"]
        elapsed = self.elapsed(now)
        requests = self.counters.get("requests")
        return requests / elapsed if requests is not None and elapsed > 0 else None

    def findings_count(self) -> int:
        return sum(self.findings.values()) or int(self.counters.get("findings", 0))


class Progress:
    """Tracks stages; subclasses decide how (and whether) to show them."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self.stages: dict[str, StageState] = {}
        self.current: StageState | None = None

    def stage_started(self, name: str) -> None:
        self.current = self.stages[name] = StageState(name, self.clock())
        self.show("stage_started", self.current)

    def update(self, **counters: float) -> None:
        """Set counters of the running stage (absolute values: cases, requests, rps, findings)."""
        if self.current is not None:
            self.current.counters.update(counters)
            self.show("update", self.current)

    def stage_finished(
        self, name: str, status: str, findings: Iterable[Finding] | int = ()
    ) -> None:
        stage = self.stages.get(name) or StageState(name, self.clock())
        self.stages[name] = stage
        stage.status, stage.finished = status, self.clock()
        if isinstance(findings, int):
            stage.counters["findings"] = findings
        else:
            stage.findings.update(str(f.severity) for f in findings)
        if self.current is stage:
            self.current = None
        self.show("stage_finished", stage)

    def total_findings(self) -> int:
        return sum(stage.findings_count() for stage in self.stages.values())

    def show(self, event: str, stage: StageState) -> None:
        """Display an event; the base class shows nothing."""

    def close(self) -> None:
        """Release the display (stop a live view)."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class QuietProgress(Progress):
    """``--quiet``: nothing at all."""


class StreamProgress(Progress):
    """Events written to a stream; each stage's updates at most every ``interval_s``."""

    def __init__(self, stream: IO[str], clock: Clock, interval_s: float) -> None:
        super().__init__(clock)
        self.stream, self.interval_s = stream, interval_s
        self.last_update: dict[str, float] = {}

    def show(self, event: str, stage: StageState) -> None:
        now = self.clock()
        if event == "update":
            if now - self.last_update.get(stage.name, stage.started) < self.interval_s:
                return
            self.last_update[stage.name] = now
        print(self.format(event, stage, now), file=self.stream, flush=True)

    def format(self, event: str, stage: StageState, now: float) -> str:
        raise NotImplementedError


class LineProgress(StreamProgress):
    """One line per start and finish; updates at most every ``interval_s`` per stage."""

    def __init__(
        self, stream: IO[str], clock: Clock = time.monotonic, interval_s: float = LINE_INTERVAL_S
    ) -> None:
        super().__init__(stream, clock, interval_s)

    def format(self, event: str, stage: StageState, now: float) -> str:
        return f"tokenprobe: {describe(event, stage, now)}"


class JsonProgress(StreamProgress):
    """``--json``: one object per event, for scripts reading stderr; updates throttled."""

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
            "counters": stage.counters,
            "findings": dict(stage.findings),
            "findings_total": self.total_findings(),
        }
        return json.dumps(record, sort_keys=True)


class RichProgress(Progress):
    """A live table redrawn in place on a terminal."""

    def __init__(self, console: Console, clock: Clock = time.monotonic) -> None:
        super().__init__(clock)
        self.live = Live(console=console, refresh_per_second=4, transient=False)
        self.live.update(self.render())
        self.live.start()

    def show(self, event: str, stage: StageState) -> None:
        self.live.update(self.render(), refresh=event != "update")

    def render(self) -> Table:
        now = self.clock()
        table = Table(title=f"tokenprobe · findings so far: {self.total_findings()}")
        for column in ("stage", "status", "elapsed", "cases", "requests", "req/s", "findings"):
            table.add_column(column, justify="left" if column in ("stage", "status") else "right")
        for stage in self.stages.values():
            rps = stage.requests_per_s(now)
            table.add_row(
                stage.name,
                stage.status,
                f"{stage.elapsed(now):.1f} s",
                _count(stage.counters.get("cases")),
                _count(stage.counters.get("requests")),
                "" if rps is None else f"{rps:.1f}",
                str(stage.findings_count()),
            )
        return table

    def close(self) -> None:
        self.live.update(self.render())
        self.live.stop()


def describe(event: str, stage: StageState, now: float) -> str:
    """One human line for an event."""
    if event == "stage_started":
        return f"{stage.name}: started"
    if event == "stage_finished":
        found = ", ".join(f"{stage.findings.get(str(s), 0)} {s}" for s in reversed(Severity))
        return f"{stage.name}: {stage.status} in {stage.elapsed(now):.1f} s (findings: {found})"
    parts = [f"{k}={_count(v)}" for k, v in stage.counters.items() if k != "rps"]
    rps = stage.requests_per_s(now)
    if rps is not None:
        parts.append(f"req/s={rps:.1f}")
    return f"{stage.name}: {' '.join(parts)} ({stage.elapsed(now):.0f} s)"


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


def _count(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
