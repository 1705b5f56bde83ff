"""``summary.json``: the machine-readable result (schema in `tokenprobe.core.summary`), and
`StoredRun`: what the history and ``--compare`` read back from a stored one, decoded once.

A stored run may be old or damaged. Its parts decode on their own (`tokenprobe.core.records`):
a damaged part reads as missing (counts are then counted again from the findings; a finding
that is not one is left out), never as a guess; the load section has its own record
(`tokenprobe.load.section`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.records import MissingIfDamaged, ReadableItems, Record, decoded
from tokenprobe.core.summary import Summary

SUMMARY_FILE = "summary.json"


def write_summary(
    summary: Summary, report_dir: Path, redact: Callable[[str], str] = lambda text: text
) -> Path:
    """Write ``summary.json`` (redacted as data, then as text) into ``report_dir``."""
    text = json.dumps(summary.redacted(redact).to_dict(), indent=2, ensure_ascii=False) + "\n"
    return write_text_atomic(report_dir / SUMMARY_FILE, redact(text))


def read_stored_summary(run_dir: Path) -> dict[str, Any] | None:
    """A stored run's ``summary.json`` as a dict; None when missing or not a JSON object (a
    damaged old run is skipped by whoever lists runs, not fatal)."""
    try:
        summary = json.loads((run_dir / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


class StoredFinding(Record):
    id: str
    title: str = ""
    severity: str = ""
    accepted: bool = False


class StoredCounts(Record):
    """Findings per severity as the run's verdict counted them."""

    error: int
    warning: int
    info: int


class StoredRegression(Record):
    verdict: str | None = None


class StoredComparison(Record):
    previous_run: str | None = None
    regression: Annotated[StoredRegression | None, MissingIfDamaged] = None


class StoredRun(Record):
    """The parts of a stored summary.json the history and ``--compare`` read."""

    started_at: str = ""
    command: str = "?"
    target: str = "?"
    embedded_target: bool = False
    status: str = "?"
    counts: Annotated[StoredCounts | None, MissingIfDamaged] = None
    findings: Annotated[list[StoredFinding], ReadableItems] = Field(default_factory=list)
    comparison: Annotated[StoredComparison | None, MissingIfDamaged] = None


def stored_run(summary: dict[str, Any]) -> StoredRun | None:
    """A stored summary's parts, decoded; None when even its top fields are not a summary's."""
    return decoded(StoredRun, summary)
