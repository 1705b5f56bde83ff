"""JSON Schema of the configuration file (``tokenprobe.toml`` or ``[tool.tokenprobe]``).

Keys are kebab-case like Schemathesis' and Ruff's TOML files. ``x-expected`` annotations are
the wording of the one-line error a user sees (see `tokenprobe.core.validation`).
"""

from __future__ import annotations

from typing import Any

from tokenprobe.core.catalogue import ENTRIES
from tokenprobe.core.defaults import (
    JWS_ALGORITHMS,
    LATENCY_PERCENTILES,
    LOAD_SCENARIOS,
    REGRESSION_MAX_RESAMPLES,
)
from tokenprobe.core.durations import DURATION_EXPECTED, DURATION_PATTERN
from tokenprobe.core.findings import Severity

# How a regression verdict resamples a run (`tokenprobe.reports.statistics`).
RESAMPLING = ("blocks", "requests")
FINDING_ID_PATTERN = r"^TP-[A-Z0-9]+-[0-9]{3}$"
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
# [slo.latency.<scope>]: "total" (every request) or a load scenario by key; display names
# ("valid login") are read as their key (`tokenprobe.core.config`), but not offered.
LATENCY_SCOPES = ("total", *LOAD_SCENARIOS)
# One rule and one wording for a target URL, wherever it comes from (file, variable, option).
BASE_URL_PATTERN = r"^https?://[^/\s]+"
BASE_URL_EXPECTED = "an http(s) base URL such as https://api.example.com"

DURATION: dict[str, Any] = {
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "string", "pattern": DURATION_PATTERN},
    ],
    "x-expected": DURATION_EXPECTED,
}
POSITIVE_MS: dict[str, Any] = {
    "type": "number",
    "exclusiveMinimum": 0,
    "x-expected": "milliseconds as a positive number",
}
NON_EMPTY_STRING: dict[str, Any] = {"type": "string", "minLength": 1, "x-expected": "a string"}
SEVERITY_NAMES = [str(severity) for severity in reversed(Severity)]
SEVERITY: dict[str, Any] = {
    "enum": SEVERITY_NAMES,
    "x-expected": f"one of {', '.join(SEVERITY_NAMES)}",
}
ENV_NAME: dict[str, Any] = {
    "type": "string",
    "pattern": ENV_NAME_PATTERN,
    "x-expected": "an environment variable name",
}


def section(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A TOML table: only the listed keys are allowed."""
    return {"type": "object", "properties": properties, "additionalProperties": False, **extra}


CONFIG_SCHEMA: dict[str, Any] = section(
    {
        "target": section(
            {
                "url": {
                    "type": "string",
                    "pattern": BASE_URL_PATTERN,
                    "x-expected": BASE_URL_EXPECTED,
                },
                # A CSV file "username,password"; secrets never live in this file.
                "credentials": {**NON_EMPTY_STRING, "x-expected": "a path to a CSV file"},
                # The 200's fields that carry the token pair (tokenprobe.core.token_fields).
                "access-field": {**NON_EMPTY_STRING, "x-expected": "a JSON field name"},
                "refresh-field": {**NON_EMPTY_STRING, "x-expected": "a JSON field name"},
            }
        ),
        "policy": section(
            {
                "allowed-algorithms": {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {
                        "enum": list(JWS_ALGORITHMS),
                        "x-expected": "a JWS algorithm such as HS256, RS256, ES256, EdDSA "
                        "('none' is never allowed, RFC 8725)",
                    },
                    "x-expected": "a non-empty list of distinct JWS algorithms",
                },
                "access-max-lifetime": DURATION,
                "access-warn-lifetime": DURATION,
                "refresh-max-lifetime": DURATION,
                "refresh-warn-lifetime": DURATION,
            }
        ),
        "slo": section(
            {
                "error-ratio": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1,
                    "x-expected": "a ratio between 0 and 1",
                },
                "min-throughput-rps": {
                    "type": "number",
                    "minimum": 0,
                    "x-expected": "requests per second as a number ≥ 0",
                },
                "latency": section(
                    dict.fromkeys(
                        (*LATENCY_SCOPES, *LOAD_SCENARIOS.values()),
                        section({"p95-ms": POSITIVE_MS, "p99-ms": POSITIVE_MS}),
                    ),
                    **{"x-keys": ", ".join(LATENCY_SCOPES)},
                ),
            }
        ),
        # Only IDs tokenprobe can report: a typo would silently re-grade nothing.
        "severities": section(
            dict.fromkeys((entry.id for entry in ENTRIES), SEVERITY),
            **{"x-keys": "the IDs `tokenprobe checks` lists"},
        ),
        "load": section(
            {
                "allowed-hosts": {
                    "type": "array",
                    "items": NON_EMPTY_STRING,
                    "x-expected": "a list of host names",
                }
            }
        ),
        "baseline": section({"path": {**NON_EMPTY_STRING, "x-expected": "a file path"}}),
        "security": section(
            {
                "canary-username-env": ENV_NAME,
                "canary-password-env": ENV_NAME,
                "brute-force-attempts": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000,
                    "x-expected": "an integer between 1 and 1000",
                },
                "failures-per-account": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000,
                    "x-expected": "an integer between 1 and 1000",
                },
                # A path to a file holding the key: the key itself never goes in this file.
                "verify-key-file": {**NON_EMPTY_STRING, "x-expected": "a path to a key file"},
                # Login fields besides the username (tokenprobe.security.login_fields).
                "login-fields": {
                    "type": "array",
                    "uniqueItems": True,
                    "items": {"enum": ["email"], "x-expected": "email"},
                    "x-expected": 'a list of login fields besides the username: ["email"]',
                },
            }
        ),
        "conformance": section(
            {
                "max-examples": {
                    "type": "integer",
                    "minimum": 1,
                    "x-expected": "a whole number of cases ≥ 1",
                },
            }
        ),
        "gate": section(
            {
                "require-complete": {"type": "boolean", "x-expected": "true or false"},
                "max-time": DURATION,
            }
        ),
        "regression": section(
            {
                "tolerance": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": 10,
                    "x-expected": "a ratio above 0 such as 0.1 (+10 %)",
                },
                "percentiles": {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {
                        "enum": list(LATENCY_PERCENTILES),
                        "x-expected": f"one of {', '.join(LATENCY_PERCENTILES)}",
                    },
                    "x-expected": "a non-empty list of distinct percentiles such as p95",
                },
                "confidence": {
                    "type": "number",
                    "minimum": 0.5,
                    "maximum": 0.999,
                    "x-expected": "a confidence level between 0.5 and 0.999",
                },
                "min-tail-samples": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 10_000,
                    "x-expected": "an integer between 1 and 10000",
                },
                "bootstrap-resamples": {
                    "type": "integer",
                    "minimum": 100,
                    "maximum": REGRESSION_MAX_RESAMPLES,
                    "x-expected": f"an integer between 100 and {REGRESSION_MAX_RESAMPLES}",
                },
                "resample": {
                    "enum": list(RESAMPLING),
                    "x-expected": f"one of {', '.join(RESAMPLING)}",
                },
                "drift-runs": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000,
                    "x-expected": "an integer between 0 (off) and 1000",
                },
                "load-rate": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": 10_000,
                    "x-expected": "requests per second above 0 such as 40",
                },
                "max-load-duration": DURATION,
            }
        ),
        "reports": section({"dir": {**NON_EMPTY_STRING, "x-expected": "a directory path"}}),
    }
)
