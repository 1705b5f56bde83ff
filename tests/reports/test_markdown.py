"""summary.md: verdict, counts, error findings, SLOs, comparison; short and injection-proof."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from tokenprobe.core.findings import Finding, Severity
from tokenprobe.core.summary import Summary
from tokenprobe.reports.compare import compare_summaries
from tokenprobe.reports.markdown import render_markdown

from .conftest import CACHE, FORM, LIFETIME, load_section

GITHUB_COMMENT_LIMIT = 65_536


def test_failing_run(make_summary: Callable[..., Summary]) -> None:
    text = render_markdown(make_summary())
    assert text.startswith("## tokenprobe gate: ❌ FAIL; findings: 2 error, 1 warning, 1 info\n")
    assert "Target `http://127.0.0.1:8000` · 42.5 s" in text
    assert "checks: 5 passed, 2 failed, 1 skipped" in text
    assert "### Error findings" in text
    assert "| **failing** | `TP-TOKEN-012` | Access token outlives policy |" in text
    # Warnings are counted, not tabled.
    assert "TP-SEC-009" not in text
    assert "| total p95 latency | &lt;= 500 ms | 12 ms | ✅ met |" in text


def test_passing_run_has_no_findings_table(make_summary: Callable[..., Summary]) -> None:
    text = render_markdown(make_summary(findings=[FORM]))
    assert text.startswith("## tokenprobe gate: ✅ PASS")
    assert "### Error findings" not in text


def test_error_run_lists_the_reasons(make_summary: Callable[..., Summary]) -> None:
    text = render_markdown(make_summary(findings=[], errors=["cannot connect to http://x"]))
    assert "⚠️ ERROR (could not run)" in text
    assert "- cannot connect to http://x" in text


def test_accepted_findings_are_marked_and_listed_last(make_summary: Callable[..., Summary]) -> None:
    summary = make_summary(findings=[LIFETIME, CACHE], accepted={"TP-TOKEN-012": "TICKET-1"})
    text = render_markdown(summary)
    assert "findings: 2 error, 0 warning, 0 info (1 accepted)" in text
    assert "checks: 4 passed, 1 failed" in text  # the accepted finding's check passes
    failing = text.index("| **failing** | `TP-SEC-006`")
    accepted = text.index("| accepted | `TP-TOKEN-012`")
    assert failing < accepted


def test_slo_breach(make_summary: Callable[..., Summary]) -> None:
    text = render_markdown(make_summary(load=load_section(p95=900.0, passed=False)))
    assert "| total p95 latency | &lt;= 500 ms | 900 ms | ❌ **breached** |" in text


def test_comparison_section(make_summary: Callable[..., Summary]) -> None:
    previous = make_summary(findings=[LIFETIME, FORM], load=load_section(p95=10.0))
    current = make_summary(findings=[LIFETIME, CACHE], load=load_section(p95=15.0))
    comparison = compare_summaries(current.to_dict(), previous.to_dict(), "reports/20261127T0900Z")
    text = render_markdown(current, comparison)
    assert "### Since `reports/20261127T0900Z`" in text
    assert "Findings: 1 new, 1 fixed, 1 unchanged." in text
    assert "- New: `TP-SEC-006` Token response cacheable" in text
    assert "| p95_ms | 10 | 15 | +50.0 % (worse) |" in text


def test_evidence_cannot_break_the_table_or_inject(make_summary: Callable[..., Summary]) -> None:
    hostile = dataclasses.replace(
        LIFETIME, evidence="a | b\n<script>alert(1)</script> @maintainers `x`"
    )
    text = render_markdown(make_summary(findings=[hostile]))
    row = next(line for line in text.splitlines() if "TP-TOKEN-012" in line)
    assert row.count(" | ") == 4 + 0  # five cells, the evidence's pipe escaped
    assert "a \\| b &lt;script&gt;alert(1)&lt;/script&gt;" in row
    assert "<script>" not in text
    assert "@\u200bmaintainers" in row


def test_stays_short_with_many_large_findings(make_summary: Callable[..., Summary]) -> None:
    findings = [
        Finding(f"TP-LOAD-{i:03d}", Severity.ERROR, "t" * 500, "e" * 5000, "r" * 500, "load")
        for i in range(1000)
    ]
    text = render_markdown(make_summary(findings=findings, errors=["x" * 10_000] * 100))
    assert len(text) < 20_000 < GITHUB_COMMENT_LIMIT
    assert "| … 980 more in report.html |" in text


def test_a_pass_says_what_it_did_not_evaluate(make_summary: Callable[..., Summary]) -> None:
    skipped = Finding(
        id="TP-SEC-103",
        severity=Severity.WARNING,
        title="Brute-force protection not evaluated: no canary account, or brute force disabled",
        evidence="no canary account configured",
        reference="severity policy",
        source="security",
        check="TP-SEC-015",
    )
    text = render_markdown(make_summary(findings=[FORM, skipped]))
    first = (
        "## tokenprobe gate: ✅ PASS; findings: 0 error, 2 warning, 0 info; 1 check not evaluated"
    )
    assert text.startswith(first + "\n")
    assert "**Not evaluated** (the verdict does not cover these):" in text
    assert "- `TP-SEC-103` TP-SEC-015: no canary account configured" in text


def capacity(reached: bool) -> dict:
    return {
        "reached": reached, "capacity_rps": 77.5 if reached else None,
        "at_least_rps": None if reached else 300.0, "bracket": [77.5, 80.0] if reached else
        [300.0, None], "bracket_unit": "req/s", "search_s": 96.0,
        "probes": [{"level": 20.0, "held": True}] * 9,
    }  # fmt: skip


def test_a_breakpoint_run_states_its_capacity(make_summary: Callable[..., Summary]) -> None:
    reached = render_markdown(make_summary(load={**load_section(), "capacity": capacity(True)}))
    # The search's result is the first line after the verdict.
    first = "**Capacity 77.5 req/s (held at 77.5, broke at 80.0 req/s; 9 probes in 96.0 s)**"
    assert reached.splitlines()[2] == first
    held = render_markdown(make_summary(load={**load_section(), "capacity": capacity(False)}))
    # A safety maximum that held is a lower bound, never a capacity figure.
    assert "Capacity not reached: ≥ 300.0 req/s held (9 probes in 96.0 s)" in held
    assert "Capacity" not in render_markdown(make_summary())
