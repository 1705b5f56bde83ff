"""Plain headless ``locust -f loadtests/locustfile.py``, as ``tokenprobe load`` behaves.

Three short runs (2 s each, started together) from an empty folder against the embedded target:
one without credentials (the scenarios that need accounts are switched off and reported as not
evaluated; the reports land in a fresh run folder named by the last line), one with
credentials and Locust's own output options; and one without credentials that requires a
complete run (``--tp-require-complete``).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from tests.leaks import leaks
from tests.load.conftest import REPO_ROOT, finish, start

LOCUSTFILE = REPO_ROOT / "loadtests" / "locustfile.py"


@pytest.fixture(scope="module")
def runs(load_target: Any, tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("run-folder")
    plain = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    plain += ["--host", load_target.base_url, "-t", "2s", "--tp-rate", "10", "--tp-slo", "p99<5000"]
    mine = base / "mine"
    given = [
        *plain, "--tp-credentials", str(load_target.credentials_file), "--tp-require-complete",
        "--html", str(mine / "my.html"), "--csv", str(mine / "my"), "--json-file", str(mine / "my"),
        "--tp-report-dir", str(base / "given" / "run"),
    ]  # fmt: skip
    strict = [*plain, "--tp-require-complete", "--tp-report-dir", str(base / "strict" / "run")]
    started = {
        "bare": (start(plain, base / "bare"), base / "bare"),
        "given": (start(given, base / "given"), base / "given"),
        "strict": (start(strict, base / "strict"), base / "strict"),
    }
    return {key: finish(process, workdir) for key, (process, workdir) in started.items()}


def last_line(output: str) -> str:
    return [line for line in output.splitlines() if line.strip()][-1]


def test_without_credentials_the_account_scenarios_are_off_not_a_refusal(runs: dict) -> None:
    run = runs["bare"]
    assert run.returncode == 0, run.output
    warning = next(line for line in run.output.splitlines() if "no credentials" in line)
    assert "WARNING" in warning
    assert "TOKENPROBE_CREDENTIALS" in warning
    assert "--tp-credentials" in warning
    assert "valid_login, wrong_password off" in warning


def test_a_headless_run_writes_a_run_folder_named_by_its_last_line(runs: dict) -> None:
    run = runs["bare"]
    line = last_line(run.output)
    verdict = "PASS; findings: 0 error, 1 warning, 0 info; 1 check not evaluated"
    assert line.startswith(f"tokenprobe: {verdict}; reports in reports/"), line
    folder = run.workdir / line.rsplit(" ", 1)[1]
    for name in ("summary.json", "junit.xml", "locust_report.html", "locust_stats.csv",
                 "locust.json", "load_stats.csv", "latency_histograms.json"):  # fmt: skip
        assert (folder / name).is_file(), name
    assert (run.workdir / "reports" / "latest").resolve() == folder.resolve()
    summary = json.loads((folder / "summary.json").read_text())
    assert (summary["command"], summary["status"], summary["not_evaluated"]) == ("load", "pass", 1)
    skipped = {c["id"]: c["outcome"] for c in summary["checks"]}
    assert skipped["TP-LOAD-003"] == "skipped"
    assert skipped["slo:p99"] == "passed"
    assert set(summary["load"]["scenarios"]) == {"unknown_user", "malformed_body"}
    # Locust's final table is still printed (the JSON was written without --json-file).
    assert "Response time percentiles" in run.output


def test_require_complete_fails_a_run_without_credentials(runs: dict) -> None:
    run = runs["strict"]
    assert run.returncode == 1, run.output
    folder = run.workdir / "run"
    verdict = "FAIL; findings: 1 error, 0 warning, 0 info; 1 check not evaluated"
    assert last_line(run.output) == f"tokenprobe: {verdict}; reports in {folder}"
    summary = json.loads((folder / "summary.json").read_text())
    assert [f["severity"] for f in summary["findings"]] == ["error"]
    assert not (run.workdir / "reports").exists()  # --tp-report-dir: no run folder besides


def test_given_locust_outputs_keep_their_place(runs: dict, load_target: Any) -> None:
    run = runs["given"]
    assert run.returncode == 0, run.output  # credentials given: nothing left out
    mine = run.workdir.parent / "mine"
    assert (mine / "my.html").is_file()
    assert (mine / "my_stats.csv").is_file()
    assert (mine / "my.json").is_file()
    folder = run.workdir / "run"
    verdict = "PASS; findings: 0 error, 0 warning, 0 info"
    assert last_line(run.output) == f"tokenprobe: {verdict}; reports in {folder}"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["not_evaluated"] == 0
    assert summary["load"]["scenarios"]["valid_login"]["requests"] > 0
    assert not (folder / "locust_report.html").exists()  # --html named another place
    passwords = [c.password for c in load_target.credentials]
    assert leaks(run.output + (folder / "summary.json").read_text(), passwords) == []
