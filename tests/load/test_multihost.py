"""Three hosts on one machine: the target, the master and two workers each in a network namespace.

Every process has its own address on a private bridge (10.77.0.0/24) that exists only inside
namespaces this test creates: nothing is added to the host's own namespace, there is no route
out, and the namespaces are deleted afterwards. Skipped, with the reason, where namespaces
cannot be created (not root, no ``ip``, a container without CAP_SYS_ADMIN).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.load.conftest import finish, locust_args, start
from tokenprobe.load.latency import latency_ms, new_histogram, to_microseconds
from tokenprobe.load.runner import LOCUSTFILE

SUBNET = "10.77.0.{}/24"
ADDRESSES = {"hub": "10.77.0.1", "master": "10.77.0.2", "w1": "10.77.0.3", "w2": "10.77.0.4"}
TARGET_PORT = 8000
MASTER_PORT = 5557
START_TIMEOUT_S = 30


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=10)


def why_namespaces_are_unavailable() -> str | None:
    if shutil.which("ip") is None:
        return "iproute2's ip is not installed"
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"tp{os.getpid()}-probe"
    try:
        ip("netns", "add", probe)
    except subprocess.CalledProcessError as exc:
        return f"cannot create a network namespace: {exc.stderr.strip()}"
    ip("netns", "del", probe)
    return None


@pytest.fixture(scope="module")
def hosts() -> Iterator[dict[str, str]]:
    """Namespace per role; the hub holds the bridge (and the target), the others one veth each."""
    reason = why_namespaces_are_unavailable()
    if reason:
        pytest.skip(reason)
    names = {role: f"tp{os.getpid()}-{role}" for role in ADDRESSES}
    hub = names["hub"]
    try:
        for name in names.values():
            ip("netns", "add", name)
            ip("-n", name, "link", "set", "lo", "up")
        ip("-n", hub, "link", "add", "br0", "type", "bridge")
        ip("-n", hub, "addr", "add", SUBNET.format(1), "dev", "br0")
        ip("-n", hub, "link", "set", "br0", "up")
        for role in ("master", "w1", "w2"):
            # Both ends are created inside our namespaces: the host's own stack is untouched.
            ip("-n", hub, "link", "add", f"v-{role}", "type", "veth",
               "peer", "name", "eth0", "netns", names[role])  # fmt: skip
            ip("-n", hub, "link", "set", f"v-{role}", "master", "br0", "up")
            address = SUBNET.format(ADDRESSES[role].rsplit(".", 1)[1])
            ip("-n", names[role], "addr", "add", address, "dev", "eth0")
            ip("-n", names[role], "link", "set", "eth0", "up")
        yield names
    finally:
        for name in names.values():
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)


def in_namespace(name: str, args: list[str]) -> list[str]:
    return ["ip", "netns", "exec", name, *args]


def start_target(namespace: str, credentials: Path) -> subprocess.Popen[str]:
    """The reference target on the hub's address; returns once it listens and has its accounts."""
    args = [
        sys.executable, "-m", "tokenprobe", "serve", "--host", ADDRESSES["hub"],
        "--port", str(TARGET_PORT), "--users", "40", "--workers", "1", "--lockout-after", "0",
        "--credentials-out", str(credentials),
    ]  # fmt: skip
    process = subprocess.Popen(
        in_namespace(namespace, args), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        start_new_session=True,  # its own group: gunicorn's workers are stopped with it
    )  # fmt: skip
    assert process.stdout is not None
    # A target that hangs without printing is killed, which ends the readline below.
    watchdog = threading.Timer(START_TIMEOUT_S, process.kill)
    watchdog.start()
    try:
        # "Credentials: …" comes after the socket listens: requests queue until workers run.
        for line in process.stdout:
            if line.startswith("Credentials:"):
                break
    finally:
        watchdog.cancel()
    if process.poll() is not None or not credentials.exists():
        process.kill()
        pytest.fail("the reference target did not start in its namespace")
    return process


def stop_target(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def received_bytes(namespace: str, interface: str) -> int:
    out = subprocess.run(
        ["ip", "-n", namespace, "-j", "-s", "link", "show", interface],
        check=True, capture_output=True, text=True, timeout=10,
    ).stdout  # fmt: skip
    return int(json.loads(out)[0]["stats64"]["rx"]["bytes"])


@pytest.fixture(scope="module")
def swarm(hosts: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("multihost")
    credentials = base / "credentials.csv"
    target = start_target(hosts["hub"], credentials)
    site = SimpleNamespace(
        base_url=f"http://{ADDRESSES['hub']}:{TARGET_PORT}", credentials_file=credentials
    )
    processes: list[subprocess.Popen[str]] = []
    try:
        master_args = locust_args(
            site, base / "master",  # type: ignore[arg-type]
            "--master", "--expect-workers", "2", "--master-bind-host", ADDRESSES["master"],
            "--master-bind-port", str(MASTER_PORT), "--tp-allow-hosts", ADDRESSES["hub"],
            "--tp-rate", "40", "--tp-duration", "6s", "--json-file", str(base / "master" / "stats"),
            "--tp-raw-samples", str(base / "raw" / "samples"),
        )  # fmt: skip
        master = start(in_namespace(hosts["master"], master_args), base / "master")
        processes.append(master)
        workers = {}
        for role in ("w1", "w2"):
            args = [
                sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker",
                "--master-host", ADDRESSES["master"], "--master-port", str(MASTER_PORT),
                "--tp-credentials", str(credentials),
            ]  # fmt: skip
            workers[role] = start(in_namespace(hosts[role], args), base / role)
            processes.append(workers[role])
        run = finish(master, base / "master")
        for role, worker in workers.items():
            finish(worker, base / role)
        traffic = {role: received_bytes(hosts["hub"], f"v-{role}") for role in workers}
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        stop_target(target)
    return {
        "run": run,
        "base": base,
        "pids": {role: worker.pid for role, worker in workers.items()},
        "traffic": traffic,
    }


def samples_of(raw: Path, pattern: str = "samples.*.csv") -> list[tuple[str, float]]:
    """(username or "", latency ms) of every raw sample in the matching files."""
    rows = []
    for path in raw.glob(pattern):
        for line in path.read_text().splitlines():
            _name, account, ms = line.split(",")
            rows.append((account, float(ms)))
    return rows


def test_each_worker_sent_its_load_from_its_own_host(swarm: dict[str, Any]) -> None:
    assert swarm["run"].returncode == 0, swarm["run"].output
    # Logins (and Locust's traffic) entered the hub through each worker's own link.
    assert swarm["traffic"]["w1"] > 20_000
    assert swarm["traffic"]["w2"] > 20_000


def test_workers_on_separate_hosts_used_disjoint_accounts(swarm: dict[str, Any]) -> None:
    raw = swarm["base"] / "raw"
    used = [
        {account for account, _ in samples_of(raw, f"samples.{pid}.csv") if account}
        for pid in swarm["pids"].values()
    ]
    assert used[0]
    assert used[1]
    assert not used[0] & used[1]


def test_totals_add_up_and_percentiles_match_the_raw_samples(swarm: dict[str, Any]) -> None:
    results = swarm["run"].results
    locust_stats = json.loads((swarm["base"] / "master" / "stats.json").read_text())
    samples = [ms for _, ms in samples_of(swarm["base"] / "raw")]
    assert results["requests"] == sum(e["num_requests"] for e in locust_stats) == len(samples)
    assert len(samples) > 150
    histogram = new_histogram()
    for sample in samples:
        histogram.record_value(to_microseconds(sample))
    assert results["latency_ms"] == latency_ms(histogram)
