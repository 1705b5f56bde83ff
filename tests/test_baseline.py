"""Known-deviation baseline: accepted findings shown not failing, expired and new ones failing."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tokenprobe.core.baseline import (
    Acceptance,
    Baseline,
    apply_baseline,
    load_baseline,
    write_baseline,
)
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.findings import Finding, Severity
from tokenprobe.core.summary import CheckResult, Summary
from tokenprobe.reports.junit import render_junit
from tokenprobe.reports.summary_json import write_summary

TODAY = dt.date(2026, 11, 28)
LIFETIME = Finding(
    "TP-TOKEN-012", Severity.ERROR, "Access token outlives policy", "exp-iat=30d", "RFC 8725"
)
CACHE = Finding(
    "TP-SEC-006", Severity.ERROR, "Token response cacheable", "no Cache-Control", "RFC 6749 §5.1"
)
PRAGMA = Finding("TP-SEC-007", Severity.WARNING, "No Pragma", "Pragma missing", "RFC 7234")
BASELINE_TEXT = """\
version: 1
accepted:
  - id: TP-TOKEN-012
    reason: Product decision, TICKET-1
    expires: 2026-11-28
  - id: TP-SEC-006
    reason: CDN strips headers, TICKET-2
    expires: 2026-11-27
  - id: TP-GONE-001
    reason: fixed long ago
    expires: 2030-01-01
