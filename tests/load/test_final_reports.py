"""The workers' last reports reach the master's verdict, however slowly the workers stop; one
that never comes leaves the totals short, and the run is a run problem (exit 2, in the results
and on the console), never a pass on part of the numbers.

Each fault is a worker whose locustfile is the suite's with one listener added: one takes
1.5 s to stop (Locust's headless master waits 0.5 s for final reports when it quits), one
never answers the master's request for its last report. The master is the suite's, unchanged.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tests.load.conftest import LocustRun, finish, locust_args, start
from tests.load.test_distributed import free_port

RATE, DURATION_S = 10, 2
INTENDED = RATE * DURATION_S
# Run by Locust only: importing locust here would monkey-patch the test process.
SUITE = "from tokenprobe.load.locustfile import *  # noqa: F403 (the suite's users and shape)\n"
FAULTY_WORKERS = {
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


@pytest.fixture(scope="module")
def runs(load_target: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, LocustRun]:
    """A master and one faulty worker per fault, all at once."""
    base = tmp_path_factory.mktemp("final-reports")
    started = {}
    for fault, source in FAULTY_WORKERS.items():
        port, folder = str(free_port()), base / fault
        master = start(
            locust_args(load_target, folder / "master", "--master", "--expect-workers", "1",
                        "--master-bind-host", "127.0.0.1", "--master-bind-port", port,
                        "--tp-rate", str(RATE), "--tp-duration", f"{DURATION_S}s"),
            folder / "master",
        )  # fmt: skip
        locustfile = folder / "worker.py"
        locustfile.write_text(source)
        worker = start(
            [sys.executable, "-m", "locust", "-f", str(locustfile), "--worker",
             "--master-host", "127.0.0.1", "--master-port", port,
             "--tp-credentials", str(load_target.credentials_file)],
            folder / "worker",
        )  # fmt: skip
        started[fault] = (master, worker, folder)
    done = {}
    for fault, (master, worker, folder) in started.items():
        done[fault] = finish(master, folder / "master")
        finish(worker, folder / "worker")
    return done


def test_a_worker_slow_to_stop_still_reaches_the_verdict(runs: dict[str, LocustRun]) -> None:
    run = runs["slow"]
    results = run.results
    assert run.returncode == 0, run.output
    assert results["missing_reports"] == []
    sent = sum(step["sent"] for step in results["steps"])
    accounted = results["requests"] + results["unanswered"] + results["cut_off"]
    assert accounted >= sent >= INTENDED - 2, results


def test_a_missing_last_report_is_a_run_problem_not_a_pass(runs: dict[str, LocustRun]) -> None:
    run = runs["silent"]
    assert run.returncode == 2, run.output
    assert len(run.results["missing_reports"]) == 1
    assert "no last report from worker(s)" in run.output
