"""The options every command shares: declared once, parsed one way, worded one way."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from tests.in_process import tokenprobe
from tokenprobe.cli.conformance import conformance
from tokenprobe.cli.gate import gate
from tokenprobe.cli.load import load
from tokenprobe.cli.security import security

COMMANDS = [conformance, security, load, gate]
SHARED = ("url", "credentials", "config_file", "report_dir")


def parsed(command: click.Command, *args: str) -> dict:
    """Click's parsing of ``args`` for ``command``, without running it."""
    with command.make_context(command.name or "", list(args)) as ctx:
        return ctx.params


@pytest.mark.parametrize(
    ("text", "seconds"), [("5s", 5), ("90", 90), ("1.5", 1.5), ("2m", 120), ("1h30m", 5400)]
)
def test_gate_and_load_take_the_same_durations(text: str, seconds: float) -> None:
    assert parsed(gate, "--load-duration", text)["load_duration"] == seconds
    assert parsed(load, "--duration", text)["duration"] == seconds


@pytest.mark.parametrize("text", ["soon", "0s", "5h"])
def test_gate_and_load_refuse_the_same_durations_in_the_same_words(text: str) -> None:
    messages = []
    for command, option in ((gate, "--load-duration"), (load, "--duration")):
        with pytest.raises(click.BadParameter) as excinfo:
            parsed(command, option, text)
        messages.append(excinfo.value.message)
    assert messages[0] == messages[1]
    assert messages[0].startswith("expected a duration such as")


def test_every_command_declares_the_shared_options_identically() -> None:
    def shared(command: click.Command) -> list[tuple]:
        params = {p.name: p for p in command.params}
        return [
            (params[n].opts, params[n].help, params[n].envvar, params[n].type.name) for n in SHARED
        ]

    first = shared(COMMANDS[0])
    assert all(shared(command) == first for command in COMMANDS[1:])


@pytest.mark.parametrize("command", ["conformance", "security", "load", "gate"])
def test_every_command_reads_the_configuration(tmp_path: Path, command: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[slo]\np95 = 300\n")
    by_option = tokenprobe([command, "--config", str(bad)], cwd=tmp_path)
    by_variable = tokenprobe([command], {"TOKENPROBE_CONFIG": str(bad)}, tmp_path)
    for result in (by_option, by_variable):
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            "tokenprobe: error: bad.toml: unknown key slo.p95 "
            "(expected one of: error-ratio, latency, min-throughput-rps)"
        ]
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("command", ["conformance", "security", "load", "gate"])
def test_a_bad_url_is_worded_once_and_names_where_it_came_from(
    tmp_path: Path, command: str
) -> None:
    expected = "target.url: expected an http(s) base URL such as https://api.example.com"
    by_option = tokenprobe([command, "--url", "ftp://x"], cwd=tmp_path)
    by_variable = tokenprobe([command], {"TOKENPROBE_URL": "localhost:8000"}, tmp_path)
    assert by_option.returncode == by_variable.returncode == 2
    assert by_option.stderr.startswith(f"tokenprobe: error: --url: {expected}, got 'ftp://x'")
    assert by_variable.stderr.startswith(f"tokenprobe: error: TOKENPROBE_URL: {expected}")
