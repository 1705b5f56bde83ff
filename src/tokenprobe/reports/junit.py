"""JUnit XML: every check, probe and SLO as a test case, so CI shows each one."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from tokenprobe.summary import CheckResult, Summary, write_text_atomic

JUNIT_FILE = "junit.xml"


def render_junit(summary: Summary) -> str:
    suites = ET.Element("testsuites", name=f"tokenprobe {summary.command}")
    by_source: dict[str, list[CheckResult]] = defaultdict(list)
    for check in summary.checks:
        by_source[check.source or summary.command].append(check)
    findings_by_id = defaultdict(list)
    for finding in summary.findings:
        findings_by_id[finding.id].append(finding)
    for source, checks in by_source.items():
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=source,
            tests=str(len(checks)),
            failures=str(sum(c.outcome == "failed" for c in checks)),
            errors=str(sum(c.outcome == "error" for c in checks)),
            skipped=str(sum(c.outcome == "skipped" for c in checks)),
        )
        for check in checks:
            _add_case(suite, check, findings_by_id.get(check.id, []))
    if summary.errors:
        suite = ET.SubElement(suites, "testsuite", name="run", tests="1", errors="1")
        case = ET.SubElement(suite, "testcase", classname="tokenprobe.run", name="run completed")
        ET.SubElement(case, "error", message=summary.errors[0]).text = "\n".join(summary.errors)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _add_case(suite: ET.Element, check: CheckResult, findings: list) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"tokenprobe.{check.source}",
        name=f"{check.id} {check.name}",
        time=f"{check.duration_s:.3f}",
    )
    details = "\n".join(f"[{f.severity}] {f.title}: {f.evidence} ({f.reference})" for f in findings)
    if check.outcome == "failed":
        ET.SubElement(case, "failure", message=check.message or check.name).text = details
    elif check.outcome == "error":
        ET.SubElement(case, "error", message=check.message or check.name).text = details
    elif check.outcome == "skipped":
        ET.SubElement(case, "skipped", message=check.message)
    elif details:  # passed with warnings or infos: visible, not failing
        ET.SubElement(case, "system-out").text = details


def write_junit(
    summary: Summary, report_dir: Path, redact: Callable[[str], str] = lambda text: text
) -> Path:
    return write_text_atomic(report_dir / JUNIT_FILE, redact(render_junit(summary)))
