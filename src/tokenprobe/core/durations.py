"""Durations: one grammar for every duration tokenprobe reads (options, TOML, Locust options).

Plain seconds (``90``, ``1.5``) or amounts with units, largest first, each at most once:
``30s``, ``5m``, ``1h30m``, ``7d``, ``1d12h``. The units are Locust's timespan units plus ``d``
for token lifetimes. An integer from a TOML file means seconds. `DURATION_PATTERN` is the same
grammar as a JSON Schema ``pattern``, so the configuration schema cannot drift from the parser.
"""

from __future__ import annotations

import math
import re

from tokenprobe.core.errors import ConfigError

SECONDS_PER_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}
DURATION_EXPECTED = "a duration such as 90, 30s, 5m, 1h30m or 7d"
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_PARTS = "".join(rf"(?:(?P<{unit}>{_NUMBER})\s*{unit}\s*)?" for unit in SECONDS_PER_UNIT)
# Either a bare number, or at least one "<number><unit>" (the lookahead rules out "").
DURATION_PATTERN = rf"^\s*(?:(?P<seconds>{_NUMBER})|(?=[0-9]){_PARTS})\s*$"
_DURATION = re.compile(DURATION_PATTERN)


class DurationError(ConfigError, ValueError):
    """Not a duration: a configuration error (exit 2) and, for parsers, a ValueError."""


def parse_duration(text: str | int | float, *, max_s: float | None = None) -> float:
    """Seconds in ``text``; raise `DurationError` unless it is positive (and within ``max_s``)."""
    if isinstance(text, bool):  # bool is an int, but True is no duration
        raise DurationError(f"expected {DURATION_EXPECTED}, got {text!r}")
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        match = _DURATION.match(text)
        if match is None:
            raise DurationError(f"expected {DURATION_EXPECTED}, got {text!r}")
        seconds = _seconds(match)
    if not 0 < seconds < math.inf:
        raise DurationError(f"expected {DURATION_EXPECTED} (more than 0), got {text!r}")
    if max_s is not None and seconds > max_s:
        raise DurationError(f"expected {DURATION_EXPECTED} (at most {max_s:g} s), got {text!r}")
    return seconds


def _seconds(match: re.Match[str]) -> float:
    if match["seconds"] is not None:
        return float(match["seconds"])
    return sum(float(match[unit] or 0) * factor for unit, factor in SECONDS_PER_UNIT.items())
