"""Master + two workers as separate processes on loopback: totals add up, and the merged
percentiles are exactly those of one histogram holding every raw sample from both workers."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.load.conftest import finish, locust_args, start
from tokenprobe.load.latency import latency_ms, new_histogram, to_microseconds
from tokenprobe.load.runner import LOCUSTFILE


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def swarm(load_target: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("swarm")
    port = str(free_port())
    master_args = locust_args(
        load_target, base / "master",
        "--master", "--expect-workers", "2", "--master-bind-host", "127.0.0.1",
        "--master-bind-port", port, "--tp-rate", "40", "--tp-duration", "6s",
        "--json-file", str(base / "master" / "stats"),
        "--tp-raw-samples", str(base / "raw" / "samples"),
    )  # fmt: skip
    master = start(master_args, base / "master")
    workers = [
        start(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(LOCUSTFILE),
                "--worker",
                "--master-host",
                "127.0.0.1",
                "--master-port",
                port,
                "--tp-credentials",
                str(load_target.credentials_file),
            ],
            base / f"worker{i}",
        )
        for i in range(2)
    ]
    run = finish(master, base / "master")
    for i, worker in enumerate(workers):
        finish(worker, base / f"worker{i}")
    return {"run": run, "base": base, "worker_pids": [worker.pid for worker in workers]}


def raw_samples(folder: Path) -> list[float]:
    samples = []
    for path in folder.glob("samples.*.csv"):
        samples += [float(line.rsplit(",", 1)[1]) for line in path.read_text().splitlines()]
    return samples


def test_merged_totals_add_up(swarm: dict[str, Any]) -> None:
    run = swarm["run"]
    assert run.returncode == 0, run.output
    results = run.results
    locust_stats = json.loads((swarm["base"] / "master" / "stats.json").read_text())
    locust_total = sum(entry["num_requests"] for entry in locust_stats)
    samples = raw_samples(swarm["base"] / "raw")
    assert results["requests"] == locust_total == len(samples) > 150
    assert sum(s["requests"] for s in results["scenarios"].values()) == results["requests"]
    # Both workers sent load, and each reported its CPU.
    assert len([p for p in results["cpu"]["processes"] if p.startswith("worker")]) == 2


def test_merged_percentiles_equal_those_of_all_raw_samples(swarm: dict[str, Any]) -> None:
    samples = raw_samples(swarm["base"] / "raw")
    histogram = new_histogram()
    for sample in samples:
        histogram.record_value(to_microseconds(sample))
    assert swarm["run"].results["latency_ms"] == latency_ms(histogram)
    # ...and those are the raw samples' own percentiles, within HDR's 0.1 % (plus rounding).
    ordered = sorted(samples)
    assert (
        abs(swarm["run"].results["latency_ms"]["max"] - ordered[-1]) <= 0.001 * ordered[-1] + 0.01
    )


def test_the_workers_logged_in_with_disjoint_accounts(swarm: dict[str, Any]) -> None:
    used = []
    for pid in swarm["worker_pids"]:
        rows = (line.split(",") for line in (swarm["base"] / "raw" / f"samples.{pid}.csv").open())
        used.append({row[1] for row in rows if row[1]})
    assert used[0]
    assert used[1]
    assert not used[0] & used[1]


def test_a_swarm_without_credentials_runs_the_scenarios_that_need_none(
    load_target: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Plain Locust, master and worker, no credentials anywhere: the master switches the
    valid-login scenarios off and its workers follow; a worker does not refuse at its own init,
    before the master's weights have reached it."""
    base = tmp_path_factory.mktemp("bare-swarm")
    port = str(free_port())
    locust = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE)]
    master = start(
        [
            *locust, "--headless", "--host", load_target.base_url, "--master",
            "--expect-workers", "1", "--expect-workers-max-wait", "30",
            "--master-bind-host", "127.0.0.1", "--master-bind-port", port,
            "--tp-rate", "5", "--tp-duration", "2s", "--tp-slo", "",
            "--tp-results", str(base / "master" / "results.json"),
        ],
        base / "master",
    )  # fmt: skip
    worker = start(
        [*locust, "--worker", "--master-host", "127.0.0.1", "--master-port", port],
        base / "worker",
    )
    run = finish(master, base / "master")
    worker_run = finish(worker, base / "worker")
    assert worker_run.returncode == 0, worker_run.output
    assert run.returncode == 0, run.output
    assert set(run.results["scenarios"]) == {"unknown_user", "malformed_body"}
    assert run.results["requests"] > 0
