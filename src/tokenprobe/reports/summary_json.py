"""``summary.json``: the machine-readable result (schema in `tokenprobe.core.summary`), and
`StoredRun`: what the history and ``--compare`` read back from a stored one, decoded once.

A stored run may be old or damaged. Its parts decode on their own: a damaged part reads as
missing (counts are then counted again from the findings; a finding that is not one is left
out), never as a guess; the load section has its own codec (`tokenprobe.load.section`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    Field,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.summary import Summary
from tokenprobe.load.section import Record

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


def _missing_if_damaged(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        return None


class StoredFinding(Record):
    id: str
    title: str = ""
    severity: str = ""
    accepted: bool = False


_FINDING = TypeAdapter(StoredFinding)


def _readable_findings(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """The findings that decode; a list that is not one reads as none."""
    try:
        items = TypeAdapter(list[Any]).validate_python(value)
    except ValidationError:
        return []
    readable = []
    for item in items:
        try:
            readable.append(_FINDING.validate_python(item))
        except ValidationError:
            continue
    return handler(readable)


class StoredCounts(Record):
    """Findings per severity as the run's verdict counted them."""

    error: int
    warning: int
    info: int


class StoredRegression(Record):
    verdict: str | None = None


class StoredComparison(Record):
    previous_run: str | None = None
    regression: Annotated[StoredRegression | None, WrapValidator(_missing_if_damaged)] = None


class StoredRun(Record):
    """The parts of a stored summary.json the history and ``--compare`` read."""

    started_at: str = ""
    command: str = "?"
    target: str = "?"
    embedded_target: bool = False
    status: str = "?"
    counts: Annotated[StoredCounts | None, WrapValidator(_missing_if_damaged)] = None
    findings: Annotated[list[StoredFinding], WrapValidator(_readable_findings)] = Field(
        default_factory=list
    )
    comparison: Annotated[StoredComparison | None, WrapValidator(_missing_if_damaged)] = None


def stored_run(summary: dict[str, Any]) -> StoredRun | None:
    """A stored summary's parts, decoded; None when even its top fields are not a summary's."""
    try:
        return StoredRun.model_validate(summary)
    except ValidationError:
        return None
