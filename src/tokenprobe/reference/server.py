"""Serving: build the Django app, seed it, and run it under gunicorn on a loopback socket."""

from __future__ import annotations

import dataclasses
import gc
import os
import secrets
import shutil
import socket
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connections
from gunicorn.app.base import BaseApplication

from tokenprobe.core.credentials import Credential, write_csv
from tokenprobe.core.errors import TargetStartError
from tokenprobe.core.session import TOKEN_PATH
from tokenprobe.reference import seed
from tokenprobe.reference.config import DEFAULT_CREDENTIALS_OUT, Hasher, ReferenceConfig
from tokenprobe.reference.settings import build_settings


@dataclasses.dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 0
    users: int = 100
    credentials_out: Path = DEFAULT_CREDENTIALS_OUT
    hasher: Hasher = "fast"
    faults: Mapping[str, float | None] = dataclasses.field(default_factory=dict)
    workers: int = dataclasses.field(default_factory=lambda: os.cpu_count() or 2)
    threads: int = 8
    lockout_after: int = 20
    # Where to write the key tokens are signed with (mode 0600), for the security probes'
    # signature check; None: nowhere. The embedded target always asks for it.
    signing_key_out: Path | None = None


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn's documented custom-application hook, with a pre-bound socket."""

    def __init__(self, wsgi_app: Callable[..., Any], options: Mapping[str, Any]) -> None:
        self._wsgi_app = wsgi_app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[..., Any]:
        return self._wsgi_app


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind before anything else so ``--port 0`` yields a port no one can take in between."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise TargetStartError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def configure_django(config: ReferenceConfig) -> Callable[..., Any]:
    settings.configure(**build_settings(config))
    django.setup()
    return get_wsgi_application()


def prepare(options: ServeOptions, workdir: Path) -> tuple[Callable[..., Any], list[Credential]]:
    """Configure Django, create the schema and seed the accounts."""
    passwords: dict[str, str] = {}
    config = ReferenceConfig(
        database=workdir / "target.sqlite3",
        secret_key=secrets.token_urlsafe(50),  # a random HS256 key per start
        faults=dict(options.faults),
        hasher=options.hasher,
        lockout_after=options.lockout_after,
        plaintext_passwords=passwords,
    )
    app = configure_django(config)
    if options.signing_key_out is not None:
        # The key SimpleJWT really signs with: with the weak-secret fault that is "secret", so
        # that fault is one finding (the weak key), not a second one (tokens not verifying).
        write_private(options.signing_key_out, settings.SIMPLE_JWT["SIGNING_KEY"])
    seed.create_schema()
    active, inactive = seed.seed_users(options.users)
    passwords.update({c.username: c.password for c in [*active, inactive]})
    write_csv(options.credentials_out, active)
    write_csv(inactive_credentials_path(options.credentials_out), [inactive])
    return app, active


def write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by the owner only (mode 0600), creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to an existing file
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def faults_line(faults: Mapping[str, float | None]) -> str:
    """The active faults, as ``serve`` announces them: ``faults: status-401, slow=200``."""
    active = [name if value is None else f"{name}={value:g}" for name, value in faults.items()]
    return f"faults: {', '.join(active) or 'none'}"


def inactive_credentials_path(credentials_out: Path) -> Path:
    return credentials_out.with_name(credentials_out.stem + ".inactive.csv")


def run_serve(options: ServeOptions, announce: Callable[[str], None]) -> None:
    """Serve until SIGTERM/SIGINT. ``announce`` receives one line per event, the URL first."""
    sock = bind_socket(options.host, options.port)
    workdir = Path(tempfile.mkdtemp(prefix="tokenprobe-target-"))
    owner = os.getpid()
    try:
        app, active = prepare(options, workdir)
        connections.close_all()  # never share a SQLite connection across the fork
        # Everything built so far lives as long as the server: out of the collector's sight it
        # stays shared with the forked workers (Python's gc.freeze advice for pre-fork servers),
        # and the last collection at exit no longer walks it (stopping: 0.5 → 0.1 s of CPU).
        gc.freeze()
        announce(f"Listening on {url_of(sock)}{TOKEN_PATH}")
        announce(f"Credentials: {len(active)} accounts in {options.credentials_out}")
        # Which deviations are on: a target that answers 401 by design is otherwise a puzzle.
        announce(faults_line(options.faults))
        fd = sock.detach()  # gunicorn owns the descriptor from here and closes it on exit
        _Gunicorn(app, _gunicorn_options(options, fd)).run()
    finally:
        # gunicorn's workers are forks of this process and unwind through here too.
        if os.getpid() == owner:
            shutil.rmtree(workdir, ignore_errors=True)
            sock.close()  # no-op once detached


def _gunicorn_options(options: ServeOptions, fd: int) -> dict[str, Any]:
    return {
        "bind": [f"fd://{fd}"],
        "workers": options.workers,
        "worker_class": "gthread",
        "threads": options.threads,
        "accesslog": None,  # a query string may carry a password (accepts-get-query)
        "errorlog": "-",
        "loglevel": "warning",
        # Longer than any client's idle gap (gunicorn's default is 2 s): a keep-alive
        # connection closed just as a client reuses it shows up as a spurious failure.
        "keepalive": 75,
        "graceful_timeout": 5,
        "timeout": 120,
        "proc_name": "tokenprobe-target",
    }
