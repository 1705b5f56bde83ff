"""SIGTERM and SIGINT to every command, and to plain Locust with our locustfile, mid-run.

Each run must keep what it has: the reports written within `STOP_WITHIN_S` of the signal,
the stop recorded (summary.json ``stopped``; Locust's SLO lines marked INCOMPLETE), the exit
code of the signal (143 SIGTERM, 130 SIGINT), and no child process left behind. The signal is
sent once the target has seen the run's requests (`MisbehavingServer.wait_for_posts`), so it
always lands mid-stage.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from tests.gate.misbehaving import MisbehavingServer, misbehaving_server
from tokenprobe.core.interrupts import (
    Interrupted,
    deferred,
    interrupt_on_signals,
    received_signal,
    shielded,
)
from tokenprobe.load.runner import LOCUSTFILE

REPO_ROOT = Path(__file__).resolve().parents[1]
STOP_WITHIN_S = 10.0
READY_WITHIN_S = 60.0  # start-up on a busy machine: imports, Schemathesis, Locust
REPORT_FILES = ("summary.json", "junit.xml", "summary.md", "report.html")
EXIT_CODES = {signal.SIGTERM: 143, signal.SIGINT: 130}


@dataclasses.dataclass(frozen=True)
class Stopped:
    returncode: int
    stop_s: float  # from the signal to the exit
    output: str
    survivors: list[str]  # descendants still running after the exit

    def summary(self, run_dir: Path) -> dict:
        return json.loads((run_dir / "summary.json").read_text())


def tokenprobe(command: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "tokenprobe", command, *args]


def interrupt(
    command: list[str],
    ready: Callable[[int], bool],
    sig: signal.Signals,
    *,
    cwd: Path,
    log: Path,
) -> Stopped:
    """Start ``command``, wait until ``ready(its pid)``, send ``sig``, and time the way out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    env.update(CI="true", PYTHONUNBUFFERED="1")
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=output)
        try:
            assert ready(process.pid), log.read_text()
            children = psutil.Process(process.pid).children(recursive=True)
            process.send_signal(sig)
            signalled = time.monotonic()
            returncode = process.wait(timeout=STOP_WITHIN_S * 3)
            stop_s = time.monotonic() - signalled
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    survivors = [" ".join(c.cmdline()[:4]) for c in children if _alive(c)]
    return Stopped(returncode, stop_s, log.read_text(), survivors)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def assert_stopped_in_time(stopped: Stopped, sig: signal.Signals) -> None:
    assert stopped.returncode == EXIT_CODES[sig], stopped.output
    assert stopped.stop_s < STOP_WITHIN_S, stopped.output
    assert stopped.survivors == []
    assert "Traceback" not in stopped.output


def requests_seen(
    server: MisbehavingServer, count: int = 1, method: bytes = b""
) -> Callable[[int], bool]:
    return lambda pid: server.wait_for_requests(count, READY_WITHIN_S, method)


def file_appears(path: Path) -> Callable[[int], bool]:
    def ready(pid: int) -> bool:
        deadline = time.monotonic() + READY_WITHIN_S
        while time.monotonic() < deadline:
            if path.exists():
                return True
            time.sleep(0.1)  # polling for the file, not guessing how long the stage takes
        return False

    return ready


def test_gate_sigterm_between_stages_keeps_every_finished_stage(tmp_path: Path) -> None:
    """The gate's summary.json is rewritten after each stage: what even SIGKILL would leave."""
    run_dir = tmp_path / "run"
    with misbehaving_server("wrong-login") as server:
        command = tokenprobe(
            "gate", "--url", server.url, "--report-dir", "run", "--skip", "load"
        )  # fmt: skip
        interim: dict = {}

        def first_stage_written(pid: int) -> bool:
            if not file_appears(run_dir / "summary.json")(pid):
                return False
            interim.update(json.loads((run_dir / "summary.json").read_text()))
            return True

        stopped = interrupt(
            command, first_stage_written, signal.SIGTERM, cwd=tmp_path, log=tmp_path / "output.log"
        )
    assert list(interim["stages"]) == ["conformance-published"]
    assert interim["status"] == "error"
    assert "gate: unfinished: conformance-strict, security not run yet" in interim["errors"]
    assert_stopped_in_time(stopped, signal.SIGTERM)
    for name in REPORT_FILES:
        assert (run_dir / name).stat().st_size > 0, name
    summary = stopped.summary(run_dir)
    assert summary["stopped"]["reason"] == "SIGTERM"
    running = summary["stopped"]["stage"]
    assert running in ("conformance-strict", "security")
    assert summary["stages"]["conformance-published"]["status"] != "not run"
    assert summary["stages"][running]["stopped"]["reason"] == "SIGTERM"
    assert f"{running}: interrupted by SIGTERM" in stopped.output


