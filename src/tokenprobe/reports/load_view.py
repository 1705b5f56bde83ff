"""The load section as report rows.

The load stage writes ``summary["load"]`` (docs/load.md, "Reports"), read here through its
one codec (`tokenprobe.load.section`): ``slo`` lists each threshold with its observed value
(whether it held is its check's outcome), ``scenarios`` maps scenario keys (``valid_login``)
to the same numbers as the total plus ``name``, the display name. A stage that stopped early
may leave parts out: a missing percentile or rate shows empty, a missing count 0 (the record's
default); a section that cannot be read shows no load rows.
"""

from __future__ import annotations

from typing import Any

from tokenprobe.core.summary import CheckVerdict, Summary, Verdict
from tokenprobe.load.section import LoadSection, Scope, load_section
from tokenprobe.load.verdict import observed_text, search_result, slo_check_id


def load_section_of(summary: Summary) -> LoadSection | None:
    return load_section(summary.sections)


def slo_rows(summary: Summary, judged: Verdict) -> list[dict[str, Any]]:
    """Each SLO's name, threshold, observed value (with its unit) and ``result``: "met",
    "breached", "breached (accepted)" (a breach the baseline accepts, or re-graded below an
    error) or "not judged", from its check's outcome in the run's verdict."""
    load = load_section_of(summary)
    if load is None:
        return []
    checks = {c.id: c for c in judged.checks}
    return [
        {
            "name": slo.name,
            "threshold": slo.threshold,
            "observed": "" if slo.observed is None else observed_text(slo),
            "result": _result(checks.get(slo_check_id(slo.name))),
        }
        for slo in load.slo
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
    load = load_section_of(summary)
    if load is None:
        return []
    notes = []
    if load.unanswered:
        notes.append(
            f"Unanswered: {load.unanswered} requests (in flight when the run stopped, or due "
            "and never sent) count as errors; the latency percentiles, of answered requests "
            "only, are lower bounds."
        )
    for row in load.contract_deviations:
        occurrences = "?" if row.occurrences is None else row.occurrences
        notes.append(
            f"Information, not a load error: {row.scenario} {row.deviation} ({occurrences} "
            "answers; a contract finding of conformance)."
        )
    return notes


def load_rows(summary: Summary) -> list[dict[str, Any]]:
    """The total, then each scenario by key: requests, failures, req/s, latency percentiles;
    ``label`` is the scenario's display name when it has one besides its key."""
    load = load_section_of(summary)
    if load is None:
        return []
    return [_row(name, scope) for name, scope in load.scopes().items()]


def _row(name: str, scope: Scope) -> dict[str, Any]:
    return {
        "name": name,
        "label": scope.name if scope.name and scope.name != name else "",
        "requests": scope.requests,
        "failures": scope.failures,
        "throughput_rps": "" if scope.throughput_rps is None else scope.throughput_rps,
        "latency": ["" if value is None else value for value in scope.latency_ms.values()],
    }


def capacity_line(summary: Summary) -> str | None:
    """The breakpoint search's outcome in one sentence; None when the run had no search."""
    load = load_section_of(summary)
    return None if load is None or load.capacity is None else search_result(load.capacity)
