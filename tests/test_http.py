"""Every request tokenprobe sends itself has a total deadline, not a per-read timeout.

Against real misbehaving servers on loopback: a trickle (a byte every 0.2 s) never trips a
per-read timeout, yet the request ends at its deadline.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.gate.misbehaving import misbehaving_server
from tokenprobe.core.deadlines import Deadline
from tokenprobe.core.errors import OutOfTime, TargetUnreachable
from tokenprobe.core.http import DeadlineExceeded, DeadlineSession
from tokenprobe.core.redact import Redactor
from tokenprobe.core.session import TOKEN_PATH, ensure_reachable
from tokenprobe.security.client import ProbeClient, RequestTimedOut

DEADLINE_S = 1.0
# The watchdog's wake-up and the socket shutdown on a busy machine.
SLACK_S = 0.8
TRICKLE = "trickle=0.2"  # a byte every 0.2 s: each read succeeds long before a 1 s timeout


def timed(call: object) -> tuple[BaseException | None, float]:
    started = time.monotonic()
    try:
        call()  # type: ignore[operator]
    except BaseException as exc:
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


@pytest.mark.parametrize(
    "mode",
    [
        TRICKLE,  # status line and all, a byte at a time: no per-read timeout ever fires
        "lying-length",  # headers at once, then 100 promised bytes that never come
        "hang",  # never a byte
    ],
)
def test_a_request_ends_at_its_deadline_whatever_the_server_does(mode: str) -> None:
    with misbehaving_server(mode) as server, DeadlineSession(DEADLINE_S) as session:
        error, elapsed = timed(lambda: session.post(server.url + TOKEN_PATH, json={}))
    assert isinstance(error, DeadlineExceeded)
    assert isinstance(error, requests.Timeout)  # callers' `except requests.Timeout` still holds
    assert DEADLINE_S <= elapsed < DEADLINE_S + SLACK_S


def test_a_prompt_answer_is_read_whole_and_the_session_reused() -> None:
    with misbehaving_server("wrong-login") as server, DeadlineSession(DEADLINE_S) as session:
        for _ in range(3):  # keep-alive or not, every request gets its own deadline
            response = session.post(server.url + TOKEN_PATH, json={})
            assert response.status_code == 400
            assert response.json()["detail"].startswith("No active account")


def test_a_stage_deadline_caps_the_request_timeout() -> None:
    with misbehaving_server(TRICKLE) as server, DeadlineSession(30) as session:
        stage = Deadline.after(DEADLINE_S)
        error, elapsed = timed(
            lambda: session.post(server.url + TOKEN_PATH, json={}, deadline=stage)
        )
        assert isinstance(error, DeadlineExceeded)
        assert elapsed < DEADLINE_S + SLACK_S
        error, elapsed = timed(lambda: session.get(server.url, deadline=stage))
        assert isinstance(error, DeadlineExceeded)  # spent: nothing more is sent
        assert elapsed < 0.1


def test_a_trickled_status_line_is_unreachable_within_the_reachability_timeout() -> None:
    with misbehaving_server(TRICKLE) as server:
        url = server.url + TOKEN_PATH
        error, elapsed = timed(lambda: ensure_reachable(url, DEADLINE_S))
    assert isinstance(error, TargetUnreachable)
    assert str(error) == f"no answer from {url} within {DEADLINE_S:g} s"
    assert elapsed < DEADLINE_S + SLACK_S


def test_reachability_needs_only_the_headers() -> None:
    # A body that never ends is still an answer: the target is there.
    with misbehaving_server("lying-length") as server:
        error, elapsed = timed(lambda: ensure_reachable(server.url + TOKEN_PATH, DEADLINE_S))
    assert error is None
    assert elapsed < DEADLINE_S


def test_probe_client_tells_a_slow_answer_from_a_spent_budget() -> None:
    with misbehaving_server("trickle-post=0.2") as server:
        url = server.url + TOKEN_PATH
        client = ProbeClient(url, Redactor(), timeout_s=DEADLINE_S)
        error, _ = timed(lambda: client.login("someone", "secret-password"))
        assert isinstance(error, RequestTimedOut)
        assert "no complete answer within 1 s" in str(error)
        spent = ProbeClient(url, Redactor(), timeout_s=30, deadline=Deadline.after(DEADLINE_S))
        error, elapsed = timed(lambda: spent.login("someone", "secret-password"))
        assert isinstance(error, OutOfTime)
        assert elapsed < DEADLINE_S + SLACK_S
        client.close()
        spent.close()
