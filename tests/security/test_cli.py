"""``tokenprobe security`` driven as a user would: exit codes, reports, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import in_process
from tests.leaks import leaks
from tests.security.conftest import SecurityTarget
from tokenprobe.core.credentials import write_csv
from tokenprobe.reference.embedded import EmbeddedTarget
from tokenprobe.reports import update_latest


def tokenprobe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tokenprobe", "security", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def pool_env(target: EmbeddedTarget) -> dict[str, str]:
    return {"TOKENPROBE_CREDENTIALS": str(target.credentials_file)}


def assert_no_secret(target: EmbeddedTarget, *texts: str) -> None:
    passwords = [c.password for c in target.credentials]
    assert all(leaks(text, passwords) == [] for text in texts)


def test_embedded_target_passes_with_reports(tmp_path: Path) -> None:
    result = tokenprobe("--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["command"] == "security"
    assert summary["status"] == "pass"
    assert (tmp_path / "junit.xml").is_file()


def test_url_target_with_a_fault_exits_1(security_target: SecurityTarget, tmp_path: Path) -> None:
    target = security_target("no-cache-headers")
    result = tokenprobe(
        "--url", target.base_url, "--report-dir", str(tmp_path), "--probe", "TP-SEC-012",
        env=pool_env(target),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "TP-SEC-012" in result.stdout
    assert_no_secret(target, result.stdout, result.stderr, (tmp_path / "summary.json").read_text())


def test_canary_and_severity_options(security_target: SecurityTarget, tmp_path: Path) -> None:
    target = security_target("no-lockout")
    canary = target.credentials[-1]
    result = tokenprobe(
        "--url", target.url, "--report-dir", str(tmp_path), "--probe", "TP-SEC-015",
        "--canary-username", canary.username, "--brute-force-attempts", "25",
        "--severity", "TP-SEC-015=error",
        env={**pool_env(target), "TOKENPROBE_CANARY_PASSWORD": canary.password},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    finding = json.loads((tmp_path / "summary.json").read_text())["findings"][0]
    assert finding["id"] == "TP-SEC-015"
    assert "25 consecutive wrong passwords" in finding["evidence"]


def test_require_complete_fails_a_run_that_could_not_evaluate_a_probe(
    security_target: SecurityTarget, tmp_path: Path
) -> None:
    # Without credentials the caching probe cannot log in: not evaluated (TP-SEC-101).
    args = ("--url", security_target().base_url, "--probe", "TP-SEC-012")
    plain = tokenprobe(*args, "--report-dir", str(tmp_path / "plain"))
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "security: PASS; findings: 0 error, 1 warning, 0 info; 1 check not evaluated;" in (
        plain.stdout
    )
    summary = json.loads((tmp_path / "plain" / "summary.json").read_text())
    assert [(f["id"], f["severity"]) for f in summary["findings"]] == [("TP-SEC-101", "warning")]
    # --require-complete: what was not evaluated fails the run.
    complete = tokenprobe(*args, "--report-dir", str(tmp_path / "complete"), "--require-complete")
    assert complete.returncode == 1, complete.stdout + complete.stderr
    assert "security: FAIL; findings: 1 error, 0 warning, 0 info; 1 check not evaluated;" in (
        complete.stdout
    )
    summary = json.loads((tmp_path / "complete" / "summary.json").read_text())
    assert [(f["id"], f["severity"]) for f in summary["findings"]] == [("TP-SEC-101", "error")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "http://127.0.0.1:9"], "cannot connect"),  # nothing listens on port 9
        (["--url", "ftp://example.invalid"], "--url: target.url: expected an http(s) base URL"),
        (["--canary-username", "someone"], "TOKENPROBE_CANARY_PASSWORD"),  # password not set
        (["--verify-key-file", "/nonexistent/key"], "cannot read verification key"),
        (["--severity", "TP-SEC-999=error"], "unknown probe ID"),
        (["--severity", "TP-SEC-001=fatal"], "unknown severity"),
        (["--probe", "TP-SEC-999"], "TP-SEC-999"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = in_process.tokenprobe(["security", *args], {"TOKENPROBE_CANARY_PASSWORD": ""})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_configuration_target_severities_and_a_fresh_run_folder(
    security_target: SecurityTarget, tmp_path: Path
) -> None:
    target = security_target("no-cache-headers")
    earlier = tmp_path / "out" / "earlier"
    earlier.mkdir(parents=True)
    update_latest(earlier)
    (tmp_path / "tokenprobe.toml").write_text(
        f'[target]\nurl = "{target.base_url}"\ncredentials = "{target.credentials_file}"\n'
        '[reports]\ndir = "out"\n'
        # a conformance ID in the same table must not trouble the security command
        '[severities]\nTP-SEC-012 = "info"\nTP-TOKEN-004 = "error"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    result = subprocess.run(
        [sys.executable, "-m", "tokenprobe", "security", "--probe", "TP-SEC-012"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr  # re-graded to info
    run_dir = (tmp_path / "out" / "latest").resolve()
    assert run_dir.parent == (tmp_path / "out").resolve()
    assert run_dir.name != "earlier"
    assert not any(earlier.iterdir())  # never written through latest into an earlier run
    assert f'href="./{run_dir.name}/summary.json"' in (tmp_path / "out" / "index.html").read_text()
    findings = json.loads((run_dir / "summary.json").read_text())["findings"]
    assert [(f["id"], f["severity"]) for f in findings] == [("TP-SEC-012", "info")]


def test_one_account_and_a_credentials_file_make_one_pool(
    security_target: SecurityTarget, tmp_path: Path
) -> None:
    # Both sources given: their union, as in the gate (issue 11: the file used to win here).
    target = security_target()
    one, *others = target.credentials[:4]
    pool_file = write_csv(tmp_path / "pool.csv", others)
    result = tokenprobe(
        "--url", target.base_url, "--report-dir", str(tmp_path / "run"), "--probe", "TP-SEC-012",
        env={"TOKENPROBE_USERNAME": one.username, "TOKENPROBE_PASSWORD": one.password,
             "TOKENPROBE_CREDENTIALS": str(pool_file)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["security"]["pool_accounts"] == 4
