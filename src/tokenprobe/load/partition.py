"""Which slice of the valid accounts each Locust worker uses, decided by the master.

Locust's ``worker_index`` never repeats while the master lives: a restarted worker (new client
id) or one more than ``--expect-workers`` gets index N, N+1, … so "index modulo workers" would
hand it accounts another worker is still logging in with. Instead the master keeps a ledger of
**slots**: ``max(--expect-workers, workers connected at test start)`` disjoint slices. When a
worker starts a test it asks for a slice (Locust's ``send_message``/``register_message``):

* a worker that holds a slot keeps it (reconnects, repeated client_ready);
* a new worker gets the lowest slot no connected worker holds: a worker that quit (SIGTERM,
  Ctrl-C) frees its slot at once, one that vanished (SIGKILL, lost network) only when Locust
  declares it dead (about 60 s without heartbeats; it stops itself after as long without the
  master's), because until then it may still be logging in;
* when every slot is held the worker is **refused**: it logs why, sends nothing and quits with
  exit code 2, and the master redistributes its users to the others.

Standalone and ``--processes N`` (a master with N workers) use the same code; standalone owns
the whole pool.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import gevent
from gevent.event import Event
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from tokenprobe.load.slices import Assignment, SliceLedger

logger = logging.getLogger("tokenprobe.load")
REQUEST = "tokenprobe_slice_request"
REPLY = "tokenprobe_slice"
REPLY_TIMEOUT_S = 15.0


class Partition:
    """This process's side of the slice protocol.

    A worker that joins a running test gets its spawn message while Locust is still building
    its runner (before ``init``, with ``environment.runner`` unset), so the worker registers
    and asks lazily, when its first user needs accounts.
    """

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.ledger = SliceLedger()
        self.assignment: Assignment | None = None
        self._received = Event()
        self._registered = False
        self._requested = False

    def test_started(self) -> None:
        """Master: open a fresh ledger. Worker: forget the old slice."""
        runner = self.environment.runner
        if isinstance(runner, MasterRunner):
            self._register(runner)
            expected = getattr(self.environment.parsed_options, "expect_workers", 1) or 1
            self.ledger.start(expected, runner.clients.keys())
        self.assignment = None
        self._received.clear()
        self._requested = False

    def current(self) -> Assignment:
        """The slice users of this process take accounts from (workers ask the master)."""
        runner = self.environment.runner
        if not isinstance(runner, WorkerRunner):
            return Assignment.whole_pool()
        self._register(runner)
        if not self._requested:
            self._requested = True
            runner.send_message(REQUEST)
        if not self._received.wait(REPLY_TIMEOUT_S) or self.assignment is None:
            return Assignment(-1, 0, f"no account slice from the master in {REPLY_TIMEOUT_S:g} s")
        return self.assignment

    def _register(self, runner: MasterRunner | WorkerRunner) -> None:
        if not self._registered:
            self._registered = True
            if isinstance(runner, MasterRunner):
                runner.register_message(REQUEST, self._on_request)
            else:
                runner.register_message(REPLY, self._on_reply)

    def _on_request(self, environment: Environment, msg: Any, **_kw: Any) -> None:
        runner = environment.runner
        assert isinstance(runner, MasterRunner)
        assignment = self.ledger.assign(msg.node_id, runner.clients.keys())
        if assignment.refused:
            logger.warning("tokenprobe: refused worker %s: %s", msg.node_id, assignment.refused)
        else:
            logger.info(
                "tokenprobe: worker %s uses account slice %d of %d",
                msg.node_id, assignment.slot + 1, assignment.slots,
            )  # fmt: skip
        runner.send_message(REPLY, dataclasses.asdict(assignment), client_id=msg.node_id)

    def _on_reply(self, environment: Environment, msg: Any, **_kw: Any) -> None:
        self.assignment = Assignment(**msg.data)
        self._received.set()
        if self.assignment.refused:
            logger.error("tokenprobe: this worker is refused: %s", self.assignment.refused)
            environment.process_exit_code = 2
            gevent.spawn(environment.runner.quit)
