"""Helpers for the conformance self-tests."""

from __future__ import annotations

import dataclasses
import re
import socket
from pathlib import Path

from tokenprobe.core.summary import Summary, verdict

REPO_ROOT = Path(__file__).resolve().parents[2]
# Fuzzing cases per run: the boundary cases and the deterministic logins of the examples phase
# reach every check; fuzzing only has to show it runs alongside.
SMALL_N = 5
FULL_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


@dataclasses.dataclass(frozen=True)
class SuiteRun:
    summary: Summary
    report_dir: Path

    @property
    def failing_ids(self) -> set[str]:
        return {f.id for f in self.summary.findings if str(f.severity) == "error"}

    def outcomes(self, check_id: str) -> set[str]:
        return {c.outcome for c in verdict(self.summary).checks if c.id == check_id}


def secrets_in(report_dir: Path, passwords: list[str]) -> list[str]:
    """What the report files leak: a password or a whole token, by file name."""
    leaks = []
    for path in sorted(report_dir.iterdir()):
        text = path.read_text(encoding="utf-8", errors="replace")
        leaks += [f"{path.name}: password" for p in passwords if p in text]
        leaks += [f"{path.name}: token" for _ in FULL_JWT.finditer(text)]
    return leaks


# Ports bound for the process's life, never listening: a connection is refused, and no server
# started later can take one (a port freed after its check was, once, and a test that expected
# "nothing listens" logged in to a target).
_HELD_PORTS: list[socket.socket] = []


def closed_port_url() -> str:
    """A loopback URL nothing listens on, for as long as this process runs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _HELD_PORTS.append(sock)
    return f"http://127.0.0.1:{sock.getsockname()[1]}"
