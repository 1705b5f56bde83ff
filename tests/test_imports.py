"""A command imports only what it uses (issue 21): the command line and the embedded target's
server start without the heavy libraries of the suites and the report writers.

Each import runs in a fresh interpreter: this test process has loaded everything already.
Times are the bench's business (bench/cli_startup.py); what is imported is this test's.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("schemathesis", "hypothesis", "scipy", "matplotlib", "locust", "gevent")


def heavy_modules_after(statement: str) -> list[str]:
    code = (
        f"import sys; {statement}; "
        f"print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "statement",
    [
        "import tokenprobe.cli",  # every command's --help, `tokenprobe checks`
        "import tokenprobe.reference.server",  # `tokenprobe serve`: the embedded target
        "from tokenprobe.cli.serve import serve",
    ],
)
def test_the_command_line_and_the_target_start_light(statement: str) -> None:
    assert heavy_modules_after(statement) == []


def test_the_gate_leaves_scipy_and_matplotlib_to_the_stages_that_use_them() -> None:
    # Schemathesis' configuration types are the conformance policy's. SciPy waits for the timing
    # probe or a comparison, matplotlib for the plots: a gate that skips them never pays.
    assert heavy_modules_after("import tokenprobe.gate") == ["schemathesis"]


def test_the_suites_still_load_what_they_use() -> None:
    """Guards the check above: it sees a heavy import when there is one."""
    assert "schemathesis" in heavy_modules_after("from tokenprobe.conformance import run")
    assert "scipy" in heavy_modules_after(
        "from tokenprobe.reports.statistics import drift_margin; drift_margin(1, 3, 0.9)"
    )
    assert "matplotlib" in heavy_modules_after(
        "from tokenprobe.reports.history import _figure; _figure('t', [])"
    )
