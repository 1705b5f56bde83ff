"""``tokenprobe load`` as a user runs it: reports, the SLO gate's exit codes, bad input."""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import in_process
from tests.leaks import leaks
from tests.load.conftest import finish, start
from tokenprobe.core.credentials import load_csv
from tokenprobe.reports import update_latest

KNOWN_SCENARIOS = "known: valid_login, wrong_password, unknown_user, malformed_body, login_storm"
REPORTS = [
    "summary.json", "junit.xml", "locust_report.html", "load_stats.csv", "locust.json",
    "latency_over_time.png", "throughput_errors.png", "latency_histogram.png",
]  # fmt: skip


def tokenprobe_load(*args: str) -> list[str]:
    return [sys.executable, "-m", "tokenprobe", "load", *args]


@pytest.fixture(scope="module")
def gate_runs(target_factory: Any, load_target: Any, tmp_path_factory: pytest.TempPathFactory):
    """A slow target against a tight SLO, and the clean target against a loose one; each has
    one on a scenario (the met one by its display name, read as the key). And the clean target
    without credentials, with and without --require-complete."""
    base = tmp_path_factory.mktemp("cli")
    slow = target_factory("slow=200")
    runs = {}
    for key, target, slo, credentials, extra in (
        ("breach", slow, "p95<100,p95[valid_login]<100", True, ()),
        ("met", load_target, "p99<5000,p95[valid login]<5000", True, ()),
        ("no-credentials", load_target, "p99<5000", False, ()),
        ("no-credentials-complete", load_target, "p99<5000", False, ("--require-complete",)),
    ):
        report_dir = base / key
        args = tokenprobe_load(
            "--url", target.base_url, "--rate", "8", "--duration", "3s",
            "--slo", f"{slo},error_ratio<0.05", "--report-dir", str(report_dir), *extra,
        )  # fmt: skip
        if credentials:
            os.environ["TOKENPROBE_CREDENTIALS"] = str(target.credentials_file)
        try:
            runs[key] = (start(args, report_dir), report_dir, target)
        finally:
            os.environ.pop("TOKENPROBE_CREDENTIALS", None)
    return {key: (finish(p, d), d, t) for key, (p, d, t) in runs.items()}


def test_slo_breach_exits_1_with_each_threshold_and_its_observed_value(gate_runs: dict) -> None:
    run, report_dir, _ = gate_runs["breach"]
    assert run.returncode == 1, run.output
    summary = json.loads((report_dir / "summary.json").read_text())
    assert summary["status"] == "fail"
    checks = {c["id"]: c for c in summary["checks"]}
    assert checks["slo:p95"]["outcome"] == "failed"
    slo = {s["name"]: s for s in summary["load"]["slo"]}
    assert slo["p95"]["observed"] >= 200  # every answer waits 200 ms
    assert slo["p95"]["threshold"] == "< 100 ms"
    assert checks["slo:error_ratio"]["outcome"] == "passed"
    # summary.json still shows each SLO's "passed", rendered from its check (stored once).
    assert (slo["error_ratio"]["passed"], slo["p95"]["passed"]) == (True, False)
    # A scenario's SLO is judged on that scenario's own numbers.
    logins = summary["load"]["scenarios"]["valid_login"]
    assert logins["name"] == "valid login"
    assert slo["p95[valid_login]"]["observed"] == logins["latency_ms"]["p95"] >= 200
    assert checks["slo:p95[valid_login]"]["outcome"] == "failed"
    breaches = {f["expected"]: f for f in summary["findings"] if f["id"] == "TP-LOAD-001"}
    assert set(breaches) == {"p95 < 100 ms", "p95[valid_login] < 100 ms"}
    assert breaches["p95 < 100 ms"]["severity"] == "error"
    assert breaches["p95 < 100 ms"]["received"].startswith("p95 = ")
    assert "<failure" in (report_dir / "junit.xml").read_text()
    assert "SLO p95 < 100 ms: observed" in run.output


