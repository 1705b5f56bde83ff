"""Start the reference target as a child process, wait until it answers, stop it cleanly.

Used by every command run without ``--url`` and by the test suite. Readiness is polled over
HTTP, never slept for.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

import requests

from tokenprobe.core.credentials import Credential, load_csv, read_verify_key
from tokenprobe.core.errors import TargetStartError

URL_LINE = re.compile(r"Listening on (?P<url>https?://\S+)")
STOP_TIMEOUT_S = 10.0
STARTUP_TIMEOUT_S = 60.0


class EmbeddedTarget:
    """``with EmbeddedTarget(faults=["status-401"]) as target: target.url, target.credentials``."""

    def __init__(
        self,
        faults: Iterable[str] = (),
        users: int = 20,
        hasher: str = "fast",
        workers: int | None = None,
        extra_args: Sequence[str] = (),
        startup_timeout_s: float = STARTUP_TIMEOUT_S,
    ) -> None:
        self.faults = list(faults)
        self.users = users
        self.hasher = hasher
        self.workers = workers
        self.extra_args = list(extra_args)
        self.startup_timeout_s = startup_timeout_s
        self._workdir = tempfile.TemporaryDirectory(prefix="tokenprobe-embedded-")
        self.credentials_file = Path(self._workdir.name) / "credentials.csv"
        self.signing_key_file = Path(self._workdir.name) / "signing.key"
        self._stderr_path = Path(self._workdir.name) / "target.log"
        self._process: subprocess.Popen[str] | None = None
        self.url = ""  # the token endpoint's full URL
        self.base_url = ""  # scheme://host:port
        self.credentials: list[Credential] = []
        # The key its tokens are signed with: tokenprobe started this target, so it knows it,
        # and the signature check (TP-SEC-010) need not be left "not evaluated".
        self.signing_key: bytes | None = None

    @property
    def log_file(self) -> Path:
        """What the target wrote on stderr (its log)."""
        return self._stderr_path

    @property
    def inactive_credentials_file(self) -> Path:
        return self.credentials_file.with_name("credentials.inactive.csv")

    def command(self) -> list[str]:
        args = [sys.executable, "-m", "tokenprobe", "serve", "--port", "0"]
        args += ["--users", str(self.users), "--hasher", self.hasher]
        args += ["--credentials-out", str(self.credentials_file)]
        args += ["--signing-key-out", str(self.signing_key_file)]
        if self.workers:
            args += ["--workers", str(self.workers)]
        for fault in self.faults:
            args += ["--fault", fault]
        return args + self.extra_args

    def start(self) -> EmbeddedTarget:
        with self._stderr_path.open("w") as stderr:
            self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                self.command(),
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                start_new_session=True,  # its own process group: stop takes the workers too
            )
        deadline = time.monotonic() + self.startup_timeout_s
        try:
            self.url = self._read_url(deadline)
            self.base_url = self.url.removesuffix("/api/v1/token/")
            self._wait_until_answering(deadline)
            self.credentials = load_csv(self.credentials_file)
            self.signing_key = read_verify_key(self.signing_key_file)
        except BaseException:
            self.stop()
            raise
        return self

    def _read_url(self, deadline: float) -> str:
        assert self._process is not None
        assert self._process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            while (remaining := deadline - time.monotonic()) > 0:
                if not selector.select(timeout=remaining):
                    break
                line = self._process.stdout.readline()
                if not line:  # EOF: the process died
                    raise TargetStartError(f"reference target exited: {self._last_log_line()}")
                if match := URL_LINE.search(line):
                    return match.group("url")
        raise TargetStartError(
            f"reference target did not start within {self.startup_timeout_s:g} s"
        )

    def _wait_until_answering(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise TargetStartError(f"reference target exited: {self._last_log_line()}")
            try:
                requests.options(self.url, timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.05)  # poll interval, not a readiness guess
        raise TargetStartError(
            f"reference target did not answer within {self.startup_timeout_s:g} s"
        )

    def _last_log_line(self) -> str:
        lines = self._stderr_path.read_text(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def request_stop(self) -> None:
        """Ask the target to shut down without waiting (stop many targets at once).

        SIGINT is gunicorn's quick shutdown: its workers exit at once, where SIGTERM's graceful
        one waits a second and more for connections. Whoever stops an embedded target is done
        sending to it; the server still unwinds and removes its files."""
        if self._process is not None and self._process.poll() is None:
            _signal_group(self._process, signal.SIGINT)

    def stop(self) -> None:
        """Shut down; kill the process group if it does not stop in time."""
        self.request_stop()
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def close(self) -> None:
        self.stop()
        self._workdir.cleanup()

    def __enter__(self) -> EmbeddedTarget:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _signal_group(process: subprocess.Popen[str], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
