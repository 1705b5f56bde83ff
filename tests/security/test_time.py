"""A security run's time budget: when it runs out, the run stops and says so; a spent budget is
never a finding about the target."""

from __future__ import annotations

import time

from tests.gate.misbehaving import misbehaving_server
from tokenprobe.core.session import TargetSession
from tokenprobe.core.summary import verdict
from tokenprobe.security import SecurityOptions, run

BUDGET_S = 2.0


def test_a_spent_budget_stops_the_run_and_is_no_finding() -> None:
    # Every login trickles (a byte every 0.2 s): requests only end at the budget's end. With no
    # account, the costly-input probe is the one that sends: it reads "no answer" as a defect,
    # and must not read a spent budget so.
    with misbehaving_server("trickle-post=0.2") as server:
        session = TargetSession(server.url, [])
        started = time.monotonic()
        summary = run(session, SecurityOptions(budget_s=BUDGET_S, request_timeout_s=30))
        elapsed = time.monotonic() - started
    assert elapsed < BUDGET_S + 1.0
    assert summary.stopped is not None
    assert (summary.stopped.reason, summary.stopped.stage) == ("time", "security")
    assert summary.errors == [f"security: out of time (its {BUDGET_S:g} s budget ran out)"]
    assert not [f for f in summary.findings if "budget" in f.evidence]
    checks = verdict(summary).checks
    cut = {c.id: c.outcome for c in checks if c.message == "could not finish: out of time"}
    assert cut == {"TP-SEC-016": "skipped"}  # the probe under way: never failed nor passed
    after = {c.id: c.outcome for c in checks if c.message == "not run: out of time"}
    never_reached = {"TP-SEC-018", "TP-SEC-019", "TP-SEC-020"}
    assert after == dict.fromkeys(never_reached, "skipped")
