"""Each setting declared once (`tokenprobe.core.settings`): what is generated from a declaration
checks and shows what the declaration says, on every surface."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from click.testing import CliRunner

from tokenprobe.cli import cli
from tokenprobe.core.config_schema import CONFIG_SCHEMA
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.settings import (
    FILE_SETTINGS,
    LOAD_SETTINGS,
    Setting,
    file_value,
    setting,
    shown_default,
)
from tokenprobe.core.validation import validate_document
from tokenprobe.load import locust_options
from tokenprobe.load.settings import LoadOptionError


@pytest.mark.parametrize("entry", FILE_SETTINGS, ids=lambda entry: entry.key)
def test_each_default_and_example_passes_its_own_validation(entry: Setting) -> None:
    """What the example file shows for a key is a value the file may hold."""
    document = {entry.table: {entry.name: file_value(entry)}}
    validate_document(document, CONFIG_SCHEMA, "tokenprobe.example.toml")


def test_a_value_outside_the_declaration_is_refused_in_its_words() -> None:
    entry = setting("security.failures-per-account")
    document = {"security": {"failures-per-account": entry.kind.maximum + 1}}  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="expected an integer between 1 and 1000, got 1001"):
        validate_document(document, CONFIG_SCHEMA, "tokenprobe.toml")


class LocustParser(argparse.ArgumentParser):
    """Locust's parser as far as tokenprobe uses it: argparse plus ``include_in_web_ui``
    (Locust itself is never imported here: it monkey-patches the process with gevent)."""

    def add_argument(self, *args: Any, include_in_web_ui: bool = True, **kwargs: Any) -> Any:
        return super().add_argument(*args, **kwargs)


@pytest.mark.parametrize(
    ("given", "refused"),
    [
        (
            ["--tp-resolution", "0.7"],
            "--tp-resolution: expected a number ≥ 0.001 and ≤ 0.5, got 0.7",
        ),
        (["--tp-rate", "0.05"], "--tp-rate: expected a number ≥ 0.1, got 0.05"),
        (["--tp-storm-size", "0"], "--tp-storm-size: expected a whole number ≥ 1, got 0"),
        (["--tp-max-lateness", "0"], "--tp-max-lateness: expected a number > 0, got 0.0"),
        (
            ["--tp-model", "closed", "--tp-users", "100001"],
            "--tp-users: expected an integer between 1 and 100000, got 100001",
        ),
        (
            ["--tp-duration", "5h"],
            "--tp-duration: expected a duration such as 90, 30s, 5m, 1h30m or 7d "
            "(at most 14400 s), got '5h'",
        ),
    ],
)
def test_locust_options_are_checked_by_their_declarations(given: list[str], refused: str) -> None:
    """The same ranges as `tokenprobe load`'s options: one declaration checks both."""
    parser = LocustParser(prog="locust")
    locust_options.add_arguments(parser)
    parsed = parser.parse_args(given)
    parsed.tp_common_users = parsed.tp_common_run_time = 0  # Locust's -u and -t: not given
    with pytest.raises(LoadOptionError) as excinfo:
        locust_options.parse_options(parsed)
    assert str(excinfo.value) == refused


def test_locust_options_show_the_declared_help_and_defaults() -> None:
    parser = LocustParser(prog="locust")
    locust_options.add_arguments(parser)
    shown = " ".join(parser.format_help().split())  # argparse formats "%" in help: escaped
    for entry in LOAD_SETTINGS:
        if entry.locust is None:  # Locust's own option (--processes)
            assert entry.twin
            continue
        assert " ".join(entry.help.split()) in shown
        if entry.twin:  # not given unless typed, so that -u and --tp-users can be told apart
            assert not parser.get_default(entry.locust_dest)
            assert f"The same as {entry.twin} (default: {shown_default(entry)})" in shown
        else:
            assert parser.get_default(entry.locust_dest) == entry.default


@pytest.mark.parametrize(
    ("command", "key"),
    [
        ("security", "security.failures-per-account"),
        ("security", "security.brute-force-attempts"),
        ("security", "security.canary-password-env"),
        ("gate", "gate.max-time"),
    ],
)
def test_command_options_say_where_their_default_comes_from(command: str, key: str) -> None:
    entry = setting(key)
    result = CliRunner().invoke(cli, [command, "--help"], terminal_width=1000)
    assert result.exit_code == 0
    shown = " ".join(result.output.split())
    where = f"[default: [{entry.table}] {entry.name} in the configuration, else"
    assert f"{where} {shown_default(entry)}]" in shown


def test_a_command_option_checks_the_declared_range() -> None:
    result = CliRunner().invoke(cli, ["security", "--failures-per-account", "0"])
    assert result.exit_code == 2
    assert "0 is not in the range 1<=x<=1000" in result.output


@pytest.mark.parametrize(
    "entry", [entry for entry in LOAD_SETTINGS if entry.option], ids=lambda entry: entry.name
)
def test_load_options_show_the_declared_defaults(entry: Setting) -> None:
    result = CliRunner().invoke(cli, ["load", "--help"], terminal_width=1000)
    shown = " ".join(result.output.split())
    assert f"{entry.option} " in shown
    assert f"[default: {shown_default(entry)}]" in shown
