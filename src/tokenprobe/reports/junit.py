"""JUnit XML: every check, probe and SLO as a test case, so CI shows each one."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.findings import Finding
from tokenprobe.core.summary import CheckVerdict, Summary, verdict

JUNIT_FILE = "junit.xml"


def render_junit(summary: Summary) -> str:
    """Each check a test case with its verdict's outcome (`verdict`): a failing run has a
    failing case, a run that could not run a "run completed" error."""
    judged = verdict(summary)
    suites = ET.Element("testsuites", name=f"tokenprobe {summary.command}")
    by_source: dict[str, list[CheckVerdict]] = defaultdict(list)
    for checked in judged.checks:
        by_source[checked.check.source or summary.command].append(checked)
    for source, checks in by_source.items():
        outcomes = Counter(c.outcome for c in checks)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=source,
            tests=str(len(checks)),
            failures=str(outcomes["failed"]),
            errors="0",
            skipped=str(outcomes["skipped"]),
        )
        for checked in checks:
            _add_case(suite, checked, summary)
    if summary.errors:
        suite = ET.SubElement(suites, "testsuite", name="run", tests="1", errors="1")
        case = ET.SubElement(suite, "testcase", classname="tokenprobe.run", name="run completed")
        ET.SubElement(case, "error", message=summary.errors[0]).text = "\n".join(summary.errors)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _add_case(suite: ET.Element, checked: CheckVerdict, summary: Summary) -> None:
    check = checked.check
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"tokenprobe.{check.source}",
        name=f"{check.id} {check.name}",
        time=f"{check.duration_s:.3f}",
    )
    details = "\n".join(_describe(f, summary) for f in checked.findings)
    if checked.outcome == "failed":
        message = check.message or check.name
        ET.SubElement(case, "failure", message=message).text = details
    elif checked.outcome == "skipped":
        ET.SubElement(case, "skipped", message=check.message).text = details or None
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
