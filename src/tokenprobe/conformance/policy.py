"""Configurable policy of the token-aware checks, read from ``schemathesis.toml``.

Each check reads its own section, ``[checks.<check name>]``, through Schemathesis' check
configuration, so QA tunes tokenprobe exactly as it tunes Schemathesis::

    [checks.token_lifetime_within_policy]
    access_max_s = 604800     # the service's documented 7 days
    [checks.protocol_answer_well_formed]
    statuses = ["405", "415", "429"]

``tokenprobe`` renders a run's ``schemathesis.toml`` with the ``[policy]`` of ``tokenprobe.toml``
(`tokenprobe.core.native_files`). Where set, ``TOKENPROBE_POLICY`` wins over the file: JSON such
as ``{"algorithms": ["RS256"], "lifetimes": {"access_max_s": 900}}`` (keys as in the sections
above), so a CI job can change the policy of a plain ``schemathesis run`` without editing the file.
Without either, the checks use `tokenprobe.core.defaults`. ``[checks.SuccessPathExercised]
require-complete = true`` makes a run without credentials fail (`require_complete`). `validate`
reads all of it before a run, so a bad value is one error then, not one in every case.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from typing import Any

from schemathesis.config import ChecksConfig

from tokenprobe.core import defaults
from tokenprobe.core.errors import ConfigError

POLICY_ENV = "TOKENPROBE_POLICY"


def _policy_from_environment() -> dict[str, Any]:
    try:
        value = json.loads(os.environ.get(POLICY_ENV) or "{}")
    except json.JSONDecodeError:
        raise ConfigError(f"{POLICY_ENV} is not JSON") from None
    return value if isinstance(value, dict) else {}


@dataclasses.dataclass(frozen=True)
class Lifetimes:
    """Upper bounds in seconds: above ``max`` fails, above ``warn`` is reported as a warning."""

    access_max_s: float = defaults.ACCESS_MAX_LIFETIME_S
    access_warn_s: float = defaults.ACCESS_WARN_LIFETIME_S
    refresh_max_s: float = defaults.REFRESH_MAX_LIFETIME_S
    refresh_warn_s: float = defaults.REFRESH_WARN_LIFETIME_S

    def bounds(self, role: str) -> tuple[float, float]:
        return (
            (self.access_max_s, self.access_warn_s)
            if role == "access"
            else (self.refresh_max_s, self.refresh_warn_s)
        )


def section(config: ChecksConfig, check_name: str) -> Mapping[str, Any]:
    return config.custom_kwargs.get(check_name, {})


def algorithms(config: ChecksConfig) -> frozenset[str]:
    values = _policy_from_environment().get("algorithms") or section(
        config, "token_algorithm_allowed"
    ).get("algorithms", defaults.JWS_ALGORITHMS)
    allowed = frozenset(str(v) for v in values)
    # RFC 8725 §3.2: "none" is never acceptable, whatever the configuration says.
    return allowed - {"none", "None", "NONE"}


def lifetimes(config: ChecksConfig) -> Lifetimes:
    values = {
        **section(config, "token_lifetime_within_policy"),
        **_policy_from_environment().get("lifetimes", {}),
    }
    known = {f.name for f in dataclasses.fields(Lifetimes)}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(
            f"[checks.token_lifetime_within_policy]: unknown key(s) {', '.join(sorted(unknown))}"
        )
    return Lifetimes(**{k: float(v) for k, v in values.items()})


def protocol_statuses(config: ChecksConfig) -> frozenset[int]:
    values = section(config, "protocol_answer_well_formed").get(
        "statuses", defaults.PROTOCOL_STATUSES
    )
    return frozenset(int(v) for v in values)


SUCCESS_PATH_CHECK = "SuccessPathExercised"
REQUIRE_COMPLETE = "require-complete"


def require_complete(settings: Mapping[str, Any]) -> bool:
    """``[checks.SuccessPathExercised] require-complete`` (true or false, default false): a run
    without credentials, whose success path could not be exercised, fails instead of warning."""
    unknown = set(settings) - {REQUIRE_COMPLETE}
    if unknown:
        raise ConfigError(
            f"[checks.{SUCCESS_PATH_CHECK}]: unknown key(s) {', '.join(sorted(unknown))}"
            f" (expected: {REQUIRE_COMPLETE})"
        )
    value = settings.get(REQUIRE_COMPLETE, False)
    if not isinstance(value, bool):
        raise ConfigError(
            f"[checks.{SUCCESS_PATH_CHECK}] {REQUIRE_COMPLETE}: expected true or false,"
            f" got {value!r}"
        )
    return value


def validate(config: ChecksConfig) -> None:
    """Read every tokenprobe setting once, before a run: a bad one (in ``schemathesis.toml`` or
    ``TOKENPROBE_POLICY``) is then one `ConfigError`, not an error in every case that reads it
    (the token checks read the policy only on a 200, so without credentials never at all)."""
    readers = {
        "token_algorithm_allowed": algorithms,
        "token_lifetime_within_policy": lifetimes,
        "protocol_answer_well_formed": protocol_statuses,
    }
    for check_name, read in readers.items():
        try:
            read(config)
        except (TypeError, ValueError) as exc:  # a value of the wrong type or form
            raise ConfigError(f"[checks.{check_name}]: {exc}") from None
    require_complete(section(config, SUCCESS_PATH_CHECK))
