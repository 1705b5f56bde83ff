"""Names and parsers shared by the Locust side and the tokenprobe side, without importing Locust.

Importing ``locust`` monkey-patches the whole process with gevent; the CLI, the release gate
and the test runner must never do that, so everything they need from the load suite lives in
Locust-free modules like this one.
"""

from __future__ import annotations

SCENARIOS = {
    # weight key: request entry name in Locust's statistics
    "valid_login": "valid login",
    "wrong_password": "wrong password",
    "unknown_user": "unknown user",
    "malformed_body": "malformed body",
    "login_storm": "login storm",
}
MAX_DURATION_S = 4 * 3600.0


class LoadOptionError(ValueError):
    """A load option has a bad value."""


def parse_weights(text: str) -> dict[str, int]:
    """``name=weight,...`` → weights for every scenario (unnamed ones are 0)."""
    weights = {key: 0 for key in SCENARIOS}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in SCENARIOS:
            raise LoadOptionError(f"weight {item!r}: expected one of {', '.join(SCENARIOS)}=N")
        try:
            weights[key] = int(value)
        except ValueError:
            raise LoadOptionError(f"weight {item!r}: {value!r} is not a whole number") from None
        if weights[key] < 0:
            raise LoadOptionError(f"weight {item!r} is negative")
    if not any(weights.values()):
        raise LoadOptionError("every scenario weight is 0: nothing to run")
    return weights
