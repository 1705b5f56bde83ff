"""Every user error, on every path the README gives, is one line on stderr and exit 2.

A table of bad inputs per path: the ``tokenprobe`` commands (in process, through `main`, the
entry point's error boundary: fast, and no signal or child process matters for these), plain
``schemathesis run`` with our ``schemathesis.toml`` and plain ``locust -f
loadtests/locustfile.py`` (subprocesses, each table's started together).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conformance.helpers import REPO_ROOT, closed_port_url
from tests.in_process import tokenprobe
from tokenprobe.core.credentials import ENV_CREDENTIALS, ENV_USERNAME

BAD_CSV = "username\nonly-a-username\n"  # no password column
UNREACHABLE = closed_port_url()


def files(folder: Path) -> dict[str, Path]:
    """The bad files the table refers to by name; ``missing*`` do not exist."""
    (folder / "bad.csv").write_text(BAD_CSV)
    (folder / "bad.toml").write_text("[slo]\np95 = 300\n")
    (folder / "broken.toml").write_text("not toml [[[\n")
    (folder / "initialised").mkdir()
    (folder / "initialised" / "schemathesis.toml").write_text("# mine\n")
    names = ("bad.csv", "bad.toml", "broken.toml", "initialised", "missing", "missing.key")
    return {name: folder / name for name in names}


# (arguments, environment); "{name}" is a file of `files`.
TOKENPROBE_TABLE: list[tuple[tuple[str, ...], dict[str, str]]] = [
    # click's usage errors: a bad option value, an unknown option, command or argument
    (("serve", "--fault", "nope"), {}),
    (("serve", "--port", "99999"), {}),
    (("gate", "--max-time", "abc"), {}),
    (("gate", "--no-such-option"), {}),
    (("gate", "--compare", "{missing}"), {}),
    (("load", "--profile", "nope"), {}),
    (("load", "--duration", "5x"), {}),
    (("security", "--severity", "TP-SEC-001=bad"), {}),
    (("init", "--config-name", "a/b"), {}),
    (("checks", "extra"), {}),
    (("no-such-command",), {}),
    # tokenprobe's own: configuration, credentials, keys, target, folders
    (("conformance", "--url", "localhost:8000"), {}),
    (("conformance", "--url", UNREACHABLE), {}),
    (("conformance",), {"TOKENPROBE_URL": "localhost:8000"}),
    (("gate", "--config", "{bad.toml}"), {}),
    (("gate", "--config", "{broken.toml}"), {}),
    (("security", "--config", "{missing}"), {}),
    (("conformance", "--url", UNREACHABLE), {ENV_CREDENTIALS: "{bad.csv}"}),
    (("security", "--url", UNREACHABLE), {ENV_CREDENTIALS: "{missing}"}),
    (("load", "--url", UNREACHABLE), {ENV_USERNAME: "someone"}),
    (("security", "--url", UNREACHABLE, "--verify-key-file", "{missing.key}"), {}),
    (("history", "--report-root", "{missing}"), {}),
    (("init", "{initialised}"), {}),
]
USAGE_ERRORS = 11  # the first rows: each names the command's --help


def filled(text: str, paths: dict[str, Path]) -> str:
    for name, path in paths.items():
        text = text.replace(f"{{{name}}}", str(path))
    return text


@pytest.mark.parametrize(("index", "row"), list(enumerate(TOKENPROBE_TABLE)))
def test_tokenprobe_user_errors_are_one_line_and_exit_2(
    tmp_path: Path,
    index: int,
    row: tuple[tuple[str, ...], dict[str, str]],
) -> None:
    paths = files(tmp_path)
    args, env = row
    # From tmp_path: no tokenprobe.toml of the checkout's, no reports/ left there.
    result = tokenprobe(
        [filled(a, paths) for a in args], {k: filled(v, paths) for k, v in env.items()}, tmp_path
    )
    out, err = result.stdout, result.stderr
    lines = [line for line in err.splitlines() if line.strip()]
    assert result.returncode == 2, (out, err)
    assert len(lines) == 1, err
    assert lines[0].startswith("tokenprobe: error: "), err
    assert "Traceback" not in out + err
    if index < USAGE_ERRORS:  # where to read on: the command's help
        command = "tokenprobe" if args[0] == "no-such-command" else f"tokenprobe {args[0]}"
        assert lines[0].endswith(f"(help: {command} --help)"), err


def test_help_and_a_bare_command_still_show_the_help() -> None:
    outcome = tokenprobe(["serve", "--help"])
    assert outcome.returncode == 0
    assert outcome.stdout.startswith("Usage: tokenprobe serve [OPTIONS]")
    outcome = tokenprobe([])
    assert outcome.returncode == 2
    assert "Commands:" in outcome.stderr


# Plain `schemathesis run` with our configuration: (environment, what replaces the commented
# `require-complete` line of schemathesis.toml). Schemathesis' own errors (an unreachable URL, a
# bad spec) are its own.
REQUIRE_COMPLETE_LINE = "# require-complete = true\n"
SCHEMATHESIS_TABLE: list[tuple[dict[str, str], str]] = [
    ({ENV_CREDENTIALS: "{bad.csv}"}, ""),
    ({ENV_CREDENTIALS: "{missing}"}, ""),
    ({ENV_USERNAME: "someone"}, ""),
    ({"TOKENPROBE_POLICY": "{not json"}, ""),
    ({"TOKENPROBE_POLICY": '{"lifetimes": {"access_max_s": "a week"}}'}, ""),
    ({}, "require-complete = 'yes'\n"),
    ({}, "require_complete = true\n"),
]


@pytest.fixture(scope="module")
def schemathesis_results(
    tmp_path_factory: pytest.TempPathFactory,
) -> list[subprocess.CompletedProcess[str]]:
    """Every row of the table, run at once (each is mostly the interpreter starting)."""
    folder = tmp_path_factory.mktemp("schemathesis")
    paths = files(folder)
    our_config = (REPO_ROOT / "schemathesis.toml").read_text()
    runs: list[Callable[[], subprocess.CompletedProcess[str]]] = []
    assert REQUIRE_COMPLETE_LINE in our_config
    for index, (env, setting) in enumerate(SCHEMATHESIS_TABLE):
        config = REPO_ROOT / "schemathesis.toml"
        if setting:
            config = folder / f"schemathesis-{index}.toml"
            config.write_text(our_config.replace(REQUIRE_COMPLETE_LINE, setting))
        runs.append(_schemathesis(config, {k: filled(v, paths) for k, v in env.items()}))
    with ThreadPoolExecutor(len(runs)) as pool:
        return list(pool.map(lambda run: run(), runs))


def _schemathesis(config: Path, env: dict[str, str]) -> Callable[[], subprocess.CompletedProcess]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    args = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config)]
    args += ["run", "specs/token.openapi.yaml", "--url", UNREACHABLE, "-n", "1"]
    return lambda: subprocess.run(
        args, cwd=REPO_ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("index", range(len(SCHEMATHESIS_TABLE)))
def test_schemathesis_user_errors_are_one_line_and_exit_2(
    schemathesis_results: list[subprocess.CompletedProcess[str]], index: int
) -> None:
    result = schemathesis_results[index]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tokenprobe: error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "CLI Handler Error" not in result.stdout


# Plain `locust` with our locustfile: (arguments, environment). Each is refused before Locust
# logs a line or sends a request; `--host` is a loopback port nothing listens on unless a row
# names another.
LOCUSTFILE = REPO_ROOT / "loadtests" / "locustfile.py"
LOCUST_TABLE: list[tuple[tuple[str, ...], dict[str, str]]] = [
    # argparse's own: a value of the wrong type, a choice that does not exist
    (("--tp-rate", "abc"), {}),
    (("--tp-profile", "nope"), {}),
    (("--tp-no-such-option",), {}),
    # tokenprobe's values
    (("--tp-stream-rate", "0"), {}),
    (("--tp-weights", "nope=1"), {}),
    (("--tp-slo", "p95<abc"), {}),
    (("--tp-duration", "5x"), {}),
    (("-t", "3s", "--tp-duration", "60s"), {}),
    (("--tp-weights", "valid_login=1"), {}),  # no credentials: nothing would be left
    # credentials, host, report folder
    (("--tp-credentials", "{bad.csv}"), {}),
    (("--tp-credentials", "{missing}"), {}),
    ((), {ENV_CREDENTIALS: "{bad.csv}"}),
    ((), {ENV_USERNAME: "someone"}),
    (("--host", "http://203.0.113.9:8000"), {}),
    (("--host", "localhost:8000"), {}),
    ((), {}),  # the unreachable host itself
    (("--tp-report-dir", "{ran}"), {}),
]


@pytest.fixture(scope="module")
def locust_results(
    tmp_path_factory: pytest.TempPathFactory,
) -> list[subprocess.CompletedProcess[str]]:
    """Every row of the table, run at once from an empty folder (no locust.conf, no reports/)."""
    folder = tmp_path_factory.mktemp("locust")
    paths = files(folder)
    paths["ran"] = folder / "ran"  # a folder that already holds a run
    paths["ran"].mkdir()
    (paths["ran"] / "summary.json").write_text("{}\n")
    runs = [
        _locust([filled(a, paths) for a in args], {k: filled(v, paths) for k, v in env.items()},
                folder)
        for args, env in LOCUST_TABLE
    ]  # fmt: skip
    with ThreadPoolExecutor(len(runs)) as pool:
        return list(pool.map(lambda run: run(), runs))


def _locust(
    args: list[str], env: dict[str, str], cwd: Path
) -> Callable[[], subprocess.CompletedProcess]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-t", "2s"]
    host = [] if "--host" in args else ["--host", UNREACHABLE]
    return lambda: subprocess.run(
        [*command, *host, *args], cwd=cwd, env={**base, **env}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("index", range(len(LOCUST_TABLE)))
def test_locust_user_errors_are_one_line_and_exit_2(
    locust_results: list[subprocess.CompletedProcess[str]], index: int
) -> None:
    result = locust_results[index]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tokenprobe: error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
