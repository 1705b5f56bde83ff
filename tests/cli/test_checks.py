"""``tokenprobe checks``: the catalogue as QA, baseline and docs authors read it."""

from __future__ import annotations

import json
import subprocess
import sys

from tokenprobe.core import catalogue

TOKENPROBE = [sys.executable, "-m", "tokenprobe"]
KEYS = ["id", "title", "severity", "standard", "suite", "needs", "not_evaluated"]


def run_checks(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TOKENPROBE, "checks", *args], capture_output=True, text=True, timeout=30, check=False
    )


def test_json_lists_every_id_with_exactly_the_documented_keys() -> None:
    result = run_checks("--json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert all(list(item) == KEYS for item in listed)
    assert [item["id"] for item in listed] == [entry.id for entry in catalogue.ENTRIES]
    by_id = {item["id"]: item for item in listed}
    # one of each kind: a check's warning, a probe needing a canary, an SLO
    assert by_id["TP-TOKEN-009"]["severity"] == "warning"
    assert by_id["TP-SEC-015"]["needs"] == ["canary"]
    assert by_id["TP-LOAD-001"]["suite"] == "load"


def test_table_has_one_aligned_row_per_id() -> None:
    result = run_checks()
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split()[:5] == ["ID", "SEVERITY", "SUITE", "CHECK", "NEEDS"]
    assert [row.split()[0] for row in rows] == [entry.id for entry in catalogue.ENTRIES]
    title_column = header.index("TITLE")
    for row, entry in zip(rows, catalogue.ENTRIES, strict=True):
        assert row[title_column:].startswith(entry.title), entry.id
