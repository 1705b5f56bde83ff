"""``tokenprobe gate``: the release gate (conformance, security, load smoke) in one verdict."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
import psutil

from tokenprobe.cli.options import (
    Duration,
    command_config,
    compare_option,
    require_complete_option,
    setting_option,
    target_options,
)
from tokenprobe.cli.target import open_target
from tokenprobe.core import defaults
from tokenprobe.core.interrupts import interrupt_on_signals
from tokenprobe.core.summary import verdict
from tokenprobe.reports.limits_view import limits_lines
from tokenprobe.reports.summary_json import SUMMARY_FILE

if TYPE_CHECKING:
    from tokenprobe.gate import GateOptions, GateResult
    from tokenprobe.gate.monitor import MonitorOptions
    from tokenprobe.reports.otel import OtelExport

# Every profile's stage names; a stage its profile does not run has nothing to leave out.
STAGES = tuple(dict.fromkeys(n for names in defaults.GATE_STAGES.values() for n in names))


@click.command()
@target_options
@compare_option
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Accept this run's findings in the baseline file (reason and expiry noted).",
)
@click.option("--baseline-reason", default="accepted with --update-baseline", show_default=True)
@click.option("--skip", multiple=True, type=click.Choice(STAGES), help="Leave a stage out.")
@click.option(
    "--load-duration",
    type=Duration(max_s=defaults.LOAD_MAX_DURATION_S),
    default=defaults.GATE_LOAD_DURATION_S,
    help="How long the load smoke runs, e.g. 10s, 1m "
    f"[default: {defaults.GATE_LOAD_DURATION_S:g}s].",
)
@require_complete_option("[gate] require-complete in the configuration, else off")
@setting_option("gate.max-time")
@setting_option("gate.profile")
@setting_option("gate.max-requests")
@setting_option("gate.max-rate")
@click.option(
    "--every",
    type=Duration(),
    help="Repeat the production profile's check this often (e.g. 5m) until SIGINT or SIGTERM.",
)
@setting_option("gate.keep-runs")
@click.option(
    "--prometheus-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="After each run, write its verdict for node_exporter's textfile collector here.",
)
@click.option(
    "--otel",
    is_flag=True,
    help="After each run, send its verdict as OpenTelemetry metrics (OTLP/HTTP; OTEL_* "
    "variables; pip install 'tokenprobe[otel]').",
)
@click.option("--quiet", is_flag=True, help="Print nothing but the verdict line and errors.")
@click.option(
    "--json",
    "json_output",
    is_flag=True,
    help="Print summary.json on stdout; progress as JSON lines on stderr.",
)
@click.pass_context
def gate(
    ctx: click.Context,
    url: str | None,
    credentials: Path | None,
    config_file: Path | None,
    report_dir: Path | None,
    compare: Path | None,
    update_baseline: bool,
    baseline_reason: str,
    skip: tuple[str, ...],
    load_duration: float,
    require_complete: bool,
    max_time: float | None,
    profile: str | None,
    max_requests: int | None,
    max_rate: float | None,
    every: float | None,
    keep_runs: int | None,
    prometheus_file: Path | None,
    otel: bool,
    quiet: bool,
    json_output: bool,
) -> None:
    """Run the release gate: exit 0 pass, 1 findings or SLO breach, 2 could not run.

    Conformance (published and strict spec), security probes and a load smoke with SLOs run
    against one target; reports land in one run directory (summary.json, junit.xml,
    summary.md, report.html, and each tool's own reports). The gate ends within --max-time;
    SIGINT or SIGTERM stop it with its reports written (exit 130 or 143).

    --profile production checks a live service safely: one account, no load, no wrong
    password for it, at most --max-requests requests at --max-rate (docs/production.md).
    """
    # Every suite: imported only when the gate runs.
    from tokenprobe.gate import GateOptions, run_gate
    from tokenprobe.gate.monitor import MonitorOptions
    from tokenprobe.gate.progress import make_progress
    from tokenprobe.reports.otel import OtelExport

    config = command_config(ctx, config_file)
    options = GateOptions(
        config=config,
        report_dir=report_dir,
        compare=compare,
        update_baseline=update_baseline,
        baseline_reason=baseline_reason,
        skip=frozenset(skip),
        load_duration_s=load_duration,
        require_complete=require_complete or config.gate.require_complete,
        max_time_s=config.gate.max_time_s if max_time is None else max_time,
        profile=config.gate.profile if profile is None else profile,
        max_requests=config.gate.max_requests if max_requests is None else max_requests,
        max_rate_per_s=config.gate.max_rate_per_s if max_rate is None else max_rate,
        # --max-time counts from the process's start: imports take seconds on a busy runner.
        elapsed_before_s=time.time() - psutil.Process().create_time(),
    )
    publish = Publisher(quiet, json_output, prometheus_file, OtelExport() if otel else None)
    try:
        if every is not None:
            keep = config.gate.keep_runs if keep_runs is None else keep_runs
            # The rate limit holds across runs: the next starts at least one interval later.
            monitor = MonitorOptions(every, keep, min_gap_s=1 / options.max_rate_per_s)
            sys.exit(run_as_monitor(options, monitor, publish))
        with interrupt_on_signals(), make_progress(quiet=quiet, json_lines=json_output) as progress:
            result = run_gate(options, progress, open_target, environ=dict(os.environ))
        sys.exit(publish(result))
    finally:
        publish.close()


@dataclasses.dataclass
class Publisher:
    """Where a run's verdict goes: the console, and the monitoring files or exports asked for."""

    quiet: bool
    json_output: bool
    prometheus_file: Path | None = None
    otel: OtelExport | None = None

    def __call__(self, result: GateResult, verdict: bool = True) -> int:
        """Publish ``result``; return its exit code. ``verdict`` False (a signal cut the run
        short): the console only, monitoring keeps the last real verdict."""
        if verdict and self.prometheus_file is not None:
            from tokenprobe.reports.prometheus import write_prometheus_textfile

            try:
                write_prometheus_textfile(result.summary, self.prometheus_file)
            except OSError as exc:  # the verdict still stands, and is printed below
                click.echo(f"tokenprobe: warning: {self.prometheus_file}: {exc.strerror}", err=True)
        if verdict and self.otel is not None:
            self.otel.record(result.summary)
        return report_run(result, quiet=self.quiet, json_output=self.json_output)

    def close(self) -> None:
        if self.otel is not None:
            self.otel.close()


def report_run(result: GateResult, *, quiet: bool, json_output: bool) -> int:
    """Print what the run found; return its exit code."""
    summary = result.summary
    if result.latest_problem:
        click.echo(f"tokenprobe: warning: {result.latest_problem}", err=True)
    if json_output:  # the redacted file as written, never the in-memory summary
        click.echo((result.run_dir / SUMMARY_FILE).read_text(encoding="utf-8"), nl=False)
    judged = verdict(summary)
    if not quiet:  # what the production profile sent, and left out: as its reports say
        for limits_line in limits_lines(summary):
            click.echo(f"tokenprobe gate: {limits_line}", err=json_output)
    line = f"tokenprobe gate: {judged.line()}; reports in {result.run_dir}"
    click.echo(line, err=json_output)
    for error in summary.errors:
        click.echo(f"tokenprobe: error: {error}", err=True)
    return judged.exit_code


def run_as_monitor(options: GateOptions, monitor: MonitorOptions, publish: Publisher) -> int:
    """``--every``: the production check again and again, until a signal (its exit code)."""
    if not options.production:
        raise click.UsageError("--every repeats the production profile: add --profile production")
    if options.config.target.url is None:  # a fresh embedded target each run: nothing to watch
        raise click.UsageError("--every watches a running service: give its --url")
    if options.report_dir is not None:
        raise click.UsageError("--every makes a fresh run folder each time: leave out --report-dir")
    if publish.json_output:
        raise click.UsageError("--every prints a verdict line per run: leave out --json")
    from tokenprobe.gate import run_gate
    from tokenprobe.gate.monitor import run_monitor
    from tokenprobe.gate.progress import make_progress

    runs = 0

    def run_once() -> GateResult:
        nonlocal runs
        # --max-time counts the process's start in the first run only.
        current = options if runs == 0 else dataclasses.replace(options, elapsed_before_s=0.0)
        runs += 1
        with make_progress(quiet=True) as progress:
            return run_gate(current, progress, open_target, environ=dict(os.environ))

    with interrupt_on_signals():
        return run_monitor(monitor, run_once, publish)
