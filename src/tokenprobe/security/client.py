"""The probes' HTTP client: one keep-alive session, a request counter, tokens learnt for redaction
(the values of the token fields, nothing else).

Every request a probe sends goes through `ProbeClient`, so the runner can report per-probe
request counts and no issued token escapes the redactor. Every request has a total deadline
(`tokenprobe.core.http`): its own timeout, or the end of the run's budget if that comes first;
once the budget is spent, every request raises `OutOfTime`.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping
from typing import Any

import requests

from tokenprobe.core import defaults
from tokenprobe.core.deadlines import Deadline
from tokenprobe.core.errors import OutOfTime, StageError
from tokenprobe.core.http import PACED_S, DeadlineSession
from tokenprobe.core.redact import Redactor
from tokenprobe.core.token_fields import TokenFields, from_environment

BODY_EXCERPT_CHARS = 80


class RequestTimedOut(StageError):
    """The target did not answer one probe request in time."""


@dataclasses.dataclass(frozen=True)
class Answer:
    """What the target said to one request, reduced to what probes compare."""

    status: int
    headers: Mapping[str, str]
    text: str
    elapsed_s: float
    token_fields: TokenFields = dataclasses.field(default_factory=TokenFields)

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    @property
    def token_pair(self) -> dict[str, str]:
        """Role → token of a 200's token fields; empty for any other answer. The body's other
        fields (a user object, an echoed username, expires_in) are not tokens."""
        return self.token_fields.strings(self.json) if self.status == 200 else {}

    @property
    def issued_tokens(self) -> bool:
        """A 200 that carries an access or refresh token: a login happened."""
        return bool(self.token_pair)

    @property
    def throttled(self) -> bool:
        return self.status == 429

    @property
    def server_error(self) -> bool:
        return self.status >= 500

    def rejection(self) -> tuple[int, str]:
        """Status and canonical body: two rejections are 'the same answer' when these match."""
        body = self.json
        canonical = json.dumps(body, sort_keys=True) if body is not None else self.text
        return self.status, canonical

    def excerpt(self) -> str:
        """A short, single-line view of the body for evidence (tokens are masked later)."""
        text = " ".join(self.text.split())
        return text if len(text) <= BODY_EXCERPT_CHARS else text[:BODY_EXCERPT_CHARS] + "…"


class ProbeClient:
    """Sends probe requests to the token endpoint and counts them."""

    def __init__(
        self,
        token_url: str,
        redactor: Redactor,
        timeout_s: float = defaults.REQUEST_TIMEOUT_S,
        deadline: Deadline | None = None,  # the end of the run's budget
        token_fields: TokenFields | None = None,  # None: the exported names
    ) -> None:
        self.token_url = token_url
        self.redactor = redactor
        self.token_fields = token_fields or from_environment()
        self.timeout_s = timeout_s
        self.deadline = deadline
        self.requests_sent = 0
        self._session = DeadlineSession(timeout_s)

    def close(self) -> None:
        self._session.close()

    def post_json(self, body: object, **kwargs: Any) -> Answer:
        return self.send("POST", json=body, **kwargs)

    def login(self, username: object, password: object) -> Answer:
        return self.post_json({"username": username, "password": password})

    def send(self, method: str, **kwargs: Any) -> Answer:
        """One request to the token endpoint; no redirects (a POST would lose its body).

        ``timeout`` (default: the client's) is the request's total deadline, not per read.
        """
        timeout_s = kwargs.setdefault("timeout", self.timeout_s)
        self.requests_sent += 1
        try:
            response, elapsed = self._request(method, kwargs)
        except requests.Timeout:
            if self.deadline is not None and self.deadline.expired:
                raise OutOfTime(f"its {self.deadline.budget_s:g} s budget ran out") from None
            raise RequestTimedOut(
                f"{method} {self.token_url}: no complete answer within {timeout_s:g} s"
            ) from None
        except requests.RequestException as exc:
            raise StageError(f"{method} {self.token_url} failed: {type(exc).__name__}") from None
        answer = Answer(
            response.status_code, dict(response.headers), response.text, elapsed, self.token_fields
        )
        # Exactly the issued tokens are secrets; any other string of an answer is evidence.
        self.redactor.add(*answer.token_pair.values())
        return answer

    def _request(self, method: str, kwargs: dict[str, Any]) -> tuple[requests.Response, float]:
        """One request and its time; once more on a new connection if a kept-alive one was
        dropped under it.

        A server may close a connection after an answer without saying so (uvicorn does after a
        500): the next request on it fails before the server reads it. Only a second failure,
        on a fresh connection, is the target's.
        """
        try:
            return self._timed(method, kwargs)
        except requests.ConnectionError as exc:
            if isinstance(exc, requests.ConnectTimeout):
                raise
            self._session.close()  # drops the pooled connections; the session stays usable
            return self._timed(method, kwargs)

    def _timed(self, method: str, kwargs: dict[str, Any]) -> tuple[requests.Response, float]:
        """The answer and the attempt's time, less its wait for the run's rate: on the
        nanosecond clock (requests' ``elapsed`` has microseconds: ties among fast answers
        turned the timing probes' exact test into its normal approximation)."""
        started = time.perf_counter()
        response = self._session.request(method, self.token_url, deadline=self.deadline, **kwargs)
        return response, time.perf_counter() - started - getattr(response, PACED_S, 0.0)
