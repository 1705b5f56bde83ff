"""Fixtures: token services we did not build, started once per session, and gate runs on them.

A gate run is the CLI as CI runs it (``tokenprobe gate --url …``, a subprocess), small enough
for the suite: no load stage, 5 fuzzing cases per operation (``[conformance] max-examples``).
Each (service, accounts) pair is run once and shared by every test that reads it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import pytest

from tests.servers.process import ServiceProcess, django_service, python_service
from tokenprobe.core.credentials import write_csv

Accounts = Literal["one", "pool"]
SERVICE_USERS = 5  # one account, three more in a credentials file, a canary
CONCURRENT_GATES = 2
GATE_TIMEOUT_S = 240
MAX_EXAMPLES = 5
MODULES = {
    "fastapi": "tests.servers.fastapi_service",
    "flask": "tests.servers.flask_service",
}
# Unmodified packages from PyPI: each kind is a Django project of ours (settings and urls only).
# dj-rest-auth skips the hash for an unknown email: at 100,000 PBKDF2 iterations (about 25 ms a
# login) that gap stands out of a loaded machine's noise, where 20,000 (5 ms) did not always.
DJANGO_ENV = {"dj-rest-auth": {"TOKEN_SERVICE_PBKDF2_ITERATIONS": "100000"}}
DJANGO_PROJECTS = {
    "stock": "tests.servers.stock_django.settings",
    "dj-rest-auth": "tests.servers.stock_dj_rest_auth.settings",
    "djoser": "tests.servers.stock_djoser.settings",
    "ninja-jwt": "tests.servers.stock_ninja_jwt.settings",
}


@dataclasses.dataclass(frozen=True)
class GateRun:
    returncode: int
    stdout: str
    stderr: str
    run_dir: Path

    @property
    def summary(self) -> dict:
        return json.loads((self.run_dir / "summary.json").read_text())

    def ids(self, severity: str | None = None) -> set[str]:
        return {
            f["id"]
            for f in self.summary["findings"]
            if severity is None or f["severity"] == severity
        }


ServiceFactory = Callable[..., ServiceProcess]


@pytest.fixture(scope="session")
def service_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceFactory]:
    """``service_factory("fastapi", defect="alg-none")``: a running service, one per variant
    for the session, all stopped at the end."""
    started: dict[tuple[str, str], ServiceProcess] = {}

    def get(kind: str, defect: str = "") -> ServiceProcess:
        key = (kind, defect)
        if key not in started:
            workdir = tmp_path_factory.mktemp(f"{kind}-{defect or 'clean'}")
            if kind in DJANGO_PROJECTS:
                service = django_service(
                    DJANGO_PROJECTS[kind], workdir, kind, SERVICE_USERS, **DJANGO_ENV.get(kind, {})
                )
            else:
                # argon2id at 1 MiB: a test suite's price, not a production setting.
                env = {"ARGON2_MEMORY_KIB": "1024", "TOKEN_SERVICE_DEFECT": defect}
                service = python_service(MODULES[kind], workdir, kind, SERVICE_USERS, **env)
            started[key] = service.start()
        return started[key]

    yield get
    for service in started.values():
        service.request_stop()  # all at once: their graceful shutdowns overlap
    for service in started.values():
        service.stop()


class GateRunner:
    """``gate_on("fastapi", "one", defect="alg-none")``: one gate run per arguments, cached.

    ``one``: only ``TOKENPROBE_USERNAME``/``_PASSWORD`` (the usual case on staging).
    ``pool``: that account *and* a credentials file of others (the gate takes the union), the
    last account as the brute-force canary, and the signing key: a complete run.
    """

    def __init__(self, services: ServiceFactory, tmp: pytest.TempPathFactory) -> None:
        self._services = services
        self._tmp = tmp
        self._runs: dict[tuple[object, ...], GateRun] = {}

    def __call__(self, kind: str, accounts: Accounts, *args: str, defect: str = "") -> GateRun:
        key = (kind, accounts, args, defect)
        if key not in self._runs:
            self._runs[key] = self._run(key)
        return self._runs[key]

    def prefetch(self, calls: Iterable[tuple[str, Accounts, tuple[str, ...], str]]) -> None:
        """Run these gates two at a time (services started first, one by one): each gate
        spends much of its time in subprocesses that wait on each other."""
        todo = [key for key in dict.fromkeys(calls) if key not in self._runs]
        for kind, _, _, defect in todo:
            self._services(kind, defect)
        with ThreadPoolExecutor(CONCURRENT_GATES) as pool:
            for key, run in zip(todo, pool.map(self._run, todo), strict=True):
                self._runs[key] = run

    def _run(self, key: tuple[object, ...]) -> GateRun:
        kind, accounts, args, defect = key
        service = self._services(kind, defect)
        workdir = self._tmp.mktemp(f"gate-{kind}-{accounts}-{defect or 'clean'}")
        return _run_gate(service, accounts, workdir, args)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def gate_on(
    service_factory: ServiceFactory, tmp_path_factory: pytest.TempPathFactory
) -> GateRunner:
    return GateRunner(service_factory, tmp_path_factory)


def _run_gate(
    service: ServiceProcess, accounts: Accounts, workdir: Path, args: tuple[str, ...]
) -> GateRun:
    config = [f"[conformance]\nmax-examples = {MAX_EXAMPLES}\n"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    env["CI"] = "true"
    first, *others = service.credentials
    env["TOKENPROBE_USERNAME"], env["TOKENPROBE_PASSWORD"] = first.username, first.password
    if first.email:
        env["TOKENPROBE_EMAIL"] = first.email
    if accounts == "pool":
        *pool, canary = others
        env["TOKENPROBE_CREDENTIALS"] = str(write_csv(workdir / "pool.csv", pool))
        env["TOKENPROBE_CANARY_USERNAME"] = canary.username
        env["TOKENPROBE_CANARY_PASSWORD"] = canary.password
        config.append(f'[security]\nverify-key-file = "{service.key_file}"\n')
    (workdir / "tokenprobe.toml").write_text("".join(config))
    result = subprocess.run(
        [sys.executable, "-m", "tokenprobe", "gate", "--url", service.base_url,
         "--skip", "load", "--report-dir", "run", *args],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=GATE_TIMEOUT_S,
    )  # fmt: skip
    return GateRun(result.returncode, result.stdout, result.stderr, workdir / "run")
