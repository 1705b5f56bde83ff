"""What a probe is: a name in the catalogue, and a function that asks.

The catalogue (`tokenprobe.core.catalogue`) holds each probe's ID, title, default severity and
standard. A probe function receives a `ProbeContext` and returns a `ProbeResult`: whether it
could evaluate the rule at all, the evidence of each violation (one finding each) and the
numbers behind its verdict. The runner turns results into findings and check results through
the catalogue; probes never build findings themselves.
"""

from __future__ import annotations

import dataclasses
import functools
import secrets
from collections.abc import Callable
from typing import Any

from tokenprobe.core import catalogue
from tokenprobe.core.credentials import Credential
from tokenprobe.security.accounts import ProbeAccounts
from tokenprobe.security.client import Answer, ProbeClient
from tokenprobe.security.options import SecurityOptions


@dataclasses.dataclass(frozen=True)
class ProbeResult:
    """``evaluated`` False means "not evaluated" (skipped), never "passed"."""

    evaluated: bool
    message: str
    violations: tuple[str, ...] = ()
    details: dict[str, Any] = dataclasses.field(default_factory=dict)


def passed(message: str, **details: Any) -> ProbeResult:
    return ProbeResult(True, message, (), details)


def not_evaluated(message: str, **details: Any) -> ProbeResult:
    return ProbeResult(False, message, (), details)


def violated(message: str, violations: list[str], **details: Any) -> ProbeResult:
    return ProbeResult(True, message, tuple(violations), details)


def verdict(
    violations: list[str], throttled: int, attempts: int, what: str, **details: Any
) -> ProbeResult:
    """The usual ending: violations fail; otherwise any 429 means "not evaluated", never pass."""
    details = {"attempts": attempts, "throttled_429": throttled, **details}
    if violations:
        return violated(
            f"{len(violations)} of {attempts} {what} violated the rule", violations, **details
        )
    if throttled:
        return not_evaluated(
            f"{throttled} of {attempts} {what} answered 429: not evaluated", **details
        )
    return passed(f"all {attempts} {what} rejected", **details)


@dataclasses.dataclass
class ProbeContext:
    """What a probe may use: the client, the pool's budget, the options, shared answers."""

    client: ProbeClient
    pool: ProbeAccounts
    options: SecurityOptions
    canary: Credential | None

    @functools.cached_property
    def token_pair(self) -> dict[str, str] | None:
        """One successful login's JSON body, shared by the token-signing probes."""
        account = self.pool.valid_account()
        if account is None:
            return None
        answer = self.client.login(account.username, account.password)
        return answer.json if answer.issued_tokens else None

    @functools.cached_property
    def rejection_baseline(self) -> Answer:
        """The answer to an unknown username with a wrong password: "credentials checked"."""
        return self.client.login(unknown_username(), wrong_password())


def unknown_username() -> str:
    return f"tokenprobe.nobody.{secrets.token_hex(6)}"


def wrong_password() -> str:
    # Random per attempt: never a real password, never learnt by the redactor.
    return f"Wrong-{secrets.token_urlsafe(12)}"


@dataclasses.dataclass(frozen=True)
class Probe:
    name: str  # as the catalogue lists it
    run: Callable[[ProbeContext], ProbeResult]

    @property
    def entry(self) -> catalogue.CatalogueEntry:
        return catalogue.entry_of("security", self.name)

    @property
    def id(self) -> str:  # TP-SEC-NNN, never reused
        return self.entry.id
