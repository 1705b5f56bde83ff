"""Account slices across workers: restarted and late workers never share another's accounts.

The ledger rules are checked directly; then one real swarm (master + workers as processes on
loopback) goes through a graceful restart, which hands the freed slice on, and a kill followed
by a restart, whose replacement is refused while Locust still counts the killed worker alive.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.load.conftest import finish, locust_args, start
from tests.load.test_distributed import free_port
from tokenprobe.load.runner import LOCUSTFILE
from tokenprobe.load.slices import SliceLedger

WAIT_S = 40
SLICE_LINE = re.compile(r"worker (\S+) uses account slice (\d+) of (\d+)")


# -- the ledger ----------------------------------------------------------------------------


def test_each_connected_worker_gets_its_own_slice() -> None:
    ledger = SliceLedger()
    ledger.start(2, ["a", "b"])
    assert [ledger.assign(w, ["a", "b"]).slot for w in ("a", "b")] == [0, 1]
    # A repeated request (reconnect, repeated client_ready) keeps the slice.
    assert ledger.assign("a", ["a", "b"]).slot == 0


def test_a_worker_that_quit_frees_its_slice_for_its_replacement() -> None:
    ledger = SliceLedger()
    ledger.start(2, ["a", "b"])
    ledger.assign("a", ["a", "b"])
    ledger.assign("b", ["a", "b"])
    assert ledger.assign("c", ["b", "c"]).slot == 0  # "a" is gone: its slice is free


def test_a_late_worker_is_refused_while_every_slice_is_held() -> None:
    ledger = SliceLedger()
    ledger.start(1, ["a"])
    ledger.assign("a", ["a"])
    # "a" is still connected (or only missing, not yet dead): "b" must not share its accounts.
    late = ledger.assign("b", ["a", "b"])
    assert "--expect-workers" in late.refused


def test_workers_connected_at_start_beyond_the_expected_count_each_get_a_slice() -> None:
    ledger = SliceLedger()
    ledger.start(1, ["a", "b", "c"])  # web UI without --expect-workers: three connected
    slots = {ledger.assign(w, ["a", "b", "c"]).slot for w in ("a", "b", "c")}
    assert slots == {0, 1, 2}
    assert ledger.slots == 3


# -- a real swarm ----------------------------------------------------------------------------


def wait_for(condition: Any, what: str) -> None:
    """Poll until ``condition()`` holds (readiness from the processes' own output)."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def slices_in(log: Path) -> dict[str, int]:
    return {m[1]: int(m[2]) for m in SLICE_LINE.finditer(log.read_text())}


def accounts_used(raw: Path, pid: int) -> set[str]:
    path = raw / f"samples.{pid}.csv"
    if not path.exists():
        return set()
    rows = (line.split(",") for line in path.read_text().splitlines())
    return {row[1] for row in rows if row[1]}


@pytest.fixture(scope="module")
def restarts(load_target: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("restarts")
    port = str(free_port())
    master_log = base / "master" / "output.log"
    master = start(
        locust_args(
            load_target, base / "master",
            # Rebalancing: Locust gives a worker that joins mid-run users at once.
            "--master", "--expect-workers", "2", "--enable-rebalancing",
            "--master-bind-host", "127.0.0.1",
            "--master-bind-port", port, "--tp-rate", "30", "--tp-duration", "60s",
            "--tp-weights", "valid_login=1", "--tp-raw-samples", str(base / "raw" / "samples"),
        ),
        base / "master",
    )  # fmt: skip
    worker_args = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker",
        "--master-host", "127.0.0.1", "--master-port", port,
        "--tp-credentials", str(load_target.credentials_file),
    ]  # fmt: skip
    workers: dict[str, subprocess.Popen[str]] = {}
    try:
        workers["a"] = start(worker_args, base / "a")
        workers["b"] = start(worker_args, base / "b")
        wait_for(lambda: len(slices_in(master_log)) == 2, "two workers with slices")
        raw = base / "raw"
        wait_for(lambda: accounts_used(raw, workers["a"].pid), "the first worker's logins")
        # A graceful restart: "a" quits (as on SIGTERM from Docker or Kubernetes), "c" replaces it.
        workers["a"].send_signal(signal.SIGTERM)
        workers["a"].wait(WAIT_S)
        wait_for(lambda: "quit." in master_log.read_text(), "the master to see the quit")
        workers["c"] = start(worker_args, base / "c")
        wait_for(lambda: len(slices_in(master_log)) == 3, "a slice for the replacement")
        wait_for(lambda: accounts_used(raw, workers["c"].pid), "the replacement's first logins")
        # A hard kill: Locust counts "c" missing, not gone, so "d" must not take its accounts.
        workers["c"].kill()
        workers["c"].wait(WAIT_S)
        workers["d"] = start(worker_args, base / "d")
        refused = finish(workers["d"], base / "d")
        master.send_signal(signal.SIGTERM)
        finish(master, base / "master")
    finally:
        for process in [*workers.values(), master]:
            if process.poll() is None:
                process.kill()
                process.wait()
    return {
        "base": base,
        "pids": {name: process.pid for name, process in workers.items()},
        "slices": slices_in(master_log),
        "master_log": master_log.read_text(),
        "refused": refused,
    }


def test_a_replacement_worker_takes_the_freed_slice_and_no_one_elses(
    restarts: dict[str, Any],
) -> None:
    raw, pids = restarts["base"] / "raw", restarts["pids"]
    used = {name: accounts_used(raw, pid) for name, pid in pids.items()}
    assert all(used[name] for name in "abc")
    assert not used["a"] & used["b"]
    assert not used["c"] & used["b"]
    # Three grants in the master's log: slices 1 and 2, then the freed one again for "c".
    assert sorted(restarts["slices"].values()) in ([1, 1, 2], [1, 2, 2])


def test_a_worker_replacing_a_killed_one_is_refused_with_a_reason(
    restarts: dict[str, Any],
) -> None:
    refused = restarts["refused"]
    assert refused.returncode == 2, refused.output
    assert "this worker is refused: all 2 account slices are held" in refused.output
    assert "refused worker" in restarts["master_log"]
    assert not accounts_used(restarts["base"] / "raw", restarts["pids"]["d"])
    assert os.path.exists(restarts["base"] / "d" / "output.log")
