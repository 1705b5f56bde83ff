"""JSON Schema of the configuration file (``tokenprobe.toml`` or ``[tool.tokenprobe]``).

Keys are kebab-case like Schemathesis' and Ruff's TOML files. Every key's schema comes from its
declaration (`tokenprobe.core.settings`); this module adds the two tables of free keys
(``[slo.latency.<scenario>]``, ``[severities]``). ``x-expected`` annotations are the wording of
the one-line error a user sees (see `tokenprobe.core.validation`).
"""

from __future__ import annotations

from typing import Any

from tokenprobe.core.catalogue import ENTRIES
from tokenprobe.core.defaults import LOAD_SCENARIOS
from tokenprobe.core.findings import Severity
from tokenprobe.core.settings import FILE_SETTINGS, TABLES, Duration, setting

FINDING_ID_PATTERN = r"^TP-[A-Z0-9]+-[0-9]{3}$"
# [slo.latency.<scope>]: "total" (every request) or a load scenario by key; display names
# ("valid login") are read as their key (`tokenprobe.core.config`), but not offered.
LATENCY_SCOPES = ("total", *LOAD_SCENARIOS)
# One rule and one wording for a target URL, wherever it comes from (file, variable, option).
_URL = setting("target.url").kind
BASE_URL_PATTERN = _URL.pattern or ""
BASE_URL_EXPECTED = _URL.describe()

DURATION: dict[str, Any] = {**Duration().schema(), "x-expected": Duration().describe()}
POSITIVE_MS: dict[str, Any] = {
    "type": "number",
    "exclusiveMinimum": 0,
    "x-expected": "milliseconds as a positive number",
}
SEVERITY_NAMES = [str(severity) for severity in reversed(Severity)]
SEVERITY: dict[str, Any] = {
    "enum": SEVERITY_NAMES,
    "x-expected": f"one of {', '.join(SEVERITY_NAMES)}",
}


def section(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A TOML table: only the listed keys are allowed."""
    return {"type": "object", "properties": properties, "additionalProperties": False, **extra}


def declared(table: str) -> dict[str, Any]:
    """The schema of each declared key of ``table``, by name."""
    return {entry.name: entry.schema() for entry in FILE_SETTINGS if entry.table == table}


# Tables whose keys are free: a scenario's latency thresholds, a finding's severity.
FREE_TABLES: dict[str, dict[str, Any]] = {
    "slo": {
        "latency": section(
            dict.fromkeys(
                (*LATENCY_SCOPES, *LOAD_SCENARIOS.values()),
                section({"p95-ms": POSITIVE_MS, "p99-ms": POSITIVE_MS}),
            ),
            **{"x-keys": ", ".join(LATENCY_SCOPES)},
        )
    },
}
# Only IDs tokenprobe can report: a typo would silently re-grade nothing.
SEVERITIES = section(
    dict.fromkeys((entry.id for entry in ENTRIES), SEVERITY),
    **{"x-keys": "the IDs `tokenprobe checks` lists"},
)

CONFIG_SCHEMA: dict[str, Any] = section(
    {
        table: SEVERITIES if table == "severities" else section(
            {**declared(table), **FREE_TABLES.get(table, {})}
        )
        for table in TABLES
    }
)  # fmt: skip
