"""Warnings and infos from checks: reported, never failing the run.

Schemathesis knows only pass or fail, so a check that wants to *warn* (a token lifetime above
the recommended bound but within the documented one, say) records a note here instead of
raising. Notes are kept in memory (printed at the end of a ``schemathesis run``) and, when
``TOKENPROBE_CONFORMANCE_NOTES`` names a file, appended to it as JSON lines for
``tokenprobe conformance`` to turn into findings. Evidence never carries a secret.
"""

from __future__ import annotations

import json
import os
import threading

from tokenprobe.conformance.catalogue import BY_NAME, SOURCE
from tokenprobe.core.findings import Finding, Severity

NOTES_ENV = "TOKENPROBE_CONFORMANCE_NOTES"

_lock = threading.Lock()
_notes: dict[tuple[str, str], Finding] = {}


def note(
    check_name: str, evidence: str, severity: Severity = Severity.WARNING, title: str = ""
) -> None:
    """Record a non-failing finding of ``check_name`` once per distinct evidence."""
    spec = BY_NAME[check_name]
    finding = Finding(spec.id, severity, title or spec.title, evidence, spec.reference, SOURCE)
    with _lock:
        if (finding.id, evidence) in _notes:
            return
        _notes[(finding.id, evidence)] = finding
        if path := os.environ.get(NOTES_ENV):
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(finding.to_dict()) + "\n")


def recorded() -> list[Finding]:
    with _lock:
        return list(_notes.values())


def read_notes(path: str | os.PathLike[str]) -> list[Finding]:
    """Findings a ``schemathesis run`` subprocess recorded in ``path``."""
    try:
        with open(path, encoding="utf-8") as handle:
            return [Finding.from_dict(json.loads(line)) for line in handle if line.strip()]
    except FileNotFoundError:
        return []