def test_slo_met_exits_0_and_writes_every_report(gate_runs: dict) -> None:
    run, report_dir, _ = gate_runs["met"]
    assert run.returncode == 0, run.output
    assert all((report_dir / name).stat().st_size > 0 for name in REPORTS)
    summary = json.loads((report_dir / "summary.json").read_text())
    load = summary["load"]
    assert load["model"] == "open"
    assert load["capacity_rps"] is None
    assert set(load["latency_ms"]) == {"p50", "p90", "p95", "p99", "p999", "max"}
    assert {"late", "dropped", "unreliable", "scenarios", "slo", "requests"} <= set(load)
    slo = {s["name"]: s for s in load["slo"]}
    logins = load["scenarios"]["valid_login"]
    assert slo["p95[valid_login]"]["observed"] == logins["latency_ms"]["p95"]
    outcomes = {c["id"]: c["outcome"] for c in summary["checks"]}
    assert outcomes["slo:p95[valid_login]"] == "passed"
    # load_stats.csv holds the final numbers, the same as summary.json
    with (report_dir / "load_stats.csv").open(newline="") as handle:
        rows = {row["scenario"]: row for row in csv.DictReader(handle)}
    assert (rows["total"]["name"], int(rows["total"]["requests"])) == (
        "Aggregated",
        load["requests"],
    )
    assert rows["valid_login"]["name"] == "valid login"
    assert int(rows["valid_login"]["requests"]) == logins["requests"]


def test_without_credentials_the_account_scenarios_are_not_evaluated(gate_runs: dict) -> None:
    """Scenarios switched off for lack of credentials are a not-evaluated finding (a warning),
    never a silent pass; --require-complete makes it an error (exit 1)."""
    run, report_dir, _ = gate_runs["no-credentials"]
    assert run.returncode == 0, run.output
    summary = json.loads((report_dir / "summary.json").read_text())
    assert {f["id"]: f["severity"] for f in summary["findings"]} == {"TP-LOAD-003": "warning"}
    (finding,) = summary["findings"]
    assert finding["evidence"].startswith("valid_login, wrong_password not run: no credentials")
    assert summary["not_evaluated"] == 1
    checks = {c["id"]: c for c in summary["checks"]}
    assert checks["TP-LOAD-003"]["outcome"] == "skipped"
    assert summary["load"]["scenarios"].keys() == {"unknown_user", "malformed_body"}
    line = "load: PASS; findings: 0 error, 1 warning, 0 info; 1 check not evaluated; reports in"
    assert line in run.output

    complete, report_dir, _ = gate_runs["no-credentials-complete"]
    assert complete.returncode == 1, complete.output
    summary = json.loads((report_dir / "summary.json").read_text())
    assert {f["id"]: f["severity"] for f in summary["findings"]} == {"TP-LOAD-003": "error"}
    assert summary["status"] == "fail"
    assert "load: FAIL; findings: 1 error, 0 warning, 0 info; 1 check not evaluated; reports" in (
        complete.output
    )

    # With credentials every scenario runs: nothing is left unevaluated.
    met, report_dir, _ = gate_runs["met"]
    summary = json.loads((report_dir / "summary.json").read_text())
    assert summary["not_evaluated"] == 0
    assert "TP-LOAD-003" not in {c["id"] for c in summary["checks"]}
    last = met.output.rstrip().splitlines()[-1]
    assert last.startswith("load: PASS; findings: 0 error, 0 warning, 0 info; reports in"), last


