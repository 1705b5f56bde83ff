"""Names and parsers shared by the Locust side and the tokenprobe side, without importing Locust.

Importing ``locust`` monkey-patches the whole process with gevent; the CLI, the release gate
and the test runner must never do that, so everything they need from the load suite lives in
Locust-free modules like this one.
"""

from __future__ import annotations

import re

SCENARIOS = {
    # weight key: request entry name in Locust's statistics
    "valid_login": "valid login",
    "wrong_password": "wrong password",
    "unknown_user": "unknown user",
    "malformed_body": "malformed body",
    "login_storm": "login storm",
}
MAX_DURATION_S = 4 * 3600.0
# Locust's timespan syntax ("90", "30s", "5m", "1h30m"), for callers that must not import it.
_TIMESPAN = re.compile(r"^(?:(?P<h>\d+)h)?\s*(?:(?P<m>\d+)m)?\s*(?:(?P<s>\d+(?:\.\d+)?)s?)?$")


class LoadConfigError(ValueError):
    """A load option has a bad value."""


def parse_weights(text: str) -> dict[str, int]:
    """``name=weight,...`` → weights for every scenario (unnamed ones are 0)."""
    weights = {key: 0 for key in SCENARIOS}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in SCENARIOS:
            raise LoadConfigError(f"weight {item!r}: expected one of {', '.join(SCENARIOS)}=N")
        try:
            weights[key] = int(value)
        except ValueError:
            raise LoadConfigError(f"weight {item!r}: {value!r} is not a whole number") from None
        if weights[key] < 0:
            raise LoadConfigError(f"weight {item!r} is negative")
    if not any(weights.values()):
        raise LoadConfigError("every scenario weight is 0: nothing to run")
    return weights


def parse_duration(text: str) -> float:
    """``30s``, ``5m``, ``1h30m`` or plain seconds → seconds within (0, 4 h]."""
    match = _TIMESPAN.match(text.strip())
    if not text.strip() or not match or not any(match.groupdict().values()):
        raise LoadConfigError(f"{text!r} is not a duration like 30s, 5m or 1h30m")
    h, m, s = (float(match[k] or 0) for k in ("h", "m", "s"))
    seconds = h * 3600 + m * 60 + s
    if not 0 < seconds <= MAX_DURATION_S:
        raise LoadConfigError(f"duration must be within 0-{MAX_DURATION_S:g} s, got {seconds:g}")
    return seconds
