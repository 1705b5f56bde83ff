"""``tokenprobe gate --url`` against every misbehaving server ends within ``--max-time``.

Each run must end in time with exit 1 or 2, the four reports complete and no traceback. The
servers are threads of this process. The gates that must run out of time start first, side by
side: they spend their 20 s waiting on a server. The others follow two at a time beside them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.gate.misbehaving import misbehaving_server

REPORT_FILES = ("summary.json", "junit.xml", "summary.md", "report.html")
# Start-up (imports: seconds on a busy runner) counts against it, and 5 s are kept for the
# reports: 20 s leaves every stage a few seconds even on a loaded machine.
MAX_TIME_S = 20.0
# --max-time counts from the gate's start; the child process's exit and our measuring of it
# come on top.
EXIT_SLACK_S = 2.0
# Two stages are enough to show every budget at work; the load smoke adds only its length.
STAGES = ("--skip", "conformance-strict", "--skip", "load")
MODES = (
    "reset",  # every connection reset: unreachable
    "hang",  # accepts, never answers: unreachable
    "trickle",  # even the status line one byte per 2 s: unreachable
    "garbage",  # not HTTP
    "hang-post",  # answers OPTIONS, hangs on every POST: both stages run out of time
    "trickle-post",  # answers OPTIONS, trickles every POST (the case a per-read timeout misses)
    "lying-length",  # promises 100 bytes more than it sends, then holds the connection
    "huge",  # 10 MB answers
    "bad-utf8",  # 200 with bytes that are not UTF-8
    "die-after=150",  # stops listening mid-run
)
# Past the reachability check, and every login unanswered: the stages must run out of time.
OUT_OF_TIME = ("hang-post", "trickle-post", "lying-length")


@dataclasses.dataclass(frozen=True)
class GateRun:
    returncode: int
    wall_s: float
    output: str
    run_dir: Path

    def summary(self) -> dict:
        return json.loads((self.run_dir / "summary.json").read_text())


def run_gate(url: str, cwd: Path) -> GateRun:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    env["CI"] = "true"
    command = [
        sys.executable, "-m", "tokenprobe", "gate", "--url", url, "--report-dir", "run",
        "--max-time", f"{MAX_TIME_S:g}s", *STAGES,
    ]  # fmt: skip
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=MAX_TIME_S + 60
    )
    wall_s = time.monotonic() - started
    return GateRun(result.returncode, wall_s, result.stdout + result.stderr, cwd / "run")


@pytest.fixture(scope="module")
def gate_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, GateRun]]:
    # The waiting ones first, each in a worker of its own; the quick ones share two more.
    modes = [*OUT_OF_TIME, *(mode for mode in MODES if mode not in OUT_OF_TIME)]
    with ExitStack() as servers, ThreadPoolExecutor(len(OUT_OF_TIME) + 2) as pool:
        urls = {mode: servers.enter_context(misbehaving_server(mode)).url for mode in modes}
        futures = {
            mode: pool.submit(run_gate, url, tmp_path_factory.mktemp(mode.partition("=")[0]))
            for mode, url in urls.items()
        }
        yield {mode: future.result() for mode, future in futures.items()}


@pytest.mark.parametrize("mode", MODES)
def test_gate_ends_in_time_with_complete_reports(gate_runs: dict[str, GateRun], mode: str) -> None:
    run = gate_runs[mode]
    assert run.returncode in (1, 2), run.output
    assert run.wall_s <= MAX_TIME_S + EXIT_SLACK_S, run.output
    assert "Traceback" not in run.output
    for name in REPORT_FILES:
        assert (run.run_dir / name).stat().st_size > 0, name
    summary = run.summary()
    assert summary["status"] in ("fail", "error")
    assert "<testsuites" in (run.run_dir / "junit.xml").read_text()


@pytest.mark.parametrize("mode", OUT_OF_TIME)
def test_a_stage_out_of_time_is_named(gate_runs: dict[str, GateRun], mode: str) -> None:
    run = gate_runs[mode]
    summary = run.summary()
    assert run.returncode == 2
    stopped = summary["stopped"]
    assert stopped["reason"] == "time"
    assert summary["stages"][stopped["stage"]]["stopped"]["reason"] == "time"
    assert any("out of time" in error for error in summary["errors"])
    assert f"{stopped['stage']}: out of time" in run.output  # the one line on stderr
