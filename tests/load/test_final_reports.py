"""A worker whose last report never reaches the master leaves the totals short: the run is a
run problem (exit 2, in the results and on the console), never a pass on part of the numbers.

The fault is a worker that ignores the master's request for its last report (its locustfile
is the suite's, with that one handler silenced); the master is the suite's own, unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tests.load.conftest import finish, locust_args, start
from tests.load.test_distributed import free_port

# Run by Locust only: importing locust here would monkey-patch the test process.
SILENT_WORKER = """
from locust import events

from tokenprobe.load.final_reports import FLUSH
from tokenprobe.load.locustfile import *  # noqa: F403 (the suite's users and shape)


@events.test_start.add_listener
def never_send_the_last_report(environment, **_kw):
    environment.runner.custom_messages[FLUSH] = (lambda *args, **kw: None, False)
"""


def test_a_missing_last_report_is_a_run_problem_not_a_pass(
    load_target: Any, tmp_path: Path
) -> None:
    port = str(free_port())
    master = start(
        locust_args(load_target, tmp_path / "master", "--master", "--expect-workers", "1",
                    "--master-bind-host", "127.0.0.1", "--master-bind-port", port,
                    "--tp-rate", "10", "--tp-duration", "2s"),
        tmp_path / "master",
    )  # fmt: skip
    locustfile = tmp_path / "silent_worker.py"
    locustfile.write_text(SILENT_WORKER)
    worker = start(
        [sys.executable, "-m", "locust", "-f", str(locustfile), "--worker",
         "--master-host", "127.0.0.1", "--master-port", port,
         "--tp-credentials", str(load_target.credentials_file)],
        tmp_path / "worker",
    )  # fmt: skip
    run = finish(master, tmp_path / "master")
    finish(worker, tmp_path / "worker")
    assert run.returncode == 2, run.output
    assert len(run.results["missing_reports"]) == 1
    assert "no last report from worker(s)" in run.output
