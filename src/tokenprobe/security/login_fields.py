"""Which fields log in: the username, and any other the target accepts (issue 19).

A service may take another identifier with the password: dj-rest-auth's LoginView takes an
``email`` instead of the username. Enumeration can hide behind that field alone (an unknown
email answered without checking any hash, 5 ms against a real account's 237 ms), so the
enumeration probes must ask through every field that logs in, not only ``username``.

Before the budget is planned, the runner finds out, for each field tokenprobe can probe
(`EXTRA_FIELDS`), whether the target accepts it and which accounts log in with it. The signs,
cheapest first, all free of the wrong-password budget:

* the field is configured (``[security] login-fields``): the user's word;
* the 400 to a body with only a password names the field ("Must include either "username" or
  "email" and "password"."): the target's own word;
* an unknown value of the field is answered like an unknown username, and not like a body with
  no identifier at all: the target looked the value up;
* an account logs in with its value of the field and its password (a 200 with tokens): proof,
  and the only way an account's value becomes usable by the probes.

A field with any sign is *accepted*; its probes are *evaluable* only with an account whose value
logged in. An accepted field without one is "not evaluated" (TP-SEC-106), never a pass. So is an
*undetermined* one: no sign, no value to try, and a target that answers a body without any
identifier like an unknown username (dj-rest-auth does: "Unable to log in with provided
credentials." to all three), so that an unknown value could not have shown anything. A field
without any sign that could have shown one is not a login field, and its probes say what was
observed.

Requests: two shared ones, then per field one unknown value and at most `MAX_TRIED` logins.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from tokenprobe.core.credentials import Credential
from tokenprobe.security.client import Answer, ProbeClient
from tokenprobe.security.enumeration import body_without
from tokenprobe.security.probe import unknown_username, wrong_password

# Fields besides the username that tokenprobe can probe, each with the account's value of it.
FIELD_VALUES: dict[str, Callable[[Credential], str]] = {"email": lambda account: account.email}
EXTRA_FIELDS = tuple(FIELD_VALUES)
# How a body names the field ("email", "e-mail", "Email"); the field's own name otherwise.
FIELD_WORDS = {"email": re.compile(r"\be-?mail\b", re.IGNORECASE)}
# Accounts whose value is tried per field: enough to spread the field probes' wrong passwords
# over several accounts, and a bound on the successful logins discovery sends.
MAX_TRIED = 5
UNKNOWN_EMAIL_DOMAIN = "example.invalid"  # RFC 2606: never a real mailbox


@dataclasses.dataclass(frozen=True)
class Sent:
    """One discovery request: the body sent (for masking the echo) and the answer."""

    body: Mapping[str, object]
    answer: Answer

    def rejection(self) -> tuple[int, str]:
        """Status and body with the sent values masked: comparable across requests."""
        sent = [v for v in self.body.values() if isinstance(v, str)]
        return self.answer.status, body_without(self.answer, sent)


@dataclasses.dataclass(frozen=True)
class LoginField:
    """What discovery learnt about one field besides the username."""

    name: str
    # Why tokenprobe takes it for a login field; empty: the target gave no sign of accepting it.
    signs: tuple[str, ...]
    # username → the account's value of the field, for the accounts that logged in with it.
    values: Mapping[str, str]
    given: int  # accounts with a value in the credentials
    tried: int  # of them, tried (at most MAX_TRIED)
    # What the answers showed when they gave no sign (the message of "not a login field").
    observed: tuple[str, ...] = ()
    # No sign, but none could have shown: no value to try, and rejections all alike.
    undetermined: bool = False

    @property
    def accepted(self) -> bool:
        return bool(self.signs)

    @property
    def to_probe(self) -> bool:
        """Probed, or reported not evaluated: never passed over."""
        return self.accepted or self.undetermined

    @property
    def evaluable(self) -> bool:
        return bool(self.values)

    @property
    def usernames(self) -> Collection[str]:
        """The accounts the field's probes may spend wrong passwords on."""
        return self.values.keys()

    def unknown_value(self) -> str:
        """A value no account has, in the field's form: for an email, at a known account's
        domain when there is one (a service might treat foreign domains apart)."""
        local = f"tokenprobe.nobody.{secrets.token_hex(6)}"
        if self.name != "email":
            return local
        known = next(iter(self.values.values()), "")
        domain = known.rpartition("@")[2] if "@" in known else UNKNOWN_EMAIL_DOMAIN
        return f"{local}@{domain}"

    def why_not_evaluable(self) -> str:
        """The not-evaluated message: what the target said, what was missing, what to give."""
        if self.accepted:
            said = f"the target accepts it ({'; '.join(self.signs)})"
        else:
            said = f"the target may accept it, its answers cannot tell ({'; '.join(self.observed)})"
        if not self.given:
            missing = f"no account's {self.name} is known"
        else:
            missing = f"none of the {self.tried} accounts tried logged in with its {self.name}"
        return (
            f"field {self.name}: {said}, but {missing}: give the accounts' {self.name} (the"
            f" credentials file's {self.name} column, or TOKENPROBE_EMAIL)"
        )

    def as_details(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            **({"undetermined": True} if self.undetermined else {}),
            "signs": list(self.signs),
            **({"observed": list(self.observed)} if self.observed else {}),
            "accounts_with_value": self.given,
            "tried": self.tried,
            "logged_in": len(self.values),
        }


