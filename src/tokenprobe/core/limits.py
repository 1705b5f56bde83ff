"""Hard limits on what a run sends, for a service in production (issue 22).

A `RequestLedger` holds the limits of one run: a total number of requests, a highest rate, a
largest body, and one account that must never get a wrong password. While it is `enforced`,
every request tokenprobe sends in this process passes `admit` before it leaves: the one place
is `core.http.DeadlineAdapter.send`, which every `DeadlineSession` uses, a retried request
included. A request the limits forbid is never sent: `admit` raises `RequestRefused`. A request
that would exceed the rate waits for its turn instead. Subprocess stages (Schemathesis, Locust)
are out of its reach: a run under limits must not start them.

The ledger also counts what was sent, per stage (`stage` names the stage under way), and the
highest rate actually sent: the most requests that started within any one second.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import json
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tokenprobe.core.credentials import Credential
from tokenprobe.core.errors import StageError

MAX_BODY_BYTES = 16 * 1024
RATE_WINDOW_S = 1.0
PASSWORD_FIELD = "password"
FORM_FIELD = re.compile(r"[\w.\-\[\]]+")  # a form field's name: user[email], login.name


class RequestRefused(StageError):
    """A request the run's limits forbid; it was not sent. ``rule`` names the limit."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


@dataclasses.dataclass(frozen=True)
class RequestLimits:
    max_requests: int
    max_rate_per_s: float
    max_body_bytes: int = MAX_BODY_BYTES

    def __post_init__(self) -> None:
        if self.max_requests < 1:
            raise ValueError("max_requests must be at least 1")
        if self.max_rate_per_s <= 0:
            raise ValueError("max_rate_per_s must be positive")

    def to_dict(self) -> dict[str, Any]:
        return {
            "max_requests": self.max_requests,
            "max_rate_per_s": self.max_rate_per_s,
            "max_body_bytes": self.max_body_bytes,
        }


class RequestLedger:
    """Admits, paces and counts the requests of one run under `RequestLimits`."""

    def __init__(
        self,
        limits: RequestLimits,
        protected: Credential | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits = limits
        # The real account the run logs in with: never a wrong password for it. Set once the
        # target is open (the embedded target's accounts are known only then).
        self.protected = protected
        self.stage = ""
        self.sent_per_stage: dict[str, int] = collections.Counter()
        self.highest_rate_per_s = 0
        self._clock = clock
        self._sleep = sleep
        self._starts: collections.deque[float] = collections.deque()
        self._next_at = 0.0
        self._lock = threading.Lock()

    @property
    def sent(self) -> int:
        return sum(self.sent_per_stage.values())

    def admit(
        self, method: str, url: str, body: bytes | str | None, within_s: float | None = None
    ) -> float:
        """Return when the request may leave, with the seconds it waited for its turn; raise
        `RequestRefused` if it never may, or not within ``within_s`` (the request's own
        deadline: its wait for the rate counts)."""
        refusal = self._refusal(method, url, body)
        if refusal is not None:
            raise RequestRefused(*refusal)
        asked = self._clock()  # its wait for a turn counts from here, another's included
        with self._lock:  # one request at a time takes its turn
            if self.sent >= self.limits.max_requests:
                raise RequestRefused(
                    "budget", f"the run's budget of {self.limits.max_requests} requests is spent"
                )
            wait = self._next_at - self._clock()
            if within_s is not None and wait > within_s:
                raise RequestRefused(
                    "rate", f"its turn at {self.limits.max_rate_per_s:g}/s comes after its deadline"
                )
            if wait > 0:
                self._sleep(wait)
            now = self._clock()
            self._next_at = now + 1.0 / self.limits.max_rate_per_s
            self._count(now)
            return now - asked

    def _count(self, now: float) -> None:
        self.sent_per_stage[self.stage] += 1
        self._starts.append(now)
        while now - self._starts[0] >= RATE_WINDOW_S:
            self._starts.popleft()
        self.highest_rate_per_s = max(self.highest_rate_per_s, len(self._starts))

    def _refusal(self, method: str, url: str, body: bytes | str | None) -> tuple[str, str] | None:
        if body is not None and not isinstance(body, bytes | str):
            return "body", f"{method} {url}: a streamed body cannot be measured"
        raw = body.encode() if isinstance(body, str) else body or b""
        if len(raw) > self.limits.max_body_bytes:
            return "body", f"a {len(raw)}-byte body (at most {self.limits.max_body_bytes})"
        if credentials_in_query(url, self.protected):
            return "url-credentials", f"{method} with a password in the URL's query"
        if wrong_password_for(raw, self.protected):
            return "wrong-password", "a wrong password for the account the run logs in with"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.limits.to_dict(),
            "requests_sent": self.sent,
            "requests_per_stage": dict(self.sent_per_stage),
            "highest_rate_per_s": self.highest_rate_per_s,
        }


