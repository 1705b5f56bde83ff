"""Configurable policy of the token-aware checks, read from ``schemathesis.toml``.

Each check reads its own section, ``[checks.<check name>]``, through Schemathesis' check
configuration, so QA tunes tokenprobe exactly as it tunes Schemathesis::

    [checks.token_lifetime_within_policy]
    access_max_s = 604800     # the service's documented 7 days
    [checks.protocol_answer_well_formed]
    statuses = ["405", "415", "429"]

``tokenprobe gate`` passes the ``[policy]`` of ``tokenprobe.toml`` to the checks as JSON in
``TOKENPROBE_POLICY``; where set, it wins over ``schemathesis.toml``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from typing import Any

from schemathesis.config import ChecksConfig

from tokenprobe.core.config import TokenPolicy
from tokenprobe.core.errors import ConfigError

DAY_S = 86_400
HOUR_S = 3_600

DEFAULT_ALGORITHMS = (
    "HS256", "HS384", "HS512",
    "RS256", "RS384", "RS512",
    "ES256", "ES384", "ES512",
    "PS256", "PS384", "PS512",
    "EdDSA",
)  # fmt: skip
# Statuses that are protocol answers rather than contract violations (issue #3, item 5).
DEFAULT_PROTOCOL_STATUSES = ("405", "415", "429")
POLICY_ENV = "TOKENPROBE_POLICY"


def policy_as_environment(policy: TokenPolicy) -> str:
    """The gate's token policy, in the form the checks read from ``TOKENPROBE_POLICY``."""
    return json.dumps(
        {
            "algorithms": list(policy.allowed_algorithms),
            "lifetimes": {
                "access_max_s": policy.access_max_lifetime_s,
                "access_warn_s": policy.access_warn_lifetime_s,
                "refresh_max_s": policy.refresh_max_lifetime_s,
                "refresh_warn_s": policy.refresh_warn_lifetime_s,
            },
        }
    )


def _policy_from_environment() -> dict[str, Any]:
    try:
        value = json.loads(os.environ.get(POLICY_ENV) or "{}")
    except json.JSONDecodeError:
        raise ConfigError(f"{POLICY_ENV} is not JSON") from None
    return value if isinstance(value, dict) else {}


@dataclasses.dataclass(frozen=True)
class Lifetimes:
    """Upper bounds in seconds: above ``max`` fails, above ``warn`` is reported as a warning."""

    access_max_s: float = 7 * DAY_S  # documented service lifetime
    access_warn_s: float = 1 * HOUR_S
    refresh_max_s: float = 30 * DAY_S  # documented service lifetime
    refresh_warn_s: float = 1 * DAY_S

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
    ).get("algorithms", DEFAULT_ALGORITHMS)
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
        "statuses", DEFAULT_PROTOCOL_STATUSES
    )
    return frozenset(int(v) for v in values)
