"""``tokenprobe load``: one bounded Locust run with exact latencies and an SLO gate."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from tokenprobe.cli.options import (
    TARGET_KEYS,
    command_config,
    compare_option,
    load_option,
    require_complete_option,
    target_options,
)
from tokenprobe.cli.run_dir import RunDir
from tokenprobe.cli.target import open_configured_target
from tokenprobe.core import catalogue
from tokenprobe.core.config import slo_text
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.interrupts import interrupt_on_signals, shielded
from tokenprobe.core.session import normalise_base_url
from tokenprobe.core.summary import verdict
from tokenprobe.load.safety import host_problem

EMBEDDED_USERS = 200  # enough accounts for every user to have its own
# Failed logins against the embedded target cost a hash, as from many distinct attackers;
# with the lockout on, most wrong-password requests would be cheap 429s (counted as throttled).
EMBEDDED_ARGS = ("--lockout-after", "0")
# Options that override keys of the configuration.
CONFIG_KEYS = {**TARGET_KEYS, "load.allowed-hosts": "allow_hosts"}


@click.command()
@target_options
@load_option("profile")
@load_option("model")
@load_option("arrival")
@load_option("rate")
@load_option("max-rate")
@load_option("resolution")
@load_option("users")
@load_option("duration")
@load_option("processes")
@click.option(
    "--slo",
    "slos",
    help="Thresholds: p95<MS, p99[valid_login]<MS, error_ratio<R, throughput_rps>R ... "
    "[default: [slo] in the configuration].",
)
@load_option("weights")
@load_option("request-timeout")
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    help="A non-loopback host that may be load-tested (repeatable) "
    "[default: [load] allowed-hosts, TOKENPROBE_LOAD_ALLOWED_HOSTS].",
)
@click.option(
    "--i-am-allowed-to-load-test-this-host",
    "allow_remote",
    is_flag=True,
    help="Load-test a non-loopback host that is not allow-listed.",
)
@compare_option
@require_complete_option()
@click.pass_context
def load(
    ctx: click.Context,
    url: str | None,
    credentials: Path | None,
    config_file: Path | None,
    report_dir: Path | None,
    profile: str,
    model: str,
    arrival: str,
    rate: float,
    max_rate: float,
    resolution: float,
    users: int,
    duration: float | None,
    processes: int,
    slos: str | None,
    weights: str | None,
    request_timeout: float,
    allow_hosts: tuple[str, ...],
    allow_remote: bool,
    compare: Path | None,
    require_complete: bool,
) -> None:
    """Load-test POST /api/v1/token/ with Locust and gate on SLOs.

    Writes Locust's HTML report and CSVs, load_stats.csv (exact final numbers), PNG plots,
    summary.json and junit.xml. Exit 0: SLOs met; 1: an SLO was breached (or, with
    --require-complete, something was not evaluated: no credentials, no previous run); 2: could
    not run (or finish in time); 130/143 after SIGINT/SIGTERM, with the reports of what ran.
    """
    # The runner and the report writers bring plotting and statistics libraries: loaded here,
    # so that `tokenprobe --help` and every other command start at once.
    from tokenprobe.load.runner import LoadOptions, run
    from tokenprobe.reports.compare import compare_summaries, judge_against, load_previous_run
    from tokenprobe.reports.load_view import capacity_line

    config = command_config(ctx, config_file, CONFIG_KEYS)
    allowed = config.load.allowed_hosts
    options = LoadOptions(
        report_dir=config.report_root,  # checked now; the run folder is made further down
        profile=profile, model=model, arrival=arrival, rate=rate, users=users,
        max_rate=max_rate, resolution=resolution,
        duration_s=duration, processes=processes, request_timeout_s=request_timeout,
        slos=slo_text(config.slo) if slos is None else slos,
        allow_hosts=allowed, allow_remote=allow_remote,
        **({"weights": weights} if weights else {}),
    )  # fmt: skip
    options.validate()
    previous = load_previous_run(compare) if compare else None  # bad: exit 2, not one request
    target = config.target.url
    if target and (problem := host_problem(normalise_base_url(target), allowed, allow_remote)):
        raise ConfigError(problem)  # before the reachability probe: not one request
    with (
        interrupt_on_signals(),
        open_configured_target(config, users=EMBEDDED_USERS, extra_args=EMBEDDED_ARGS) as session,
    ):
        # Made once the target answers: an unreachable one leaves no empty run folder behind.
        run_dir = RunDir.choose(report_dir, config.report_root)
        options = dataclasses.replace(options, report_dir=run_dir.path)
        summary = run(session, options, announce=click.echo)
        with shielded():  # a signal now must not cut a report in half
            regression = None
            if previous is not None and summary.stopped is None:  # a cut run judges nothing
                regression = judge_against(summary, run_dir.path, previous, config.regression)
            summary.grade(config.severities, require_complete=require_complete)
            if previous is not None:
                comparison = compare_summaries(
                    summary.to_dict(), previous.summary, str(previous.given), regression
                )
                summary.sections["comparison"] = comparison.to_dict()
            run_dir.write_reports(summary, session.redactor)
    for error in summary.errors:
        click.echo(session.redactor(f"tokenprobe: error: {error}"), err=True)
    judged = verdict(summary)
    if capacity := capacity_line(summary):  # a breakpoint run's result comes first
        click.echo(capacity)
    for checked in judged.checks:
        if checked.check.id.startswith(catalogue.SLO_CHECK_PREFIX):
            click.echo(f"{checked.check.name}: {checked.check.message} [{checked.outcome}]")
    click.echo(f"load: {judged.line()}; reports in {run_dir.path}")
    sys.exit(judged.exit_code)
