"""conformance.run: every check fails against the fault that breaks it and passes on clean."""

from __future__ import annotations

import json

import pytest

from tests.conformance.helpers import closed_port_url, secrets_in
from tokenprobe import conformance
from tokenprobe.conformance import ConformanceOptions
from tokenprobe.conformance.hooks import DETERMINISTIC_LOGINS
from tokenprobe.core.catalogue import CONFORMANCE_CHECKS, conformance_check
from tokenprobe.core.credentials import Credential
from tokenprobe.core.session import TargetSession
from tokenprobe.core.summary import verdict

FAULT_BREAKS = [
    # (faults, spec, IDs that must fail)
    (("missing-refresh",), "published", {"TP-TOKEN-001"}),
    (("alg-none",), "published", {"TP-TOKEN-002"}),
    (("no-exp",), "published", {"TP-TOKEN-003", "TP-TOKEN-004"}),
    (("expired-access",), "published", {"TP-TOKEN-003"}),
    (("long-lived-access",), "published", {"TP-TOKEN-004"}),
    (("wrong-token-type",), "published", {"TP-TOKEN-005"}),
    (("fixed-jti",), "published", {"TP-TOKEN-006"}),
    (("same-tokens",), "published", {"TP-TOKEN-007"}),
    (("sensitive-claims",), "published", {"TP-TOKEN-008"}),
    # 200s as text/plain: ours and Schemathesis' content-type check
    # not JSON: ours names it (Schemathesis' "undocumented content type" for it is dropped)
    (("text-content-type",), "published", {"TP-CONF-001"}),
    # JSON, but a media type the spec does not document: Schemathesis' check alone
    (("problem-json-errors",), "published", {"TP-CONF-103"}),
    # the 3 MB boundary case gets Django's HTML 400 page
    (("html-error-pages",), "published", {"TP-CONF-001"}),
    (("stack-trace-body",), "published", {"TP-CONF-002"}),
    # the malformed-JSON boundary cases get a 500 debug page
    (("debug-error-page",), "published", {"TP-CONF-002", "TP-CONF-101"}),
    (("password-echo",), "published", {"TP-CONF-003"}),
    # 401: named by ours as a deviation (Schemathesis' "undocumented status" for the same
    # answer is dropped: one cause, one finding)
    (("status-401",), "published", {"TP-CONF-004"}),
    (("no-cache-headers",), "published", {"TP-CONF-005"}),
    (("no-allow-header",), "published", {"TP-CONF-006", "TP-CONF-107"}),
    (("server-error-on-unicode",), "published", {"TP-CONF-101"}),
    (("server-error-on-long-input",), "published", {"TP-CONF-101"}),
    (("server-error-on-wrong-type",), "published", {"TP-CONF-101"}),
    # the strict spec's TokenPair schema
    (("missing-refresh",), "strict", {"TP-CONF-104"}),
    # stock SimpleJWT's two deviations at once: the first failure must not hide the second
    (("status-401", "no-cache-headers"), "published", {"TP-CONF-004", "TP-CONF-005"}),
]


def test_clean_target_passes_every_check(suite_run) -> None:
    run = suite_run()
    assert run.summary.exit_code == 0, [f.to_dict() for f in run.summary.findings]
    outcomes = {c.check.name: c.outcome for c in verdict(run.summary).checks}
    for name in {entry.check for entry in CONFORMANCE_CHECKS}:
        assert outcomes[name] == "passed", (name, outcomes[name])
    section = run.summary.sections["conformance"]
    assert section["success_path_exercised"] is True
    assert section["cases"] > section["boundary_cases"] > 50


@pytest.fixture(scope="module")
def fault_runs(suite_run) -> None:
    """All fault runs at once, concurrently: the parametrized tests below read them."""
    suite_run.prefetch([(faults, spec, None) for faults, spec, _ in FAULT_BREAKS])