def test_gate_sigint_mid_stage_exits_130_with_its_reports(tmp_path: Path) -> None:
    with misbehaving_server("hang-post") as server:
        command = tokenprobe("gate", "--url", server.url, "--report-dir", "run")
        stopped = interrupt(
            command,
            requests_seen(server, 1, b"POST"),
            signal.SIGINT,
            cwd=tmp_path,
            log=tmp_path / "output.log",
        )
    assert_stopped_in_time(stopped, signal.SIGINT)
    summary = stopped.summary(tmp_path / "run")
    assert summary["stopped"] == {
        "reason": "SIGINT", "stage": "conformance-published", "budget_s": None
    }  # fmt: skip
    assert {name: stage["status"] for name, stage in summary["stages"].items()} == {
        "conformance-published": "error",
        "conformance-strict": "not run",
        "security": "not run",
        "load": "not run",
    }
    assert "gate: not run: conformance-strict, security, load" in summary["errors"]
    assert (tmp_path / "run" / "report.html").stat().st_size > 0


def test_conformance_sigterm_stops_schemathesis_and_keeps_its_reports(tmp_path: Path) -> None:
    with misbehaving_server("hang-post") as server:
        command = tokenprobe("conformance", "--url", server.url, "--report-dir", "run")
        stopped = interrupt(
            command,
            requests_seen(server, 1, b"POST"),
            signal.SIGTERM,
            cwd=tmp_path,
            log=tmp_path / "output.log",
        )
    assert_stopped_in_time(stopped, signal.SIGTERM)
    summary = stopped.summary(tmp_path / "run")
    assert summary["stopped"]["reason"] == "SIGTERM"
    assert summary["errors"] == ["conformance: interrupted by SIGTERM"]
    assert (tmp_path / "run" / "junit.xml").stat().st_size > 0


def test_security_sigterm_ends_the_probe_under_way_and_skips_the_rest(tmp_path: Path) -> None:
    with misbehaving_server("hang-post") as server:
        command = tokenprobe("security", "--url", server.url, "--report-dir", "run")
        stopped = interrupt(
            command,
            requests_seen(server, 1, b"POST"),
            signal.SIGTERM,
            cwd=tmp_path,
            log=tmp_path / "output.log",
        )
    assert_stopped_in_time(stopped, signal.SIGTERM)
    summary = stopped.summary(tmp_path / "run")
    assert summary["stopped"]["reason"] == "SIGTERM"
    messages = [c["message"] for c in summary["checks"]]
    # The probe that was waiting on its answer: not judged, never passed.
    broken = messages.index("could not finish: SIGTERM")
    assert summary["checks"][broken]["outcome"] == "skipped"
    assert all(
        c["outcome"] == "skipped" and c["message"] == "not run: SIGTERM"
        for c in summary["checks"][broken + 1 :]
    )