@dataclasses.dataclass(frozen=True)
class LoginFields:
    """Every field besides the username, as discovery found it."""

    fields: tuple[LoginField, ...]
    throttled: int = 0  # discovery answers that were 429: a sign may have been missed
    requests: int = 0

    @property
    def accepted(self) -> list[LoginField]:
        return [f for f in self.fields if f.accepted]

    @property
    def to_probe(self) -> list[LoginField]:
        return [f for f in self.fields if f.to_probe]

    def none_accepted(self) -> str:
        """The message of a field probe with nothing to probe: what was observed, so a reader
        sees this is not a silent pass."""
        seen = "; ".join(f"{f.name}: {', '.join(f.observed)}" for f in self.fields)
        return f"no login field besides the username ({seen})"

    def as_details(self) -> dict[str, Any]:
        return {
            **{f.name: f.as_details() for f in self.fields},
            "requests": self.requests,
            **({"throttled_429": self.throttled} if self.throttled else {}),
        }


def discover(
    client: ProbeClient, accounts: Sequence[Credential], configured: Collection[str] = ()
) -> LoginFields:
    """Ask the target which of `EXTRA_FIELDS` log in, and with which accounts' values. Sends
    no wrong password for a real account: only unknown identifiers and real logins."""
    before = client.requests_sent
    missing = _send(client, {"password": wrong_password()})
    unknown_user = _send(client, {"username": unknown_username(), "password": wrong_password()})
    found = [
        _discover_field(client, name, accounts, name in configured, missing, unknown_user)
        for name in EXTRA_FIELDS
    ]
    throttled = sum(s.answer.throttled for s in (missing, unknown_user, *(u for _, u in found)))
    return LoginFields(tuple(f for f, _ in found), throttled, client.requests_sent - before)


def _discover_field(
    client: ProbeClient,
    name: str,
    accounts: Sequence[Credential],
    configured: bool,
    missing: Sent,
    unknown_user: Sent,
) -> tuple[LoginField, Sent]:
    """The field as found, and the request with an unknown value (its 429 counts)."""
    signs: list[str] = []
    if configured:
        signs.append("configured in [security] login-fields")
    if _names_field(missing.answer, name):
        signs.append(f"named in the {missing.answer.status} to a body with only a password")
    with_value = [a for a in accounts if FIELD_VALUES[name](a)]
    values = _logins_with(client, name, with_value[:MAX_TRIED])
    # The unknown value goes at a known account's domain (for an email), so it is sent after.
    field = LoginField(name, (), values, len(with_value), min(len(with_value), MAX_TRIED))
    unknown = _send(client, {name: field.unknown_value(), "password": wrong_password()})
    if _looked_up(unknown, unknown_user, missing):
        signs.append(
            f"an unknown {name} is answered like an unknown username, not like a body without one"
        )
    if values:
        signs.insert(0, f"{len(values)} account(s) logged in with their {name} and password")
    # Whether an unknown value could have shown a sign: only if a body without any identifier
    # and an unknown username get different answers.
    can_tell = missing.rejection() != unknown_user.rejection()
    observed = _observed(name, missing, can_tell, field) if not signs else ()
    undetermined = not signs and not can_tell and not with_value
    return dataclasses.replace(
        field, signs=tuple(signs), observed=observed, undetermined=undetermined
    ), unknown


def _observed(name: str, missing: Sent, can_tell: bool, field: LoginField) -> tuple[str, ...]:
    """What the answers showed, for a field with no sign."""
    unknown = (
        f"an unknown {name} is not answered like an unknown username"
        if can_tell
        else f"a body without a username is answered like an unknown username, so an unknown"
        f" {name} could show nothing"
    )
    tried = (
        f"none of the {field.tried} account(s) tried logged in with its {name}"
        if field.tried
        else f"no account's {name} known to try"
    )
    return (
        f"not named in the {missing.answer.status} to a body with only a password",
        unknown,
        tried,
    )


def _logins_with(client: ProbeClient, name: str, accounts: Sequence[Credential]) -> dict[str, str]:
    """username → value, for the accounts that log in with their value of ``name`` and their
    password alone (no username in the body: the field must do the work)."""
    values = {}
    for account in accounts:
        value = FIELD_VALUES[name](account)
        if client.post_json({name: value, "password": account.password}).issued_tokens:
            values[account.username] = value
    return values


def _names_field(answer: Answer, name: str) -> bool:
    """A rejection whose body names the field: the target asks for it."""
    word = FIELD_WORDS.get(name) or re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
    return 400 <= answer.status < 500 and not answer.throttled and bool(word.search(answer.text))


def _looked_up(unknown: Sent, unknown_user: Sent, missing: Sent) -> bool:
    """An unknown value got the unknown username's rejection, and a body without any identifier
    gets another: the value was taken for an identifier. A target that answers everything
    alike gives no sign either way."""
    if not 400 <= unknown.answer.status < 500 or unknown.answer.throttled:
        return False
    return (
        unknown.rejection() == unknown_user.rejection()
        and unknown.rejection() != missing.rejection()
    )


def _send(client: ProbeClient, body: dict[str, object]) -> Sent:
    return Sent(body, client.post_json(body))
