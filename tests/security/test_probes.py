"""Every probe fails against the reference-target fault that breaks it, and passes on clean."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.security.conftest import (
    RunProbes,
    SecurityTarget,
    as_error,
    check,
    finding_ids,
    session_of,
)
from tokenprobe import security
from tokenprobe.core.findings import Severity
from tokenprobe.core.redact import Redactor
from tokenprobe.core.summary import Summary, verdict
from tokenprobe.reference.embedded import EmbeddedTarget
from tokenprobe.reports import write_stage_reports
from tokenprobe.security import PROBES, SecurityOptions
from tokenprobe.security.client import Answer, ProbeClient
from tokenprobe.security.enumeration import compare_answers

# (fault, probe that must fail). Warning- and info-level probes are re-graded to error here,
# so "fails" means the same for every row: an error finding and a failed check.
FAULTS_AND_PROBES = [
    ("enumeration-message", "TP-SEC-001"),  # different message for unknown usernames
    # Its message alone, with an unknown username; TP-SEC-001 (selected apart) is not folded in
    ("enumeration-message", "TP-SEC-020"),
    ("case-insensitive-password", "TP-SEC-003"),  # swapped case logs in
    ("password-truncation=8", "TP-SEC-003"),  # only 8 characters checked
    ("empty-password-accepted", "TP-SEC-003"),  # "" logs in
    ("injection-bypass", "TP-SEC-004"),  # ' OR '1'='1
    ("nosql-bypass", "TP-SEC-004"),  # {"$ne": null}
    ("server-error-on-wrong-type", "TP-SEC-005"),  # 500 for a list or a number
    ("weak-secret", "TP-SEC-007"),  # HS256 keyed with "secret"
    ("alg-none", "TP-SEC-008"),  # unsigned tokens
    ("key-location-header", "TP-SEC-009"),  # jku + kid in the header (info by default)
    ("accepts-get-query", "TP-SEC-011"),  # credentials read from the query string
    ("no-cache-headers", "TP-SEC-012"),  # no Cache-Control: no-store
    ("no-cache-headers", "TP-SEC-013"),  # no Pragma: no-cache (warning by default)
    ("accepts-form", "TP-SEC-014"),  # form and multipart accepted (warning by default)
    ("no-lockout", "TP-SEC-015"),  # 30 wrong passwords, no 429 (warning by default)
    ("unbounded-input", "TP-SEC-016"),  # megabyte fields checked as credentials
]


@dataclasses.dataclass(frozen=True)
class CleanRun:
    target: EmbeddedTarget
    summary: Summary
    report_dir: Path


@pytest.fixture(scope="module")
def clean_run(
    security_target: SecurityTarget, tmp_path_factory: pytest.TempPathFactory
) -> CleanRun:
    """One full run (every probe, default options) against the clean target."""
    target = security_target()
    report_dir = tmp_path_factory.mktemp("security-clean")
    session = session_of(target)
    summary = security.run(session)
    write_stage_reports(summary, report_dir, session.redactor)
    return CleanRun(target, summary, report_dir)


@pytest.mark.parametrize(("fault", "probe_id"), FAULTS_AND_PROBES)
def test_probe_fails_against_its_fault(
    security_target: SecurityTarget, run_probes: RunProbes, fault: str, probe_id: str
) -> None:
    summary = run_probes(security_target(fault), probe_id, severities=as_error(probe_id))
    assert check(summary, probe_id).outcome == "failed", check(summary, probe_id).message
    # One fault, one finding however many times the probe saw it (alg-none: 2 tokens, 2 ways).
    assert [f.id for f in summary.findings] == [probe_id], summary.findings
    assert summary.exit_code == 1


@pytest.mark.parametrize(
    ("fault", "probe_id", "severity"),
    [
        ("no-lockout", "TP-SEC-015", Severity.WARNING),  # the issue: a warning by default
        ("accepts-form", "TP-SEC-014", Severity.WARNING),
        ("key-location-header", "TP-SEC-009", Severity.INFO),
    ],
)
def test_lower_severity_findings_are_reported_without_failing(
    security_target: SecurityTarget,
    run_probes: RunProbes,
    fault: str,
    probe_id: str,
    severity: Severity,
) -> None:
    summary = run_probes(security_target(fault), probe_id)
    assert {f.severity for f in summary.findings} == {severity}
    assert check(summary, probe_id).outcome == "passed"
    assert summary.exit_code == 0


def test_clean_target_passes_every_probe(clean_run: CleanRun) -> None:
    outcomes = {c.id: c.outcome for c in verdict(clean_run.summary).checks}
    assert set(outcomes) == {p.id for p in PROBES}
    # Only TP-SEC-010 needs a configured key; everything else is evaluated and passes.
    assert outcomes.pop("TP-SEC-010") == "skipped"
    assert set(outcomes.values()) == {"passed"}, outcomes
    assert clean_run.summary.exit_code == 0


def test_whitespace_trimming_is_information_not_a_bypass(clean_run: CleanRun) -> None:
    # Stock DRF trims passwords: reported, never as a bypass (TP-SEC-003 passes). The other
    # finding says that no key was given to verify signatures with (TP-SEC-010 not evaluated).
    assert [(f.id, f.severity) for f in clean_run.summary.findings] == [
        ("TP-SEC-006", Severity.INFO),
        ("TP-SEC-104", Severity.WARNING),
    ]


def test_reports_hold_counts_but_no_secret(clean_run: CleanRun) -> None:
    text = (clean_run.report_dir / "summary.json").read_text()
    junit = (clean_run.report_dir / "junit.xml").read_text()
    for password in (c.password for c in clean_run.target.credentials):
        assert password not in text
        assert password not in junit
    assert "eyJ" not in text + junit  # no token, not even a masked prefix of one
    section = json.loads(text)["security"]
    assert section["canary"] == clean_run.target.credentials[-1].username
    # Every request is a probe's, or finding the login fields before the first probe.
    discovery = section["login_fields"]["requests"]
    assert sum(p["requests"] for p in section["probes"].values()) + discovery == section["requests"]
    assert section["probes"]["TP-SEC-015"]["details"]["throttled_after"] == 21


def test_brute_force_never_uses_a_pool_account(clean_run: CleanRun) -> None:
    assert (
        clean_run.summary.sections["security"]["pool_accounts"]
        == len(clean_run.target.credentials) - 1
    )


def test_configured_key_verifies_real_signatures(
    security_target: SecurityTarget, run_probes: RunProbes
) -> None:
    # The weak-secret target signs with "secret": given that key, signatures verify.
    right = run_probes(security_target("weak-secret"), "TP-SEC-010", verify_key=b"secret")
    assert check(right, "TP-SEC-010").outcome == "passed"
    # The clean target signs with a random key: a wrong key must not verify.
    wrong = run_probes(security_target(), "TP-SEC-010", verify_key=b"not-the-key")
    assert check(wrong, "TP-SEC-010").outcome == "failed"
    assert finding_ids(wrong) == {"TP-SEC-010"}


def test_without_credentials_probes_are_not_evaluated_never_passed(
    security_target: SecurityTarget, tmp_path: Path
) -> None:
    target = security_target()
    session = dataclasses.replace(session_of(target), credentials=[], embedded=False)
    probes = {"TP-SEC-001", "TP-SEC-003", "TP-SEC-007", "TP-SEC-011", "TP-SEC-015", "TP-SEC-020"}
    summary = security.run(session, SecurityOptions(probes=frozenset(probes)))
    assert {c.outcome for c in verdict(summary).checks} == {"skipped"}
    # A visible finding per cause, naming each probe that lacked it, never a silent skip.
    lacked = sorted((f.id, sorted(f.checks), f.count) for f in summary.findings)
    assert lacked == [
        # no account that logs in (TP-SEC-011: no real credential to put in a URL, not a pass;
        # TP-SEC-020: nothing shows the answers are a login's)
        ("TP-SEC-101", ["TP-SEC-001", "TP-SEC-003", "TP-SEC-007", "TP-SEC-011", "TP-SEC-020"], 5),
        ("TP-SEC-103", ["TP-SEC-015"], 1),  # no canary
    ]
    assert {f.severity for f in summary.findings} == {Severity.WARNING}
    assert verdict(summary).counts["not_evaluated"] == len(probes)
    assert summary.exit_code == 0


def test_a_small_budget_is_not_evaluated_and_says_so(security_target: SecurityTarget) -> None:
    # Two wrong passwords per account and one account: the timing probe's least is 6.
    target = security_target()
    session = dataclasses.replace(
        session_of(target), credentials=target.credentials[5:6], embedded=False
    )
    options = SecurityOptions(probes=frozenset({"TP-SEC-002"}), failures_per_account=2)
    summary = security.run(session, options)
    assert check(summary, "TP-SEC-002").outcome == "skipped"
    (finding,) = summary.findings
    assert finding.id == "TP-SEC-102"
    assert "needs 6 wrong-password attempts on real accounts, got 0" in finding.evidence
    assert "the pool's whole budget: 2" in finding.evidence


def test_query_string_probe_uses_a_real_account_and_never_shows_it(
    security_target: SecurityTarget, tmp_path: Path
) -> None:
    """TP-SEC-011 sends a working account's password in a URL (the only sure evidence); our
    reports never show it, raw or URL-encoded."""
    target = security_target("accepts-get-query")
    session = dataclasses.replace(session_of(target), embedded=False)  # no canary: a pool account
    summary = security.run(session, SecurityOptions(probes=frozenset({"TP-SEC-011"})))
    write_stage_reports(summary, tmp_path, session.redactor)
    evidence = [f.evidence for f in summary.findings if f.id == "TP-SEC-011"]
    assert any("a real account's credentials in the query string" in e for e in evidence)
    texts = [p.read_text() for p in tmp_path.iterdir()]
    for password in (c.password for c in target.credentials):
        for form in {password, quote_plus(password), quote(password, safe="")}:
            assert all(form not in text for text in texts)


def test_redactor_knows_a_password_in_a_query_string() -> None:
    password = "p@ss w+rd/é&x="
    redactor = Redactor()
    redactor.add_password(password)
    for text in (f"?password={quote_plus(password)}", f"?password={quote(password, safe='')}"):
        assert redactor(text) == "?password=[REDACTED]"


@pytest.mark.parametrize(
    ("probe_id", "first_account"), [("TP-SEC-002", 0), ("TP-SEC-003", 2), ("TP-SEC-004", 4)]
)
def test_a_429_means_not_evaluated_never_passed(
    security_target: SecurityTarget, tmp_path: Path, probe_id: str, first_account: int
) -> None:
    # A target that locks an account after one failure, and a pool of two fresh accounts
    # allowed many failures each: the probe runs into 429s, which must not count as rejections.
    target = security_target(extra_args=("--lockout-after", "1"))
    pool = target.credentials[first_account : first_account + 2]
    session = dataclasses.replace(session_of(target), credentials=pool)
    options = SecurityOptions(
        probes=frozenset({probe_id}), failures_per_account=60, allow_brute_force=False
    )
    summary = security.run(session, options)
    assert check(summary, probe_id).outcome == "skipped", check(summary, probe_id).message
    assert "429" in check(summary, probe_id).message
    assert finding_ids(summary) == {"TP-SEC-105"}  # not evaluated: throttled


def test_an_echoed_password_is_not_mistaken_for_enumeration(
    security_target: SecurityTarget, run_probes: RunProbes
) -> None:
    # Each rejection repeats its own random password: the bodies differ, yet they say nothing
    # about the account (the echo itself is conformance's TP-CONF-003).
    summary = run_probes(security_target("password-echo"), "TP-SEC-001")
    assert check(summary, "TP-SEC-001").outcome == "passed", check(summary, "TP-SEC-001").message


@pytest.mark.parametrize(
    ("real_cookie", "unknown_cookie", "differs"),
    [
        # A load balancer's sticky cookie: a new value every answer, the same name.
        ("AWSALB=abc; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/", "AWSALB=xyz; Path=/", False),
        # A cookie set only for real accounts tells them apart.
        ("AWSALB=abc; Path=/, seen=1", "AWSALB=xyz; Path=/", True),
        (None, "AWSALB=xyz", True),
    ],
)
def test_cookies_are_compared_by_name(
    real_cookie: str | None, unknown_cookie: str, differs: bool
) -> None:
    def answer(cookie: str | None) -> Answer:
        headers = {"Content-Type": "application/json", **({"Set-Cookie": cookie} if cookie else {})}
        return Answer(400, headers, '{"detail": "No active account"}', 0.01)

    assert bool(compare_answers(answer(real_cookie), answer(unknown_cookie))) is differs


def test_only_the_token_fields_are_tokens_and_secrets(
    security_target: SecurityTarget, run_probes: RunProbes
) -> None:
    """A 200 that also carries a user object, an echoed username, token_type, expires_in, scope
    and a "detail" with a dot: the signing probes judge the pair alone (TP-SEC-008 once said
    "unsigned" for every other field), and the redactor learns the tokens, not the prose."""
    target = security_target("extra-response-fields")
    signing = ("TP-SEC-007", "TP-SEC-008", "TP-SEC-009")
    summary = run_probes(target, *signing)
    assert {check(summary, probe_id).outcome for probe_id in signing} == {"passed"}
    assert finding_ids(summary) == set()
    session = session_of(target)
    client = ProbeClient(session.token_url, session.redactor)
    account = target.credentials[0]
    pair = client.login(account.username, account.password).token_pair
    client.close()
    assert set(pair) == {"access", "refresh"}
    text = f"Signed in. {account.username} read write Bearer {pair['access']}"
    assert session.redactor(text).startswith(f"Signed in. {account.username} read write Bearer ")
    assert pair["access"] not in session.redactor(text)
