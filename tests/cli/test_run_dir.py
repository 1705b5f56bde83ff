"""Run folders are never written twice, and ``latest`` is never written through: as a user
meets it, from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.gate.misbehaving import misbehaving_server
from tokenprobe.reports import new_run_dir, update_latest


def tokenprobe(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    return subprocess.run(
        [sys.executable, "-m", "tokenprobe", *args],
        cwd=cwd, env={**env, "CI": "true"}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def earlier_run(root: Path) -> Path:
    """A finished run, with ``latest`` pointing at it, as any command leaves it."""
    run = new_run_dir(root)
    (run / "summary.json").write_text("{}")
    update_latest(run)
    return run


def test_report_dir_through_latest_is_refused_and_the_earlier_run_untouched(
    tmp_path: Path,
) -> None:
    earlier = earlier_run(tmp_path / "reports")
    with misbehaving_server("wrong-login") as server:
        result = tokenprobe(
            tmp_path, "load", "--url", server.url, "--report-dir", "reports/latest",
            "--duration", "1s", "--weights", "unknown_user=1",
        )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip().splitlines() == [
        f"tokenprobe: error: report folder reports/latest is a link (to {earlier.name}): a run "
        "never writes through a link into another run; give a new folder, or leave "
        "--report-dir out"
    ]
    assert [p.name for p in earlier.iterdir()] == ["summary.json"]
    assert server.received == []  # refused before a single request


def test_a_real_latest_folder_is_left_alone_and_named_in_one_line(tmp_path: Path) -> None:
    latest = tmp_path / "reports" / "latest"
    latest.mkdir(parents=True)
    (latest / "mine.txt").write_text("kept")
    # Unreachable: the gate ends at once, its reports written, and then moves latest.
    with misbehaving_server("reset") as server:
        result = tokenprobe(tmp_path, "gate", "--url", server.url)
    assert result.returncode == 2
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    # The run folder (the report root also holds the history page, index.html).
    (run,) = [p for p in (tmp_path / "reports").iterdir() if p.is_dir() and p.name != "latest"]
    assert warnings == [
        f"tokenprobe: warning: {Path('reports') / 'latest'} is a real folder, not a link: left "
        f"alone; this run is {Path('reports') / run.name}"
    ]
    assert [p.name for p in latest.iterdir()] == ["mine.txt"]
    assert not (tmp_path / "reports" / "latest.txt").exists()
    assert (run / "summary.json").is_file()
