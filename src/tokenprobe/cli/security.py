"""``tokenprobe security``: the security probes against a URL or the embedded target."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from tokenprobe.cli.options import (
    TARGET_KEYS,
    command_config,
    require_complete_option,
    setting_option,
    target_options,
)
from tokenprobe.cli.run_dir import RunDir
from tokenprobe.cli.target import open_configured_target
from tokenprobe.core.config import Config, SecurityConfig
from tokenprobe.core.credentials import Credential, read_verify_key
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.findings import Severity
from tokenprobe.core.interrupts import interrupt_on_signals, shielded
from tokenprobe.core.settings import setting
from tokenprobe.core.summary import verdict
from tokenprobe.security.options import SecurityOptions, TimingBudget
from tokenprobe.security.registry import FINDING_IDS, PROBE_IDS
from tokenprobe.security.runner import run as run_security

# Options that override keys of the configuration's [security] table.
CONFIG_KEYS = {
    **TARGET_KEYS,
    **{
        key: setting(key).option_dest
        for key in (
            "security.canary-password-env",
            "security.brute-force-attempts",
            "security.failures-per-account",
            "security.verify-key-file",
        )
    },
}


def _parse_severities(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, Severity]:
    severities = {}
    for value in values:
        probe_id, _, level = value.partition("=")
        if probe_id.strip() not in FINDING_IDS:
            raise click.BadParameter(f"{value!r}: unknown probe ID", ctx=ctx, param=param)
        try:
            severities[probe_id.strip()] = Severity.parse(level)
        except ValueError as exc:
            raise click.BadParameter(f"{value!r}: {exc}", ctx=ctx, param=param) from None
    return severities


def canary_from(username: str | None, config: SecurityConfig) -> Credential | None:
    """The canary account (``--canary-username``, else the variable the configuration names),
    its password read from the variable the configuration names."""
    username = username or os.environ.get(config.canary_username_env, "")
    if not username:
        return None
    password = os.environ.get(config.canary_password_env, "")
    if not password:
        raise ConfigError(f"the canary account needs its password in ${config.canary_password_env}")
    return Credential(username, password)


def severities_from(config: Config, options: dict[str, Severity]) -> dict[str, Severity]:
    """The configuration's re-gradings of probes, then ``--severity`` on top."""
    configured = {k: v for k, v in config.severities.items() if k in FINDING_IDS}
    return {**configured, **options}


@click.command()
@target_options
@click.option(
    "--canary-username",
    help="Account dedicated to the brute-force probe "
    "[default: the variable [security] canary-username-env names].",
)
@setting_option("security.canary-password-env")
@click.option("--no-brute-force", is_flag=True, help="Never run the brute-force probe.")
@setting_option("security.brute-force-attempts")
@setting_option("security.failures-per-account")
@click.option(
    "--timing-max-pairs",
    type=click.IntRange(TimingBudget.min_pairs, 10_000),
    default=TimingBudget.max_pairs,
    show_default=True,
    help="Most wrong-password samples for real accounts the timing probe may take (each with "
    "several free unknown-username samples).",
)
@setting_option("security.verify-key-file")
@click.option(
    "--severity",
    "severities",
    multiple=True,
    metavar="ID=LEVEL",
    callback=_parse_severities,
    help="Re-grade a probe: TP-SEC-015=error (repeatable).",
)
@click.option(
    "--probe",
    "probes",
    multiple=True,
    type=click.Choice(sorted(PROBE_IDS)),
    help="Run only this probe (repeatable).",
)
@require_complete_option()
@click.pass_context
def security(
    ctx: click.Context,
    url: str | None,
    credentials: Path | None,
    config_file: Path | None,
    report_dir: Path | None,
    canary_username: str | None,
    canary_password_env: str | None,
    no_brute_force: bool,
    brute_force_attempts: int | None,
    failures_per_account: int | None,
    timing_max_pairs: int,
    verify_key_file: Path | None,
    severities: dict[str, Severity],
    probes: tuple[str, ...],
    require_complete: bool,
) -> None:
    """Probe the token endpoint the way an attacker would: user enumeration (answers, timing),
    authentication bypass, token signing, credentials in URLs, caching, content types,
    brute-force protection and costly input.

    Exit 0: no error-severity finding; 1: findings (with --require-complete, a probe that
    could not be evaluated too); 2: could not run (or finish in time);
    130/143 after SIGINT/SIGTERM, with the reports of the probes that ran. Several accounts
    (--credentials, a pool) spread the wrong-password attempts. Brute force runs only against
    the canary account (or a dedicated seeded account of the embedded target).
    """
    config = command_config(ctx, config_file, CONFIG_KEYS)
    options = SecurityOptions(
        severities=severities_from(config, severities),
        probes=frozenset(probes),
        canary=canary_from(canary_username, config.security),
        allow_brute_force=not no_brute_force,
        brute_force_attempts=config.security.brute_force_attempts,
        failures_per_account=config.security.failures_per_account,
        timing=TimingBudget(max_pairs=timing_max_pairs),
        login_fields=frozenset(config.security.login_fields),
        verify_key=(
            read_verify_key(config.security.verify_key_file)
            if config.security.verify_key_file
            else None
        ),
    )
    with interrupt_on_signals(), open_configured_target(config) as session:
        run_dir = RunDir.choose(report_dir, config.report_root)
        summary = run_security(session, options)
        with shielded():  # a signal now must not cut a report in half
            # The probes' re-gradings are applied already, probe by probe.
            summary.grade(require_complete=require_complete)
            run_dir.write_reports(summary, session.redactor)
    redactor = session.redactor
    judged = verdict(summary)
    for checked in judged.checks:
        check = checked.check
        click.echo(redactor(f"{checked.outcome:<8} {check.id} {check.name}: {check.message}"))
    for finding in summary.findings:
        click.echo(
            redactor(
                f"[{finding.severity}] {finding.id} {finding.title}:"
                f" {finding.evidence}{finding.seen}"
            )
        )
    for error in summary.errors:
        click.echo(redactor(f"tokenprobe: error: {error}"), err=True)
    click.echo(f"security: {judged.line()}; reports in {run_dir.path}")
    sys.exit(judged.exit_code)
