"""The master and worker command lines of deploy/ really run a distributed test under Locust.

No containers here, so the commands are taken from docker-compose.yml and the Kubernetes
Deployments and run as local processes on loopback, with only what a container would get
differently replaced: the locustfile (the suite's is on another branch; a tiny one stands in),
the master's address (127.0.0.1 instead of the service name), a free port instead of 5557, and
the credentials path. Everything else, including the environment, is the files' own.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import COMPOSE_FILE
from tests.deploy.test_compose import environment, interpolate
from tokenprobe.reference.embedded import EmbeddedTarget

LOCUSTFILE = Path(__file__).with_name("otel_locustfile.py")
WORKERS = 2
RUN_ENV = {  # what an operator would export for a short headless run
    "LOCUST_HEADLESS": "true",
    "LOCUST_USERS": "4",
    "LOCUST_SPAWN_RATE": "4",
    "LOCUST_RUN_TIME": "2s",
    "TOKENPROBE_WORKERS": str(WORKERS),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def localise(args: list[str], port: int) -> list[str]:
    """Container-specific values → local ones (see the module docstring)."""
    out = []
    for arg in args:
        if arg == "loadtests/locustfile.py":
            arg = str(LOCUSTFILE)
        elif arg.startswith("--master-host="):
            arg = "--master-host=127.0.0.1"
        elif arg in ("--master-bind-port=5557", "--master-port=5557"):
            arg = arg.replace("5557", str(port))
        out.append(arg)
    return out


def compose_commands(target: EmbeddedTarget) -> tuple[list[str], list[str], dict[str, str]]:
    """Commands and environment as compose would resolve them from this shell environment."""
    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    shell = {
        "TOKENPROBE_TARGET_URL": target.base_url,
        "TOKENPROBE_CREDENTIALS_FILE": "-",
        **RUN_ENV,
    }
    services = interpolate(compose, shell)["services"]
    declared = environment(services["master"])
    assert environment(services["worker"]) == declared  # one shared anchor
    # A name without a value is passed through from the shell when set there, else left unset.
    settings = {
        name: value if value is not None else shell[name]
        for name, value in declared.items()
        if value is not None or name in shell
    }
    return services["master"]["command"], services["worker"]["command"], settings


def kubernetes_commands(
    deployments: dict[str, Any], target: EmbeddedTarget
) -> tuple[list[str], list[str], dict[str, str]]:
    (master,) = deployments["tokenprobe-master"]["spec"]["template"]["spec"]["containers"]
    (worker,) = deployments["tokenprobe-worker"]["spec"]["template"]["spec"]["containers"]
    settings = {"LOCUST_HOST": target.base_url}  # what $(TOKENPROBE_TARGET_URL) expands to
    settings |= {k: v for k, v in RUN_ENV.items() if k.startswith("LOCUST_")}
    return master["args"], worker["args"], settings


def run_distributed(
    master_args: list[str],
    worker_args: list[str],
    settings: dict[str, str],
    target: EmbeddedTarget,
    cwd: Path,
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Start the master and WORKERS workers; wait for the master (bounded by its run time)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOCUST_", "OTEL_"))}
    env |= settings | {"TOKENPROBE_CREDENTIALS": str(target.credentials_file)}
    locust = [sys.executable, "-m", "locust"]
    master = subprocess.Popen(
        [*locust, *localise(master_args, port), "--json"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    workers = [
        subprocess.Popen(
            [*locust, *localise(worker_args, port)],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    try:
        stdout, stderr = master.communicate(timeout=90)
        worker_logs = [w.communicate(timeout=30)[1] for w in workers]
    finally:
        for process in (master, *workers):
            if process.poll() is None:
                process.kill()
                process.wait()
    return subprocess.CompletedProcess(master.args, master.returncode, stdout, stderr), worker_logs


@pytest.mark.parametrize("source", ["compose", "kubernetes"])
def test_master_and_workers_run_a_test(
    source: str,
    clean_target: EmbeddedTarget,
    deployments: dict[str, Any],
    tmp_path: Path,
) -> None:
    """The master waits for both workers, which log in for real; the master exits 0."""
    if source == "compose":
        master_args, worker_args, settings = compose_commands(clean_target)
    else:
        master_args, worker_args, settings = kubernetes_commands(deployments, clean_target)
    result, worker_logs = run_distributed(
        master_args, worker_args, settings, clean_target, tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"reported as ready. {WORKERS} workers connected." in result.stderr
    stats = json.loads(result.stdout)
    logins = [entry for entry in stats if entry["name"].startswith("token: valid login")]
    assert sum(entry["num_requests"] for entry in logins) > 0
    assert sum(entry["num_failures"] for entry in logins) == 0
    for log in worker_logs:
        assert "Traceback" not in log
