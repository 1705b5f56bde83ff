"""Every field that logs in is probed (issue 19): a service that also takes an email.

The FastAPI service of tests/servers in its email mode (dj-rest-auth's shape: a username or an
email, with the password) is run as a real process on loopback: its correct variant costs one
argon2 verification for any email, its defects answer an unknown email at once (timing) or with
a message of its own; its "generic" mode answers a body without any identifier like wrong
credentials, as dj-rest-auth does. TP-SEC-001/002 vary only the username, so they pass on both
defects: the miss this issue is about. TP-SEC-018/019 ask through the email.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest

from tests.security.conftest import SecurityTarget, check, finding_ids, session_of
from tests.servers.process import ServiceProcess, python_service
from tokenprobe import security
from tokenprobe.core import catalogue
from tokenprobe.core.credentials import Credential, write_csv
from tokenprobe.core.session import TargetSession
from tokenprobe.core.summary import Summary, verdict
from tokenprobe.security import PROBES, SecurityOptions, TimingBudget
from tokenprobe.security.budget import plan_failures
from tokenprobe.security.field_enumeration import BY_ANSWER, BY_TIMING, demand_for
from tokenprobe.security.login_fields import LoginField, LoginFields
from tokenprobe.security.probe import FailureDemand
from tokenprobe.security.runner import failure_demands

BY_EMAIL = ("TP-SEC-018", "TP-SEC-019")
USERS = 3
# argon2id at 16 MiB: a verification costs tens of milliseconds, far above the 1 ms floor, so
# the timing defect separates completely within the least of 3 real samples.
ARGON2_MEMORY_KIB = "16384"
# TP-SEC-002 as a witness of the miss, small enough for the suite.
USERNAME_TIMING = TimingBudget(min_pairs=6, batch_pairs=6, max_pairs=12)

EmailService = Callable[..., ServiceProcess]


def with_emails(accounts: list[Credential]) -> list[Credential]:
    return [dataclasses.replace(a, email=f"{a.username}@example.test") for a in accounts]


@pytest.fixture(scope="module")
def email_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmailService]:
    """``email_service("email-enumeration-timing")``: the service in email mode (``mode``: "1",
    or "generic" rejections), one process per variant for the module, its accounts with their
    emails (in its users CSV too)."""
    started: dict[tuple[str, str], ServiceProcess] = {}

    def get(defect: str = "", mode: str = "1") -> ServiceProcess:
        if (defect, mode) not in started:
            workdir = tmp_path_factory.mktemp(f"email-{defect or 'clean'}-{mode}")
            service = python_service(
                "tests.servers.fastapi_service",
                workdir,
                "email",
                USERS,
                TOKEN_SERVICE_EMAIL_LOGIN=mode,
                TOKEN_SERVICE_DEFECT=defect,
                ARGON2_MEMORY_KIB=ARGON2_MEMORY_KIB,
            )
            service.credentials = with_emails(service.credentials)
            write_csv(service.credentials_file, service.credentials)
            started[defect, mode] = service.start()
        return started[defect, mode]

    yield get
    for service in started.values():
        service.request_stop()
    for service in started.values():
        service.stop()


def run_on(
    service: ServiceProcess, *probe_ids: str, credentials: list[Credential] | None = None
) -> Summary:
    accounts = service.credentials if credentials is None else credentials
    session = TargetSession(service.base_url, accounts)
    options = SecurityOptions(
        probes=frozenset(probe_ids), timing=USERNAME_TIMING, allow_brute_force=False
    )
    return security.run(session, options)


def login_fields_of(summary: Summary) -> dict:
    return summary.sections["security"]["login_fields"]


def test_unknown_emails_answered_without_a_hash_are_caught(email_service: EmailService) -> None:
    summary = run_on(
        email_service("email-enumeration-timing"), "TP-SEC-001", "TP-SEC-002", *BY_EMAIL
    )
    # The username probes see nothing: the defect is only behind the email.
    assert check(summary, "TP-SEC-001").outcome == "passed"
    assert check(summary, "TP-SEC-002").outcome == "passed", check(summary, "TP-SEC-002").message
    assert check(summary, "TP-SEC-018").outcome == "passed"  # same status and body
    assert check(summary, "TP-SEC-019").outcome == "failed", check(summary, "TP-SEC-019").message
    assert finding_ids(summary) == {"TP-SEC-019"}
    (finding,) = summary.findings
    assert finding.evidence.startswith("field email: ")
    timing = summary.sections["security"]["probes"]["TP-SEC-019"]["details"]["email"]
    assert timing["median_difference_ms"] > 1.0
    assert timing["p_value"] < 0.001
    # Its wrong passwords came out of the accounts' budget, no more than the plan gave it.
    planned = summary.sections["security"]["failure_budget"][BY_TIMING]
    assert timing["pairs"] <= planned
    assert summary.exit_code == 1


def test_unknown_emails_with_a_message_of_their_own_are_caught(
    email_service: EmailService,
) -> None:
    summary = run_on(email_service("email-enumeration-message"), "TP-SEC-001", "TP-SEC-018")
    assert check(summary, "TP-SEC-001").outcome == "passed"
    assert check(summary, "TP-SEC-018").outcome == "failed"
    assert finding_ids(summary) == {"TP-SEC-018"}
    (finding,) = summary.findings
    assert finding.evidence.startswith("field email: body ")
    assert "No account with this email" in finding.evidence


def test_a_constant_cost_email_login_passes(email_service: EmailService) -> None:
    service = email_service()
    summary = run_on(service, *BY_EMAIL)
    assert [check(summary, probe_id).outcome for probe_id in BY_EMAIL] == ["passed", "passed"]
    assert summary.findings == []
    email = login_fields_of(summary)["email"]
    assert email["accepted"]
    assert email["logged_in"] == USERS
    assert email["signs"][0] == f"{USERS} account(s) logged in with their email and password"
    # Discovery: two shared requests, an unknown email, one login per account.
    assert login_fields_of(summary)["requests"] == 3 + USERS
    text = str(summary.sections) + " ".join(c.message for c in summary.checks)
    assert all(account.password not in text for account in service.credentials)


def test_an_accepted_field_without_known_emails_is_not_evaluated(
    email_service: EmailService,
) -> None:
    """The target says it takes an email; no account's email is known: visibly not evaluated,
    and no wrong password is spent on it."""
    service = email_service()
    without = [dataclasses.replace(a, email="") for a in service.credentials]
    summary = run_on(service, *BY_EMAIL, credentials=without)
    assert [check(summary, probe_id).outcome for probe_id in BY_EMAIL] == ["skipped", "skipped"]
    # One cause, one finding: both probes lacked an email that logs in.
    (finding,) = summary.findings
    assert finding.id == "TP-SEC-106"
    assert sorted(finding.checks) == sorted(BY_EMAIL)
    assert "field email: the target accepts it" in finding.evidence
    assert verdict(summary).counts["not_evaluated"] == 2
    assert summary.exit_code == 0
    signs = login_fields_of(summary)["email"]["signs"]
    assert signs == [
        "named in the 400 to a body with only a password",
        "an unknown email is answered like an unknown username, not like a body without one",
    ]
    assert summary.sections["security"]["failure_budget"] == {}


def test_a_target_without_an_email_field_spends_nothing_on_it(
    security_target: SecurityTarget,
) -> None:
    # The reference target (SimpleJWT) takes only the username; the accounts' emails are
    # tried, fail, and the probes say there is no other login field.
    target = security_target()
    session = dataclasses.replace(
        session_of(target), credentials=with_emails(target.credentials[:2]), embedded=False
    )
    summary = security.run(session, SecurityOptions(probes=frozenset(BY_EMAIL)))
    for probe_id in BY_EMAIL:
        assert check(summary, probe_id).outcome == "passed"
        assert check(summary, probe_id).message.startswith("no login field besides the username")
    assert summary.findings == []
    assert summary.sections["security"]["failure_budget"] == {}
    assert login_fields_of(summary)["email"] == {
        "accepted": False,
        "signs": [],
        "observed": [
            "not named in the 400 to a body with only a password",
            "an unknown email is not answered like an unknown username",
            "none of the 2 account(s) tried logged in with its email",
        ],
        "accounts_with_value": 2,
        "tried": 2,
        "logged_in": 0,
    }
    # Discovery (two shared requests, an unknown email, two email logins) and one username login
    # that proves the pool has an account: nothing else.
    assert summary.sections["security"]["requests"] == 3 + 2 + 1


def test_answers_that_cannot_tell_are_not_evaluated_without_emails(
    email_service: EmailService,
) -> None:
    """dj-rest-auth's answers: a body without an identifier, an unknown username and an unknown
    email all get "wrong credentials". No sign either way: only an email can tell, so without
    one the field is not evaluated; with them, it is probed."""
    service = email_service(mode="generic")
    without = [dataclasses.replace(a, email="") for a in service.credentials]
    summary = run_on(service, *BY_EMAIL, credentials=without)
    assert finding_ids(summary) == {"TP-SEC-106"}
    assert all(
        "the target may accept it, its answers cannot tell" in f.evidence for f in summary.findings
    )
    assert login_fields_of(summary)["email"]["undetermined"] is True
    with_emails_known = run_on(service, "TP-SEC-018")
    assert check(with_emails_known, "TP-SEC-018").outcome == "passed"
    assert login_fields_of(with_emails_known)["email"]["logged_in"] == USERS


def test_a_configured_field_is_never_passed_over(security_target: SecurityTarget) -> None:
    target = security_target()
    session = dataclasses.replace(session_of(target), embedded=False)
    options = SecurityOptions(probes=frozenset(BY_EMAIL), login_fields=frozenset({"email"}))
    summary = security.run(session, options)
    assert {check(summary, probe_id).outcome for probe_id in BY_EMAIL} == {"skipped"}
    assert finding_ids(summary) == {"TP-SEC-106"}
    assert all("configured in [security] login-fields" in f.evidence for f in summary.findings)


def test_username_probes_keep_their_budget_when_an_email_can_be_evaluated() -> None:
    """One account at the default budget: every username probe gets its least first; the email
    answer fits, the email timing does not (TP-SEC-102 says so; a second account fits it)."""
    options = SecurityOptions()
    per_account = options.failures_per_account  # what account "a" can take
    email = LoginField("email", ("an account logged in",), {"a": "a@example.test"}, 1, 1)
    fields = LoginFields((email,))
    demands = failure_demands(list(PROBES), options, fields, lambda _: per_account)
    one = plan_failures(demands, options.failures_per_account)
    assert one[BY_ANSWER] == 1
    assert one[BY_TIMING] == 0
    assert all(one[name] >= d.least for name, d in demands.items() if name != BY_TIMING)
    two = plan_failures(demands, 2 * options.failures_per_account)
    assert all(two[name] >= d.least for name, d in demands.items())
    # Without another login field the field probes ask for nothing: the plan is as before.
    without = failure_demands(list(PROBES), options, LoginFields(()), lambda _: per_account)
    assert BY_ANSWER not in without
    assert BY_TIMING not in without
    assert catalogue.wrong_passwords(3, 30) in catalogue.entry("TP-SEC-019").needs


def test_the_accounts_an_email_probe_needs_are_spent_last_by_the_others(
    email_service: EmailService,
) -> None:
    """Three accounts of 5 wrong passwords, one with its email known. The near-miss and
    injection probes (planned 10 and 2, run first) spend the two others' budget before touching
    it, so the 3 the email timing probe was planned are still there: it is evaluated. Spent round
    robin, each account would have had 1 left, and TP-SEC-019 would be not evaluated."""
    service = email_service()
    first, *others = service.credentials
    accounts = [first, *(dataclasses.replace(a, email="") for a in others)]
    session = TargetSession(service.base_url, accounts)
    options = SecurityOptions(
        probes=frozenset({"TP-SEC-003", "TP-SEC-004", "TP-SEC-019"}),
        failures_per_account=5,
        allow_brute_force=False,
    )
    summary = security.run(session, options)
    budget = summary.sections["security"]["failure_budget"]
    assert budget[BY_TIMING] == 3, budget
    assert check(summary, "TP-SEC-019").outcome == "passed", check(summary, "TP-SEC-019").message
    assert verdict(summary).not_evaluated == ()


def test_an_email_probe_is_planned_no_more_than_its_accounts_can_take() -> None:
    """The plan draws on the whole pool, but an email probe spends only on the accounts whose
    email logs in: it is planned at most their capacity, and nothing when they cannot take its
    least (the rest of the pool stays for the username probes)."""
    options = SecurityOptions()
    email = LoginField("email", ("an account logged in",), {"a": "a@example.test"}, 1, 1)
    fields = LoginFields((email,))
    timing = next(p for p in PROBES if p.name == BY_TIMING)
    assert demand_for(timing, options, fields, lambda _: 7) == FailureDemand(3, 7)
    assert demand_for(timing, options, fields, lambda _: 2) is None
