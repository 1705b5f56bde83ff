"""The two command-line paths, driven as a user would: `schemathesis run` from the repository
root (QA) and `tokenprobe conformance`; plus the pytest path, `pytest conformance/`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conformance.helpers import REPO_ROOT, SMALL_N, closed_port_url
from tests.leaks import leaks
from tokenprobe.core.credentials import ENV_CREDENTIALS, ENV_PASSWORD, ENV_USERNAME

BIN = Path(sys.executable).parent
TIMEOUT_S = 180


def _env(credentials_file: Path | None, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in (ENV_USERNAME, ENV_PASSWORD, ENV_CREDENTIALS)
    }
    if credentials_file is not None:
        env[ENV_CREDENTIALS] = str(credentials_file)
    return {**env, **extra}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )


def schemathesis_run(
    base_url: str,
    credentials_file: Path | None,
    spec: str = "token.openapi.yaml",
    config_file: Path | None = None,
):
    """Exactly QA's command, from the repository root: schemathesis.toml does the rest."""
    config = ["--config-file", str(config_file)] if config_file else []
    args = [str(BIN / "schemathesis"), *config, "run", f"specs/{spec}", "--url", base_url]
    return _run([*args, "-n", str(SMALL_N)], _env(credentials_file))


def summary_of(output: str) -> str:
    """Schemathesis' SUMMARY section: what a reader sees last."""
    assert "= SUMMARY =" in output, output[-3000:]
    return output.split("= SUMMARY =", 1)[1]


@pytest.mark.parametrize(
    ("faults", "spec", "exit_code", "expected"),
    [
        ((), "token.openapi.yaml", 0, None),  # a conformant service passes
        ((), "token.strict.openapi.yaml", 0, None),  # and passes the strict spec too
        (("status-401",), "token.openapi.yaml", 1, "TP-CONF-004"),
        (("alg-none",), "token.openapi.yaml", 1, "TP-TOKEN-002"),
        (("html-error-pages",), "token.openapi.yaml", 1, "TP-CONF-001"),
        (("server-error-on-long-input",), "token.openapi.yaml", 1, "ST101"),
    ],
)
def test_schemathesis_run_from_repo_root_uses_our_hooks(
    target_factory, faults: tuple[str, ...], spec: str, exit_code: int, expected: str | None
) -> None:
    target = target_factory(*faults)
    result = schemathesis_run(target.base_url, target.credentials_file, spec)
    assert result.returncode == exit_code, result.stdout[-3000:]
    # The console too: a failing token response is printed, and holds no whole token.
    passwords = [c.password for c in target.credentials]
    assert leaks(result.stdout + result.stderr, passwords) == []
    if expected:
        assert expected in result.stdout
    else:
        # our checks ran (their warnings are in Schemathesis' summary), and the logins happened
        summary = summary_of(result.stdout)
        assert "tokenprobe: 2 warnings" in summary
        assert "TP-TOKEN-009 Token lifetime" in summary
        assert "NOT exercised" not in result.stdout + result.stderr


def test_schemathesis_run_writes_findings_as_data_and_warnings_do_not_fail(
    clean_target, tmp_path
) -> None:
    """QA's command with tokenprobe's option: the clean target's 7-day tokens are a warning."""
    report = tmp_path / "findings.json"
    args = [str(BIN / "schemathesis"), "run", "specs/token.openapi.yaml"]
    args += [
        "--url",
        clean_target.base_url,
        "-n",
        str(SMALL_N),
        "--tokenprobe-findings",
        str(report),
    ]
    result = _run(args, _env(clean_target.credentials_file))
    assert result.returncode == 0, result.stdout[-3000:]
    data = json.loads(report.read_text())
    assert data["finished"] is True
    warnings = [f for f in data["findings"] if f["id"] == "TP-TOKEN-009"]
    assert {f["received"] for f in warnings} == {
        "7 days (within the 7 days maximum)",
        "30 days (within the 30 days maximum)",
    }
    assert data["checks"]["token_lifetime_within_policy"]["passed"] > 0
    assert data["token_responses"] > 0


def test_schemathesis_run_without_credentials_says_so(clean_target) -> None:
    """In Schemathesis' own summary, as a warning block with what to do; not a trailing line."""
    result = schemathesis_run(clean_target.base_url, None)
    assert result.returncode == 0, result.stdout[-3000:]
    summary = summary_of(result.stdout)
    assert "tokenprobe: 1 check not evaluated" in summary
    assert "TP-CONF-011 Success path not exercised: no credentials given" in summary
    assert "success path (200 with tokens) was NOT exercised" in summary
    assert "TOKENPROBE_CREDENTIALS=credentials.csv schemathesis run" in summary
    assert "require-complete = true under [checks.SuccessPathExercised]" in summary
    assert summary.index("tokenprobe:") < summary.index("Test cases:")
    assert result.stderr == ""


def test_schemathesis_run_without_credentials_fails_when_asked_to_be_complete(
    clean_target, tmp_path
) -> None:
    """The line `tokenprobe init` writes commented out, uncommented: such a run fails."""
    template = (REPO_ROOT / "schemathesis.toml").read_text()
    assert "\n# require-complete = true\n" in template
    config = tmp_path / "schemathesis.toml"
    config.write_text(template.replace("# require-complete = true", "require-complete = true"))
    result = schemathesis_run(clean_target.base_url, None, config_file=config)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "TP-CONF-011 Success path not exercised" in summary_of(result.stdout)
    assert "1 failure" in result.stdout.rstrip().splitlines()[-1]


