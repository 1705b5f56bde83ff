"""Costly input: a megabyte credential must not crash the endpoint, hang it, log in, or cost
more than an ordinary login (OWASP API4; CVE-2013-1443, Django's hashing cost that grew with the
password's length).

A correct endpoint may refuse the field by its length (a 400 before any hashing) or check it like
any login (a hash whose cost does not depend on the length: PBKDF2, bcrypt and argon2 all
pre-hash or cap long passwords); both are fine. So the probe measures whether the cost *grows*
with the size. Each round sends, in random order, with unknown usernames (no account's counter
moves):

* a small wrong login;
* the same small login with an extra megabyte field (what moving and parsing a megabyte costs);
* a megabyte password, and a megabyte username.

The growth of a megabyte field is its time minus the megabyte body's minus the small login's
(minimums over the rounds: noise only ever adds time). It is a violation above a floor (at
least ``costly_growth_floor_s``, at least one small login's time), as is a 5xx, no answer, or
tokens. A megabyte field answered exactly like a small wrong login (checked as credentials, no
length limit, bounded cost) is noted as information (the probe's second entry). Rounds stop early
when the growth is clearly below the floor.
"""

from __future__ import annotations

import random
from typing import Any

from tokenprobe.core.errors import StageError
from tokenprobe.security.client import Answer
from tokenprobe.security.probe import (
    Probe,
    ProbeContext,
    ProbeResult,
    passed,
    throttled,
    unknown_username,
    violated,
    wrong_password,
)

ROUNDS = 3
SMALL = "small login"
PADDED = "megabyte body"
FIELDS = ("megabyte password", "megabyte username")
PADDING_FIELD = "padding"


def bodies(size: int) -> dict[str, dict[str, Any]]:
    """One round's requests, each with a fresh unknown username."""
    return {
        SMALL: {"username": unknown_username(), "password": wrong_password()},
        PADDED: {
            "username": unknown_username(),
            "password": wrong_password(),
            PADDING_FIELD: "x" * size,
        },
        FIELDS[0]: {"username": unknown_username(), "password": "P" * size},
        FIELDS[1]: {"username": "u" * size, "password": wrong_password()},
    }


def growth_s(fastest: dict[str, float], label: str) -> float:
    """What a megabyte field costs beyond moving a megabyte and checking a small login."""
    return fastest[label] - fastest[PADDED] - fastest[SMALL]


def probe_megabyte_credentials(ctx: ProbeContext) -> ProbeResult:
    """A megabyte username or password never gets a 5xx, no answer, or tokens, and costs no
    more than an ordinary login (its cost does not grow with its size)."""
    size, floor_s = ctx.options.costly_input_bytes, ctx.options.costly_growth_floor_s
    fastest: dict[str, float] = {}
    last: dict[str, Answer] = {}
    violations: list[str] = []
    throttled_count = 0
    done = 0
    while done < ROUNDS:
        done += 1
        round_bodies = list(bodies(size).items())
        random.shuffle(round_bodies)
        for label, body in round_bodies:
            try:
                answer = ctx.client.post_json(body)
            except StageError as exc:  # no answer, or the connection dropped: the defect itself
                violations.append(f"{label}: {exc}")
                continue
            fastest[label] = min(fastest.get(label, answer.elapsed_s), answer.elapsed_s)
            last[label] = answer
            throttled_count += answer.throttled
            violations += _judge(label, answer)
        if violations or throttled_count or len(fastest) < len(round_bodies):
            break
        threshold = max(floor_s, fastest[SMALL])
        if all(growth_s(fastest, label) < threshold / 2 for label in FIELDS):
            break  # clearly bounded: more rounds would only lower the minimums further
    details = _details(fastest, last, done)
    if violations:
        return violated("megabyte credentials are a problem", sorted(set(violations)), **details)
    if throttled_count:
        return throttled(f"{throttled_count} requests answered 429", **details)
    threshold = max(floor_s, fastest[SMALL])
    grown = [
        f"{label}: {growth_s(fastest, label) * 1000:.0f} ms more than a megabyte body plus a"
        f" small login (fastest of {done}: {fastest[label] * 1000:.0f} ms vs"
        f" {fastest[PADDED] * 1000:.0f} ms and {fastest[SMALL] * 1000:.0f} ms; floor"
        f" {threshold * 1000:.0f} ms): the cost grows with the size"
        for label in FIELDS
        if growth_s(fastest, label) > threshold
    ]
    if grown:
        return violated("the cost of a login grows with the size of a field", grown, **details)
    notes = [
        f"{label}: {last[label].status} {last[label].excerpt()!r}, the same as a small wrong"
        " login: checked as credentials (no length limit), at a bounded cost"
        for label in FIELDS
        if last[label].rejection() == last[SMALL].rejection()
    ]
    shown = ", ".join(f"{label} {last[label].status}" for label in FIELDS)
    return passed(f"bounded: {shown}, no growth above the floor", notes, **details)


def _judge(label: str, answer: Answer) -> list[str]:
    if label not in FIELDS:
        return []
    if answer.issued_tokens:
        return [f"{label}: {answer.status}, tokens issued"]
    if answer.server_error:
        return [f"{label}: {answer.status} (server error)"]
    return []


def _details(fastest: dict[str, float], last: dict[str, Answer], rounds: int) -> dict[str, Any]:
    return {
        "rounds": rounds,
        "fastest_ms": {label: round(s * 1000, 1) for label, s in fastest.items()},
        "statuses": {label: answer.status for label, answer in last.items()},
    }


PROBES = [Probe("costly input", probe_megabyte_credentials)]
