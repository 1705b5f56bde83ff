"""``tokenprobe serve`` driven as a user would: a real process, real signals, real files."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
import requests

from tokenprobe.core.credentials import load_csv
from tokenprobe.reference.embedded import EmbeddedTarget
from tokenprobe.reference.faults import parse_faults
from tokenprobe.reference.server import faults_line

TOKENPROBE = [sys.executable, "-m", "tokenprobe"]


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TOKENPROBE, *args], capture_output=True, text=True, timeout=timeout)


def children_of(pid: int) -> list[int]:
    """Process IDs whose parent is ``pid`` (from /proc, Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_credentials_and_signing_key_files_are_private(clean_target: EmbeddedTarget) -> None:
    files = (
        clean_target.credentials_file,
        clean_target.inactive_credentials_file,
        clean_target.signing_key_file,
    )
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert len(load_csv(clean_target.credentials_file)) == clean_target.users


def test_the_embedded_target_knows_the_key_its_tokens_are_signed_with(
    clean_target: EmbeddedTarget,
) -> None:
    account = clean_target.credentials[0]
    answer = requests.post(clean_target.url, json=account.as_json(), timeout=10).json()
    assert clean_target.signing_key
    for name in ("access", "refresh"):
        jwt.decode(answer[name], clean_target.signing_key, algorithms=["HS256"])  # verifies


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_on_signal_leaving_no_processes(tmp_path: Path, sig: signal.Signals) -> None:
    """SIGTERM: gunicorn's graceful stop; SIGINT: its quick one, the embedded target's."""
    credentials = tmp_path / "c.csv"
    temp = tmp_path / "tmp"  # where the server keeps its database while it runs
    temp.mkdir()
    process = subprocess.Popen(
        [
            *TOKENPROBE,
            "serve",
            "--port",
            "0",
            "--users",
            "3",
            "--workers",
            "2",
            "--credentials-out",
            str(credentials),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()
    assert first_line.startswith("Listening on http://127.0.0.1:")
    second_line = process.stdout.readline()
    assert "3 accounts" in second_line
    assert process.stdout.readline() == "faults: none\n"  # which deviations are on
    url = first_line.split()[-1]
    assert requests.post(url, json={}, timeout=10).status_code == 400  # answered by a worker
    workers = children_of(process.pid)
    assert workers, "gunicorn workers are running"
    process.send_signal(sig)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0
    still_running = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    assert still_running == []
    assert list(temp.iterdir()) == []  # the database and its folder are gone
    printed = first_line + second_line + out + err
    for credential in load_csv(credentials):
        assert credential.password not in printed


def test_unknown_fault_is_a_one_line_usage_error() -> None:
    result = run_cli("serve", "--fault", "no-such-fault")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "tokenprobe: error: Invalid value for '--fault': unknown fault 'no-such-fault'; see "
        "--list-faults (help: tokenprobe serve --help)"
    ]


def test_serve_announces_the_active_faults_with_their_values() -> None:
    assert faults_line({}) == "faults: none"
    active = parse_faults(["status-401", "slow", "flaky=0.5"])
    assert faults_line(active) == "faults: status-401, slow=200, flaky=0.5"


def test_busy_port_is_a_one_line_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"tokenprobe: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_list_faults_names_every_fault() -> None:
    result = run_cli("serve", "--list-faults")
    assert result.returncode == 0
    assert "status-401" in result.stdout
    assert "slow" in result.stdout


def test_serve_binds_ipv6_loopback(tmp_path: Path) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    with EmbeddedTarget(users=1, extra_args=["--host", "::1"]) as target:
        assert target.base_url.startswith("http://[::1]:")
        assert os.path.exists(target.credentials_file)
