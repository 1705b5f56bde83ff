"""A check's reported outcome follows its findings as graded and accepted, in every report."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

from tokenprobe.core import catalogue
from tokenprobe.core.findings import Severity
from tokenprobe.core.summary import CheckResult, Summary
from tokenprobe.reports.junit import render_junit

SLO = CheckResult("slo:p95", "SLO p95 p95<500", "load", "failed", "observed 900")
LIFETIME = CheckResult("TP-TOKEN-004", "token_lifetime_within_policy", "conformance", "failed")


def summary_with(*found: str, accepted: dict[str, str] | None = None) -> Summary:
    findings = [catalogue.finding(finding_id, "evidence") for finding_id in found]
    return Summary("gate", "http://127.0.0.1:1", findings=findings, checks=[SLO, LIFETIME],
                   accepted=accepted or {})  # fmt: skip


def test_a_breached_slo_fails_its_check_until_the_baseline_accepts_the_breach() -> None:
    assert summary_with("TP-LOAD-001").effective_outcome(SLO) == "failed"
    accepted = summary_with("TP-LOAD-001", accepted={"TP-LOAD-001": "known slow staging"})
    assert accepted.effective_outcome(SLO) == "passed"
    assert accepted.status == "pass"
    report = ET.fromstring(render_junit(accepted))  # noqa: S314 - our own output
    load_suite = report.find("testsuite[@name='load']")
    assert load_suite is not None
    assert load_suite.get("failures") == "0"


def test_a_check_answers_for_every_id_it_reports() -> None:
    # The lifetime check reports an error (TP-TOKEN-004) and a warning (TP-TOKEN-009).
    assert catalogue.reported_by_check("TP-TOKEN-004") == {"TP-TOKEN-004", "TP-TOKEN-009"}
    summary = summary_with("TP-TOKEN-004", "TP-TOKEN-009")
    assert [f.id for f in summary.findings_of(LIFETIME)] == ["TP-TOKEN-004", "TP-TOKEN-009"]


def test_a_regraded_error_no_longer_fails_its_check() -> None:
    summary = summary_with("TP-TOKEN-004")
    assert summary.effective_outcome(LIFETIME) == "failed"
    summary.findings = [dataclasses.replace(f, severity=Severity.WARNING) for f in summary.findings]
    assert summary.effective_outcome(LIFETIME) == "passed"
