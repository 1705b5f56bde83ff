"""``summary.json``: the machine-readable result (schema in `tokenprobe.core.summary`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.summary import Summary

SUMMARY_FILE = "summary.json"


def write_summary(
    summary: Summary, report_dir: Path, redact: Callable[[str], str] = lambda text: text
) -> Path:
    """Write ``summary.json`` (redacted as data, then as text) into ``report_dir``."""
    text = json.dumps(summary.redacted(redact).to_dict(), indent=2, ensure_ascii=False) + "\n"
    return write_text_atomic(report_dir / SUMMARY_FILE, redact(text))
