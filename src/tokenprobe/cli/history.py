"""``tokenprobe history``: the last runs of a report root, in the terminal and as index.html."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tokenprobe.cli.options import command_config, config_option
from tokenprobe.core import defaults
from tokenprobe.core.errors import ConfigError

CONFIG_KEYS = {"reports.dir": "report_root"}


@click.command()
@click.option(
    "--report-root",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder holding the run folders [default: [reports] dir in the configuration, "
    "TOKENPROBE_REPORT_DIR or 'reports'].",
)
@click.option(
    "-n",
    "runs",
    type=click.IntRange(1, 10_000),
    default=defaults.HISTORY_RUNS,
    show_default=True,
    help="How many of the newest runs to list.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the rows as a JSON list.")
@config_option
@click.pass_context
def history(
    ctx: click.Context,
    report_root: Path | None,
    runs: int,
    as_json: bool,
    config_file: Path | None,
) -> None:
    """List the newest runs, newest first: status, findings, regression verdict against the
    compared run, p95 per scenario, capacity; and rewrite <root>/index.html with the same table
    and trend plots."""
    root = command_config(ctx, config_file, CONFIG_KEYS).report_root
    if not root.is_dir():
        raise ConfigError(f"no report folder {root}: nothing has run there yet")
    from tokenprobe.reports.history import history_rows, history_table, write_history_index

    rows = history_rows(root, runs)
    index = write_history_index(root, runs)
    if as_json:
        click.echo(json.dumps([row.to_dict() for row in rows], indent=2, ensure_ascii=False))
        return
    click.echo(history_table(rows) if rows else f"no runs in {root}")
    click.echo(f"index: {index}", err=True)
