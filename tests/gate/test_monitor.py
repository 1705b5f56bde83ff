"""``tokenprobe gate --profile production --every``: the production check as a monitor (issue 22,
item 4). A real process repeating real runs against a reference target; its Prometheus text
file read back by prometheus_client's own parser."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.in_process import tokenprobe
from tests.otlp import OtlpReceiver, otlp_receiver
from tokenprobe.core.interrupts import interrupt_on_signals, shielded
from tokenprobe.core.summary import Summary
from tokenprobe.gate.monitor import MonitorOptions, prune_runs, run_monitor
from tokenprobe.reference.embedded import EmbeddedTarget

RUNS_BEFORE_STOP = 3
WAIT_S = 120


def samples_of(text: str) -> dict[tuple[str, str | None], float]:
    return {
        (sample.name, sample.labels.get("severity")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_it_repeats_keeps_the_newest_runs_and_feeds_prometheus(
    clean_target: EmbeddedTarget, tmp_path: Path
) -> None:
    account = clean_target.credentials[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    env |= {"TOKENPROBE_USERNAME": account.username, "TOKENPROBE_PASSWORD": account.password}
    command = [sys.executable, "-m", "tokenprobe", "gate", "--profile", "production",
               "--url", clean_target.base_url, "--max-rate", "50", "--every", "1s",
               "--keep-runs", "2", "--prometheus-file", "tokenprobe.prom", "--quiet"]  # fmt: skip
    monitor = subprocess.Popen(command, cwd=tmp_path, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    verdicts = []
    deadline = time.monotonic() + WAIT_S
    assert monitor.stdout is not None
    while len(verdicts) < RUNS_BEFORE_STOP and time.monotonic() < deadline:
        line = monitor.stdout.readline()
        if not line:
            break  # it ended on its own: the assertions below say how
        if line.startswith("tokenprobe gate: "):
            verdicts.append(line)
    monitor.send_signal(signal.SIGINT)
    rest, _ = monitor.communicate(timeout=WAIT_S)
    assert monitor.returncode == 130, "".join(verdicts) + rest
    assert len(verdicts) >= RUNS_BEFORE_STOP
    assert all(v.startswith("tokenprobe gate: PASS") for v in verdicts)
    reports = (tmp_path / "reports").iterdir()
    runs = sorted(p for p in reports if not p.is_symlink() and (p / "summary.json").is_file())
    assert len(runs) == 2  # pruned to --keep-runs
    summaries = [json.loads((run / "summary.json").read_text()) for run in runs]
    # The SIGINT may cut a run short: that one is no verdict on the service, and not published.
    newest = [summary for summary in summaries if summary["stopped"] is None][-1]
    samples = samples_of((tmp_path / "tokenprobe.prom").read_text())
    assert samples[("tokenprobe_gate_passed", None)] == 1
    assert samples[("tokenprobe_gate_findings", "error")] == 0
    assert samples[("tokenprobe_gate_requests_sent", None)] == newest["limits"]["requests_sent"]
    assert 0 < samples[("tokenprobe_gate_login_latency_max_seconds", None)] < 10
    assert abs(samples[("tokenprobe_gate_last_run_timestamp_seconds", None)] - time.time()) < 60
    assert account.password not in "".join(verdicts) + rest


def test_every_needs_the_production_profile_and_a_service(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9"
    for args, message in [
        (["--url", url], "--every repeats the production profile: add --profile production"),
        (["--profile", "production"], "--every watches a running service: give its --url"),
    ]:
        outcome = tokenprobe(["gate", "--every", "5m", *args], cwd=tmp_path)
        assert outcome.returncode == 2
        assert message in outcome.stderr
    assert not (tmp_path / "reports").exists()


def test_pruning_keeps_the_newest_of_its_target_and_leaves_the_rest_alone(tmp_path: Path) -> None:
    def run(name: str, profile: str | None, target: str = "t1") -> Path:
        folder = tmp_path / name
        folder.mkdir()
        limits = {"limits": {"profile": profile}} if profile else {}
        summary = {"command": "gate", "target": target, **limits}
        (folder / "summary.json").write_text(json.dumps(summary))
        return folder

    production = [run(f"20261207T0800{n:02d}Z", "production") for n in range(4)]
    other_target = run("20261207T075800Z", "production", target="t2")
    staging = run("20261207T075900Z", None)
    named = run("before-the-release", "production")  # not a timestamped run folder
    (tmp_path / "notes").mkdir()
    (tmp_path / "latest").symlink_to(production[-1].name)
    removed = prune_runs(production[-1], keep=2)
    assert removed == production[:2]
    kept = [*production[2:], other_target, staging, named, tmp_path / "notes", tmp_path / "latest"]
    assert sorted(tmp_path.iterdir()) == sorted(kept)


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    with otlp_receiver() as server:
        yield server


def test_otel_sends_the_same_verdict(
    clean_target: EmbeddedTarget, receiver: OtlpReceiver, tmp_path: Path
) -> None:
    """``--otel``: the run's samples as OTLP/HTTP gauges, to the OTEL_* endpoint."""
    account = clean_target.credentials[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKENPROBE_", "OTEL_"))}
    env |= {"TOKENPROBE_USERNAME": account.username, "TOKENPROBE_PASSWORD": account.password,
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}  # fmt: skip
    command = [sys.executable, "-m", "tokenprobe", "gate", "--profile", "production", "--url",
               clean_target.base_url, "--max-rate", "50", "--otel", "--quiet",
               "--prometheus-file", "tokenprobe.prom"]  # fmt: skip
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=WAIT_S, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    exported = {}
    for export in receiver.exports:
        for resource_metrics in export.resource_metrics:
            for scope in resource_metrics.scope_metrics:
                for metric in scope.metrics:
                    for point in metric.gauge.data_points:
                        labels = {a.key: a.value.string_value for a in point.attributes}
                        value = point.as_double if point.HasField("as_double") else point.as_int
                        exported[(metric.name, labels.get("severity"))] = (value, labels)
    prometheus = samples_of((tmp_path / "tokenprobe.prom").read_text())
    for (name, severity), value in prometheus.items():
        otel_name = "tokenprobe.gate." + name.removeprefix("tokenprobe_gate_")
        assert exported[(otel_name, severity)][0] == value, name
    assert exported[("tokenprobe.gate.passed", None)][1]["target"].endswith("/api/v1/token/")


def test_a_signal_while_a_run_writes_its_reports_ends_the_monitor(tmp_path: Path) -> None:
    """The gate ignores a signal while it writes its final reports (`shielded`); the monitor
    must still stop after that run, and publish it as no verdict (found by
    bench/monitor_memory.py: SIGINT once left the monitor running)."""
    published: list[bool] = []
    runs = 0

    def run_once() -> SimpleNamespace:
        nonlocal runs
        runs += 1
        with shielded():  # as `run_gate` writes its reports
            os.kill(os.getpid(), signal.SIGINT)
        folder = tmp_path / f"run{runs}"
        folder.mkdir()
        return SimpleNamespace(summary=Summary(command="gate", target="t"), run_dir=folder)

    with interrupt_on_signals():
        code = run_monitor(
            MonitorOptions(every_s=0, keep_runs=5), run_once,  # type: ignore[arg-type]
            lambda _result, verdict: published.append(verdict),
        )  # fmt: skip
    assert code == 130
    assert runs == 1
    assert published == [False]
