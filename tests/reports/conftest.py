"""Realistic summaries built from real Finding/CheckResult values, and real PNG plots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
import pytest
from matplotlib.figure import Figure

from tokenprobe.core.findings import Finding, Severity
from tokenprobe.core.summary import CheckResult, Summary
from tokenprobe.load.section import Slo
from tokenprobe.load.verdict import slo_breach, slo_check_id

matplotlib.use("Agg")  # headless: no display in CI

STARTED = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)

LIFETIME = Finding(
    "TP-TOKEN-012",
    Severity.ERROR,
    "Access token outlives policy",
    "expected exp - iat <= 7d / received 30d",
    "RFC 8725 §3.10",
    "conformance",
)
CACHE = Finding(
    "TP-SEC-006",
    Severity.ERROR,
    "Token response cacheable",
    "expected Cache-Control: no-store / received (absent)",
    "RFC 6749 §5.1",
    "security",
)
FORM = Finding(
    "TP-SEC-009",
    Severity.WARNING,
    "Form-encoded credentials accepted",
    "POST application/x-www-form-urlencoded → 200",
    "ASVS 4.0.3 13.2.5",
    "security",
)
TRIM = Finding(
    "TP-SEC-010",
    Severity.INFO,
    "Password whitespace trimmed",
    "' password ' → 200",
    "NIST SP 800-63B",
    "security",
)


def load_section(p95: float = 12.0, throughput: float = 180.0, passed: bool = True) -> dict:
    latency = {"p50": 4.1, "p90": 9.0, "p95": p95, "p99": 25.0, "p999": 40.0, "max": 61.2}
    return {
        "model": "open",
        "requests": 5400,
        "failures": 3,
        "throughput_rps": throughput,
        "latency_ms": latency,
        "scenarios": {
            "valid_login": {
                "name": "valid login",
                "requests": 3000,
                "failures": 1,
                "throughput_rps": throughput / 2,
                "latency_ms": {**latency, "p95": p95 + 2},
            },
            "wrong_password": {
                "name": "wrong password",
                "requests": 2400,
                "failures": 2,
                "throughput_rps": throughput / 2,
                "latency_ms": latency,
            },
        },
        "capacity_rps": None,
        "slo": [
            {"name": "total p95 latency", "threshold": "<= 500 ms", "observed": p95, "unit": "ms",
             "passed": passed},
            {"name": "error ratio", "threshold": "<= 0.01", "observed": 0.0006, "unit": "",
             "passed": True},
        ],
    }  # fmt: skip


def slo_verdicts(load: Any) -> tuple[list[CheckResult], list[Finding]]:
    """The SLO checks of a load section as the load suite makes them, and a breach finding for
    each SLO the fixture says is breached (``passed`` False: the fixture's input, which the
    section of a real run does not hold)."""
    slos = load.get("slo", []) if isinstance(load, dict) else []
    checks, breaches = [], []
    for slo in slos:
        if not isinstance(slo, dict) or "name" not in slo:
            continue
        message = f"observed {slo.get('observed')} {slo.get('unit', '')}"
        checks.append(CheckResult(slo_check_id(slo["name"]), slo["name"], "load", message, 30.0))
        if slo.pop("passed", True) is False:
            breaches.append(slo_breach(Slo.model_validate(slo)))
    return checks, breaches


@pytest.fixture
def make_summary() -> Callable[..., Summary]:
    """``make_summary(findings=[...], load=..., **Summary fields)`` → a finished gate Summary."""

    def make(findings: list[Finding] | None = None, load: Any = None, **fields: Any) -> Summary:
        found = [LIFETIME, CACHE, FORM, TRIM] if findings is None else findings
        checks = [
            CheckResult(f.checks[0], f.title.lower(), f.source, f.evidence, 0.25) for f in found
        ] + [
            CheckResult("TP-TOKEN-001", "alg allowlist", "conformance", "", 0.1),
            CheckResult("TP-SEC-008", "brute force", "security", "no canary", 0.0, ran=False),
        ]  # fmt: skip
        sections = {"load": load_section() if load is None else load} if load is not False else {}
        slo_checks, breaches = slo_verdicts(sections.get("load"))
        found, checks = [*found, *breaches], [*checks, *slo_checks]
        summary = Summary(
            command="gate",
            target="http://127.0.0.1:8000",
            started_at=STARTED,
            findings=found,
            checks=checks,
            sections=sections,
            **fields,
        )
        summary.finished_at = STARTED + dt.timedelta(seconds=42.5)
        return summary

    return make


@pytest.fixture(scope="session")
def plot_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two real PNG plots like the load stage writes."""
    folder = tmp_path_factory.mktemp("plots")
    paths = []
    for name, values in (("latency_percentiles", [4, 6, 12, 9, 30]), ("throughput", [180] * 5)):
        figure = Figure(figsize=(6, 2.5), dpi=80)
        axes = figure.add_subplot()
        axes.plot(range(len(values)), values, marker="o")
        axes.set_title(name.replace("_", " "))
        path = folder / f"{name}.png"
        figure.savefig(path)
        paths.append(path)
    return paths