def credentials_in_query(url: str, protected: Credential | None) -> bool:
    """A ``password`` field in the query, or the protected password anywhere in it."""
    query = urlsplit(url).query
    fields = parse_qsl(query, keep_blank_values=True)
    if any(name.lower() == PASSWORD_FIELD for name, _ in fields):
        return True
    return protected is not None and any(protected.password in value for _, value in fields)


def wrong_password_for(body: bytes, protected: Credential | None) -> bool:
    """The body names the protected account with another password (or none).

    Read as the server would: a JSON body object by object (every key of a duplicate, so no
    parser's choice hides a wrong one), a form field by field. An object names the account by
    any value that is its username or email, as a login compares them (Unicode-normalised,
    trimmed, in any case); it must then carry the exact password in its own ``password``.
    Any other body (multipart) names it when its text holds a name, and is wrong unless it
    holds the password too.
    """
    if protected is None:
        return False
    names = {_normalised(name) for name in (protected.username, protected.email) if name}
    objects = _login_objects(body)
    if not objects:
        text = _normalised(body.decode("utf-8", "replace"))
        return any(name in text for name in names) and protected.password.encode() not in body
    return any(_wrong_login(pairs, names, protected.password) for pairs in objects)


Pairs = list[tuple[str, object]]


def _login_objects(body: bytes) -> list[Pairs]:
    """Every JSON object of the body as its key-value pairs, or a form's fields; [] for a
    body that is neither."""
    found: list[Pairs] = []
    try:
        json.loads(body, object_pairs_hook=lambda pairs: found.append(pairs) or dict(pairs))
        return found
    except ValueError:
        pass
    try:  # URL-encoding leaves a form ASCII
        fields = parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return []
    # Multipart, XML or any text with a "=" parses too, with keys no form field has.
    return [fields] if all(FORM_FIELD.fullmatch(key) for key, _ in fields) else []


def _wrong_login(pairs: Pairs, names: set[str], password: str) -> bool:
    named = any(_names_account(value, names) for _, value in pairs)
    # Every key a case-insensitive binder reads as the password, each copy of it.
    passwords = [value for key, value in pairs if key.casefold() == PASSWORD_FIELD]
    return named and (not passwords or any(given != password for given in passwords))


def _names_account(value: object, names: set[str]) -> bool:
    """A name, or a list holding one (many frameworks read ``[v]`` as ``v``)."""
    if isinstance(value, list):
        return any(_names_account(item, names) for item in value)
    return isinstance(value, str) and _normalised(value) in names


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


_active: RequestLedger | None = None


def active_ledger() -> RequestLedger | None:
    return _active


@contextlib.contextmanager
def enforced(ledger: RequestLedger) -> Iterator[RequestLedger]:
    """Every request of this process passes ``ledger`` until the block ends."""
    global _active  # one run per process; threads of the run share it
    previous, _active = _active, ledger
    try:
        yield ledger
    finally:
        _active = previous