"""


@pytest.fixture
def baseline(tmp_path: Path) -> Baseline:
    path = tmp_path / "tokenprobe-baseline.yaml"
    path.write_text(BASELINE_TEXT, encoding="utf-8")
    return load_baseline(path)


def test_statuses_accepted_expired_new(baseline: Baseline) -> None:
    verdict = apply_baseline([LIFETIME, CACHE, PRAGMA], baseline, today=TODAY)
    by_id = {j.finding.id: j for j in verdict.judged}
    # Valid through its expiry date (inclusive).
    assert by_id["TP-TOKEN-012"].status == "accepted"
    assert not by_id["TP-TOKEN-012"].fails
    # Expired yesterday: fails again.
    assert by_id["TP-SEC-006"].status == "expired"
    assert by_id["TP-SEC-006"].fails
    # Not in the baseline: new; a warning never fails.
    assert by_id["TP-SEC-007"].status == "new"
    assert not by_id["TP-SEC-007"].fails
    assert [a.id for a in verdict.unused] == ["TP-GONE-001"]
    # The day after the expiry, the accepted one fails too.
    later = apply_baseline([LIFETIME], baseline, today=TODAY + dt.timedelta(days=1))
    assert later.judged[0].status == "expired"


def test_new_error_finding_always_fails(baseline: Baseline) -> None:
    new = Finding("TP-TOKEN-001", Severity.ERROR, "alg none", "alg=none", "RFC 8725 §3.1")
    assert apply_baseline([new], baseline, today=TODAY).judged[0].fails


def test_apply_to_summary_makes_accepted_findings_pass(baseline: Baseline, tmp_path: Path) -> None:
    summary = Summary(
        command="gate",
        target="http://127.0.0.1:1",
        findings=[LIFETIME, PRAGMA],
        checks=[
            CheckResult("TP-TOKEN-012", "access lifetime", "conformance", "too long"),
            CheckResult("TP-SEC-007", "pragma", "security"),
        ],
    )
    assert summary.status == "fail"
    apply_baseline(summary.findings, baseline, today=TODAY).apply_to(summary)
    assert summary.status == "pass"
    data = json.loads(write_summary(summary, tmp_path).read_text())
    assert [f["accepted"] for f in data["findings"]] == [True, False]
    assert data["baseline"]["accepted"] == [
        {"id": "TP-TOKEN-012", "reason": "Product decision, TICKET-1", "expires": "2026-11-28"}
    ]
    assert data["baseline"]["unused"][0]["id"] == "TP-SEC-006"
    # JUnit: the accepted check passes, visibly.
    case = ET.fromstring(render_junit(summary)).find(  # noqa: S314 (our own output)
        ".//testcase[@name='TP-TOKEN-012 access lifetime']"
    )
    assert case is not None
    assert case.find("failure") is None
    assert "accepted by baseline: Product decision" in case.findtext("system-out", "")


def test_expired_acceptance_keeps_summary_failing(baseline: Baseline) -> None:
    summary = Summary(command="gate", target="t", findings=[CACHE])
    apply_baseline(summary.findings, baseline, today=TODAY).apply_to(summary)
    assert summary.status == "fail"
    assert summary.sections["baseline"]["expired"][0]["id"] == "TP-SEC-006"


def test_missing_file_accepts_nothing(tmp_path: Path) -> None:
    baseline = load_baseline(tmp_path / "absent.yaml")
    assert baseline.acceptances == {}
    assert apply_baseline([LIFETIME], baseline).judged[0].status == "new"


def test_write_baseline_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "baseline.yaml"
    expires = dt.date(2027, 1, 31)
    write_baseline([LIFETIME, LIFETIME, PRAGMA], path, "accepted for 0.2", expires, today=TODAY)
    text = path.read_text()
    assert text.startswith("# tokenprobe known-deviation baseline")
    loaded = load_baseline(path)
    assert loaded.acceptances == {
        "TP-SEC-007": Acceptance("TP-SEC-007", "accepted for 0.2", expires, "No Pragma"),
        "TP-TOKEN-012": Acceptance(
            "TP-TOKEN-012", "accepted for 0.2", expires, "Access token outlives policy"
        ),
    }
    assert not list(path.parent.glob(".*.tmp"))  # atomic write left nothing behind


def test_write_baseline_keeps_valid_entries_renews_expired_drops_fixed(
    baseline: Baseline,
) -> None:
    assert baseline.path is not None
    write_baseline([LIFETIME, CACHE], baseline.path, "renewed", dt.date(2027, 6, 1), today=TODAY)
    acceptances = load_baseline(baseline.path).acceptances
    assert acceptances["TP-TOKEN-012"].reason == "Product decision, TICKET-1"  # still valid
    assert acceptances["TP-SEC-006"].reason == "renewed"  # was expired
    assert acceptances["TP-SEC-006"].expires == dt.date(2027, 6, 1)
    assert "TP-GONE-001" not in acceptances  # its finding is gone


@pytest.mark.parametrize(
    ("reason", "expires", "message"),
    [("  ", dt.date(2027, 1, 1), "needs a reason"), ("ok", dt.date(2026, 1, 1), "in the past")],
)
def test_write_baseline_refuses_bad_acceptances(
    tmp_path: Path, reason: str, expires: dt.date, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        write_baseline([LIFETIME], tmp_path / "b.yaml", reason, expires, today=TODAY)


def document(*entries: str) -> str:
    return "version: 1\naccepted:\n" + "".join(f"  - {{{entry}}}\n" for entry in entries)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Missing reason.
        (document("id: TP-A-001, expires: 2027-01-01"), "missing key accepted.0.reason"),
        # Misspelt key: named as unknown, not as a missing one.
        (document("id: TP-A-001, reson: x, expires: 2027-01-01"), "unknown key accepted.0.reson"),
        # Not a finding ID.
        (
            document("id: lifetime, reason: x, expires: 2027-01-01"),
            "accepted.0.id: expected a finding ID",
        ),
        # Not a date, in shape or in the calendar.
        (
            document("id: TP-A-001, reason: x, expires: soon"),
            "accepted.0.expires: expected a date YYYY-MM-DD",
        ),
        (
            document("id: TP-A-001, reason: x, expires: '2027-02-30'"),
            "accepted.0.expires: not a date",
        ),
        # Listed twice.
        (
            document(
                "id: TP-A-001, reason: x, expires: 2027-01-01",
                "id: TP-A-001, reason: y, expires: 2027-01-01",
            ),
            "accepted.1.id: TP-A-001 is listed twice",
        ),
        ("version: 2\n", "version: expected 1"),
        ("accepted: [\n", "invalid YAML"),
    ],
)
def test_bad_baseline_is_one_line_naming_the_key(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "baseline.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as excinfo:
        load_baseline(path)
    assert "\n" not in str(excinfo.value)
    assert str(excinfo.value).startswith(f"{path}: ")
    assert expected in str(excinfo.value)