@pytest.mark.parametrize("key", ["breach", "met"])
def test_no_password_or_token_in_any_report(gate_runs: dict, key: str) -> None:
    run, report_dir, target = gate_runs[key]
    passwords = [c.password for c in load_csv(target.credentials_file)]
    for path in Path(report_dir).iterdir():
        if path.suffix in (".png",):
            continue
        text = path.read_text(errors="replace")
        assert not any(p in text for p in passwords), path.name
        assert "eyJ" not in text.replace("eyJ0eXAiOiJKV1Q…", ""), path.name
    assert leaks(run.output, passwords) == []  # the console of a passing and a failing run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # a host that is not loopback and not allowed: refused before any request
        (["--url", "http://203.0.113.5:8000"], "refusing to load-test 203.0.113.5"),
        (["--slo", "p95<<1"], "SLO 'p95<<1'"),
        (["--slo", "throughput_rps<5"], "throughput_rps takes >"),
        (["--duration", "soon"], "expected a duration such as 90, 30s, 5m, 1h30m or 7d"),
        (
            ["--weights", "bogus=1"],
            f"weight 'bogus=1': unknown scenario 'bogus' ({KNOWN_SCENARIOS})",
        ),
        (
            ["--slo", "p95<500,p95[valid-login]<500"],
            f"SLO 'p95[valid-login]<500': unknown scenario 'valid-login' ({KNOWN_SCENARIOS})",
        ),
        (["--profile", "tsunami"], "Invalid value for '--profile'"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = in_process.tokenprobe(["load", *args])
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("command", ["load", "gate"])
def test_an_unknown_scenario_in_the_configuration_exits_2_before_any_request(
    tmp_path: Path, command: str
) -> None:
    (tmp_path / "tokenprobe.toml").write_text("[slo.latency.valid-login]\np95-ms = 300\n")
    # Nothing listens there: an error about reaching it would mean the check came too late.
    result = in_process.tokenprobe([command, "--url", "http://127.0.0.1:9"], cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "tokenprobe: error: tokenprobe.toml: unknown key slo.latency.valid-login (expected one "
        "of: total, valid_login, wrong_password, unknown_user, malformed_body, login_storm)"
    ]
    assert not (tmp_path / "reports").exists()


def test_configuration_sets_target_slos_per_scenario_and_a_fresh_run_folder(
    load_target: Any, tmp_path: Path
) -> None:
    """The documented configuration, [slo.latency.valid_login] included, end to end: each
    threshold is judged on the scenario's observed value (one met, one breached: exit 1)."""
    earlier = tmp_path / "out" / "earlier"
    earlier.mkdir(parents=True)
    update_latest(earlier)  # as a gate run would leave it
    (tmp_path / "tokenprobe.toml").write_text(
        f'[target]\nurl = "{load_target.base_url}"\n'
        f'credentials = "{load_target.credentials_file}"\n'
        '[reports]\ndir = "out"\n'
        "[slo]\nerror-ratio = 0.5\n[slo.latency.total]\np95-ms = 5000\n"
        # no login answers within a microsecond: breached, on its observed value
        "[slo.latency.valid_login]\np95-ms = 5000\np99-ms = 0.001\n"
    )
    args = tokenprobe_load("--rate", "8", "--duration", "2s")
    run = finish(start(args, tmp_path / "log", cwd=tmp_path), tmp_path / "log")
    assert run.returncode == 1, run.output
    run_dir = (tmp_path / "out" / "latest").resolve()
    assert run_dir.parent == (tmp_path / "out").resolve()
    assert run_dir.name != "earlier"
    assert not any(earlier.iterdir())  # never written through latest into an earlier run
    # The root's history page lists the run, as after a gate run (a load run has no report.html).
    assert f'href="./{run_dir.name}/summary.json"' in (tmp_path / "out" / "index.html").read_text()
    summary = json.loads((run_dir / "summary.json").read_text())
    load = summary["load"]
    logins = load["scenarios"]["valid_login"]["latency_ms"]
    assert {(s["name"], s["threshold"], s["observed"]) for s in load["slo"]} == {
        ("p95", "< 5000 ms", load["latency_ms"]["p95"]),
        ("p95[valid_login]", "< 5000 ms", logins["p95"]),
        ("p99[valid_login]", "< 0.001 ms", logins["p99"]),
        ("error_ratio", "< 0.5", round(load["failures"] / load["requests"], 4)),
    }
    outcomes = {c["id"]: c["outcome"] for c in summary["checks"] if c["id"].startswith("slo:")}
    assert outcomes == {"slo:p95": "passed", "slo:p95[valid_login]": "passed",
                        "slo:p99[valid_login]": "failed", "slo:error_ratio": "passed"}  # fmt: skip
    assert "SLO p99[valid_login] < 0.001 ms: observed" in run.output
    assert "[failed]" in run.output.split("SLO p99[valid_login]")[1].splitlines()[0]
