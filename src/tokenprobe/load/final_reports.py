"""The workers' last samples, collected by the master before it judges the run.

A worker ships its increments every few seconds with Locust's ``report_to_master``. Its final
report is sent only when it receives ``quit``, and a headless master waits a fixed 0.5 s for it
and then stops listening (``MasterRunner.quit``): a worker slower to stop (requests in flight,
``--stop-timeout``, a loaded machine) lost its last seconds, or every request it sent. So at the
master's ``test_stop``, while it still listens, it asks each worker to stop and send its final
report (Locust's ``send_message``/``register_message``) and waits, bounded, for every reply.
The same exchange serves the web UI's STOP, where the workers have already stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from gevent.event import Event
from locust.env import Environment
from locust.runners import STATE_MISSING, MasterRunner, WorkerRunner

logger = logging.getLogger("tokenprobe.load")
FLUSH = "tokenprobe_flush"
FLUSHED = "tokenprobe_flushed"
LEFT = "tokenprobe_left"  # a worker's last report, unasked, as it leaves the test
REPLY_TIMEOUT_S = 5.0  # after the workers' own --stop-timeout


class FinalReports:
    """This process's side of the last exchange: a worker drains, the master absorbs."""

    def __init__(
        self,
        environment: Environment,
        drain: Callable[[], dict[str, Any]],
        absorb: Callable[[dict[str, Any]], None],
    ) -> None:
        self.environment = environment
        self.drain = drain
        self.absorb = absorb
        self._waiting: set[str] = set()
        self._all_replied = Event()
        self._registered = False
        # Every worker of this test, whether or not Locust still lists it: a worker stopping
        # in the web UI is unlisted until its --stop-timeout has passed, and still reports.
        self._workers: set[str] = set()
        # Workers whose last report came unasked, as they left (SIGTERM, a rolling restart).
        self._left_reported: set[str] = set()
        self._collected = False
        self._test_running = False  # a worker's: whether it has a last report to send

    def register(self) -> None:
        """Listen for this role's message (once per runner; Locust refuses a second listener)."""
        runner = self.environment.runner
        if self._registered or not isinstance(runner, MasterRunner | WorkerRunner):
            return
        self._registered = True
        if isinstance(runner, MasterRunner):
            runner.register_message(FLUSHED, self._on_flushed)
            runner.register_message(LEFT, self._on_left)
        else:
            runner.register_message(FLUSH, self._on_flush)
            # Added after the runner's own listener, so it runs first (``quitting`` fires in
            # reverse): the last report reaches the master before the worker's ``quit``.
            self.environment.events.quitting.add_listener(self._on_leaving)

    def test_started(self) -> None:
        """A new test. Master: its workers are those connected now and any heard from later."""
        runner = self.environment.runner
        self._test_running = True
        self._collected = False
        self._left_reported = set()
        self._waiting = set()  # a late reply from the last test's wait is not this test's
        if isinstance(runner, MasterRunner):
            self._workers = {client.id for client in runner.clients.all}

    def heard_from(self, client_id: str) -> None:
        self._workers.add(client_id)

    def collect(self) -> list[str]:
        """Master: every connected worker's last increments, absorbed; returns the workers that
        did not reply in time (their last seconds are missing). Elsewhere: nothing to do."""
        runner = self.environment.runner
        if not isinstance(runner, MasterRunner):
            return []
        self.register()
        listed = {c.id for c in runner.clients.all}
        # A worker gone missing (no heartbeat) cannot answer: it is missing without a wait; so
        # is one Locust no longer lists in a headless run, where it left by itself (quit, or
        # dead). In the web UI, a worker stopping is unlisted until its --stop-timeout passed.
        absent = {c.id for c in runner.clients.all if c.state == STATE_MISSING}
        if _headless(self.environment):
            absent |= self._workers - listed
        absent -= self._left_reported
        self._waiting = (self._workers | listed) - absent - self._left_reported
        self._all_replied.clear()
        for client_id in sorted(self._waiting):
            runner.send_message(FLUSH, None, client_id=client_id)
        if self._waiting:
            self._all_replied.wait(self.environment.stop_timeout + REPLY_TIMEOUT_S)
        missing = sorted((absent | self._waiting) - self._left_reported)
        self._waiting = set()
        self._collected = True
        if missing:
            logger.warning(
                "tokenprobe: no last report from worker(s) %s: their last seconds are missing",
                ", ".join(missing),
            )
        return missing

    def _on_leaving(self, environment: Environment, **_kw: Any) -> None:
        """Worker quitting by itself (SIGTERM, Ctrl-C): its last report, unasked."""
        if self._test_running:
            self._send_last_report(LEFT)

    def _on_flush(self, environment: Environment, msg: Any, **_kw: Any) -> None:
        self._send_last_report(FLUSHED)

    def _send_last_report(self, reply: str) -> None:
        self._test_running = False  # stopped, and its last report sent
        runner = self.environment.runner
        runner.stop()  # settles the requests in flight; nothing to do once already stopped
        # Locust's own final report (its statistics, and ours through ``report_to_master``),
        # sent now rather than at ``quit``, where the master would no longer hear it.
        runner._send_stats()
        runner.send_message(reply, self.drain())

    def _on_left(self, environment: Environment, msg: Any, **_kw: Any) -> None:
        if not self._collected:  # else the verdict is already taken
            self.absorb(msg.data)
            self._left_reported.add(msg.node_id)
            self._on_flushed(environment, msg)  # if it was asked meanwhile: the reply

    def _on_flushed(self, environment: Environment, msg: Any, **_kw: Any) -> None:
        if msg.node_id not in self._waiting:
            return  # a reply after the wait ended: the verdict is already taken
        if msg.node_id not in self._left_reported:
            self.absorb(msg.data)
        self._waiting.discard(msg.node_id)
        if not self._waiting:
            self._all_replied.set()


def _headless(environment: Environment) -> bool:
    return environment.parsed_options is None or bool(environment.parsed_options.headless)