@pytest.mark.parametrize(("faults", "spec", "expected"), FAULT_BREAKS)
def test_fault_fails_its_checks(
    suite_run, fault_runs: None, faults: tuple[str, ...], spec: str, expected: set[str]
) -> None:
    run = suite_run(*faults, spec=spec)
    assert run.summary.exit_code == 1
    assert expected <= run.failing_ids, run.failing_ids
    for check_id in expected:
        assert "failed" in run.outcomes(check_id)
    crashed = [e for e in run.summary.errors if "crashed" in e]
    assert crashed == [], "a check must judge a faulty response, not crash on it"


def test_credentials_that_never_log_in_fail_the_run(suite_run) -> None:
    run = suite_run(credentials=[Credential("probe.nobody", "not-a-valid-password")])
    assert run.failing_ids == {"TP-CONF-010"}
    assert run.outcomes("TP-CONF-010") == {"failed"}
    assert run.summary.sections["conformance"]["success_path_exercised"] is False


def test_without_credentials_the_run_says_success_path_not_exercised(suite_run) -> None:
    run = suite_run(credentials=[])
    assert run.summary.exit_code == 0
    assert run.outcomes("TP-CONF-010") == {"skipped"}
    assert run.summary.sections["conformance"]["success_path_exercised"] is False
    notes = [f for f in run.summary.findings if f.id == "TP-CONF-011"]
    assert notes
    assert "NOT exercised" in notes[0].evidence
    # Not evaluated: a warning the verdict counts, never a silent pass (issue 11).
    assert str(notes[0].severity) == "warning"
    assert (notes[0].expected, notes[0].received) == ("valid credentials", "none")
    assert verdict(run.summary).not_evaluated == tuple(notes)


def test_findings_reach_summary_json_as_data(suite_run) -> None:
    """expected/received are what the check stated, not text parsed out of a message."""
    run = suite_run("no-cache-headers")
    findings = json.loads((run.report_dir / "summary.json").read_text())["findings"]
    by_id = {f["id"]: f for f in findings}
    cache = by_id["TP-CONF-005"]
    assert cache["severity"] == "error"
    assert (cache["expected"], cache["received"]) == (
        "Cache-Control: no-store",
        "Cache-Control: (none)",
    )
    assert cache["title"] == conformance_check("tokens_not_cacheable").title
    # the info the same check noted travels the same way
    pragma = by_id["TP-CONF-007"]
    assert pragma["severity"] == "info"
    assert (pragma["expected"], pragma["received"]) == ("Pragma: no-cache", "Pragma: (none)")


def test_a_warning_reaches_summary_json_and_does_not_fail(suite_run) -> None:
    """The clean target issues 7-day access tokens: above the 1-hour recommended bound."""
    run = suite_run()
    summary = json.loads((run.report_dir / "summary.json").read_text())
    assert summary["status"] == "pass"
    lifetimes = [f for f in summary["findings"] if f["id"] == "TP-TOKEN-009"]
    access = next(f for f in lifetimes if f["expected"].startswith("access"))
    assert access["severity"] == "warning"
    assert access["expected"] == "access token lifetime at most 1 hour (recommended)"
    assert access["received"] == "7 days (within the 7 days maximum)"


@pytest.mark.parametrize(
    "faults",
    [
        (),  # tokens in every 200
        ("password-echo",),  # the password in error bodies
        ("sensitive-claims",),  # the password hash inside the token
    ],
)
def test_reports_hold_no_password_and_no_whole_token(
    suite_run, target_factory, faults: tuple[str, ...]
) -> None:
    run = suite_run(*faults)
    names = {p.name for p in run.report_dir.iterdir()}
    assert {"summary.json", "junit.xml", "cassette.har", "schemathesis-junit.xml"} <= names
    passwords = [c.password for c in target_factory(*faults).credentials]
    assert secrets_in(run.report_dir, passwords) == []
    # The cassette is still a usable HAR: the logins are there, redacted.
    har = (run.report_dir / "cassette.har").read_text(encoding="utf-8")
    assert "[REDACTED]" in har
    assert json.loads(har)["log"]["entries"]


def test_unreachable_target_is_an_error_not_a_finding(tmp_path) -> None:
    session = TargetSession(closed_port_url(), [])
    summary = conformance.run(session, ConformanceOptions(tmp_path))
    assert summary.status == "error"
    assert "cannot connect" in summary.errors[0]


