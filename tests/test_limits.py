"""A run's hard limits hold for every request tokenprobe sends in-process (issue 22, item 2).

Against a counting service on loopback: what the limits refuse never arrives, the budget is
never exceeded, and requests are paced to the rate. The limits are enforced in the HTTP
adapter, so they hold for any caller: a plain `DeadlineSession` and the security probes' client.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.counting import counting_service
from tokenprobe.core.credentials import Credential
from tokenprobe.core.http import DeadlineSession
from tokenprobe.core.limits import RequestLedger, RequestLimits, RequestRefused, enforced
from tokenprobe.core.redact import Redactor
from tokenprobe.core.session import TOKEN_PATH
from tokenprobe.security.client import ProbeClient

# Not ASCII (``json=`` escapes it) and with an email: the account is known by either name.
ACCOUNT = Credential("jörg.müller", "correct horse battery staple", email="Jorg@example.com")
# A wrong password that holds the right one; and a JSON body that gives two passwords, the
# second right (a parser that keeps the first would check the wrong one).
NEAR_MISS = ACCOUNT.password + "1"
DUPLICATE_PASSWORD_KEY = json.dumps({"username": ACCOUNT.username, "password": "x"})[:-1] + (
    f', "password": {json.dumps(ACCOUNT.password)}}}'
)
CASE_VARIANT_PASSWORD_KEY = {"username": ACCOUNT.username, "password": ACCOUNT.password,
                             "Password": "x"}  # fmt: skip
FAST = 1000.0  # requests per second: pacing out of the way where a test is not about it


def ledger(max_requests: int = 60, rate: float = FAST) -> RequestLedger:
    return RequestLedger(RequestLimits(max_requests, rate), protected=ACCOUNT)


def test_the_budget_is_never_exceeded_and_the_refusal_says_so() -> None:
    with counting_service() as service, DeadlineSession(5) as session:
        url = service.url + TOKEN_PATH
        with enforced(ledger(max_requests=3)) as spent:
            for _ in range(3):
                session.post(url, json={"username": "nobody", "password": "x"})
            with pytest.raises(RequestRefused, match="budget of 3 requests is spent") as refused:
                session.post(url, json={"username": "nobody", "password": "x"})
        assert refused.value.rule == "budget"
        assert len(service.received) == 3 == spent.sent
        session.post(url, json={})  # outside the block: no limits
        assert len(service.received) == 4


@pytest.mark.parametrize(
    ("request_args", "rule"),
    [
        ({"json": {"username": "nobody", "password": "x" * 17_000}}, "body"),
        ({"params": {"username": "nobody", "password": "x"}}, "url-credentials"),
        ({"params": {"q": ACCOUNT.password}}, "url-credentials"),
        ({"json": {"username": ACCOUNT.username, "password": "wrong"}}, "wrong-password"),
        ({"json": {"username": ACCOUNT.username}}, "wrong-password"),
        ({"data": {"username": ACCOUNT.username, "password": "wrong"}}, "wrong-password"),
        ({"json": {"email": "jorg@EXAMPLE.com", "password": "wrong"}}, "wrong-password"),
        ({"json": {"user": {"login": ACCOUNT.username.upper()}}}, "wrong-password"),
        ({"data": {"username": " JÖRG.MÜLLER ", "password": "wrong"}}, "wrong-password"),
        ({"data": {"username": ACCOUNT.username, "password": NEAR_MISS}}, "wrong-password"),
        ({"data": DUPLICATE_PASSWORD_KEY}, "wrong-password"),
        ({"files": {"email": (None, ACCOUNT.email), "password": (None, "x")}}, "wrong-password"),
        ({"json": {"username": [ACCOUNT.username], "password": "x"}}, "wrong-password"),
        ({"json": CASE_VARIANT_PASSWORD_KEY}, "wrong-password"),
    ],
    ids=[
        "body-over-16-KiB",
        "password-field-in-url",
        "the-password-in-url",
        "wrong-password",
        "no-password",
        "wrong-password-in-a-form",
        "wrong-password-by-email",
        "nested-and-in-another-case",
        "a-form-in-another-case-with-spaces",
        "a-form-near-miss",
        "a-duplicate-password-key",
        "multipart-by-email",
        "a-name-in-a-list",
        "a-password-key-in-another-case",
    ],
)
def test_a_forbidden_request_is_refused_before_it_leaves(request_args: dict, rule: str) -> None:
    with counting_service() as service, DeadlineSession(5) as session:
        with enforced(ledger()) as spent, pytest.raises(RequestRefused) as refused:
            session.request("GET" if "params" in request_args else "POST",
                            service.url + TOKEN_PATH, **request_args)  # fmt: skip
        assert refused.value.rule == rule
        assert service.received == []
        assert spent.sent == 0
        assert ACCOUNT.password not in str(refused.value)


def test_what_production_may_send_is_admitted() -> None:
    allowed = [
        {"username": ACCOUNT.username, "password": ACCOUNT.password},  # the real login
        {"email": ACCOUNT.email, "password": ACCOUNT.password},  # the real login, by email
        {"username": "tokenprobe.unknown.user", "password": "x"},  # a wrong password, unknown
        {"username": "nobody", "password": "x" * 16_000},  # just under 16 KiB
    ]
    with counting_service() as service, DeadlineSession(5) as session:
        with enforced(ledger()) as spent:
            for body in allowed:
                session.post(service.url + TOKEN_PATH, json=body)
            session.post(service.url + TOKEN_PATH, data=b"{not json")  # malformed, no account
            form = {"username": ACCOUNT.username, "password": ACCOUNT.password}
            session.post(service.url + TOKEN_PATH, data=form)  # the real login, as a form
            nested = {"credentials": form}
            session.post(service.url + TOKEN_PATH, json=nested)  # the real login, nested
            other = {"username": "jörg", "password": "x"}  # a name inside the account's
            session.post(service.url + TOKEN_PATH, data=other)
        assert len(service.received) == 8 == spent.sent


def test_requests_are_paced_to_the_rate_and_counted_per_stage() -> None:
    rate = 8.0  # ten requests: unpaced, all ten would start within one second
    with (
        counting_service() as service,
        DeadlineSession(5) as session,
        enforced(ledger(rate=rate)) as spent,
    ):
        started = time.monotonic()
        answers = []
        for stage, count in (("first", 6), ("second", 4)):
            spent.stage = stage
            for _ in range(count):
                answers.append(session.post(service.url + TOKEN_PATH, json={}))
        elapsed = time.monotonic() - started
    assert elapsed >= 9 / rate  # each request at least 1/rate after the one before
    # A response's time is the service's, not its wait for the rate (most of the run here).
    assert sum(answer.elapsed.total_seconds() for answer in answers) < elapsed / 2
    assert spent.to_dict()["requests_per_stage"] == {"first": 6, "second": 4}
    assert spent.highest_rate_per_s <= rate
    assert len(service.received) == 10


def test_the_highest_rate_is_the_most_starts_within_one_second() -> None:
    now = [0.0]
    paced = RequestLedger(
        RequestLimits(10, 2.0), clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s)
    )
    for _ in range(5):  # starts at 0, 0.5, 1.0, 1.5, 2.0 s
        paced.admit("POST", "http://127.0.0.1:9/api/v1/token/", b"{}")
    assert now[0] == 2.0
    assert paced.highest_rate_per_s == 2


def test_the_probes_client_is_bound_too() -> None:
    with counting_service() as service:
        client = ProbeClient(service.url + TOKEN_PATH, Redactor())
        with enforced(ledger(max_requests=2)):
            client.login("nobody", "x")
            client.login("nobody", "y")
            with pytest.raises(RequestRefused):
                client.login("nobody", "z")
            with pytest.raises(RequestRefused, match="wrong password"):
                client.login(ACCOUNT.username, "guess")
        client.close()
    assert len(service.received) == 2


def test_limits_must_allow_something() -> None:
    with pytest.raises(ValueError, match="max_requests"):
        RequestLimits(0, 1.0)
    with pytest.raises(ValueError, match="max_rate"):
        RequestLimits(60, 0)


def test_a_request_whose_turn_comes_after_its_deadline_is_refused_not_late() -> None:
    slow = RequestLedger(RequestLimits(10, 0.1))  # one request every 10 s
    with counting_service() as service, DeadlineSession(2) as session, enforced(slow):
        session.post(service.url + TOKEN_PATH, json={})
        started = time.monotonic()
        with pytest.raises(RequestRefused, match="comes after its deadline") as refused:
            session.post(service.url + TOKEN_PATH, json={})  # its turn: 10 s; its deadline: 2 s
        assert time.monotonic() - started < 1  # refused at once, not after waiting
    assert refused.value.rule == "rate"
    assert len(service.received) == 1
