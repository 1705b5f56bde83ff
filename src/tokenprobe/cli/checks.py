"""``tokenprobe checks``: the catalogue of every finding ID, for QA, baseline and docs authors."""

from __future__ import annotations

import json
from collections.abc import Sequence

import click

from tokenprobe.core.catalogue import ENTRIES, CatalogueEntry

COLUMNS = ("ID", "SEVERITY", "SUITE", "CHECK", "NEEDS", "TITLE", "STANDARD")


@click.command()
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON list of {id, title, severity, standard, suite, needs, not_evaluated}.",
)
def checks(as_json: bool) -> None:
    """List every ID a check, probe or SLO can report: its title, default severity, the
    standard it comes from and what it needs to run (without it, the run reports a
    not-evaluated finding instead: never a pass).

    Severities are defaults: [severities] in the configuration re-grades an ID."""
    if as_json:
        click.echo(json.dumps([entry.to_dict() for entry in ENTRIES], indent=2, ensure_ascii=False))
    else:
        click.echo(render_table(ENTRIES))


def row(entry: CatalogueEntry) -> tuple[str, ...]:
    needs = ", ".join(entry.needs) or "-"
    severity = str(entry.severity)
    return (entry.id, severity, entry.suite, entry.check, needs, entry.title, entry.standard)


def render_table(entries: Sequence[CatalogueEntry]) -> str:
    """Columns padded to their widest cell; the last one (the standard) runs to the line's end."""
    rows = [COLUMNS, *(row(entry) for entry in entries)]
    widths = [max(len(cells[i]) for cells in rows) for i in range(len(COLUMNS))]
    widths[-1] = 0
    lines = ["  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) for cells in rows]
    return "\n".join(lines)
