"""Regression verdicts on every report surface, and the report root's history (index.html)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reports.test_regression import DEFAULTS
from tokenprobe.core.redact import Redactor
from tokenprobe.core.summary import Summary
from tokenprobe.reports import compare_summaries, new_run_dir, update_latest, write_all_reports
from tokenprobe.reports.history import (
    EMBEDDED_TARGET,
    INDEX_FILE,
    groups,
    history_rows,
    history_table,
    render_index,
    write_history_index,
)
from tokenprobe.reports.regression import judge_regression
from tokenprobe.reports.summary_json import write_summary

from .synthetic_runs import synthetic_run
from .test_html import parse


def judged_gate_run(
    make_summary: Callable[..., Summary], root: Path, previous: Path, scale: float
) -> Path:
    """A gate run folder under ``root`` judged against ``previous``, reports written."""
    run_dir = new_run_dir(root)
    evidence = synthetic_run(run_dir / "load", seed=7, scale=scale)
    summary = make_summary(findings=[])
    summary.sections["load"].update(evidence["load"])
    before = json.loads((previous / "summary.json").read_text())
    regression = judge_regression(summary.to_dict(), run_dir, before, previous, DEFAULTS)
    assert regression is not None
    regression.apply_to(summary)
    comparison = compare_summaries(summary.to_dict(), before, str(previous), regression)
    write_all_reports(summary, run_dir, Redactor(), comparison=comparison)
    update_latest(run_dir)
    return run_dir


@pytest.fixture
def previous_run(make_summary: Callable[..., Summary], tmp_path: Path) -> Path:
    run_dir = new_run_dir(tmp_path / "reports")
    evidence = synthetic_run(run_dir / "load", seed=3)
    summary = make_summary(findings=[])
    summary.sections["load"].update(evidence["load"])
    write_summary(summary, run_dir)
    return run_dir


def test_a_regression_on_every_surface(
    make_summary: Callable[..., Summary], tmp_path: Path, previous_run: Path
) -> None:
    run_dir = judged_gate_run(make_summary, tmp_path / "reports", previous_run, scale=1.5)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "fail"
    regression = summary["comparison"]["regression"]
    assert regression["verdict"] == "regressed"
    assert summary["comparison"]["load"], "the deltas stay, next to the verdicts"
    regressed = {f["id"] for f in summary["findings"] if f["severity"] == "error"}
    assert regressed == {"TP-REG-001"}
    # junit.xml: each verdict is a test case; a regressed one fails.
    junit = ET.parse(run_dir / "junit.xml")  # noqa: S314 - our own output
    cases = junit.getroot().iter("testcase")
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert any(name.startswith("regression:p50_ms ") for name in failed)
    markdown = (run_dir / "summary.md").read_text()
    assert "**Regression** (tolerance ±10%, 95% confidence): **regressed**" in markdown
    assert "| p50 |" in markdown
    assert "❌ regressed" in markdown
    # Two runs in the root cannot teach the runner's drift: every surface says so.
    drift = regression["drift"]["description"]
    assert drift.startswith("unknown: ")
    assert f"run-to-run drift {drift}" in markdown
    html = (run_dir / "report.html").read_text()
    assert f"Run-to-run drift: {drift}" in html.replace("&#39;", "'")
    assert 'id="regression"' in html
    assert '<span class="verdict regressed">regressed</span>' in html
    assert parse(html).scripts == 0


def test_the_same_distribution_does_not_fail(
    make_summary: Callable[..., Summary], tmp_path: Path, previous_run: Path
) -> None:
    run_dir = judged_gate_run(make_summary, tmp_path / "reports", previous_run, scale=1.0)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "pass"
    verdicts = {v["verdict"] for v in summary["comparison"]["regression"]["verdicts"]}
    assert "regressed" not in verdicts


def test_history_lists_runs_newest_first_and_links_their_reports(
    make_summary: Callable[..., Summary], tmp_path: Path, previous_run: Path
) -> None:
    root = tmp_path / "reports"
    judged_gate_run(make_summary, root, previous_run, scale=1.5)
    (root / "garbage").mkdir()
    (root / "garbage" / "summary.json").write_text("{not json")
    rows = history_rows(root)
    assert len(rows) == 3  # ``latest`` (a link to the newest) is not a run of its own
    judged = next(row for row in rows if row.regression)
    assert judged.regression == "regressed"
    assert judged.report == f"./{judged.run}/report.html"
    assert judged.p95_ms["total"] == 12.0
    assert "valid_login" in judged.p95_ms
    unreadable = next(row for row in rows if row.run == "garbage")
    assert unreadable.status == "unreadable"
    assert history_rows(root, limit=1) == rows[:1]
    table = history_table(rows).splitlines()
    # Grouped by target and kind: the gate runs on their target, the unreadable one apart.
    assert table[0] == f"gate on {judged.target}"
    assert table[1].split()[:5] == ["RUN", "COMMAND", "STATUS", "FINDINGS", "E/W/I"]
    assert "regressed" in history_table(rows)
    assert "? on ?" in table


def test_runs_on_the_embedded_target_are_one_group_whatever_its_port(tmp_path: Path) -> None:
    """The embedded target listens on a new port every run: its runs still group together."""
    for index, (url, embedded) in enumerate(
        [("http://127.0.0.1:41001", True), ("http://127.0.0.1:41002", True),
         ("http://127.0.0.1:8000", False)]
    ):  # fmt: skip
        run = tmp_path / f"20261128T09300{index}Z"
        run.mkdir()
        stored = {"command": "gate", "status": "pass", "findings": [], "target": url,
                  "embedded_target": embedded, "started_at": run.name}  # fmt: skip
        (run / "summary.json").write_text(json.dumps(stored))
    grouped = groups(history_rows(tmp_path))
    assert {target: len(rows) for (target, _), rows in grouped.items()} == {
        EMBEDDED_TARGET: 2,
        "http://127.0.0.1:8000": 1,
    }


def test_index_html_is_self_contained(
    make_summary: Callable[..., Summary], tmp_path: Path, previous_run: Path
) -> None:
    root = tmp_path / "reports"
    run_dir = judged_gate_run(make_summary, root, previous_run, scale=1.5)
    index = write_history_index(root)
    assert index == root / INDEX_FILE
    html = index.read_text()
    resources = parse(html)
    assert resources.scripts == 0
    links = [value for tag, _, value in resources.urls if tag == "a"]
    assert f"./{run_dir.name}/report.html" in links
    assert all((root / link).is_file() for link in links)
    images = [value for tag, _, value in resources.urls if tag == "img"]
    assert images
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert "default-src 'none'; img-src data:" in html


def test_index_escapes_run_data(tmp_path: Path) -> None:
    run = tmp_path / "20261128T093005Z"
    run.mkdir()
    hostile = {"command": "<script>alert(1)</script>", "status": "pass", "findings": [],
               "counts": {"error": None, "warning": "x"},  # damaged: counted from the findings
               "load": {"latency_ms": {"p95": 1}, "scenarios": {"<b>x</b>": {}}}}  # fmt: skip
    (run / "summary.json").write_text(json.dumps(hostile))
    html = render_index(history_rows(tmp_path), tmp_path)
    assert "<script>alert" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "The one run in" in html  # never "the newest 1 runs"


def test_history_command(
    make_summary: Callable[..., Summary], tmp_path: Path, previous_run: Path
) -> None:
    root = tmp_path / "reports"
    judged_gate_run(make_summary, root, previous_run, scale=1.5)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    command = [sys.executable, "-m", "tokenprobe", "history", "--report-root", str(root)]
    listed = subprocess.run([*command, "-n", "1", "--json"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120, check=False)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["regression"] == "regressed"
    assert (root / INDEX_FILE).is_file()
    nowhere = [*command[:-1], str(tmp_path / "nowhere")]
    missing = subprocess.run(nowhere, capture_output=True, text=True, env=env, cwd=tmp_path,
                             timeout=120, check=False)  # fmt: skip
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1


def test_index_groups_runs_by_target_and_kind_and_draws_no_one_point_trend(
    tmp_path: Path,
) -> None:
    """A breakpoint search's 1,100 ms overload is never drawn on the axis of 25 ms gate runs,
    nor one target's runs beside another's; one run is no trend."""
    runs = {
        "20261128T090000Z": ("gate", "http://a/api/v1/token/", {"latency_ms": {"p95": 25}}),
        "20261128T100000Z": ("gate", "http://a/api/v1/token/", {"latency_ms": {"p95": 27}}),
        "20261128T110000Z": ("load", "http://b/api/v1/token/",
                             {"profile": "breakpoint", "latency_ms": {"p95": 1100},
                              "capacity_rps": 155}),
    }  # fmt: skip
    for name, (command, target, load) in runs.items():
        (tmp_path / name).mkdir()
        summary = {"command": command, "target": target, "status": "pass", "findings": [],
                   "started_at": name, "load": load}  # fmt: skip
        (tmp_path / name / "summary.json").write_text(json.dumps(summary))
    rows = history_rows(tmp_path)
    assert [(row.kind, row.target) for row in rows] == [
        ("load (breakpoint)", "http://b/api/v1/token/"),
        ("gate", "http://a/api/v1/token/"),
        ("gate", "http://a/api/v1/token/"),
    ]
    html = render_index(rows, tmp_path)
    gate, breakpoint = html.index("gate on <code>http://a"), html.index("load (breakpoint) on")
    assert breakpoint < gate  # the group of the newest run first
    # Two gate runs: their p95 trend and findings; the one breakpoint run: a row, no plot.
    assert html[gate:].count("<img ") == 2
    assert html[breakpoint:gate].count("<img ") == 0
