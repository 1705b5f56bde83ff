"""``--compare`` judges whether a release got slower, on real runs against reference targets.

Two clean runs are made at the same time, so that both see the same machine: what the test
asks is whether the statistics mistake one run's own noise for a regression. (Runs made one
after another on a busy machine also differ by the machine's drift between them; how often
that shows as *regressed* is measured in bench/regression_rates.py, not asserted here.)
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tokenprobe.core.config import RegressionConfig
from tokenprobe.reference.embedded import EmbeddedTarget
from tokenprobe.reports.regression import judge_regression

LOAD_ONLY = (
    "--skip",
    "conformance-published",
    "--skip",
    "conformance-strict",
    "--skip",
    "security",
)
RUN_BUDGET_S = 180
SLOW_MS = 50  # well beyond any machine noise: this run must regress, every time
MAX_S = 20  # the gate's sequential load stage: at most this long (its first look is at 10 s)


def environment(target: EmbeddedTarget) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    return {**env, "CI": "true", "TOKENPROBE_CREDENTIALS": str(target.credentials_file)}


def load_run(target: EmbeddedTarget, folder: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tokenprobe", "load", "--url", target.base_url,
               "--rate", "10", "--duration", "8s", "--report-dir", str(folder)]  # fmt: skip
    return subprocess.Popen(command, env=environment(target), cwd=folder.parent, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip


@pytest.fixture(scope="module")
def clean_runs(target_factory, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two clean runs of the same target, side by side."""
    # Accounts of its own: the wrong passwords other tests sent to the shared clean target
    # within its lockout window would throttle these runs' logins.
    clean = target_factory(owner="regression")
    work = tmp_path_factory.mktemp("clean-runs")
    folders = (work / "first", work / "second")
    runs = [load_run(clean, folder) for folder in folders]
    for run in runs:
        output, _ = run.communicate(timeout=RUN_BUDGET_S)
        assert run.returncode == 0, output
    return folders


def test_two_clean_runs_never_regress(clean_runs: tuple[Path, Path]) -> None:
    first, second = clean_runs
    summaries = [json.loads((folder / "summary.json").read_text()) for folder in clean_runs]
    regression = judge_regression(summaries[1], second, summaries[0], first, RegressionConfig())
    assert regression is not None
    assert regression.verdicts, regression.not_evaluated
    assert {v.scope for v in regression.verdicts} >= {"total"}
    regressed = [f"{v.label}: {v.reason}" for v in regression.verdicts if v.verdict == "regressed"]
    assert regressed == []


def test_a_sequential_run_is_judged_at_the_confidence_of_all_its_looks(
    clean_runs: tuple[Path, Path],
) -> None:
    """A run that could have stopped at any of 6 looks gets intervals corrected for all 6."""
    first, second = clean_runs
    previous, current = (json.loads((f / "summary.json").read_text()) for f in clean_runs)
    once = judge_regression(current, second, previous, first, RegressionConfig())
    current["load"]["sequential"] = {"planned_looks": 6}
    six = judge_regression(current, second, previous, first, RegressionConfig())
    assert once is not None
    assert six is not None
    assert once.interval_confidence is not None
    assert six.interval_confidence is not None
    assert 1 - six.interval_confidence == pytest.approx((1 - once.interval_confidence) / 6)
    for narrow, wide in zip(once.verdicts, six.verdicts, strict=True):
        if narrow.interval is not None and wide.interval is not None:
            assert at_most(wide.interval.low, narrow.interval.low)
            assert narrow.interval.low <= narrow.interval.high
            assert at_most(narrow.interval.high, wide.interval.high)


def at_most(a: float, b: float) -> bool:
    """``a <= b``, where equal bounds may differ in the last bit: on few samples both
    confidences can pick the same order statistics, reached by different float arithmetic."""
    return a <= b or math.isclose(a, b, rel_tol=1e-12)


def test_a_slower_release_regresses_the_gate(
    clean_runs: tuple[Path, Path], target_factory, tmp_path: Path
) -> None:
    slow = target_factory(f"slow={SLOW_MS}")
    previous = clean_runs[0]
    (tmp_path / "tokenprobe.toml").write_text(f'[regression]\nmax-load-duration = "{MAX_S}s"\n')
    result = subprocess.run(
        [sys.executable, "-m", "tokenprobe", "gate", "--url", slow.base_url, *LOAD_ONLY,
         "--load-duration", "8s", "--compare", str(previous)],
        cwd=tmp_path, env=environment(slow), capture_output=True, text=True,
        timeout=RUN_BUDGET_S, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    run_dir = (tmp_path / "reports" / "latest").resolve()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert "TP-REG-001" in {f["id"] for f in summary["findings"] if f["severity"] == "error"}
    regression = summary["comparison"]["regression"]
    p50 = next(
        v for v in regression["verdicts"] if (v["scope"], v["metric"]) == ("total", "p50_ms")
    )
    assert p50["verdict"] == "regressed"
    assert p50["interval"][0] > 1.1
    # Two stored runs beside the previous one cannot teach the runner's drift: it says so.
    assert "run-to-run drift unknown" in p50["reason"]
    assert regression["drift"]["root"] == str(previous.parent.resolve())
    assert set(regression["drift"]["runs"]) <= {"first", "second"}
    assert (run_dir / "load" / "latency_histograms.json").is_file()  # the next release's evidence
    # --compare sends until decided: the first look (10 s) found p50 regressed and nothing
    # else that the rest of the run could decide (the previous run is too short for p95), so
    # the load stage ended there, well before its planned length, as a complete run.
    sequential = summary["load"]["sequential"]
    assert sequential["ended"] == "decided", sequential
    assert sequential["looks"][-1]["open"] == []
    assert sequential["ended_after_s"] < MAX_S - 5
    assert summary["load"]["complete"] is True
    index = (tmp_path / "reports" / "index.html").read_text()
    assert f"./{run_dir.name}/report.html" in index
    assert '<span class="verdict regressed"' in index


def test_load_compare_with_no_previous_run_exits_2_before_any_request(tmp_path: Path) -> None:
    empty = tmp_path / "not-a-run"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    result = subprocess.run(
        [sys.executable, "-m", "tokenprobe", "load", "--url", "http://127.0.0.1:9",
         "--compare", str(empty)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_BUDGET_S, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == f"tokenprobe: error: --compare {empty}: no summary.json there\n"
    assert not (tmp_path / "reports").exists()  # nothing ran, no run folder
