"""Deterministic boundary cases: inputs never left to chance (issue #3, item 3).

Random generation rarely produces a megabyte field, a NUL byte or malformed JSON; these cases
are sent in every run, in Schemathesis' examples phase. Each must get a 4xx, never a 5xx
(``not_a_server_error``), a JSON body (TP-CONF-001) and no internals (TP-CONF-002).
"""

from __future__ import annotations

import dataclasses
from typing import Any

KB = 1024
MB = 1024 * KB
# Over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): the framework, not the view, answers.
OVERSIZED = 3 * MB
# Long and distinctive: an error body that repeats it is echoing the password (TP-CONF-003).
WRONG_PASSWORD = "tokenprobe-Wrong-Passw0rd-Ωμέγα"
UNKNOWN_USER = "tokenprobe.unknown.user"
# Set (to "1") for a run that only re-reads answers with a stricter spec (the gate's strict
# stage): its examples phase sends the deterministic logins alone, no boundary case.
LOGINS_ONLY_ENV = "TOKENPROBE_LOGINS_ONLY"


@dataclasses.dataclass(frozen=True)
class BoundaryCase:
    name: str
    body: Any  # a JSON value, or bytes sent verbatim as application/json


# Placeholder replaced by a numbered unknown username in `boundary_cases`.
_UNKNOWN = object()


def _creds(username: Any = _UNKNOWN, password: Any = WRONG_PASSWORD) -> dict[str, Any]:
    return {"username": username, "password": password}


def _number_unknown_users(cases: list[BoundaryCase]) -> list[BoundaryCase]:
    """One failed login per username per run, so the target's per-username lockout (429 after
    20 failures) never answers in place of the behaviour a boundary case is there to see."""
    numbered = []
    for index, case in enumerate(cases, start=1):
        if isinstance(case.body, dict) and case.body.get("username") is _UNKNOWN:
            body = {**case.body, "username": f"{UNKNOWN_USER}.{index:03d}"}
            case = dataclasses.replace(case, body=body)
        numbered.append(case)
    return numbered


def _long_values() -> list[BoundaryCase]:
    cases = []
    for label, size in (("1KB", KB), ("64KB", 64 * KB), ("1MB", MB)):
        cases.append(BoundaryCase(f"username {label}", _creds(username="u" * size)))
        cases.append(BoundaryCase(f"password {label}", _creds(password="p" * size)))
    cases.append(BoundaryCase("body over 2.5 MB", _creds(username="u" * OVERSIZED)))
    return cases


TEXT_VALUES = {
    "non-ASCII (Japanese)": "ユーザー名",
    "non-ASCII (Cyrillic)": "пользователь",
    "right-to-left (Arabic)": "مستخدم",
    "mixed scripts (Latin + Cyrillic homoglyph)": "p\u0430ypal.admin",  # U+0430 Cyrillic a
    "bidi override": "user\u202egnp.exe",
    "emoji and combining marks": "👤🔑e\u0301\u0327",
    "NUL byte": "user\x00name",
    "control characters": "\x01\x07\x1b[31m\x7f",
    "line breaks and tab": "user\r\nX-Injected: 1\t",
    "empty string": "",
    "whitespace only": " \t ",
}
WRONG_TYPES = {
    "number": 12345,
    "float": 1.5,
    "boolean": True,
    "null": None,
    "list": ["a", "b"],
    "empty list": [],
    "object": {"$ne": None},
    "empty object": {},
}
NON_OBJECT_BODIES = {
    "JSON array": ["username", "password"],
    "JSON string": "username=password",
    "JSON number": 42,
    "JSON true": True,
}
MALFORMED_BODIES = {
    "truncated JSON": b'{"username": "u", "password": ',
    "single-quoted JSON": b"{'username': 'u', 'password': 'p'}",
    "trailing garbage": b'{"username": "u", "password": "p"} xyz',
    "empty body": b"",
    "invalid UTF-8": b'{"username": "\xff\xfe", "password": "p"}',
}


def boundary_cases() -> list[BoundaryCase]:
    """Every boundary case, in a fixed order."""
    cases = [BoundaryCase("wrong password, unknown user", _creds())]
    cases += _long_values()
    for label, value in TEXT_VALUES.items():
        cases.append(BoundaryCase(f"username {label}", _creds(username=value)))
        cases.append(BoundaryCase(f"password {label}", _creds(password=value)))
    for label, value in WRONG_TYPES.items():
        cases.append(BoundaryCase(f"username {label}", _creds(username=value)))
        cases.append(BoundaryCase(f"password {label}", _creds(password=value)))
    cases += [
        BoundaryCase("extra fields", {**_creds(), "is_staff": True, "role": "admin"}),
        BoundaryCase("missing both fields", {}),
        BoundaryCase("missing password", {"username": f"{UNKNOWN_USER}.000"}),
        BoundaryCase("missing username", {"password": WRONG_PASSWORD}),
        BoundaryCase("JSON null body", None),
    ]
    cases += [BoundaryCase(label, body) for label, body in NON_OBJECT_BODIES.items()]
    cases += [BoundaryCase(label, body) for label, body in MALFORMED_BODIES.items()]
    return _number_unknown_users(cases)
