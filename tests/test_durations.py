"""One duration grammar for options, the configuration file and Locust's options."""

from __future__ import annotations

import jsonschema
import pytest

from tokenprobe.core.config_schema import DURATION
from tokenprobe.core.durations import DURATION_EXPECTED, DurationError, parse_duration
from tokenprobe.core.errors import ConfigError

ACCEPTED = [
    ("90", 90), ("1.5", 1.5), ("30s", 30), ("5m", 300), ("1h30m", 5400), ("7d", 604800),
    ("1d12h", 129600), ("1h 30m", 5400), (" 300 s ", 300), ("2.5m", 150), (300, 300),
]  # fmt: skip
REFUSED = ["", "soon", "5m3", "1h1d", "30 seconds", "-5", "1x", "s", "7 weeks", "1e3"]


@pytest.mark.parametrize(("text", "seconds"), ACCEPTED)
def test_accepted(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", REFUSED)
def test_refused_with_one_wording(text: str) -> None:
    with pytest.raises(DurationError) as excinfo:
        parse_duration(text)
    assert str(excinfo.value) == f"expected {DURATION_EXPECTED}, got {text!r}"


@pytest.mark.parametrize("text", ["0", "0s", "0h0m", 0])
def test_zero_is_no_duration(text: str | int) -> None:
    with pytest.raises(DurationError, match=r"\(more than 0\)"):
        parse_duration(text)


def test_upper_bound() -> None:
    assert parse_duration("4h", max_s=14400) == 14400
    with pytest.raises(DurationError, match=r"\(at most 14400 s\), got '4h1s'"):
        parse_duration("4h1s", max_s=14400)


def test_error_is_a_configuration_error_and_a_value_error() -> None:
    # exit 2 at the command line; a ValueError for parsers (Locust's options, profiles)
    assert issubclass(DurationError, ConfigError)
    assert issubclass(DurationError, ValueError)


@pytest.mark.parametrize("text", [t for t, _ in ACCEPTED if isinstance(t, str)] + REFUSED)
def test_configuration_schema_accepts_exactly_what_the_parser_accepts(text: str) -> None:
    valid = jsonschema.Draft202012Validator(DURATION).is_valid(text)
    assert valid == (text not in REFUSED)
