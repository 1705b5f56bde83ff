"""``summary.json``: the machine-readable result (schema in `tokenprobe.core.summary`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tokenprobe.core.files import write_text_atomic
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
