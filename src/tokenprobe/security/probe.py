"""What a probe is: a name in the catalogue, and a function that asks.

The catalogue (`tokenprobe.core.catalogue`) holds each probe's ID, title, default severity and
standard. A probe function receives a `ProbeContext` and returns a `ProbeResult`: whether it
could evaluate the rule at all (and if not, which need was missing), the evidence of each
violation (one finding of them all, counted: one rule broken is one cause), the notes for its
lower-severity entry, and the numbers behind its verdict. The runner turns results into
findings and check results through the catalogue; probes never build findings themselves.

A probe that spends wrong passwords on real accounts declares a `FailureDemand`; the runner
shares the pool's budget out among the probes before any runs (`tokenprobe.security.budget`)
and the probe spends its allowance through `ProbeContext.spend_failures`.
"""

from __future__ import annotations

import dataclasses
import functools
import secrets
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

from tokenprobe.core import catalogue
from tokenprobe.core.credentials import Credential
from tokenprobe.security.accounts import ProbeAccounts
from tokenprobe.security.client import ProbeClient
from tokenprobe.security.options import SecurityOptions

if TYPE_CHECKING:  # login_fields sends its requests with this module's helpers
    from tokenprobe.security.login_fields import LoginFields


@dataclasses.dataclass(frozen=True)
class ProbeResult:
    """``evaluated`` False means "not evaluated", never "passed": ``need`` then names what was
    missing (a need of `tokenprobe.core.catalogue`: credentials, accounts, canary, key,
    unthrottled answers), and the runner reports it as that kind's not-evaluated finding.

    ``violations`` become one finding under the probe's own (first) catalogue entry, ``notes``
    one under its second, lower-severity one, each counting its sightings."""

    evaluated: bool
    message: str
    violations: tuple[str, ...] = ()
    details: dict[str, Any] = dataclasses.field(default_factory=dict)
    need: str = ""
    notes: tuple[str, ...] = ()


def passed(message: str, notes: Sequence[str] = (), **details: Any) -> ProbeResult:
    return ProbeResult(True, message, (), details, notes=tuple(notes))


def not_evaluated(message: str, need: str, **details: Any) -> ProbeResult:
    return ProbeResult(False, message, (), details, need=need)


def throttled(message: str, **details: Any) -> ProbeResult:
    """A 429 stood between the probe and its answer: not evaluated, never passed."""
    return not_evaluated(message, catalogue.UNTHROTTLED, **details)


def violated(
    message: str, violations: list[str], notes: Sequence[str] = (), **details: Any
) -> ProbeResult:
    return ProbeResult(True, message, tuple(violations), details, notes=tuple(notes))


def verdict(
    violations: list[str], throttled_count: int, attempts: int, what: str, **details: Any
) -> ProbeResult:
    """The usual ending: violations fail; otherwise any 429 means "not evaluated", never pass."""
    details = {"attempts": attempts, "throttled_429": throttled_count, **details}
    if violations:
        return violated(
            f"{len(violations)} of {attempts} {what} violated the rule", violations, **details
        )
    if throttled_count:
        return throttled(f"{throttled_count} of {attempts} {what} answered 429", **details)
    return passed(f"all {attempts} {what} rejected", **details)


@dataclasses.dataclass(frozen=True)
class FailureDemand:
    """Wrong passwords a probe spends on real accounts: ``least`` to be evaluated at all (its
    most valuable attempts), ``most`` for its full coverage."""

    least: int
    most: int

    def __post_init__(self) -> None:
        if not 0 < self.least <= self.most:
            raise ValueError("a failure demand needs 0 < least <= most")


def fixed_demand(least: int, most: int) -> Callable[[SecurityOptions], FailureDemand]:
    """A demand that does not depend on the options."""
    demand = FailureDemand(least, most)
    return lambda options: demand


@dataclasses.dataclass
class ProbeContext:
    """What a probe may use: the client, the pool's budget, the options, shared answers."""

    client: ProbeClient
    pool: ProbeAccounts
    options: SecurityOptions
    canary: Credential | None
    # Wrong passwords the running probe may still spend (set by the runner from the plan).
    allowance: int = 0
    # Login fields besides the username, as the runner found them before planning the budget
    # (`tokenprobe.security.login_fields`); None when no probe needs them or finding them failed.
    login_fields: LoginFields | None = None

    def spend_failures(self, count: int, among: Collection[str] | None = None) -> list[Credential]:
        """Up to ``count`` pool accounts (with repeats), one wrong password each, within the
        running probe's allowance; only the usernames in ``among`` when given."""
        accounts = self.pool.take_failures(min(count, self.allowance), among)
        self.allowance -= len(accounts)
        return accounts

    def short_of_failures(self, wanted: int, got: int) -> ProbeResult:
        """Not evaluated: fewer wrong passwords than the probe's least; names the missing need
        (no account that logs in at all, or not enough budget)."""
        if self.pool.valid_account() is None:
            return not_evaluated(
                "no pool account that logs in (give TOKENPROBE_USERNAME/_PASSWORD or a"
                " credentials file)",
                catalogue.CREDENTIALS,
            )
        return not_evaluated(
            f"needs {wanted} wrong-password attempts on real accounts, got {got} (the pool's"
            f" whole budget: {self.pool.budget}; give more accounts, or a higher"
            " --failures-per-account if the target's lockout allows it)",
            catalogue.ACCOUNTS,
            wanted=wanted,
            allowed=got,
        )

    @functools.cached_property
    def token_pair(self) -> dict[str, str] | None:
        """One successful login's token pair (role → token), shared by the token-signing
        probes; the answer's other fields are not tokens."""
        account = self.pool.valid_account()
        if account is None:
            return None
        return self.client.login(account.username, account.password).token_pair or None


def unknown_username() -> str:
    return f"tokenprobe.nobody.{secrets.token_hex(6)}"


def wrong_password() -> str:
    # Random per attempt: never a real password, never learnt by the redactor.
    return f"Wrong-{secrets.token_urlsafe(12)}"


@dataclasses.dataclass(frozen=True)
class Probe:
    name: str  # as the catalogue lists it
    run: Callable[[ProbeContext], ProbeResult]
    # Wrong passwords it spends on real accounts, given the run's options (None: none).
    failures: Callable[[SecurityOptions], FailureDemand] | None = None

    @property
    def entry(self) -> catalogue.CatalogueEntry:
        """Its own entry: the first the catalogue lists for it."""
        return catalogue.entries_of("security", self.name)[0]

    @property
    def id(self) -> str:  # TP-SEC-NNN, never reused
        return self.entry.id

    @property
    def note_entry(self) -> catalogue.CatalogueEntry:
        """The lower-severity entry its ``notes`` are reported under."""
        _, second = catalogue.entries_of("security", self.name)
        return second