def test_load_sigterm_keeps_the_final_numbers_marked_incomplete(tmp_path: Path) -> None:
    with misbehaving_server("wrong-login") as server:
        command = tokenprobe(
            "load", "--url", server.url, "--report-dir", "run", "--rate", "10",
            "--duration", "60s", "--weights", "unknown_user=1",
        )  # fmt: skip
        stopped = interrupt(
            command,
            requests_seen(server, 10, b"POST"),
            signal.SIGTERM,
            cwd=tmp_path,
            log=tmp_path / "output.log",
        )
    assert_stopped_in_time(stopped, signal.SIGTERM)
    run_dir = tmp_path / "run"
    summary = stopped.summary(run_dir)
    assert summary["stopped"]["reason"] == "SIGTERM"
    load = summary["load"]
    assert load["complete"] is False
    assert load["requests"] >= 10
    assert load["stopped"]["planned_s"] == 60
    slo_checks = [c for c in summary["checks"] if c["id"].startswith("slo:")]
    assert slo_checks
    assert all("INCOMPLETE run" in c["message"] for c in slo_checks)
    assert "; INCOMPLETE run: stopped after" in stopped.output  # each SLO line on the console
    for name in ("locust_report.html", "load_stats.csv", "junit.xml"):
        assert (run_dir / name).stat().st_size > 0, name


def target_serving(pid: int) -> bool:
    """Ready once the embedded target (``tokenprobe serve``) has its gunicorn workers."""
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        for child in psutil.Process(pid).children(recursive=True):
            if "serve" in child.cmdline() and child.children():
                return True
        time.sleep(0.1)  # polling for the process, not guessing how long it takes
    return False


def test_sigterm_stops_the_embedded_target_too(tmp_path: Path) -> None:
    # No --url: the command starts the reference target (a process group of its own) and must
    # stop it, workers included, whatever it was doing when the signal came.
    command = tokenprobe("security", "--report-dir", "run")
    stopped = interrupt(
        command, target_serving, signal.SIGTERM, cwd=tmp_path, log=tmp_path / "output.log"
    )
    assert stopped.returncode == 143, stopped.output
    assert stopped.stop_s < STOP_WITHIN_S
    assert stopped.survivors == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_plain_locust_headless_stops_with_final_stats_and_incomplete_slos(
    tmp_path: Path, sig: signal.Signals
) -> None:
    results = tmp_path / "results.json"
    with misbehaving_server("wrong-login") as server:
        command = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
            "--host", server.url, "--tp-weights", "unknown_user=1", "--tp-rate", "10",
            "--tp-results", str(results), "--html", str(tmp_path / "report.html"),
        ]  # fmt: skip
        stopped = interrupt(
            command,
            requests_seen(server, 10, b"POST"),
            sig,
            cwd=REPO_ROOT,
            log=tmp_path / "output.log",
        )
    # Locust's own console: the final statistics, then our SLO lines marked incomplete.
    assert stopped.returncode == EXIT_CODES[sig], stopped.output
    assert stopped.stop_s < STOP_WITHIN_S
    assert stopped.survivors == []
    assert "Aggregated" in stopped.output
    assert f"INCOMPLETE: stopped by {sig.name}" in stopped.output
    data = json.loads(results.read_text())
    assert (data["complete"], data["stopped"]["reason"]) == (False, sig.name)
    assert data["requests"] >= 10
    assert (tmp_path / "report.html").stat().st_size > 0


def test_the_first_signal_raises_and_later_ones_are_ignored() -> None:
    previous = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Interrupted) as raised, interrupt_on_signals():
        os.kill(os.getpid(), signal.SIGINT)  # the handler runs as soon as kill returns
    assert (raised.value.signal_name, raised.value.exit_code) == ("SIGINT", 130)
    assert signal.getsignal(signal.SIGTERM) is previous  # restored
    with interrupt_on_signals():
        with shielded():
            os.kill(os.getpid(), signal.SIGTERM)  # noted, not raised: the reports are written
        os.kill(os.getpid(), signal.SIGINT)  # after the first: ignored
        assert received_signal() == "SIGTERM"


def keep_results_while_signalled(kept: list[str]) -> None:
    with deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        kept.append("the tool's results")  # still runs: the signal waits for the block's end


def test_a_deferred_signal_is_raised_when_the_block_ends() -> None:
    kept: list[str] = []
    with pytest.raises(Interrupted) as raised, interrupt_on_signals():
        keep_results_while_signalled(kept)
    assert kept == ["the tool's results"]
    assert raised.value.exit_code == 143
