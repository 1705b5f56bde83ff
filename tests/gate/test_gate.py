"""``tokenprobe gate`` driven as CI drives it: real processes, real targets, real report files."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.leaks import leaks
from tokenprobe.core.config import Config
from tokenprobe.core.findings import Severity
from tokenprobe.core.redact import JWT_PATTERN
from tokenprobe.gate import security_options
from tokenprobe.reference.embedded import EmbeddedTarget

REPORT_FILES = ("summary.json", "junit.xml", "summary.md", "report.html")
WRONG_STATUS = "TP-CONF-004"  # 401 instead of the documented 400
ONLY_PUBLISHED = ("--skip", "conformance-strict", "--skip", "security", "--skip", "load")
GATE_BUDGET_S = 240


def run_gate(
    cwd: Path, *args: str, credentials: Path | None = None, **variables: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    env["CI"] = "true"
    env.update(variables)
    if credentials:
        env["TOKENPROBE_CREDENTIALS"] = str(credentials)
    return subprocess.run(
        [sys.executable, "-m", "tokenprobe", "gate", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=GATE_BUDGET_S,
    )  # fmt: skip


def latest(cwd: Path) -> Path:
    return (cwd / "reports" / "latest").resolve()


def summary_of(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


def assert_complete_report(run_dir: Path) -> dict:
    for name in REPORT_FILES:
        assert (run_dir / name).stat().st_size > 0, name
    return summary_of(run_dir)


def every_report_text(run_dir: Path) -> dict[Path, str]:
    return {path: path.read_text(errors="replace") for path in run_dir.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def secrets_target(target_factory) -> EmbeddedTarget:
    # Own accounts: the gate's failed logins lock nobody else out.
    return target_factory(owner="gate", users=40)


@pytest.fixture(scope="module")
def faulty_target(target_factory) -> EmbeddedTarget:
    return target_factory("status-401", owner="gate")


def test_gate_passes_a_clean_target_and_leaks_no_secret(
    tmp_path: Path, secrets_target: EmbeddedTarget
) -> None:
    result = run_gate(
        tmp_path, "--url", secrets_target.base_url, credentials=secrets_target.credentials_file
    )
    assert result.returncode == 0, result.stdout + result.stderr
    run_dir = latest(tmp_path)
    assert re.fullmatch(r"\d{8}T\d{6}Z", run_dir.name)
    summary = assert_complete_report(run_dir)
    assert summary["status"] == "pass"
    assert summary["embedded_target"] is False  # --url: a service tokenprobe did not start
    # The token URL, as every command records it: the history groups them as one target.
    assert summary["target"] == f"{secrets_target.base_url}/api/v1/token/"
    assert set(summary["stages"]) == {
        "conformance-published", "conformance-strict", "security", "load"
    }  # fmt: skip
    assert summary["load"]["requests"] > 0
    assert summary["conformance"]["published"]["success_path_exercised"] is True
    junit = (run_dir / "junit.xml").read_text()
    assert junit.count("<testcase") == len(summary["checks"]) > 40
    assert (run_dir / "load" / "locust_report.html").exists()
    # Secrets: no password, no whole token, in any file of the run or any line printed.
    texts = every_report_text(run_dir)
    texts[Path("<output>")] = result.stdout + result.stderr
    passwords = [c.password for c in secrets_target.credentials]
    for path, text in texts.items():
        assert not any(p in text for p in passwords), path
        whole_tokens = [t for t in JWT_PATTERN.findall(text) if t.count(".") == 2 and len(t) > 60]
        assert whole_tokens == [], path


def test_gate_fails_a_faulty_target_on_every_report_surface(
    tmp_path: Path, faulty_target: EmbeddedTarget
) -> None:
    result = run_gate(tmp_path, "--url", faulty_target.base_url, *ONLY_PUBLISHED)
    assert result.returncode == 1, result.stdout + result.stderr
    run_dir = latest(tmp_path)
    summary = assert_complete_report(run_dir)
    assert summary["status"] == "fail"
    assert WRONG_STATUS in {f["id"] for f in summary["findings"] if f["severity"] == "error"}
    for name in REPORT_FILES:
        assert WRONG_STATUS in (run_dir / name).read_text(), name
    assert "FAIL" in result.stdout


def test_baseline_accepts_a_known_deviation_until_it_expires(
    tmp_path: Path, faulty_target: EmbeddedTarget
) -> None:
    url = ("--url", faulty_target.base_url, *ONLY_PUBLISHED)
    first = run_gate(tmp_path, *url, "--update-baseline", "--baseline-reason", "TICKET-1")
    # Like other tools' baseline generation: the run is judged by the baseline it wrote.
    assert first.returncode == 0, first.stdout + first.stderr
    baseline_file = tmp_path / "tokenprobe-baseline.yaml"
    accepted = yaml.safe_load(baseline_file.read_text())["accepted"]
    assert WRONG_STATUS in {entry["id"] for entry in accepted}
    first_run = latest(tmp_path)

    second = run_gate(tmp_path, *url, "--compare", str(first_run))
    assert second.returncode == 0, second.stdout + second.stderr
    summary = summary_of(latest(tmp_path))
    assert all(f["accepted"] for f in summary["findings"] if f["id"] == WRONG_STATUS)
    assert summary["comparison"]["new"] == []
    assert latest(tmp_path) != first_run  # an earlier run is never overwritten

    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    document = yaml.safe_load(baseline_file.read_text())
    for entry in document["accepted"]:
        entry["expires"] = yesterday
    baseline_file.write_text(yaml.safe_dump(document))
    third = run_gate(tmp_path, *url)
    assert third.returncode == 1
    assert WRONG_STATUS in {e["id"] for e in summary_of(latest(tmp_path))["baseline"]["expired"]}


def test_token_policy_from_the_configuration_reaches_the_checks(
    tmp_path: Path, secrets_target: EmbeddedTarget
) -> None:
    # The clean target's 7-day access tokens break a 1-hour maximum (TP-TOKEN-004).
    (tmp_path / "tokenprobe.toml").write_text('[policy]\naccess-max-lifetime = "1h"\n')
    result = run_gate(
        tmp_path, "--url", secrets_target.base_url, *ONLY_PUBLISHED,
        credentials=secrets_target.credentials_file,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    errors = {f["id"] for f in summary_of(latest(tmp_path))["findings"] if f["severity"] == "error"}
    assert errors == {"TP-TOKEN-004"}
    # A failing run's console, from a run that logged in: no password, no whole token.
    passwords = [c.password for c in secrets_target.credentials]
    assert leaks(result.stdout + result.stderr, passwords) == []


def test_bad_configuration_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "tokenprobe.toml").write_text("[slo]\np95 = 300\n")
    result = run_gate(tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "tokenprobe: error: tokenprobe.toml: unknown key slo.p95 "
        "(expected one of: error-ratio, latency, min-throughput-rps)"
    ]
    assert not (tmp_path / "reports").exists()


def test_json_output_is_the_written_summary(tmp_path: Path, faulty_target) -> None:
    result = run_gate(
        tmp_path, "--url", faulty_target.base_url, *ONLY_PUBLISHED, "--json", "--quiet"
    )
    assert result.returncode == 1
    printed = json.loads(result.stdout)
    assert printed == summary_of(latest(tmp_path))


def test_security_stage_takes_only_probe_severities_from_the_configuration() -> None:
    # [severities] re-grades any catalogue ID; the security runner refuses non-probe IDs, so
    # the gate hands it only its own (the rest apply to the merged findings).
    config = Config(severities={"TP-TOKEN-009": Severity.INFO, "TP-SEC-015": Severity.ERROR})
    assert security_options(config, {}).severities == {"TP-SEC-015": Severity.ERROR}


ONLY_SECURITY = (
    "--skip",
    "conformance-published",
    "--skip",
    "conformance-strict",
    "--skip",
    "load",
)
NOT_EVALUATED = {"TP-SEC-103", "TP-SEC-104"}  # no canary account, no verification key


def test_a_pass_says_what_it_did_not_evaluate_and_require_complete_fails_it(
    tmp_path: Path, secrets_target: EmbeddedTarget
) -> None:
    account = secrets_target.credentials[0]
    one_account = {"TOKENPROBE_USERNAME": account.username, "TOKENPROBE_PASSWORD": account.password}
    url = ("--url", secrets_target.base_url, *ONLY_SECURITY)

    passed = run_gate(tmp_path, *url, "--report-dir", "a", **one_account)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    line = "tokenprobe gate: PASS; findings: 0 error, 2 warning, 1 info; 2 checks not evaluated;"
    assert line in passed.stdout
    summary = summary_of(tmp_path / "a")
    assert summary["not_evaluated"] == 2
    assert {f["id"]: f["severity"] for f in summary["findings"]} == {
        **dict.fromkeys(NOT_EVALUATED, "warning"),
        "TP-SEC-006": "info",  # DRF trims passwords
    }

    # [gate] require-complete (or --require-complete): what was not evaluated fails the gate.
    (tmp_path / "tokenprobe.toml").write_text("[gate]\nrequire-complete = true\n")
    failed = run_gate(tmp_path, *url, "--report-dir", "b", **one_account)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    line = "tokenprobe gate: FAIL; findings: 2 error, 0 warning, 1 info; 2 checks not evaluated;"
    assert line in failed.stdout
    errors = {f["id"] for f in summary_of(tmp_path / "b")["findings"] if f["severity"] == "error"}
    assert errors == NOT_EVALUATED
    # Every surface says it fails: JUnit too, by the checks that could not look.
    junit = ET.parse(tmp_path / "b" / "junit.xml").getroot()  # noqa: S314 - our own output
    failed_cases = {case.get("name", "").split()[0] for case in junit.iter("testcase")
                    if case.find("failure") is not None}  # fmt: skip
    assert failed_cases == {"TP-SEC-015", "TP-SEC-010"}

    # A deployment without a canary or a key accepts that in the baseline, with a reason (the
    # run is judged by the baseline it wrote).
    (tmp_path / "tokenprobe.toml").unlink()
    accepted = run_gate(
        tmp_path, *url, "--report-dir", "c", "--require-complete", "--update-baseline",
        "--baseline-reason", "no canary account on staging (TICKET-7)", **one_account,
    )  # fmt: skip
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert all(f["accepted"] for f in summary_of(tmp_path / "c")["findings"])


def test_a_gate_without_credentials_runs_both_specs_and_says_what_it_did_not_see(
    tmp_path: Path, secrets_target: EmbeddedTarget
) -> None:
    """The first gate anyone runs against their service has no account: both conformance stages
    run (the strict one has no login to send and sends the boundary cases), it passes, and each
    says the success path was not evaluated."""
    result = run_gate(
        tmp_path, "--url", secrets_target.base_url, "--skip", "security", "--skip", "load",
        "--report-dir", "run",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    summary = summary_of(tmp_path / "run")
    assert summary["errors"] == []
    assert {name: stage["status"] for name, stage in summary["stages"].items()} == {
        "conformance-published": "pass",
        "conformance-strict": "pass",
    }
    assert {f["id"] for f in summary["findings"] if f["severity"] == "warning"} >= {"TP-CONF-011"}
