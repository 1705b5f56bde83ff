"""tokenprobe's warnings and infos as a block of Schemathesis' own summary.

A warning or an info never fails a ``schemathesis run`` (`failures.note`), and Schemathesis has
no place for a custom check's warnings: printed after its last line they go unseen under an
all-green summary. So the CLI extension (`report`) hands these lines to the summary Schemathesis
prints at the end (its ``add_summary_line``), between the counts and the test cases, styled as
its own warnings; a check that could not be evaluated says what would make it run, and how to
make such a run fail.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from tokenprobe.conformance.failures import CheckFinding
from tokenprobe.conformance.policy import REQUIRE_COMPLETE, SUCCESS_PATH_CHECK
from tokenprobe.core import catalogue
from tokenprobe.core.credentials import ENV_CREDENTIALS, ENV_PASSWORD, ENV_USERNAME
from tokenprobe.core.findings import Severity, seen_times

ICONS = {Severity.WARNING: "⚠️ ", Severity.INFO: "\N{INFORMATION SOURCE}\N{VARIATION SELECTOR-16} "}
CREDENTIALS_TIP = (
    f"With valid accounts: {ENV_CREDENTIALS}=credentials.csv schemathesis run … (a CSV"
    f" username,password), or {ENV_USERNAME}=… {ENV_PASSWORD}=… schemathesis run …"
)
REQUIRE_COMPLETE_TIP = (
    f"To fail a run that leaves a check not evaluated: {REQUIRE_COMPLETE} = true under"
    f" [checks.{SUCCESS_PATH_CHECK}] in schemathesis.toml"
)


def summary_lines(notes: Sequence[CheckFinding]) -> list[str]:
    """The block: a heading with the counts, each note (ID, title, evidence), then the tips."""
    if not notes:
        return []
    ranked = sorted(((found, catalogue.entry(found.id)) for found in notes), key=_rank)
    entries = [known for _, known in ranked]
    lines = [click.style(f"tokenprobe: {_counts(entries)}", bold=True)]
    for found, known in ranked:
        colour = "yellow" if known.severity is Severity.WARNING else None
        icon = ICONS.get(known.severity, "")
        lines.append(click.style(f"  {icon}{known.id} {known.title}", fg=colour))
        lines.append(click.style(f"     {found.evidence}{seen_times(found.count)}", fg=colour))
    if any(known.not_evaluated for known in entries):
        lines.append("")
        if any(catalogue.CREDENTIALS in known.needs for known in entries if known.not_evaluated):
            lines.append(click.style(f"  💡 {CREDENTIALS_TIP}", fg="yellow"))
        lines.append(click.style(f"  💡 {REQUIRE_COMPLETE_TIP}", fg="yellow"))
    return lines


def _rank(note: tuple[CheckFinding, catalogue.CatalogueEntry]) -> tuple[bool, bool]:
    """Checks not evaluated first (the run is incomplete), then warnings, then infos."""
    known = note[1]
    return not known.not_evaluated, known.severity is not Severity.WARNING


def _counts(entries: Sequence[catalogue.CatalogueEntry]) -> str:
    """What the block holds, worst first: "1 check not evaluated, 2 warnings, 1 info"."""
    not_evaluated = sum(1 for e in entries if e.not_evaluated)
    warnings = sum(1 for e in entries if e.severity is Severity.WARNING and not e.not_evaluated)
    infos = sum(1 for e in entries if e.severity is Severity.INFO and not e.not_evaluated)
    parts = [
        _plural(not_evaluated, "check not evaluated", "checks not evaluated"),
        _plural(warnings, "warning", "warnings"),
        _plural(infos, "info", "infos"),
    ]
    return ", ".join(part for part in parts if part)


def _plural(count: int, one: str, many: str) -> str:
    if not count:
        return ""
    return f"{count} {one if count == 1 else many}"