def test_schemathesis_run_with_wrong_credentials_fails(clean_target, tmp_path) -> None:
    credentials = tmp_path / "wrong.csv"
    credentials.write_text("username,password\nprobe.nobody,not-the-password\n")
    result = schemathesis_run(clean_target.base_url, credentials)
    assert result.returncode == 1
    assert "TP-CONF-010" in result.stdout


def tokenprobe_conformance(*args: str, credentials_file: Path | None = None):
    return _run([str(BIN / "tokenprobe"), "conformance", *args], _env(credentials_file))


def test_tokenprobe_conformance_passes_clean_and_writes_reports(clean_target, tmp_path) -> None:
    result = tokenprobe_conformance(
        "--url", clean_target.base_url, "--report-dir", str(tmp_path), "-n", str(SMALL_N),
        credentials_file=clean_target.credentials_file,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "success path exercised: yes" in result.stdout
    names = {p.name for p in tmp_path.iterdir()}
    assert {"summary.json", "junit.xml", "cassette.har", "schemathesis-junit.xml"} <= names


def test_tokenprobe_conformance_fails_a_faulty_target(target_factory, tmp_path) -> None:
    target = target_factory("alg-none")
    result = tokenprobe_conformance(
        "--url", target.base_url, "--report-dir", str(tmp_path), "-n", str(SMALL_N),
        credentials_file=target.credentials_file,
    )  # fmt: skip
    assert result.returncode == 1
    assert "TP-TOKEN-002" in result.stdout
    passwords = [c.password for c in target.credentials]
    assert leaks(result.stdout + result.stderr, passwords) == []


def test_tokenprobe_conformance_takes_policy_and_report_root_from_the_configuration(
    clean_target, tmp_path
) -> None:
    # The clean target's 7-day access tokens break a 1-hour maximum (TP-TOKEN-004).
    config = tmp_path / "tp.toml"
    config.write_text(f'[policy]\naccess-max-lifetime = "1h"\n[reports]\ndir = "{tmp_path}"\n')
    result = tokenprobe_conformance(
        "--config", str(config), "--url", clean_target.base_url, "-n", str(SMALL_N),
        credentials_file=clean_target.credentials_file,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    summary = json.loads((tmp_path / "latest" / "summary.json").read_text())
    errors = {f["id"] for f in summary["findings"] if f["severity"] == "error"}
    assert errors == {"TP-TOKEN-004"}
    # The root's history page lists the run (the link is its summary.json: no report.html).
    run = (tmp_path / "latest").resolve().name
    assert f'href="./{run}/summary.json"' in (tmp_path / "index.html").read_text()


def test_tokenprobe_conformance_require_complete_fails_a_run_without_credentials(
    clean_target, tmp_path
) -> None:
    # Without credentials the success path is not exercised (TP-CONF-011, a warning) ...
    args = ("--url", clean_target.base_url, "-n", str(SMALL_N))
    plain = tokenprobe_conformance(*args, "--report-dir", str(tmp_path / "plain"))
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "conformance: PASS; findings: 0 error, 1 warning, 0 info; 1 check not evaluated;" in (
        plain.stdout
    )
    summary = json.loads((tmp_path / "plain" / "summary.json").read_text())
    assert [(f["id"], f["severity"]) for f in summary["findings"]] == [("TP-CONF-011", "warning")]
    # ... and --require-complete makes that a failure.
    complete = tokenprobe_conformance(
        *args, "--report-dir", str(tmp_path / "complete"), "--require-complete"
    )
    assert complete.returncode == 1, complete.stdout + complete.stderr
    assert "conformance: FAIL; findings: 1 error, 0 warning, 0 info; 1 check not evaluated;" in (
        complete.stdout
    )
    summary = json.loads((tmp_path / "complete" / "summary.json").read_text())
    assert [(f["id"], f["severity"]) for f in summary["findings"]] == [("TP-CONF-011", "error")]


@pytest.mark.parametrize(
    "args",
    [
        ["--url", closed_port_url()],  # nothing listens: an error, not a finding
        ["--url", "ftp://example.org"],  # not an http(s) URL
        ["--spec", "no-such-spec.yaml", "--url", "URL"],  # no such spec
    ],
)
def test_tokenprobe_conformance_errors_exit_2_in_one_line(clean_target, tmp_path, args) -> None:
    args = [clean_target.base_url if a == "URL" else a for a in args]
    result = tokenprobe_conformance(*args, "--report-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("tokenprobe: error:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(("faults", "exit_code"), [((), 0), (("alg-none",), 1)])
def test_pytest_path(target_factory, faults: tuple[str, ...], exit_code: int) -> None:
    target = target_factory(*faults)
    result = _run(
        [sys.executable, "-m", "pytest", "conformance/", "-q", "-p", "no:cacheprovider"],
        _env(target.credentials_file, TOKENPROBE_URL=target.base_url),
    )
    assert result.returncode == exit_code, result.stdout[-3000:]
    # A failing test's report shows the response: no whole token, no password.
    passwords = [c.password for c in target.credentials]
    assert leaks(result.stdout + result.stderr, passwords) == []
