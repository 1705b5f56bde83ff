"""``tokenprobe gate --profile production`` against a counting service (issue 22, item 5).

The service records every request on its way to a reference target: the profile must stay
within its budget and rate, never send a wrong password for the configured account, a body
over 16 KiB or credentials in a URL, and still catch the defects a live service may have.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conformance.test_bounded import CAUGHT, assert_production_safe
from tests.counting import Received, counting_service
from tokenprobe.core import defaults
from tokenprobe.reference.embedded import EmbeddedTarget

GATE_TIMEOUT_S = 180
LEFT_OUT = {"conformance-published", "conformance-strict", "load"}


def start_gate(target_url: str, account: object, cwd: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    env |= {"CI": "true", "TOKENPROBE_USERNAME": account.username,  # type: ignore[attr-defined]
            "TOKENPROBE_PASSWORD": account.password}  # type: ignore[attr-defined]  # fmt: skip
    command = [sys.executable, "-m", "tokenprobe", "gate", "--profile", "production",
               "--url", target_url, "--report-dir", "run", *args]  # fmt: skip
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(command, cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip


def finish(gate: subprocess.Popen, cwd: Path) -> tuple[int, str, dict]:
    output, _ = gate.communicate(timeout=GATE_TIMEOUT_S)
    return gate.returncode, output, json.loads((cwd / "run" / "summary.json").read_text())


def highest_rate(received: list[Received]) -> int:
    """The most requests that arrived within any one second, as the service saw them."""
    times = sorted(r.at for r in received)
    return max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))


def test_at_its_defaults_it_stays_within_its_limits_and_reports_them(
    clean_target: EmbeddedTarget, tmp_path: Path
) -> None:
    account = clean_target.credentials[0]
    with counting_service(clean_target.base_url) as service:
        code, output, summary = finish(start_gate(service.url, account, tmp_path), tmp_path)
        received = list(service.received)
    assert code == 0, output
    assert_production_safe(received, account.username, account.password)
    limits = summary["limits"]
    assert limits["max_requests"] == defaults.PRODUCTION_MAX_REQUESTS
    assert len(received) == limits["requests_sent"] <= defaults.PRODUCTION_MAX_REQUESTS
    assert highest_rate(received) <= limits["highest_rate_per_s"] + 1  # arrival jitter
    assert limits["highest_rate_per_s"] <= defaults.PRODUCTION_MAX_RATE_PER_S
    assert set(limits["requests_per_stage"]) == {"target", "conformance-bounded", "security"}
    assert {name for name, stage in summary["stages"].items()
            if stage.get("reason") == "not run by the production profile"} == LEFT_OUT  # fmt: skip
    skipped = [c for c in summary["checks"] if c["message"] == "not run by the production profile"]
    assert skipped
    assert all(c["outcome"] == "skipped" for c in skipped)  # never a pass
    assert account.password not in output
    markdown = (tmp_path / "run" / "summary.md").read_text()
    assert f"{limits['requests_sent']} of 60 requests sent" in markdown


def test_a_budget_too_small_ends_in_exit_2_with_what_was_sent(
    clean_target: EmbeddedTarget, tmp_path: Path
) -> None:
    account = clean_target.credentials[0]
    with counting_service(clean_target.base_url) as service:
        gate = start_gate(service.url, account, tmp_path, "--max-requests", "3", "--max-rate", "50")
        code, output, summary = finish(gate, tmp_path)
        received = list(service.received)
    assert code == 2, output
    assert len(received) == summary["limits"]["requests_sent"] == 3
    assert any("budget of 3 requests is spent" in error for error in summary["errors"])


def test_skip_takes_the_profiles_own_stages(clean_target: EmbeddedTarget, tmp_path: Path) -> None:
    account = clean_target.credentials[0]
    with counting_service(clean_target.base_url) as service:
        gate = start_gate(service.url, account, tmp_path, "--skip", "conformance-bounded",
                          "--max-rate", "50")  # fmt: skip
        code, output, summary = finish(gate, tmp_path)
        received = list(service.received)
    assert code == 0, output
    assert set(summary["limits"]["requests_per_stage"]) == {"target", "security"}
    assert len(received) == summary["limits"]["requests_sent"]
    assert "conformance-bounded" not in summary["stages"]
    assert summary["stages"]["security"]["status"] == "pass"


@pytest.fixture(scope="module")
def fault_runs(target_factory, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """A gate per defect, all at once (each through its own counting service)."""
    base = tmp_path_factory.mktemp("production-faults")
    runs = {}
    with contextlib.ExitStack() as services:
        started = {}
        for fault, _ in CAUGHT:
            target = target_factory(fault)
            service = services.enter_context(counting_service(target.base_url))
            account = target.credentials[0]
            gate = start_gate(
                service.url,
                account,
                base / fault,
                "--max-rate",
                "50",
                "--prometheus-file",
                str(base / fault / "tokenprobe.prom"),
            )
            started[fault] = (gate, service, account)
        for fault, (gate, service, account) in started.items():
            code, output, summary = finish(gate, base / fault)
            folder = base / fault
            runs[fault] = (code, output, summary, list(service.received), account, folder)
    return runs


@pytest.mark.parametrize(("fault", "finding"), CAUGHT, ids=[fault for fault, _ in CAUGHT])
def test_it_still_catches_what_a_live_service_may_get_wrong(
    fault_runs: dict[str, tuple], fault: str, finding: str
) -> None:
    code, output, summary, received, account, _ = fault_runs[fault]
    assert code == 1, output
    assert finding in {f["id"] for f in summary["findings"] if f["severity"] == "error"}
    assert_production_safe(received, account.username, account.password)


def test_a_failing_run_says_so_to_prometheus(fault_runs: dict[str, tuple]) -> None:
    """Read back by prometheus_client's own parser, as node_exporter's collector reads it."""
    code, _, summary, _, _, folder = fault_runs[CAUGHT[0][0]]
    text = (folder / "tokenprobe.prom").read_text()
    samples = {
        (sample.name, sample.labels.get("severity")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert samples[("tokenprobe_gate_passed", None)] == 0
    assert samples[("tokenprobe_gate_exit_code", None)] == code == 1
    errors = sum(1 for f in summary["findings"] if f["severity"] == "error")
    assert samples[("tokenprobe_gate_findings", "error")] == errors > 0
