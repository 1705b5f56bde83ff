"""One verdict, every surface: many generated results, each rendered by every report; they agree.

Hypothesis generates runs (checks that looked or not, findings of every kind owned by listed
checks or by none, re-graded, accepted by a baseline, folded from another check, run problems,
stops, --require-complete). For each, the exit code, the console line, summary.json, junit.xml,
summary.md, report.html and the history row must say the same: the status, whether it fails,
and the findings per severity.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokenprobe.core import catalogue
from tokenprobe.core.findings import Finding, Severity
from tokenprobe.core.redact import Redactor
from tokenprobe.core.summary import TIME, CheckResult, Stop, Summary, verdict
from tokenprobe.reports.bundle import write_all_reports
from tokenprobe.reports.history import history_row
from tokenprobe.reports.markdown import MARK

CHECK_IDS = ["TP-TOKEN-004", "TP-CONF-005", "TP-SEC-003", "TP-SEC-012", "slo:p95", "TP-LOAD-003"]
# Some findings of checks the run lists, some of none (TP-LOAD-002, a not-evaluated one).
FINDING_IDS = [
    "TP-TOKEN-004", "TP-TOKEN-009", "TP-CONF-005", "TP-SEC-003", "TP-SEC-012", "TP-SEC-101",
    "TP-SEC-103", "TP-LOAD-001", "TP-LOAD-002", "TP-LOAD-003", "TP-CONF-011", "TP-REG-005",
]  # fmt: skip
SEVERITIES = ["error", "warning", "info"]
LINE_COUNTS = re.compile(r"findings: (\d+) error, (\d+) warning, (\d+) info")


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    finding_id = draw(st.sampled_from(FINDING_IDS))
    check = draw(st.sampled_from([None, *CHECK_IDS]))
    found = catalogue.finding(finding_id, draw(st.sampled_from(["a", "b"])), check=check)
    seen_by = tuple(draw(st.lists(st.sampled_from(CHECK_IDS), max_size=2, unique=True)))
    count = draw(st.integers(1, 50))
    return Finding(**{**found.__dict__, "seen_by": seen_by, "count": count})


@st.composite
def summaries(draw: st.DrawFn) -> Summary:
    ids = draw(st.lists(st.sampled_from(CHECK_IDS), unique=True))
    checks = [CheckResult(i, f"check {i}", "gate", "", 0.1, draw(st.booleans())) for i in ids]
    found = draw(st.lists(findings(), max_size=8))
    summary = Summary("gate", "http://127.0.0.1:1", findings=found, checks=checks)
    regrade = draw(st.dictionaries(st.sampled_from(FINDING_IDS), st.sampled_from(list(Severity))))
    summary.grade(regrade, require_complete=draw(st.booleans()))
    summary.accepted = {i: "known" for i in draw(st.sets(st.sampled_from(FINDING_IDS)))}
    summary.errors = draw(st.lists(st.sampled_from(["security: target gone"]), max_size=2))
    stop = draw(st.sampled_from([None, Stop(TIME, "load", 10.0), Stop("SIGINT", "security")]))
    if stop is not None:
        summary.stop(stop)
    summary.finish()
    return summary


def rendered(summary: Summary) -> dict[str, str]:
    folder = Path(tempfile.mkdtemp(prefix="tokenprobe-verdict-"))
    try:
        write_all_reports(summary, folder, Redactor())
        files = {name: (folder / name).read_text(encoding="utf-8") for name in
                 ("summary.json", "junit.xml", "summary.md", "report.html")}  # fmt: skip
        row = history_row(folder)
        files["history"] = json.dumps({"status": row.status, "findings": dict(row.findings)})
        return files
    finally:
        shutil.rmtree(folder)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summaries())
def test_every_surface_says_the_same(summary: Summary) -> None:
    judged = verdict(summary)
    files = rendered(summary)
    stored = json.loads(files["summary.json"])
    counts = {s: judged.counts[s] for s in SEVERITIES}
    failing = judged.status != "pass"

    # Exit code: the summary's, summary.json's, 0 only for a pass.
    assert summary.exit_code == stored["exit_code"] == judged.exit_code
    assert (judged.exit_code == 0) == (not failing)
    # Console line: its counts per severity are summary.json's, and its word is the status.
    line_counts = LINE_COUNTS.search(judged.line())
    assert line_counts is not None
    assert dict(zip(SEVERITIES, map(int, line_counts.groups()), strict=True)) == counts
    assert {s: stored["counts"][s] for s in SEVERITIES} == counts
    assert judged.line().startswith({"pass": "PASS", "fail": "FAIL", "error": "ERROR"}[
        judged.status])  # fmt: skip
    # summary.json: the status; each check's outcome is the verdict's.
    assert stored["status"] == judged.status
    assert [c["outcome"] for c in stored["checks"]] == [c.outcome for c in judged.checks]
    # JUnit: failures + errors > 0 exactly when the run fails; a counted error fails a case.
    junit = ET.fromstring(files["junit.xml"])  # noqa: S314 - our own output
    failures = len(junit.findall(".//failure")) + len(junit.findall(".//error"))
    assert (failures > 0) == failing
    counted_errors = [
        f for f in summary.findings if f.severity is Severity.ERROR and not summary.is_accepted(f)
    ]
    assert bool(junit.findall(".//failure")) == bool(counted_errors)
    # summary.md and report.html: the same status and line.
    assert files["summary.md"].startswith(
        f"## tokenprobe gate: {MARK[judged.status]} {judged.line()}\n"
    )
    assert f'<span class="verdict {judged.status}">' in files["report.html"]
    assert f"<b>{counts['error']}</b>error findings" in files["report.html"]
    # History: the stored status and counts.
    history = json.loads(files["history"])
    assert history == {"status": judged.status, "findings": counts}
