"""Helpers for the load suite's tests: real Locust runs (subprocesses) against real targets.

Every run is short (a few seconds), bounded by a timeout, and aimed at a loopback target.
Independent runs are started together and awaited together to keep the suite fast.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tokenprobe.load.runner import LOCUSTFILE
from tokenprobe.reference.embedded import EmbeddedTarget

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 90
NO_LOCKOUT = ("--lockout-after", "0")
ONLY_VALID_LOGINS = "valid_login=1"


@dataclasses.dataclass
class LocustRun:
    returncode: int
    output: str
    workdir: Path

    @property
    def results(self) -> dict[str, Any]:
        return json.loads((self.workdir / "results.json").read_text())

    def failure_messages(self) -> list[str]:
        path = self.workdir / "locust_failures.csv"
        return path.read_text().splitlines()[1:] if path.exists() else []


def locust_args(target: EmbeddedTarget, workdir: Path, *extra: str) -> list[str]:
    """A headless run of the suite's locustfile against ``target``, results into ``workdir``."""
    return [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "--host", target.base_url, "--tp-credentials", str(target.credentials_file),
        "--tp-results", str(workdir / "results.json"), "--csv", str(workdir / "locust"),
        "--tp-slo", "", *extra,
    ]  # fmt: skip


def start(args: Sequence[str], workdir: Path, cwd: Path | None = None) -> subprocess.Popen[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    log = (workdir / "output.log").open("w")
    return subprocess.Popen(
        list(args), cwd=cwd or workdir, stdout=log, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip


def finish(process: subprocess.Popen[str], workdir: Path) -> LocustRun:
    try:
        code = process.wait(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    return LocustRun(code, (workdir / "output.log").read_text(), workdir)


def run_together(runs: dict[str, tuple[Sequence[str], Path]]) -> dict[str, LocustRun]:
    """Start every run, then wait for all of them."""
    started = {key: (start(args, workdir), workdir) for key, (args, workdir) in runs.items()}
    return {key: finish(process, workdir) for key, (process, workdir) in started.items()}


@pytest.fixture(scope="session")
def load_target(target_factory: Any) -> EmbeddedTarget:
    """The clean target with the lockout off and accounts enough for every user to own some."""
    return target_factory(users=60, extra_args=NO_LOCKOUT)