def test_hypothesis_keeps_its_unicode_tables_in_the_user_cache(
    clean_target, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Built in the run's temporary folder, they cost every run 1.5 s (issue 21).
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HYPOTHESIS_STORAGE_DIRECTORY", raising=False)  # a developer's own wins
    session = TargetSession(clean_target.base_url, [])
    summary = conformance.run(session, ConformanceOptions(tmp_path / "run", max_examples=1))
    assert summary.status != "error", summary.errors
    tables = tmp_path / "cache" / "tokenprobe" / "hypothesis" / "unicode_data"
    assert list(tables.rglob("codec-*.json.gz"))


def test_unknown_spec_is_an_error(clean_target, tmp_path) -> None:
    session = TargetSession(clean_target.base_url, [])
    summary = conformance.run(session, ConformanceOptions(tmp_path, "no-such-spec.yaml"))
    assert summary.status == "error"
    assert "no-such-spec.yaml" in summary.errors[0]


def test_one_cause_is_one_finding_with_a_count_and_what_was_received(suite_run) -> None:
    """A 401 to every wrong password is one finding, TP-CONF-004, with a count and the status
    received as data: status_code_conformance (TP-CONF-102) and positive_data_acceptance
    (TP-CONF-105) do not report the same 401 again."""
    run = suite_run("status-401")
    findings = run.summary.findings
    errors = [f for f in findings if str(f.severity) == "error"]
    assert {f.id for f in errors} == {"TP-CONF-004"}, [f.to_dict() for f in errors]
    (wrong_status,) = errors
    assert wrong_status.received.startswith("401")
    assert wrong_status.count > 1
    stored = json.loads((run.report_dir / "summary.json").read_text())["findings"]
    assert next(f for f in stored if f["id"] == "TP-CONF-004")["count"] == wrong_status.count


def test_a_session_cookie_beside_the_pair_is_a_warning(suite_run) -> None:
    """TP-CONF-012 names the cookies (never their values) and does not fail the run; the
    clean target, which sets none, lacks it."""
    run = suite_run("session-cookie")
    cookies = [f for f in run.summary.findings if f.id == "TP-CONF-012"]
    assert [str(f.severity) for f in cookies] == ["warning"]
    assert cookies[0].received == "Set-Cookie: csrftoken, sessionid"
    assert run.summary.exit_code == 0
    assert "TP-CONF-012" not in {f.id for f in suite_run().summary.findings}


def test_correct_variants_fail_no_check_even_on_the_strict_spec(suite_run) -> None:
    """Where the contract leaves room: a user object, an echoed username, token_type,
    expires_in, scope and a "detail" with a dot beside the pair are data (no token check judges
    them), and 400s in RFC 6749's {"error", "error_description"} are as good as DRF's."""
    run = suite_run("extra-response-fields", "oauth-error-body", spec="strict")
    assert run.summary.exit_code == 0, [f.to_dict() for f in run.summary.findings]
    # As the gate runs the strict spec: the examples phase's logins alone, no boundary case.
    section = run.summary.sections["conformance"]
    assert section["logins_only"] is True
    assert section["statuses"] == {"200": DETERMINISTIC_LOGINS}
    assert {f.id for f in run.summary.findings} <= {"TP-TOKEN-009"}


def test_the_strict_stage_without_credentials_runs_and_says_what_it_could_not_see(
    suite_run,
) -> None:
    """The gate's strict stage sends the examples phase's logins; without credentials it has
    none, so it sends the boundary cases instead: the run happens, passes, and says the success
    path was not evaluated (TP-CONF-011), never "could not start"."""
    run = suite_run(spec="strict", credentials=[])
    assert run.summary.errors == []
    assert run.summary.exit_code == 0
    assert {f.id for f in verdict(run.summary).not_evaluated} == {"TP-CONF-011"}
    section = run.summary.sections["conformance"]
    assert section["logins_only"] is False
    assert section["phases"]["examples"] == "success"
    assert section["phases"]["fuzzing"] == "skip"
