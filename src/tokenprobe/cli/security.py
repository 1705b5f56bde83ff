"""``tokenprobe security``: the security probes against a URL or the embedded target."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from tokenprobe import security as suite
from tokenprobe.cli.target import open_target
from tokenprobe.core import defaults
from tokenprobe.core.credentials import Credential
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.findings import Severity
from tokenprobe.reports import write_stage_reports
from tokenprobe.security import PROBE_IDS, SecurityOptions, TimingBudget

DEFAULT_REPORT_DIR = Path(defaults.REPORT_ROOT, "security")


def _parse_severities(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, Severity]:
    severities = {}
    for value in values:
        probe_id, _, level = value.partition("=")
        if probe_id.strip() not in PROBE_IDS:
            raise click.BadParameter(f"{value!r}: unknown probe ID", ctx=ctx, param=param)
        try:
            severities[probe_id.strip()] = Severity.parse(level)
        except ValueError as exc:
            raise click.BadParameter(f"{value!r}: {exc}", ctx=ctx, param=param) from None
    return severities


def canary_from(username: str | None, password_env: str) -> Credential | None:
    """The canary account named on the command line, its password read from the environment."""
    if not username:
        return None
    password = os.environ.get(password_env, "")
    if not password:
        raise ConfigError(f"--canary-username needs the canary's password in ${password_env}")
    return Credential(username, password)


def read_verify_key(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        key = path.read_bytes().removesuffix(b"\n").removesuffix(b"\r")
    except OSError as exc:
        raise ConfigError(f"cannot read verification key {path}: {exc.strerror}") from None
    if not key:
        raise ConfigError(f"verification key file {path} is empty")
    return key


@click.command()
@click.option("--url", default=None, help="Target base URL; without it, the embedded target.")
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_REPORT_DIR,
    show_default=True,
    help="Where summary.json and junit.xml go.",
)
@click.option("--canary-username", help="Account dedicated to the brute-force probe.")
@click.option(
    "--canary-password-env",
    default=defaults.CANARY_PASSWORD_ENV,
    show_default=True,
    help="Environment variable holding the canary's password.",
)
@click.option("--no-brute-force", is_flag=True, help="Never run the brute-force probe.")
@click.option(
    "--brute-force-attempts",
    type=click.IntRange(1, 1000),
    default=defaults.BRUTE_FORCE_ATTEMPTS,
    show_default=True,
)
@click.option(
    "--failures-per-account",
    type=click.IntRange(1, 1000),
    default=SecurityOptions.failures_per_account,
    show_default=True,
    help="Wrong passwords any one pool account may receive in a run.",
)
@click.option(
    "--timing-max-pairs",
    type=click.IntRange(20, 10_000),
    default=TimingBudget.max_pairs,
    show_default=True,
    help="Most interleaved sample pairs the timing probe may take.",
)
@click.option(
    "--verify-key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The real HMAC verification key: tokens must verify with it.",
)
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
def security(
    url: str | None,
    report_dir: Path,
    canary_username: str | None,
    canary_password_env: str,
    no_brute_force: bool,
    brute_force_attempts: int,
    failures_per_account: int,
    timing_max_pairs: int,
    verify_key_file: Path | None,
    severities: dict[str, Severity],
    probes: tuple[str, ...],
) -> None:
    """Probe the token endpoint the way an attacker would: user enumeration (answers, timing),
    authentication bypass, token signing, credentials in URLs, caching, content types,
    brute-force protection and costly input.

    Exit 0: no error-severity finding; 1: findings; 2: could not run. Credentials for a --url
    target come from TOKENPROBE_CREDENTIALS (a pool of several accounts) or
    TOKENPROBE_USERNAME/TOKENPROBE_PASSWORD. Brute force runs only against --canary-username
    (or a dedicated seeded account of the embedded target).
    """
    options = SecurityOptions(
        severities=severities,
        probes=frozenset(probes),
        canary=canary_from(canary_username, canary_password_env),
        allow_brute_force=not no_brute_force,
        brute_force_attempts=brute_force_attempts,
        failures_per_account=failures_per_account,
        timing=TimingBudget(max_pairs=timing_max_pairs),
        verify_key=read_verify_key(verify_key_file),
    )
    with open_target(url) as session:
        summary = suite.run(session, options)
        write_stage_reports(summary, report_dir, session.redactor)
    redactor = session.redactor
    for check in summary.checks:
        click.echo(redactor(f"{check.outcome:<8} {check.id} {check.name}: {check.message}"))
    for finding in summary.findings:
        click.echo(
            redactor(f"[{finding.severity}] {finding.id} {finding.title}: {finding.evidence}")
        )
    for error in summary.errors:
        click.echo(redactor(f"tokenprobe: error: {error}"), err=True)
    click.echo(f"security: {summary.status} — reports in {report_dir}")
    sys.exit(summary.exit_code)
