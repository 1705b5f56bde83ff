"""The load section as report rows, tolerant of partial data.

The load stage writes ``summary["load"]`` (docs/load.md, "Reports"): ``slo`` is a list of
``{"name", "threshold", "observed"}`` (whether each held is its check's outcome), ``scenarios``
maps scenario keys (``valid_login``) to the same fields as the total plus ``name``, the display
name (Locust's request entry; summaries written before the keys are keyed by it and lack it).
A stage that stopped early may leave parts out; a report must still render (missing values show
empty), never crash.
"""

from __future__ import annotations

from typing import Any

from tokenprobe.core.summary import CheckVerdict, Summary, Verdict
from tokenprobe.load.verdict import observed_text, search_result, slo_check_id

SLO_FIELDS = ("name", "threshold", "observed")
LATENCY_FIELDS = ("p50", "p90", "p95", "p99", "p999", "max")


def load_section_of(summary: Summary) -> dict[str, Any] | None:
    load = summary.sections.get("load")
    return load if isinstance(load, dict) else None


def slo_rows(summary: Summary, judged: Verdict) -> list[dict[str, Any]]:
    """Each SLO with every field present ("" when missing) and its ``result``: "met",
    "breached", "breached (accepted)" (a breach the baseline accepts, or re-graded below an
    error) or "not judged", from its check's outcome in the run's verdict."""
    slos = (load_section_of(summary) or {}).get("slo")
    if not isinstance(slos, list):
        return []
    checks = {c.id: c for c in judged.checks}
    return [
        {
            **{k: slo.get(k, "") for k in SLO_FIELDS},
            "observed": observed_text(slo) if isinstance(slo.get("observed"), int | float) else "",
            "result": _result(checks.get(slo_check_id(str(slo.get("name", ""))))),
        }
        for slo in slos
        if isinstance(slo, dict)
    ]


def _result(checked: CheckVerdict | None) -> str:
    if checked is None or checked.outcome == "skipped":
        return "not judged"
    if checked.outcome == "failed":
        return "breached"
    return "breached (accepted)" if checked.findings else "met"


def load_notes(summary: Summary) -> list[str]:
    """Sentences the numbers need: requests never answered (errors, and what they make of the
    percentiles) and contract deviations that are information, not load errors."""
    load = load_section_of(summary) or {}
    notes = []
    unanswered = load.get("unanswered")
    if isinstance(unanswered, int) and unanswered:
        notes.append(
            f"Unanswered: {unanswered} requests (in flight when the run stopped, or due and "
            "never sent) count as errors; the latency percentiles, of answered requests "
            "only, are lower bounds."
        )
    deviations = load.get("contract_deviations")
    for row in deviations if isinstance(deviations, list) else []:
        if isinstance(row, dict):
            notes.append(
                f"Information, not a load error: {row.get('scenario', '?')} "
                f"{row.get('deviation', '?')} ({row.get('occurrences', '?')} answers; "
                "a contract finding of conformance)."
            )
    return notes


def load_rows(summary: Summary) -> list[dict[str, Any]]:
    """The total, then each scenario by key: requests, failures, req/s, latency percentiles;
    ``label`` is the scenario's display name when it has one besides its key."""
    load = load_section_of(summary)
    if load is None:
        return []
    scenarios = load.get("scenarios")
    named = sorted(scenarios.items()) if isinstance(scenarios, dict) else []
    return [_row(name, values) for name, values in [("total", load), *named]]


def _row(name: str, values: Any) -> dict[str, Any]:
    values = values if isinstance(values, dict) else {}
    latency = values.get("latency_ms")
    latency = latency if isinstance(latency, dict) else {}
    label = values.get("name")
    return {
        "name": name,
        "label": label if isinstance(label, str) and label != name else "",
        "requests": values.get("requests", ""),
        "failures": values.get("failures", ""),
        "throughput_rps": values.get("throughput_rps", ""),
        "latency": [latency.get(p, "") for p in LATENCY_FIELDS],
    }


def capacity_line(summary: Summary) -> str | None:
    """The breakpoint search's outcome in one sentence; None when the run had no search."""
    capacity = (load_section_of(summary) or {}).get("capacity")
    return search_result(capacity) if isinstance(capacity, dict) else None
