"""``tokenprobe gate``: the release gate (conformance, security, load smoke) in one verdict."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from tokenprobe.cli.target import open_target
from tokenprobe.core import defaults
from tokenprobe.core.config import load_config
from tokenprobe.gate import GateOptions, run_gate
from tokenprobe.gate.progress import make_progress
from tokenprobe.reports.summary_json import SUMMARY_FILE

STAGES = ("conformance-published", "conformance-strict", "security", "load")


@click.command()
@click.option("--url", help="Base URL of the service under test [default: embedded target].")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file [default: tokenprobe.toml or [tool.tokenprobe]].",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Run directory [default: reports/<UTC timestamp>/, plus reports/latest].",
)
@click.option(
    "--credentials",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV username,password of valid accounts (with --url).",
)
@click.option(
    "--compare",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A previous run directory: report new, fixed and unchanged findings.",
)
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Accept this run's findings in the baseline file (reason and expiry noted).",
)
@click.option("--baseline-reason", default="accepted with --update-baseline", show_default=True)
@click.option("--skip", multiple=True, type=click.Choice(STAGES), help="Leave a stage out.")
@click.option(
    "--load-duration",
    type=click.FloatRange(min=1),
    default=defaults.GATE_LOAD_DURATION_S,
    show_default=True,
    help="Seconds of the load smoke.",
)
@click.option("--quiet", is_flag=True, help="Print nothing but the verdict line and errors.")
@click.option(
    "--json",
    "json_output",
    is_flag=True,
    help="Print summary.json on stdout; progress as JSON lines on stderr.",
)
def gate(
    url: str | None,
    config_file: Path | None,
    report_dir: Path | None,
    credentials: Path | None,
    compare: Path | None,
    update_baseline: bool,
    baseline_reason: str,
    skip: tuple[str, ...],
    load_duration: float,
    quiet: bool,
    json_output: bool,
) -> None:
    """Run the release gate: exit 0 pass, 1 findings or SLO breach, 2 could not run.

    Conformance (published and strict spec), security probes and a load smoke with SLOs run
    against one target; reports land in one run directory (summary.json, junit.xml,
    summary.md, report.html, and each tool's own reports).
    """
    config = load_config(
        config_file,
        flags={"target.url": url, "target.credentials": credentials},
        flag_names={"target.url": "--url", "target.credentials": "--credentials"},
    )
    options = GateOptions(
        config=config,
        report_dir=report_dir,
        compare=compare,
        update_baseline=update_baseline,
        baseline_reason=baseline_reason,
        skip=frozenset(skip),
        load_duration_s=load_duration,
    )
    with make_progress(quiet=quiet, json_lines=json_output) as progress:
        result = run_gate(options, progress, open_target, environ=dict(os.environ))
    summary = result.summary
    if json_output:  # the redacted file as written, never the in-memory summary
        click.echo((result.run_dir / SUMMARY_FILE).read_text(encoding="utf-8"), nl=False)
    verdict = summary.status.upper()
    counts = f"{len(summary.findings)} findings, {len(summary.errors)} errors"
    line = f"tokenprobe gate: {verdict} ({counts}); reports in {result.run_dir}"
    click.echo(line, err=json_output)
    for error in summary.errors:
        click.echo(f"tokenprobe: error: {error}", err=True)
    sys.exit(summary.exit_code)
