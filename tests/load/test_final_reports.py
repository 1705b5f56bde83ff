"""The workers' last reports reach the master's verdict, however slowly the workers stop; one
that never comes leaves the totals short, and the run is a run problem (exit 2, in the results
and on the console), never a pass on part of the numbers.

Each fault is a worker whose locustfile is the suite's with one listener added: one takes
1.5 s to stop (Locust's headless master waits 0.5 s for final reports when it quits), one
never answers the master's request for its last report. The master is the suite's, unchanged.
Beside them: a signal to the master, and a worker that leaves mid-run (a rolling restart).
"""

from __future__ import annotations

import signal
import sys
from typing import Any

import pytest

from tests.load.conftest import LocustRun, finish, locust_args, start
from tests.load.test_distributed import free_port
from tests.load.test_partition import wait_for

RATE, DURATION_S = 10, 2
SLICE_LINE = "uses account slice"  # the master's line for each worker that starts the test
# Run by Locust only: importing locust here would monkey-patch the test process.
SUITE = "from tokenprobe.load.locustfile import *  # noqa: F403 (the suite's users and shape)\n"
WORKERS = {
    "suite": SUITE,
    "slow": SUITE
    + """
import gevent
from locust import events


@events.test_stop.add_listener
def stop_slowly(environment, **_kw):
    gevent.sleep(1.5)
""",
    "silent": SUITE
    + """
from locust import events

from tokenprobe.load.final_reports import FLUSH


@events.test_start.add_listener
def never_send_the_last_report(environment, **_kw):
    environment.runner.custom_messages[FLUSH] = (lambda *args, **kw: None, False)
""",
}


# (the workers' locustfiles, how long the master's profile is)
RUNS = {
    # Long enough for a worker whose schedule starts late (1.8 s was seen under load) to send.
    "slow": (("slow",), 2 * DURATION_S),
    "silent": (("silent",), DURATION_S),
    "slow-sigterm": (("slow",), 60),  # the master gets SIGTERM once its users run
    "restart": (("suite", "suite"), 4),  # the first worker gets SIGTERM once the users run
}


@pytest.fixture(scope="module")
def runs(load_target: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, LocustRun]:
    """A master and its workers per run, all at once."""
    base = tmp_path_factory.mktemp("final-reports")
    started = {}
    for key, (kinds, duration_s) in RUNS.items():
        port, folder = str(free_port()), base / key
        master = start(
            locust_args(load_target, folder / "master", "--master",
                        "--expect-workers", str(len(kinds)), "--master-bind-host", "127.0.0.1",
                        "--master-bind-port", port, "--tp-rate", str(RATE),
                        "--tp-duration", f"{duration_s}s"),
            folder / "master",
        )  # fmt: skip
        workers = []
        for index, kind in enumerate(kinds):
            locustfile = folder / f"{kind}.py"
            locustfile.write_text(WORKERS[kind])
            workers.append(start(
                [sys.executable, "-m", "locust", "-f", str(locustfile), "--worker",
                 "--master-host", "127.0.0.1", "--master-port", port,
                 "--tp-credentials", str(load_target.credentials_file)],
                folder / f"worker{index}",
            ))  # fmt: skip
        started[key] = (master, workers, folder)
    for key, signalled in (("slow-sigterm", lambda m, w: m), ("restart", lambda m, w: w[0])):
        master, workers, folder = started[key]
        log = folder / "master" / "output.log"
        # Every worker has started the test (Locust's own "All users spawned" line is not
        # printed when a worker's report comes late).
        count = len(workers)
        wait_for(lambda log=log, n=count: log.read_text().count(SLICE_LINE) == n,
                 "every worker's test start")  # fmt: skip
        signalled(master, workers).send_signal(signal.SIGTERM)
    done = {}
    for key, (master, workers, folder) in started.items():
        done[key] = finish(master, folder / "master")
        for index, worker in enumerate(workers):
            finish(worker, folder / f"worker{index}")
    return done


def test_a_worker_slow_to_stop_still_reaches_the_verdict(runs: dict[str, LocustRun]) -> None:
    run = runs["slow"]
    results = run.results
    assert run.returncode == 0, run.output
    assert results["missing_reports"] == []
    sent = sum(step["sent"] for step in results["steps"])
    accounted = results["requests"] + results["unanswered"] + results["cut_off"]
    # How many it sent depends on how late its schedule started (its own test start, after
    # the master's); a lost last report named it missing, and lost what it sent since its last
    # report every 3 s.
    assert accounted >= sent > 0, results


def test_a_missing_last_report_is_a_run_problem_not_a_pass(runs: dict[str, LocustRun]) -> None:
    run = runs["silent"]
    assert run.returncode == 2, run.output
    assert len(run.results["missing_reports"]) == 1
    assert "no last report from worker(s)" in run.output


def test_a_signal_ends_the_run_with_every_last_report_and_one_verdict(
    runs: dict[str, LocustRun],
) -> None:
    """SIGTERM ends the profile at the shape's next tick: Locust's main greenlet wakes only
    after the verdict (quitting from the signal's greenlet woke it at once, and its own quit
    stopped the master listening: the slow worker's report was lost, the verdict taken twice)."""
    run = runs["slow-sigterm"]
    results = run.results
    assert run.returncode == 143, run.output
    assert results["stopped"]["reason"] == "SIGTERM"
    assert results["missing_reports"] == [], run.output
    assert run.output.count("; findings: ") == 1, run.output  # one verdict line


def test_a_worker_that_leaves_during_the_run_sends_its_last_report(
    runs: dict[str, LocustRun],
) -> None:
    """A rolling restart: the worker that gets SIGTERM sends its last report before Locust
    tells the master it quit, so the run is complete and passes (else its last seconds were
    missing, and the run a run problem)."""
    run = runs["restart"]
    assert run.returncode == 0, run.output
    assert run.results["missing_reports"] == []
    assert run.output.count(" quit. ") == 2, run.output  # both workers quit: one early
