"""Stopping on a signal: SIGINT and SIGTERM become `Interrupted`, raised once in the main thread.

An interrupted run keeps what it has. The suites catch `Interrupted` where they wait on a child
process (they pass the stop on and give the child a moment to write its own reports), record it
as the summary's `Stop`, and return; the command then writes every report and exits with the
signal's code: **130** for SIGINT, **143** for SIGTERM (128 + the signal number, what a shell
reports for a process the signal ended, so CI sees the same code as before, with the reports).
Only the first signal is raised: later ones are ignored. While a suite keeps what its tool
found (`deferred`), a signal is raised only at the end of that block; while the final reports
are written (`shielded`), it is ignored: the run is over, and ends with the verdict it reached.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop by a signal."""

    def __init__(self, signum: int) -> None:
        self.signal_name = signal.Signals(signum).name
        super().__init__(self.signal_name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return exit_code_of(self.signal_name)


def exit_code_of(signal_name: str) -> int:
    """128 + the signal's number: 130 for SIGINT, 143 for SIGTERM."""
    return 128 + signal.Signals[signal_name].value


class _Signals:
    """What the handler knows: whether a signal came, and whether it may raise now."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.held = 0  # inside `deferred` or `shielded` blocks: note, do not raise

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            return  # the run is already stopping
        self.received = signum
        if not self.held:
            raise Interrupted(signum)


_signals = _Signals()


@contextlib.contextmanager
def interrupt_on_signals() -> Iterator[None]:
    """Inside the block, the first SIGINT or SIGTERM raises `Interrupted`; later ones are
    ignored. Outside the main thread (where Python delivers signals) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _signals.received = None
    previous = {sig: signal.signal(sig, _signals.handle) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Inside the block, a first signal is noted; it is raised when the block ends."""
    before = _signals.received
    _signals.held += 1
    try:
        yield
    finally:
        _signals.held -= 1
    if before is None and _signals.received is not None:
        raise Interrupted(_signals.received)


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Inside the block (writing the final reports), a first signal is noted and ignored."""
    _signals.held += 1
    try:
        yield
    finally:
        _signals.held -= 1


def received_signal() -> str | None:
    """The signal that came while this run was interruptible, if any."""
    return None if _signals.received is None else signal.Signals(_signals.received).name
