"""Locust users of the token endpoint: one closed-model user, one open-model arrival stream.

Both do the same things (the scenarios); they differ only in *when*. A `ClosedUser` acts again
as soon as its previous request is answered (Locust's usual model: a stalled server slows the
users down and hides the stall). An `OpenUser` sends on a schedule (`tokenprobe.load.arrivals`) and
reports each latency from the request's *intended* send time, so time spent waiting behind a
stall is counted, as a real client arriving then would feel it.

Every request has a total deadline (``--tp-request-timeout``: connect, send, the whole answer).
FastHttpUser's ``network_timeout`` and ``connection_timeout`` apply per socket operation, so a
target that trickles its answer would never trip them; a timer on gevent's loop bounds the whole
request, and a request past it is a failure like a refused connection.
"""

from __future__ import annotations

import json
import random
import secrets
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import gevent
from gevent import GreenletExit, getcurrent
from gevent.pool import Group
from locust import FastHttpUser, constant, task
from locust.exception import StopUser

from tokenprobe.core import defaults
from tokenprobe.core.credentials import Credential
from tokenprobe.core.session import TOKEN_PATH
from tokenprobe.load.accounts import cycle
from tokenprobe.load.arrivals import Arrival
from tokenprobe.load.listeners import LoadRun, current_run
from tokenprobe.load.scenarios import (
    JSON_HEADERS,
    judge_malformed,
    judge_rejected_credentials,
    judge_valid_login,
    rejected_credentials_deviation,
)
from tokenprobe.load.settings import SCENARIOS

if TYPE_CHECKING:
    from greenlet import greenlet

PROFILE_END_POLL_S = 0.5
# A stopped stream counts at most this many arrivals it never sent (bounds the walk of a
# schedule far behind; at 2 req/s per stream, over a day of arrivals).
MAX_UNSENT_COUNTED = 200_000


def login_body(account: Credential) -> bytes:
    """The JSON body a login with ``account`` sends."""
    return json.dumps(account.as_json()).encode()


class AnswerTooSlow(TimeoutError):
    """No complete answer within the request's deadline (a TimeoutError, so Locust's
    FastHttpSession reports it as the request's failure)."""


def _too_slow(request: greenlet, seconds: float) -> None:
    """The deadline passed: end the request where it waits (what gevent.Timeout does)."""
    request.throw(AnswerTooSlow(f"no complete answer within {seconds:g} s"))


