"""Child processes (``schemathesis run``, ``locust``) bounded by a deadline, stopped on a signal.

A child runs in a process group of its own, so stopping it stops whatever it started (Locust's
worker processes). When the deadline is near, or the run is interrupted, the child is asked to
stop with the signal its tool handles gracefully (Schemathesis: SIGINT; our Locust suite:
SIGTERM) and given ``grace_s`` to write its reports; a child that does not stop is killed.
Either way no child outlives the call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

from tokenprobe.core.deadlines import Deadline
from tokenprobe.core.interrupts import Interrupted
from tokenprobe.core.summary import TIME, Stop

# What a child gets to write its own reports once asked to stop (Schemathesis takes a fraction
# of a second, Locust about one): at most this, and at most a quarter of a small budget.
STOP_GRACE_S = 4.0
GRACE_SHARE = 0.25


@dataclasses.dataclass(frozen=True)
class ChildExit:
    code: int
    stopped: Stop | None  # None: it ended by itself


def run_child(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None,
    output: IO[str],
    deadline: Deadline,
    stop_signal: signal.Signals,
    stage: str,
    poll: Callable[[], None] | None = None,
    poll_every_s: float = 1.0,
) -> ChildExit:
    """Run ``command`` to its end, or stop it a grace period before ``deadline`` (so that it
    still ends within it) or on a signal; ``poll`` is called every ``poll_every_s`` while it
    runs."""
    grace_s = min(STOP_GRACE_S, deadline.budget_s * GRACE_SHARE)
    process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
        list(command),
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: stopping it stops its children too
    )
    try:
        return ChildExit(_wait(process, deadline, grace_s, poll, poll_every_s), None)
    except subprocess.TimeoutExpired:
        stop = Stop(TIME, stage, deadline.budget_s)
    except Interrupted as exc:
        stop = Stop(exc.signal_name, stage)
    except BaseException:
        kill_group(process)
        raise
    return ChildExit(stop_group(process, stop_signal, grace_s), stop)


def _wait(
    process: subprocess.Popen[str],
    deadline: Deadline,
    grace_s: float,
    poll: Callable[[], None] | None,
    poll_every_s: float,
) -> int:
    """The child's exit code; `subprocess.TimeoutExpired` a grace period before ``deadline``."""
    while True:
        left_s = max(0.0, deadline.remaining() - grace_s)
        if poll is None or left_s <= poll_every_s:
            return process.wait(timeout=left_s)
        try:
            return process.wait(timeout=poll_every_s)
        except subprocess.TimeoutExpired:
            poll()


def stop_group(process: subprocess.Popen[str], first: signal.Signals, grace_s: float) -> int:
    """Send ``first`` to the child's group; kill the group if it has not ended in ``grace_s``."""
    _signal_group(process, first)
    try:
        return process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        return kill_group(process)
    except BaseException:
        kill_group(process)
        raise


def kill_group(process: subprocess.Popen[str]) -> int:
    _signal_group(process, signal.SIGKILL)
    return process.wait()


def _signal_group(process: subprocess.Popen[str], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
