"""``tokenprobe conformance``: the Schemathesis suite with token-aware checks, as one command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tokenprobe.cli.options import command_config, require_complete_option, target_options
from tokenprobe.cli.run_dir import RunDir
from tokenprobe.cli.target import open_configured_target
from tokenprobe.core import defaults
from tokenprobe.core.interrupts import interrupt_on_signals, shielded
from tokenprobe.core.summary import Summary, verdict


@click.command()
@target_options
@click.option(
    "--spec",
    default="published",
    show_default=True,
    help="'published', 'strict', or the path of an OpenAPI document.",
)
@click.option(
    "-n",
    "--max-examples",
    type=click.IntRange(1),
    default=None,
    help="Fuzzing cases per operation "
    f"[default: [conformance] max-examples, else {defaults.FUZZ_MAX_EXAMPLES}].",
)
@require_complete_option()
@click.pass_context
def conformance(
    ctx: click.Context,
    url: str | None,
    credentials: Path | None,
    config_file: Path | None,
    report_dir: Path | None,
    spec: str,
    max_examples: int | None,
    require_complete: bool,
) -> None:
    """Run Schemathesis with tokenprobe's hooks and checks against POST /api/v1/token/.

    Writes summary.json, junit.xml, cassette.har and schemathesis-junit.xml. The token policy
    (algorithms, lifetimes) and severities come from the configuration.
    Exit 0 pass, 1 findings, 2 when the target cannot be reached or the run cannot start
    or finish in time; 130/143 after SIGINT/SIGTERM, with the reports of what ran.
    Without credentials the success path is not exercised (and the run says so:
    TP-CONF-011; --require-complete makes that a failure).
    """
    from tokenprobe.conformance.runner import ConformanceOptions, run  # Schemathesis' config

    config = command_config(ctx, config_file)
    with interrupt_on_signals(), open_configured_target(config) as session:
        run_dir = RunDir.choose(report_dir, config.report_root)
        options = ConformanceOptions(
            run_dir.path,
            spec,
            max_examples=max_examples or config.conformance.max_examples,
            policy=config.policy,
        )
        summary = run(session, options)
        with shielded():  # a signal now must not cut a report in half
            summary.grade(config.severities, require_complete=require_complete)
            run_dir.write_reports(summary, session.redactor)
            click.echo(session.redactor(render(summary)))
            for error in summary.errors:  # one line each on stderr, as every command does
                click.echo(session.redactor(f"tokenprobe: error: {error}"), err=True)
    judged = verdict(summary)  # the last line, as every command ends
    click.echo(f"conformance: {judged.line()}; reports in {run_dir.path}")
    sys.exit(judged.exit_code)


def render(summary: Summary) -> str:
    """A few lines for the terminal: what was sent, and the findings."""
    section = summary.sections.get("conformance", {})
    lines = [
        f"conformance: {section.get('cases', 0)} cases in "
        f"{section.get('wall_time_s', 0):.1f} s ({section.get('cases_per_s', 0)} cases/s), "
        f"success path exercised: {'yes' if section.get('success_path_exercised') else 'NO'}"
    ]
    lines += [f"  [{f.severity}] {f.id} {f.title}: {f.evidence}{f.seen}" for f in summary.findings]
    return "\n".join(lines)
