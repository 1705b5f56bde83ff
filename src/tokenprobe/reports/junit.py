"""JUnit XML: every check, probe and SLO as a test case, so CI shows each one."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.findings import Finding
from tokenprobe.core.summary import CheckResult, Summary

JUNIT_FILE = "junit.xml"


def render_junit(summary: Summary) -> str:
    suites = ET.Element("testsuites", name=f"tokenprobe {summary.command}")
    by_source: dict[str, list[CheckResult]] = defaultdict(list)
    for check in summary.checks:
        by_source[check.source or summary.command].append(check)
    for source, checks in by_source.items():
        outcomes = [summary.effective_outcome(c) for c in checks]
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=source,
            tests=str(len(checks)),
            failures=str(outcomes.count("failed")),
            errors=str(outcomes.count("error")),
            skipped=str(outcomes.count("skipped")),
        )
        for check, outcome in zip(checks, outcomes, strict=True):
            _add_case(suite, check, outcome, summary.findings_of(check), summary)
    if summary.errors:
        suite = ET.SubElement(suites, "testsuite", name="run", tests="1", errors="1")
        case = ET.SubElement(suite, "testcase", classname="tokenprobe.run", name="run completed")
        ET.SubElement(case, "error", message=summary.errors[0]).text = "\n".join(summary.errors)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _add_case(
    suite: ET.Element,
    check: CheckResult,
    outcome: str,
    findings: list[Finding],
    summary: Summary,
) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"tokenprobe.{check.source}",
        name=f"{check.id} {check.name}",
        time=f"{check.duration_s:.3f}",
    )
    details = "\n".join(_describe(f, summary) for f in findings)
    if outcome == "failed":
        ET.SubElement(case, "failure", message=check.message or check.name).text = details
    elif outcome == "error":
        ET.SubElement(case, "error", message=check.message or check.name).text = details
    elif outcome == "skipped":
        ET.SubElement(case, "skipped", message=check.message)
    elif details:  # passed with warnings, infos or accepted findings: visible, not failing
        ET.SubElement(case, "system-out").text = details


def _describe(finding: Finding, summary: Summary) -> str:
    line = f"[{finding.severity}] {finding.title}: {finding.evidence}{finding.seen}"
    line += f" ({finding.reference})"
    if summary.is_accepted(finding):
        line += f" [accepted by baseline: {summary.accepted[finding.id]}]"
    return line


def write_junit(
    summary: Summary, report_dir: Path, redact: Callable[[str], str] = lambda text: text
) -> Path:
    return write_text_atomic(
        report_dir / JUNIT_FILE, redact(render_junit(summary.redacted(redact)))
    )
