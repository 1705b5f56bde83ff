"""Run a token service as a real process on a free loopback port; stop it and its children.

The service prints its URL (``Listening on http://…`` or gunicorn's ``Listening at: http://…``)
into its log; readiness is polled (the log, then an HTTP answer), never slept for.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import requests

from tokenprobe.core.credentials import Credential, write_csv

REPO_ROOT = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"Listening (?:on|at:) (?P<url>http://127\.0\.0\.1:\d+)")
TOKEN_PATH = "/api/v1/token/"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
POLL_S = 0.05  # poll interval, not a readiness guess


def make_accounts(prefix: str, count: int) -> list[Credential]:
    """Accounts of the service's own, with strong random passwords."""
    return [
        Credential(f"{prefix}.user{index:02d}", secrets.token_urlsafe(18)) for index in range(count)
    ]


@dataclasses.dataclass
class ServiceProcess:
    """``ServiceProcess(command, env, workdir).start()`` … ``.stop()``."""

    command: Sequence[str]
    env: Mapping[str, str]
    workdir: Path
    credentials: list[Credential]
    secret: str
    base_url: str = ""
    _process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.workdir / "service.log"

    @property
    def credentials_file(self) -> Path:
        return self.workdir / "credentials.csv"

    @property
    def key_file(self) -> Path:
        return self.workdir / "signing.key"

    def start(self) -> ServiceProcess:
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                self.command,
                cwd=REPO_ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: stop takes its workers too
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        try:
            self.base_url = self._wait_for_url(deadline)
            self._wait_until_answering(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_url(self, deadline: float) -> str:
        while time.monotonic() < deadline:
            self._check_alive()
            if match := URL_LINE.search(self.log.read_text(errors="replace")):
                return match.group("url")
            time.sleep(POLL_S)
        raise RuntimeError(f"{self.command[2]} printed no URL: {self._tail()}")

    def _wait_until_answering(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                requests.options(self.base_url + TOKEN_PATH, timeout=2)
                return
            except requests.RequestException:
                time.sleep(POLL_S)
        raise RuntimeError(f"{self.command[2]} did not answer: {self._tail()}")

    def _check_alive(self) -> None:
        if self._process is not None and self._process.poll() is not None:
            raise RuntimeError(f"{self.command[2]} exited: {self._tail()}")

    def _tail(self) -> str:
        lines = self.log.read_text(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def request_stop(self) -> None:
        """Ask for a graceful shutdown without waiting: many services stop at once."""
        if self._process is not None and self._process.poll() is None:
            _signal_group(self._process, signal.SIGTERM)

    def stop(self) -> None:
        self.request_stop()
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def python_service(
    module: str, workdir: Path, prefix: str, users: int, **env: str
) -> ServiceProcess:
    """A service module of this package, with its own accounts and signing secret."""
    workdir.mkdir(parents=True, exist_ok=True)
    credentials = make_accounts(prefix, users)
    secret = secrets.token_urlsafe(32)
    service = ServiceProcess([sys.executable, "-m", module], {}, workdir, credentials, secret)
    write_csv(service.credentials_file, credentials)
    service.key_file.write_text(secret, encoding="utf-8")
    service.env = {
        "TOKEN_SERVICE_USERS": str(service.credentials_file),
        "TOKEN_SERVICE_SECRET": secret,
        **env,
    }
    return service


CREATE_USERS = (
    "import csv, os\n"
    "from django.contrib.auth.models import User\n"
    "with open(os.environ['TOKEN_SERVICE_USERS'], newline='') as f:\n"
    "    for row in csv.DictReader(f):\n"
    "        User.objects.create_user(row['username'], row['email'], row['password'])\n"
)


def django_service(
    settings: str, workdir: Path, prefix: str, users: int, **env: str
) -> ServiceProcess:
    """Unmodified Django packages from PyPI under the project ``settings`` (a module path):
    Django's own ``migrate`` and ``shell`` create the database and the accounts; gunicorn
    serves Django's stock WSGI application. ``TOKEN_SERVICE_HASHER`` in this process's
    environment reaches the service (tests.servers.django_base.settings)."""
    service = python_service("gunicorn", workdir, prefix, users, **env)
    # Django accounts have an email (dj-rest-auth logs in by it): the users CSV and the
    # gate's credentials carry it.
    service.credentials = [
        dataclasses.replace(c, email=f"{c.username}@example.test") for c in service.credentials
    ]
    write_csv(service.credentials_file, service.credentials)
    service.env = {
        **service.env,
        "DJANGO_SETTINGS_MODULE": settings,
        "TOKEN_SERVICE_DATABASE": str(workdir / "db.sqlite3"),
    }
    env = {**os.environ, **service.env}
    for args in (["migrate", "--noinput"], ["shell", "-c", CREATE_USERS]):
        subprocess.run(
            [sys.executable, "-m", "django", *args],
            cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    service.command = [
        sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0",
        "--workers", "1", "--threads", "4", "--worker-class", "gthread",
        "--log-level", "info", "django.core.wsgi:get_wsgi_application()",
    ]  # fmt: skip
    return service
