"""The options every command shares, declared once (like Schemathesis' ``cli/options.py``).

``--url``, ``--credentials``, ``--config``, ``--report-dir`` and ``--require-complete`` mean the
same in every command, with one help text each; `DURATION` parses every duration option with
the one grammar of `tokenprobe.core.durations`. `command_config` turns a command's options into
the `Config`: an option typed on the command line wins over the environment, which wins over
the file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from tokenprobe.core.config import ENV_CONFIG, Config, load_config
from tokenprobe.core.durations import DurationError, parse_duration
from tokenprobe.core.settings import (
    Choice,
    Integer,
    Kind,
    Number,
    Text,
    load_setting,
    setting,
    shown_default,
)
from tokenprobe.core.settings import Duration as DurationKind
from tokenprobe.reports.rundir import check_report_dir

F = TypeVar("F", bound=Callable[..., Any])
ENV_URL = setting("target.url").env


class Duration(click.ParamType):
    """A duration option: ``90``, ``1.5``, ``30s``, ``5m``, ``1h30m``, ``7d`` → seconds."""

    name = "duration"

    def __init__(self, max_s: float | None = None) -> None:
        self.max_s = max_s

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return parse_duration(value, max_s=self.max_s)
        except DurationError as exc:
            self.fail(str(exc), param, ctx)


DURATION = Duration()


def click_type(kind: Kind) -> click.ParamType:
    """The click type that checks a declared setting's value as its declaration does."""
    if isinstance(kind, Integer):
        return click.IntRange(kind.minimum, kind.maximum)
    if isinstance(kind, Number):
        return click.FloatRange(kind.minimum, kind.maximum, min_open=kind.above_minimum)
    if isinstance(kind, DurationKind):
        return Duration(max_s=kind.max_s)
    if isinstance(kind, Choice):
        return click.Choice(kind.values)
    if isinstance(kind, Text) and kind.path:
        return click.Path(dir_okay=False, path_type=Path)
    return click.STRING


def setting_option(key: str) -> Callable[[F], F]:
    """The option that sets configuration key ``key``, from its declaration: type, range and
    help. It has no default of its own: untyped, the configuration's value (or the
    declaration's default, which the help shows) applies (`command_config`)."""
    entry = setting(key)
    shown = shown_default(entry)
    fallback = f", else {shown}" if shown else ""
    return click.option(
        entry.option,
        type=click_type(entry.kind),
        help=f"{entry.help} [default: [{entry.table}] {entry.name} in the configuration"
        f"{fallback}].",
    )


def load_option(name: str) -> Callable[[F], F]:
    """``tokenprobe load``'s option for a declared load setting (its Locust twin is made
    from the same declaration, `tokenprobe.load.locust_options`)."""
    entry = load_setting(name)
    return click.option(
        entry.option,
        type=click_type(entry.kind),
        default=entry.default,
        help=f"{entry.help} [default: {shown_default(entry)}]",
    )


url_option = click.option(
    "--url",
    envvar=ENV_URL,
    show_envvar=True,
    metavar="URL",
    help=setting("target.url").help,
)
credentials_option = click.option(
    "--credentials",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"{setting('target.credentials').help} [default: {setting('target.credentials').env}].",
)
config_option = click.option(
    "--config",
    "config_file",
    envvar=ENV_CONFIG,
    show_envvar=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file [default: tokenprobe.toml, or [tool.tokenprobe] in pyproject.toml].",
)


def _refuse_run_folders(ctx: click.Context, param: click.Parameter, value: Path | None) -> Any:
    """Before anything runs: a folder that is a link, or holds a run, is refused in one line."""
    if value is not None:
        check_report_dir(value)
    return value


report_dir_option = click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    callback=_refuse_run_folders,
    help="Write this run's reports into this folder, never one holding a run nor a link "
    "[default: a new folder <root>/<UTC timestamp>/, and <root>/latest points at it; <root> is "
    "[reports] dir in the configuration, TOKENPROBE_REPORT_DIR or 'reports'].",
)

compare_option = click.option(
    "--compare",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A previous run folder (or <root>/latest): report new, fixed and unchanged findings, "
    "load deltas, and whether latency, error ratio or capacity regressed ([regression]).",
)


def require_complete_option(default: str = "off") -> Callable[[F], F]:
    """``--require-complete``, one meaning in every command that has it (`Summary.grade`);
    ``default`` says where a command takes its default from."""
    return click.option(
        "--require-complete",
        is_flag=True,
        help="Fail (exit 1) when any check could not be evaluated (no credentials, accounts, "
        "canary, key or previous run; a 429): its not-evaluated finding becomes an error "
        f"[default: {default}].",
    )


def target_options(command: F) -> F:
    """The options every command has: what to test, with which configuration, reports where."""
    for option in (report_dir_option, config_option, credentials_option, url_option):
        command = option(command)
    return command


# Configuration keys set by the shared options, and the parameter that sets each.
TARGET_KEYS = {"target.url": "url", "target.credentials": "credentials"}


def command_config(
    ctx: click.Context, config_file: Path | None, keys: Mapping[str, str] = TARGET_KEYS
) -> Config:
    """The configuration, overridden by the options of ``keys`` (config key → parameter name)
    that were typed on the command line.

    A value click took from an environment variable is left to `load_config`, which reads the
    same variables: an error then names the variable rather than the option.
    """
    flags = {
        key: ctx.params[name]
        for key, name in keys.items()
        if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE
    }
    return load_config(config_file, flags=flags, flag_names=option_names(ctx, keys))


def option_names(ctx: click.Context, keys: Mapping[str, str]) -> dict[str, str]:
    """Config key → the option as the user types it (``"--url"``), for error messages."""
    options = {param.name: param.opts[0] for param in ctx.command.params}
    return {key: options[name] for key, name in keys.items()}