class TokenEndpointUser(FastHttpUser):
    """A client of ``POST /api/v1/token/`` with its own accounts; the scenarios as methods."""

    abstract = True
    # A login storm sends this many requests at once over one user's connection pool.
    concurrency = 64
    # Per socket operation; ``--tp-request-timeout`` bounds the whole request.
    network_timeout = defaults.REQUEST_TIMEOUT_S
    connection_timeout = defaults.REQUEST_TIMEOUT_S

    def on_start(self) -> None:
        self.load: LoadRun = current_run()
        if self.load.refused:
            raise StopUser()  # never send a request to a host that was refused
        accounts = self.load.accounts_for_new_user()
        if accounts is None:
            raise StopUser()  # no slice of its own: never borrow another worker's accounts
        # Each account's login body, encoded once: a login storm or a fast target would
        # otherwise pay a JSON encoding per request for bytes that never change.
        self.logins = cycle([(account.username, login_body(account)) for account in accounts])
        self.decoys = cycle(self.load.pool.decoys)
        self.loop = gevent.get_hub().loop
        # No cookie jar: every login is a fresh client, as a token API's clients are. A jar
        # would send a cookie one account's login was given along with the next account's
        # (each user rotates accounts), and costs the generator two look-ups per request.
        self.client.client.cookiejar = None

    def _post(
        self,
        name: str,
        judge: Callable[[Any], str | None],
        intended: float | None,
        throttle_ok: bool = False,
        account: str = "",
        deviation: Callable[[Any], str | None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Send, judge, report. ``deviation``: names an answer that differs from the contract
        without being an error for the load (recorded as information, not a failure)."""
        sent = time.time()
        recorder = self.load.recorder
        step = recorder.note_sent(name, sent if intended is None else intended)
        # The request's deadline: a bare timer of gevent's loop, as inside a gevent.Timeout,
        # whose exception object would cost more than the timer itself on every request.
        deadline = self.loop.timer(self.load.options.request_timeout_s)
        deadline.start(_too_slow, getcurrent(), self.load.options.request_timeout_s)
        try:  # it can only fire while the request waits on the network
            answer = self.client.post(TOKEN_PATH, name=name, catch_response=True, **kwargs)
        except GreenletExit:
            if not self.load.ending:  # a ramp-down stopped this user mid-run
                recorder.forget(step, name)
            elif time.time() - sent < self.load.stop_grace_s:
                # The run's stop ended it young (a closed user is killed at the stop with its
                # request in flight; a worker gets no grace): the generator's doing. An older
                # one stays in flight, and the stop counts it unanswered.
                recorder.note_cut_off(step, name)
            raise
        finally:
            deadline.close()
        throttled = False
        noted = None
        with answer as response:
            meta = response.request_meta
            if intended is not None:
                # Open model: the wait behind a late send is part of what a user feels.
                meta["response_time"] += max(0.0, sent - intended) * 1000
            if throttle_ok and response.status_code == 429:
                throttled = not self.load.options.throttled_is_failure
                if throttled:
                    response.success()
                else:
                    response.failure("throttled (429)")
            elif problem := judge(response):
                response.failure(problem)
            else:
                response.success()
                noted = deviation(response) if deviation else None
        # Leaving the block reported the request to Locust's statistics; the exact books get
        # the same sample, timed from the intended send (open model) or the send (closed).
        recorder.record(
            name, meta["response_time"], meta["exception"] is not None, throttled,
            sent if intended is None else intended, account, sent_step=step,
        )  # fmt: skip
        if noted:
            recorder.note_deviation(name, noted)

    def valid_login(self, intended: float | None = None) -> None:
        """Log in with one of this user's own accounts; expect a valid token pair."""
        username, body = next(self.logins)
        self._post(
            SCENARIOS["valid_login"], judge_valid_login, intended,
            account=username, data=body, headers=JSON_HEADERS,
        )  # fmt: skip

    def wrong_password(self, intended: float | None = None) -> None:
        """A real (decoy) username with a wrong password; expect 400, 429 counts as throttled."""
        body = {"username": next(self.decoys).username, "password": secrets.token_urlsafe(12)}
        self._post(
            SCENARIOS["wrong_password"], judge_rejected_credentials, intended, True,
            deviation=rejected_credentials_deviation, json=body,
        )  # fmt: skip

    def unknown_user(self, intended: float | None = None) -> None:
        """A username that does not exist; expect the same 400 as a wrong password."""
        body = {
            "username": f"tp.unknown.{uuid.uuid4().hex[:16]}",
            "password": secrets.token_urlsafe(12),
        }
        self._post(
            SCENARIOS["unknown_user"], judge_rejected_credentials, intended, True,
            deviation=rejected_credentials_deviation, json=body,
        )  # fmt: skip

    def malformed_body(self, intended: float | None = None) -> None:
        """A malformed or negative body; expect a 4xx, never a 5xx."""
        label, request = self.load.next_malformed_body()
        self._post(SCENARIOS["malformed_body"], judge_malformed(label), intended, **request)

    def login_storm(self, intended: float | None = None) -> None:
        """Many valid logins at the same instant, as after an outage or a mass logout."""
        start = time.time() if intended is None else intended
        storm = Group()
        for _ in range(self.load.options.storm_size):
            username, body = next(self.logins)
            # In the run's group too: the end of the run ends them with the others.
            storm.add(self.load.in_flight.spawn(
                self._post, SCENARIOS["login_storm"], judge_valid_login, start,
                account=username, data=body, headers=JSON_HEADERS,
            ))  # fmt: skip
        storm.join()

    def act(self, scenario: str, intended: float | None = None) -> None:
        getattr(self, scenario)(intended)


def _weighted(load: LoadRun) -> list[str]:
    return [key for key, weight in load.options.weights.items() for _ in range(weight)]


class ClosedUser(TokenEndpointUser):
    """Closed model: act, wait for the answer, act again (no think time)."""

    wait_time = constant(0)

    @task
    def log_in_as_configured(self) -> None:
        """Pick a scenario by the configured weights (``--tp-weights``)."""
        random.choice(self.actions)()

    def on_start(self) -> None:
        super().on_start()
        self.actions = [getattr(self, scenario) for scenario in _weighted(self.load)]


class OpenUser(TokenEndpointUser):
    """Open model: one arrival stream; late sends are counted, hopeless ones dropped.

    Each arrival is sent from a greenlet of its own, so a slow answer never holds back the
    next arrival of the stream: the stream keeps its schedule whatever the target does, as an
    open-loop client must (a stream that waited for each answer would send late behind a
    stall and queue its requests behind everyone else's: a closed loop by the back door).
    """

    wait_time = constant(0)  # the schedule does the waiting

    def on_start(self) -> None:
        super().on_start()
        self.choices = _weighted(self.load)
        self.stream = self.load.new_arrival_stream()
        # The arrival this stream waits to send, and its scenario (chosen before the wait: a
        # stop during the wait knows how many requests it was to be).
        self.waiting: tuple[Arrival, str] | None = None

    def _requests_of(self, scenario: str) -> int:
        return self.load.options.storm_size if scenario == "login_storm" else 1

    @task
    def arrive(self) -> None:
        arrival = self.stream.next_arrival()
        if arrival is None:
            gevent.sleep(PROFILE_END_POLL_S)  # the shape ends the run
            return
        scenario = random.choice(self.choices)
        self.waiting = (arrival, scenario)
        gevent.sleep(max(0.0, arrival.intended_wall - time.time()))
        self.waiting = None
        if not arrival.send:
            return
        requests = self._requests_of(scenario)
        lateness = time.time() - arrival.intended_wall
        if lateness > self.load.options.max_lateness_s:
            self.load.recorder.note_dropped(arrival.step.index, requests)
            return
        self.load.recorder.note_offered(
            arrival.step.index, requests, late=lateness > self.load.options.late_s
        )
        # Requests in flight outlive a stopped stream (a profile step that lowers the rate):
        # their answers belong to the step that sent them. The end of the run ends them.
        self.load.in_flight.spawn(self.act, scenario, arrival.intended_wall)

    def on_stop(self) -> None:
        """Arrivals due before now that this stream never sent (it was behind, or waiting
        for a send time already past): the generator's shortfall, never the target's error
        (`Recorder.note_unsent`)."""
        stream = getattr(self, "stream", None)  # None: stopped in on_start, never streamed
        if stream is None:
            return
        now = time.time()
        due = [self.waiting] if self.waiting else []
        for _ in range(MAX_UNSENT_COUNTED):
            arrival = stream.next_arrival()
            if arrival is None or arrival.intended_wall > now:
                break
            due.append((arrival, random.choice(self.choices)))
        for arrival, scenario in due:
            if arrival.send and arrival.intended_wall <= now:
                hopeless = now - arrival.intended_wall > self.load.options.max_lateness_s
                self.load.recorder.note_unsent(
                    arrival.step.index, self._requests_of(scenario), hopeless=hopeless
                )
