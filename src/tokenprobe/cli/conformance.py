"""``tokenprobe conformance``: the Schemathesis suite with token-aware checks, as one command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tokenprobe import conformance as suite
from tokenprobe.cli.target import open_target
from tokenprobe.conformance import ConformanceOptions
from tokenprobe.core import defaults
from tokenprobe.core.summary import Summary
from tokenprobe.reports import write_stage_reports

DEFAULT_REPORT_DIR = Path(defaults.REPORT_ROOT, "conformance")


@click.command()
@click.option(
    "--url", default=None, help="Target base URL; default: the embedded reference target."
)
@click.option(
    "--spec",
    default="published",
    show_default=True,
    help="'published', 'strict', or the path of an OpenAPI document.",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_REPORT_DIR,
    show_default=True,
    help="Where summary.json, junit.xml, cassette.har and schemathesis-junit.xml go.",
)
@click.option(
    "-n",
    "--max-examples",
    type=click.IntRange(1),
    default=None,
    help=f"Fuzzing cases per operation [default: {defaults.FUZZ_MAX_EXAMPLES}].",
)
def conformance(url: str | None, spec: str, report_dir: Path, max_examples: int | None) -> None:
    """Run Schemathesis with tokenprobe's hooks and checks against POST /api/v1/token/.

    Exit 0 pass, 1 findings, 2 when the target cannot be reached or the run cannot start.
    Credentials for --url come from TOKENPROBE_USERNAME/TOKENPROBE_PASSWORD or
    TOKENPROBE_CREDENTIALS; without them the success path is not exercised (and the run says so).
    """
    options = ConformanceOptions(report_dir, spec, max_examples=max_examples)
    with open_target(url) as session:
        summary = suite.run(session, options)
        write_stage_reports(summary, report_dir, session.redactor)
        click.echo(session.redactor(render(summary)))
        for error in summary.errors:
            click.echo(session.redactor(f"tokenprobe: error: {error}"), err=True)
    sys.exit(summary.exit_code)


def render(summary: Summary) -> str:
    """A few lines for the terminal: counts, findings, where the reports are."""
    section = summary.sections.get("conformance", {})
    lines = [
        f"conformance: {summary.status} - {section.get('cases', 0)} cases in "
        f"{section.get('wall_time_s', 0):.1f} s ({section.get('cases_per_s', 0)} cases/s), "
        f"success path exercised: {'yes' if section.get('success_path_exercised') else 'NO'}"
    ]
    lines += [f"  [{f.severity}] {f.id} {f.title}: {f.evidence}" for f in summary.findings]
    return "\n".join(lines)
