"""Per-process recording of every sample, and its merge on Locust's master.

Each process records what its users do: exact latencies per profile step (keyed by the step
of the *intended* send time, so a late answer still counts for the step that offered it; the
whole run is their sum) and per second of completion (plots, regression blocks; 2 digits),
each sample recorded once, in the cell of its step and second, and folded into both views
when they are read (the load generator's hot path pays one exact record); answers per step of
their *completion*
time (the throughput the target achieved while a step ran); offered, late and dropped
arrivals; requests in flight, and at the stop those never answered (`close`); answers that
deviate from the documented contract without being errors; how busy its CPU was. A worker
ships the increments since its last report with Locust's ``report_to_master`` event; the
master merges them in ``worker_report``. A standalone process records into the same books
directly. Only the master (or the standalone process)
ever judges the results.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

from tokenprobe.load.latency import SERIES_DIGITS, Book, latency_ms, to_microseconds
from tokenprobe.load.profiles import Profile

CPU_SATURATED_PERCENT = 90.0
SERIES_SETTLE_S = 12  # a second is final once every worker has reported past it


class Recorder:
    """Books of one process (or, on the master, of the whole swarm)."""

    def __init__(self, profile: Profile, raw_samples_prefix: str = "") -> None:
        self.profile = profile
        self.raw_samples_prefix = raw_samples_prefix
        self._raw: IO[str] | None = None
        self.reset(time.time())

    def reset(self, started_wall: float) -> None:
        self.started_wall = started_wall
        self.stopped_wall: float | None = None
        # Each sample is recorded once, exactly, in the cell of its step and second; cells are
        # folded into the step books (exact) and the per-second books (plots, regression blocks:
        # 2 digits) whenever either is read, at least once a second.
        self.cells: dict[tuple[int, int], Book] = {}
        self._steps: dict[int, Book] = {}
        self._seconds: dict[int, Book] = {}
        self.series: dict[int, dict[str, Any]] = {}
        # Settled seconds' books, encoded (`Book.encode`): a regression verdict resamples them.
        self.settled: dict[int, list[dict[str, Any]]] = {}
        self.offered: Counter[int] = Counter()  # step -> requests the schedule asked for
        self.dropped: Counter[int] = Counter()  # step -> requests never sent
        self.late_by_step: Counter[int] = Counter()  # step -> requests sent late
        self.completed: Counter[int] = Counter()  # step -> answers that arrived while it ran
        self.cpu: dict[str, tuple[int, int]] = {}  # process -> (samples, saturated samples)
        # (step, entry) -> requests sent and not answered yet: a gauge, never shipped; `close`
        # turns what is left of it into `unanswered` when the run stops.
        self.in_flight: Counter[tuple[int, str]] = Counter()
        # (step, entry) -> requests never answered: in flight at the stop, or (open model) due
        # before it and never sent. Their latency is unknown, so they are not in any histogram.
        self.unanswered: Counter[tuple[int, str]] = Counter()
        # step -> requests the generator's own stop ended younger than the stop grace (a closed
        # user killed mid-request, a worker's last sends): neither answered nor the target's
        # fault, so not in the error ratio; counted so that every sent request is accounted for.
        self.cut_off: Counter[int] = Counter()
        # (entry, deviation) -> answers that differ from the documented contract in a way that
        # is not an error for the load (a 401 where the spec documents 400): information.
        self.deviations: Counter[tuple[str, str]] = Counter()
        self.closed = False  # stopped: late answers and sends are no longer recorded
        if self.raw_samples_prefix:
            self._open_raw_file()

    # -- recording (every process) -------------------------------------------------------

    def record(
        self,
        name: str,
        response_ms: float,
        failed: bool,
        throttled: bool,
        intended_wall: float,
        account: str = "",
        sent_step: int | None = None,
    ) -> None:
        """One answer; ``sent_step``: what `note_sent` returned for its request."""
        if self.closed:
            return  # the stop already counted it as unanswered
        if sent_step is not None:
            self._answered(sent_step, name)
        microseconds = to_microseconds(response_ms)
        elapsed = intended_wall - self.started_wall
        done = elapsed + response_ms / 1000
        key = (self._step_index(elapsed), int(done))
        cell = self.cells.get(key)
        if cell is None:  # (setdefault would build a Book for every sample)
            cell = self.cells[key] = Book()
        cell.record(name, microseconds, failed, throttled)
        self.completed[self._step_index(done)] += 1
        if self._raw is not None:
            # name,username (valid logins; never a password),latency: audits which worker
            # logged in as whom, so a distributed run can be shown to use disjoint accounts.
            self._raw.write(f"{name},{account},{response_ms!r}\n")

    def _step_index(self, elapsed_s: float) -> int:
        current = self.profile.step_at(elapsed_s)
        return (current or self.profile.steps[-1]).index

    @property
    def steps(self) -> dict[int, Book]:
        """Step index → the exact book of the samples its step sent."""
        self._fold()
        return self._steps

    @property
    def seconds(self) -> dict[int, Book]:
        """Second → the book (2 digits) of the samples answered in it, not yet settled."""
        self._fold()
        return self._seconds

    def _fold(self) -> None:
        for (step, second), cell in self.cells.items():
            self._steps.setdefault(step, Book()).add(cell)
            self._seconds.setdefault(second, Book(SERIES_DIGITS)).add(cell)
        self.cells.clear()

    @property
    def run(self) -> Book:
        """The whole run: every step's book merged (histograms add up exactly)."""
        run = Book()
        for book in self.steps.values():
            run.add(book)
        return run

    @property
    def late(self) -> int:
        return sum(self.late_by_step.values())

    def note_offered(self, step: int, requests: int, late: bool) -> None:
        self.offered[step] += requests
        if late:
            self.late_by_step[step] += requests

    def note_dropped(self, step: int, requests: int) -> None:
        self.dropped[step] += requests

    def note_sent(self, name: str, when_wall: float) -> int:
        """A request is on its way (timed from ``when_wall``); returns its step, which its
        answer names in `record` (a breakpoint step may be cut in between)."""
        step = self._step_index(when_wall - self.started_wall)
        if not self.closed:
            self.in_flight[(step, name)] += 1
        return step

    def forget(self, step: int, name: str) -> None:
        """The generator gave up on a request mid-run (a closed-model user stopped by a
        ramp-down): not the target's doing, so it is neither an answer nor unanswered."""
        self._answered(step, name)

    def _answered(self, step: int, name: str) -> None:
        key = (step, name)
        self.in_flight[key] -= 1
        if self.in_flight[key] <= 0:
            del self.in_flight[key]

    def note_cut_off(self, step: int, name: str) -> None:
        """The run's stop ended this request before it had the stop grace to be answered."""
        self._answered(step, name)
        if not self.closed:
            self.cut_off[step] += 1

    def note_unsent(self, step: int, requests: int, *, hopeless: bool) -> None:
        """Open model: requests due before the stop that the generator never sent. The target
        never saw them, so they are no answer it failed to give: ``hopeless`` ones (later than
        the lateness limit) would have been dropped anyway and are dropped; the others the
        stop cut off."""
        if not self.closed:
            (self.dropped if hopeless else self.cut_off)[step] += requests

    def note_deviation(self, name: str, deviation: str) -> None:
        if not self.closed:
            self.deviations[(name, deviation)] += 1

    def close(self, stopped_wall: float) -> None:
        """The run stopped: whatever is still in flight is unanswered, and stays so."""
        if self.closed:
            return
        self.closed = True
        self.stopped_wall = stopped_wall
        self.unanswered.update(self.in_flight)
        self.in_flight.clear()

    def unanswered_by_step(self) -> Counter[int]:
        return _sum_by(self.unanswered, 0)

    def unanswered_by_entry(self) -> Counter[str]:
        return _sum_by(self.unanswered, 1)

    def note_cpu(self, process: str, percent: float) -> None:
        samples, saturated = self.cpu.get(process, (0, 0))
        self.cpu[process] = (samples + 1, saturated + (percent >= CPU_SATURATED_PERCENT))

    # -- shipping (worker → master) ------------------------------------------------------

    def drain(self) -> dict[str, Any]:
        """Encode the increments since the last call and start afresh (worker side)."""
        data = {
            "steps": {str(k): book.encode() for k, book in self.steps.items()},
            "seconds": {str(k): book.encode() for k, book in self.seconds.items()},
            "offered": _by_step(self.offered),
            "dropped": _by_step(self.dropped),
            "late": _by_step(self.late_by_step),
            "completed": _by_step(self.completed),
            "cut_off": _by_step(self.cut_off),
            "cpu": dict(self.cpu),
            "unanswered": [[step, name, n] for (step, name), n in self.unanswered.items()],
            "deviations": [[name, text, n] for (name, text), n in self.deviations.items()],
        }
        cpu, started, in_flight, closed = self.cpu, self.started_wall, self.in_flight, self.closed
        self.reset(started)
        self.cpu = cpu  # cumulative: the master keeps the latest per process
        # A gauge, not an increment: requests in flight are still in flight after a report.
        self.in_flight, self.closed = in_flight, closed
        self.flush_raw()
        return data

    def absorb(self, data: dict[str, Any]) -> None:
        """Merge one worker's increments (master side)."""
        for key, encoded in data["steps"].items():
            self._steps.setdefault(int(key), Book()).merge(encoded)
        for key, encoded in data["seconds"].items():
            self._seconds.setdefault(int(key), Book(SERIES_DIGITS)).merge(encoded)
        counters = {"offered": self.offered, "dropped": self.dropped,
                    "late": self.late_by_step, "completed": self.completed,
                    "cut_off": self.cut_off}  # fmt: skip
        for key, counter in counters.items():
            counter.update({int(k): v for k, v in data[key].items()})
        self.cpu.update({k: tuple(v) for k, v in data["cpu"].items()})
        self.unanswered.update({(int(step), name): n for step, name, n in data["unanswered"]})
        self.deviations.update({(name, text): n for name, text, n in data["deviations"]})
        self.settle_series(time.time() - SERIES_SETTLE_S)

    # -- time series ----------------------------------------------------------------------

    def settle_series(self, before_wall: float | None = None) -> None:
        """Turn per-second histograms older than ``before_wall`` (default: all) into rows."""
        limit = None if before_wall is None else int(before_wall - self.started_wall)
        seconds = self.seconds
        for second in sorted(seconds):
            if limit is not None and second >= limit:
                break
            book = seconds.pop(second)
            self.settled.setdefault(second, []).append(book.encode())
            total = book.total()
            row = self.series.setdefault(second, {"t": second, "requests": 0, "failures": 0})
            row["requests"] += total.requests
            row["failures"] += total.failures
            row.update(latency_ms(total.histogram))

    # -- raw samples (tests and audits only) ---------------------------------------------

    def _open_raw_file(self) -> None:
        if self._raw is None:
            path = Path(f"{self.raw_samples_prefix}.{os.getpid()}.csv")
            path.parent.mkdir(parents=True, exist_ok=True)
            self._raw = path.open("a", encoding="utf-8")

    def flush_raw(self) -> None:
        if self._raw is not None:
            self._raw.flush()


def _by_step(counter: Counter[int]) -> dict[str, int]:
    return {str(k): v for k, v in counter.items()}


def _sum_by(counter: Counter[tuple[Any, ...]], position: int) -> Counter[Any]:
    """A counter keyed by tuples, summed over every part of the key but one."""
    summed: Counter[Any] = Counter()
    for key, count in counter.items():
        summed[key[position]] += count
    return summed
