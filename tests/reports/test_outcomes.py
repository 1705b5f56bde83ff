"""A check's outcome follows its findings as graded and accepted (`verdict`), in every report."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

from tokenprobe.core import catalogue
from tokenprobe.core.findings import Severity
from tokenprobe.core.summary import CheckResult, Summary, verdict
from tokenprobe.load.section import Slo
from tokenprobe.load.verdict import slo_breach
from tokenprobe.reports.junit import render_junit
from tokenprobe.reports.markdown import render_markdown

SLO = CheckResult("slo:p95", "SLO p95 p95<500", "load", "observed 900")
LIFETIME = CheckResult("TP-TOKEN-004", "token_lifetime_within_policy", "conformance")
BREACH = slo_breach(Slo(name="p95", threshold="<500", observed=900))


def summary_with(*found: str, accepted: dict[str, str] | None = None) -> Summary:
    findings = [catalogue.finding(finding_id, "evidence") for finding_id in found]
    return Summary("gate", "http://127.0.0.1:1", findings=findings, checks=[SLO, LIFETIME],
                   accepted=accepted or {})  # fmt: skip


def outcome_of(summary: Summary, check: CheckResult) -> str:
    (checked,) = (c for c in verdict(summary).checks if c.check.id == check.id)
    return checked.outcome


def test_a_breached_slo_fails_its_check_until_the_baseline_accepts_the_breach() -> None:
    breached = summary_with()
    breached.findings.append(BREACH)
    assert outcome_of(breached, SLO) == "failed"
    accepted = dataclasses.replace(breached, accepted={"TP-LOAD-001": "known slow staging"})
    assert outcome_of(accepted, SLO) == "passed"
    assert accepted.status == "pass"
    report = ET.fromstring(render_junit(accepted))  # noqa: S314 - our own output
    load_suite = report.find("testsuite[@name='load']")
    assert load_suite is not None
    assert load_suite.get("failures") == "0"
    # summary.md says the same: the breach is shown, accepted, never "breached" and failing.
    section = {"slo": [{"name": "p95", "threshold": "<500", "observed": 900, "unit": "ms"}]}
    accepted.sections["load"] = section
    assert "| p95 | &lt;500 | 900 ms | breached (accepted) |" in render_markdown(accepted)


def test_a_check_that_passed_with_warnings_names_them() -> None:
    """A warning never fails a check, and summary.json says which findings it raised."""
    summary = summary_with("TP-TOKEN-009")
    (entry,) = [c for c in summary.to_dict()["checks"] if c["id"] == LIFETIME.id]
    assert (entry["outcome"], entry["findings"]) == ("passed", ["TP-TOKEN-009"])


def test_a_check_owns_every_id_it_reports() -> None:
    # The lifetime check reports an error (TP-TOKEN-004) and a warning (TP-TOKEN-009).
    summary = summary_with("TP-TOKEN-004", "TP-TOKEN-009")
    (lifetime,) = (c for c in verdict(summary).checks if c.check.id == LIFETIME.id)
    assert [f.id for f in lifetime.findings] == ["TP-TOKEN-004", "TP-TOKEN-009"]
    assert lifetime.outcome == "failed"


def test_a_regraded_error_no_longer_fails_its_check() -> None:
    summary = summary_with("TP-TOKEN-004")
    assert outcome_of(summary, LIFETIME) == "failed"
    summary.findings = [dataclasses.replace(f, severity=Severity.WARNING) for f in summary.findings]
    assert outcome_of(summary, LIFETIME) == "passed"


def test_a_finding_of_a_check_the_run_does_not_list_gets_its_check() -> None:
    """TP-LOAD-002 or a not-evaluated finding from a stage that listed no check of it: the
    verdict gives it its catalogue check, so JUnit shows it and a failing run fails a case."""
    summary = Summary("gate", "http://127.0.0.1:1", findings=[
        catalogue.finding("TP-LOAD-002", "CPU at 100 %")])  # fmt: skip
    summary.grade({"TP-LOAD-002": Severity.ERROR})
    judged = verdict(summary)
    assert [(c.check.id, c.outcome) for c in judged.checks] == [("TP-LOAD-002", "failed")]
    report = ET.fromstring(render_junit(summary))  # noqa: S314 - our own output
    assert report.find(".//testcase[@name='TP-LOAD-002 generator_cpu']/failure") is not None


def test_a_check_that_could_not_look_is_skipped_never_passed() -> None:
    not_run = dataclasses.replace(LIFETIME, ran=False)
    summary = Summary("gate", "http://127.0.0.1:1", checks=[not_run])
    assert outcome_of(summary, not_run) == "skipped"
    assert summary.status == "pass"
