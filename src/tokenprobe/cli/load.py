"""``tokenprobe load``: one bounded Locust run with exact latencies and an SLO gate."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tokenprobe import load as suite
from tokenprobe.cli.target import open_target
from tokenprobe.core import defaults
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.session import normalise_base_url
from tokenprobe.load.profiles import PROFILES
from tokenprobe.load.runner import DEFAULT_SLOS, LoadOptions
from tokenprobe.load.safety import host_problem
from tokenprobe.load.settings import LoadConfigError, parse_duration
from tokenprobe.reports import write_stage_reports

EMBEDDED_USERS = 200  # enough accounts for every user to have its own
# Failed logins against the embedded target cost a hash, as from many distinct attackers;
# with the lockout on, most wrong-password requests would be cheap 429s (counted as throttled).
EMBEDDED_ARGS = ("--lockout-after", "0")


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except LoadConfigError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.option("--url", help="Target base URL (default: start the embedded reference target).")
@click.option(
    "--profile", type=click.Choice(PROFILES), default=defaults.LOAD_PROFILE, show_default=True
)
@click.option(
    "--model",
    type=click.Choice(["open", "closed"]),
    default=defaults.LOAD_MODEL,
    show_default=True,
    help="open: arrival rate, latency from intended send time; closed: users in a loop.",
)
@click.option(
    "--arrival",
    type=click.Choice(["constant", "poisson"]),
    default=defaults.LOAD_ARRIVAL,
    show_default=True,
    help="Open model: evenly spaced or Poisson arrivals.",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0.1),
    default=defaults.LOAD_RATE_PER_S,
    show_default=True,
    help="Open model: peak arrival rate (requests/s).",
)
@click.option(
    "--users",
    type=click.IntRange(1, 100_000),
    default=defaults.LOAD_USERS,
    show_default=True,
    help="Closed model: peak users.",
)
@click.option("--duration", callback=_duration, help="e.g. 30s, 5m (default: the profile's).")
@click.option(
    "--processes",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Locust processes on this machine (--processes).",
)
@click.option(
    "--slo",
    "slos",
    default=DEFAULT_SLOS,
    show_default=True,
    help="Thresholds: p95<MS, p99[scenario]<MS, error_ratio<R, throughput_rps>R ...",
)
@click.option("--weights", help="Scenario weights, e.g. valid_login=8,wrong_password=1.")
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    help="A non-loopback host that may be load-tested (repeatable).",
)
@click.option(
    "--i-am-allowed-to-load-test-this-host",
    "allow_remote",
    is_flag=True,
    help="Load-test a non-loopback host that is not allow-listed.",
)
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path(defaults.REPORT_ROOT, "latest", "load"), show_default=True)  # fmt: skip
def load(
    url: str | None,
    profile: str,
    model: str,
    arrival: str,
    rate: float,
    users: int,
    duration: float | None,
    processes: int,
    slos: str,
    weights: str | None,
    allow_hosts: tuple[str, ...],
    allow_remote: bool,
    report_dir: Path,
) -> None:
    """Load-test POST /api/v1/token/ with Locust and gate on SLOs.

    Writes Locust's HTML report and CSVs, load_stats.csv (exact final numbers), PNG plots,
    summary.json and junit.xml. Exit 0: SLOs met; 1: an SLO was breached; 2: could not run.
    """
    options = LoadOptions(
        report_dir=report_dir,
        profile=profile, model=model, arrival=arrival, rate=rate, users=users,
        duration=duration, processes=processes, slos=slos,
        allow_hosts=allow_hosts, allow_remote=allow_remote,
        **({"weights": weights} if weights else {}),
    )  # fmt: skip
    options.validate()
    if url and (problem := host_problem(normalise_base_url(url), allow_hosts, allow_remote)):
        raise ConfigError(problem)  # before the reachability probe: not one request
    with open_target(url, users=EMBEDDED_USERS, extra_args=EMBEDDED_ARGS) as session:
        summary = suite.run(session, options, announce=click.echo)
        write_stage_reports(summary, report_dir, session.redactor)
    for error in summary.errors:
        click.echo(session.redactor(f"tokenprobe: error: {error}"), err=True)
    for slo in summary.sections.get("load", {}).get("slo", []):
        verdict = "pass" if slo["passed"] else "FAIL"
        click.echo(f"SLO {slo['name']} {slo['threshold']}: observed {slo['observed']} [{verdict}]")
    click.echo(f"{summary.status}: reports in {report_dir}")
    sys.exit(summary.exit_code)
