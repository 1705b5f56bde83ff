"""Plain ``locust`` with the repository's ``locust.conf``: the path an SRE takes by hand."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tests.leaks import leaks
from tests.load.conftest import REPO_ROOT, finish, start


@pytest.fixture(scope="module")
def runs(load_target: Any, tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("plain")
    # No -f: locust.conf at the repository root names the locustfile and the defaults.
    plain = [sys.executable, "-m", "locust", "--headless", "--only-summary"]
    # Locust's own -t, as every Locust user gives it: locust.conf must not fight it.
    ok = [
        *plain, "--host", load_target.base_url, "-t", "3s",
        "--tp-credentials", str(load_target.credentials_file),
        "--tp-results", str(base / "ok" / "results.json"),
        "--tp-report-dir", str(base / "ok" / "run"),  # not a run folder in the checkout
    ]  # fmt: skip
    remote = [*plain, "--host", "http://203.0.113.9:8000", "-t", "3s"]
    unknown = [*plain, "--host", load_target.base_url, "--tp-slo", "p95[valid-login]<500"]
    capped = [
        *ok[: ok.index("-t")], "--tp-results", str(base / "capped" / "results.json"),
        "--tp-credentials", str(load_target.credentials_file),
        "--tp-duration", "60s", "--tp-max-requests", "30",
        "--tp-report-dir", str(base / "capped" / "run"),
    ]  # fmt: skip
    disagree = [*plain, "--host", load_target.base_url, "-t", "3s", "--tp-duration", "60s"]
    # Valid logins (tokens in every answer) against an SLO no target meets: a failing run.
    breach = [
        *ok[: ok.index("--tp-results")], "--tp-results", str(base / "breach" / "results.json"),
        "--tp-slo", "p95<0.001", "--tp-weights", "valid_login=1",
        "--tp-report-dir", str(base / "breach" / "run"),
    ]  # fmt: skip
    started = {
        "ok": (start(ok, base / "ok", cwd=REPO_ROOT), base / "ok"),
        "breach": (start(breach, base / "breach", cwd=REPO_ROOT), base / "breach"),
        "capped": (start(capped, base / "capped", cwd=REPO_ROOT), base / "capped"),
        "remote": (start(remote, base / "remote", cwd=REPO_ROOT), base / "remote"),
        "unknown": (start(unknown, base / "unknown", cwd=REPO_ROOT), base / "unknown"),
        "disagree": (start(disagree, base / "disagree", cwd=REPO_ROOT), base / "disagree"),
        "help": (start([*plain, "--tp-help"], base / "help", cwd=REPO_ROOT), base / "help"),
    }
    return {key: finish(process, workdir) for key, (process, workdir) in started.items()}


def test_defaults_come_from_locust_conf_and_the_host_is_printed_first(runs: dict) -> None:
    run = runs["ok"]
    assert run.returncode == 0, run.output
    results = run.results
    assert (results["model"], results["profile"]) == ("open", "constant")
    assert [slo["name"] for slo in results["slo"]] == ["p95", "p99", "error_ratio"]
    assert results["steps"][0]["offered_rps"] == 20  # tp-rate in locust.conf
    announced = run.output.index("tokenprobe: load target http://127.0.0.1")
    assert announced < run.output.index("Ramping to")


def test_locusts_run_time_is_the_run_time(runs: dict) -> None:
    run = runs["ok"]
    assert "will be ignored" not in run.output
    assert 2.5 <= run.results["duration_s"] <= 3.5  # -t 3s, not a profile's 60 s


def test_run_time_and_tp_duration_that_disagree_are_refused(runs: dict) -> None:
    run = runs["disagree"]
    assert run.returncode == 2, run.output
    assert "-t/--run-time (3s) and --tp-duration (60s) disagree" in run.output
    assert "Ramping to" not in run.output
    assert "Traceback" not in run.output


def test_tp_help_lists_tokenprobes_options_with_locusts(runs: dict) -> None:
    run = runs["help"]
    assert run.returncode == 0, run.output
    assert "--tp-rate" in run.output
    assert "--run-time" in run.output  # Locust's own help, extended
    assert "--tp-common-run-time" not in run.output  # internal


def test_a_remote_host_is_refused_without_a_request(runs: dict) -> None:
    run = runs["remote"]
    assert run.returncode == 2, run.output
    assert "refusing to load-test 203.0.113.9" in run.output
    assert "Ramping to" not in run.output


def test_an_unknown_scenario_is_refused_before_any_request(runs: dict) -> None:
    run = runs["unknown"]
    assert run.returncode == 2, run.output
    assert (
        "SLO 'p95[valid-login]<500': unknown scenario 'valid-login' (known: valid_login, "
        "wrong_password, unknown_user, malformed_body, login_storm)"
    ) in run.output
    assert "Ramping to" not in run.output
    assert "Traceback" not in run.output


def test_a_run_stops_at_its_request_cap(runs: dict) -> None:
    run = runs["capped"]
    assert run.returncode == 0, run.output
    results = run.results
    assert "request cap of 30 reached" in run.output
    # 20 req/s: the cap is reached after about 1.5 s, checked every second.
    assert 30 <= results["requests"] <= 80
    assert results["duration_s"] < 10


def test_a_failing_run_prints_no_password_and_no_token(runs: dict, load_target: Any) -> None:
    run = runs["breach"]
    assert run.returncode == 1, run.output
    assert "SLO p95 < 0.001 ms" in run.output
    assert leaks(run.output, [c.password for c in load_target.credentials]) == []
