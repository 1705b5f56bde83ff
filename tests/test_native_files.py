"""One source for every default: the rendered native files say what the code does.

`tokenprobe.core.defaults` is read by the configuration, the checks, the load suite and the
templates; these tests read each consumer back (Schemathesis' own configuration loader, the load
suite's parsers, Locust's option registrations) and compare.
"""

from __future__ import annotations

import json
from pathlib import Path

import jwt.algorithms
import pytest
from schemathesis.config import ChecksConfig, SchemathesisConfig

from tokenprobe.conformance import policy
from tokenprobe.core import defaults
from tokenprobe.core.config import Config, TokenPolicy
from tokenprobe.core.config_schema import CONFIG_SCHEMA
from tokenprobe.core.native_files import (
    render_locust_conf,
    render_schemathesis_toml,
    toml_key,
    toml_value,
)
from tokenprobe.core.settings import whole_duration
from tokenprobe.load import locust_options
from tokenprobe.load.runner import LoadOptions
from tokenprobe.load.settings import parse_weights
from tokenprobe.load.slo import parse_slos

# A policy unlike the defaults in every field.
STRICT_POLICY = TokenPolicy(
    allowed_algorithms=("RS256", "ES256K"),
    access_max_lifetime_s=900,
    access_warn_lifetime_s=300,
    refresh_max_lifetime_s=86_400,
    refresh_warn_lifetime_s=3_600,
)


def checks_of(text: str) -> ChecksConfig:
    """The checks' configuration as Schemathesis loads it from a schemathesis.toml."""
    return SchemathesisConfig.from_str(text).projects.default.checks


def locust_conf_values() -> dict[str, str]:
    """``key = value`` lines of the rendered locust.conf."""
    pairs = (line.partition("=") for line in render_locust_conf().splitlines())
    return {key.strip(): value.strip() for key, sep, value in pairs if sep and key[0] != "#"}


class RecordingParser:
    """Stands in for Locust's parser: records each option's default (Locust is not imported,
    because importing it monkey-patches this process with gevent)."""

    def __init__(self) -> None:
        self.defaults: dict[str, object] = {}

    def add_argument(self, name: str, **options: object) -> None:
        self.defaults[name.removeprefix("--")] = options.get("default")


def test_schemathesis_toml_gives_the_checks_the_default_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(policy.POLICY_ENV, raising=False)
    text = render_schemathesis_toml()
    checks = checks_of(text)
    assert policy.algorithms(checks) == frozenset(defaults.JWS_ALGORITHMS)
    assert policy.lifetimes(checks) == policy.Lifetimes()
    assert policy.lifetimes(checks).bounds("access") == (
        Config().policy.access_max_lifetime_s,
        Config().policy.access_warn_lifetime_s,
    )
    assert policy.protocol_statuses(checks) == frozenset(defaults.PROTOCOL_STATUSES)
    generation = SchemathesisConfig.from_str(text).projects.default.generation
    assert generation.max_examples == defaults.FUZZ_MAX_EXAMPLES


def test_schemathesis_toml_carries_a_runs_policy_to_the_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """How the gate's [policy] reaches the checks: through the rendered file."""
    monkeypatch.delenv(policy.POLICY_ENV, raising=False)
    checks = checks_of(render_schemathesis_toml(STRICT_POLICY))
    assert policy.algorithms(checks) == {"RS256", "ES256K"}
    assert policy.lifetimes(checks) == policy.Lifetimes(900, 300, 86_400, 3_600)


def test_policy_environment_variable_still_wins_over_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TOKENPROBE_POLICY is an environment contract of the checks: still honoured."""
    setting = {"algorithms": ["PS256"], "lifetimes": {"access_max_s": 60}}
    monkeypatch.setenv(policy.POLICY_ENV, json.dumps(setting))
    checks = checks_of(render_schemathesis_toml(STRICT_POLICY))
    assert policy.algorithms(checks) == {"PS256"}
    assert policy.lifetimes(checks).access_max_s == 60
    assert policy.lifetimes(checks).access_warn_s == 300  # the file's, for keys not set


def test_algorithm_allowlist_is_one_list_pyjwt_can_verify() -> None:
    """The default allowlist, the schema's accepted names and the checks' default are one list;
    PyJWT verifies every one of them, and "none" is not among them."""
    pyjwt = jwt.algorithms.requires_cryptography | {"HS256", "HS384", "HS512"}
    assert set(defaults.JWS_ALGORITHMS) <= pyjwt
    assert "none" not in {name.lower() for name in defaults.JWS_ALGORITHMS}
    items = CONFIG_SCHEMA["properties"]["policy"]["properties"]["allowed-algorithms"]["items"]
    assert items["enum"] == list(defaults.JWS_ALGORITHMS)
    assert Config().policy.allowed_algorithms == defaults.JWS_ALGORITHMS


def test_locust_conf_runs_what_tokenprobe_load_runs() -> None:
    """Plain `locust` with locust.conf and `tokenprobe load` without options: the same run."""
    conf = locust_conf_values()
    load = LoadOptions(report_dir=Path("unused"))
    assert conf["locustfile"] == "loadtests/locustfile.py"
    assert (conf["tp-model"], conf["tp-arrival"], conf["tp-profile"]) == (
        load.model,
        load.arrival,
        load.profile,
    )
    assert float(conf["tp-rate"]) == load.rate
    # Nothing that would fight Locust's own -t/-u/-r: a profile without -t runs its own length.
    assert not {"tp-duration", "tp-users", "run-time", "users", "spawn-rate"} & set(conf)
    assert parse_weights(conf["tp-weights"]) == parse_weights(load.weights)
    assert parse_slos(conf["tp-slo"]) == parse_slos(load.slos)
    assert int(conf["tp-max-requests"]) == load.max_requests
    assert conf["tp-allow-hosts"] == ""


def test_load_slos_are_the_configurations_defaults() -> None:
    """The SLOs of `tokenprobe load` and locust.conf are the gate's: p95, p99, error ratio."""
    slo = Config().slo
    load = LoadOptions(report_dir=Path("unused"))
    thresholds = {t.metric: t.value for t in parse_slos(load.slos)}
    assert thresholds == {
        "p95": slo.latency["total"].p95_ms,
        "p99": slo.latency["total"].p99_ms,
        "error_ratio": slo.error_ratio,
    }


def test_locust_option_defaults_are_tokenprobe_loads() -> None:
    """--tp-* defaults (when neither locust.conf nor the command line sets them)."""
    parser = RecordingParser()
    locust_options.add_arguments(parser)
    load = LoadOptions(report_dir=Path("unused"))
    registered = parser.defaults
    assert registered["tp-model"] == load.model
    assert registered["tp-arrival"] == load.arrival
    assert registered["tp-profile"] == load.profile
    assert registered["tp-rate"] == load.rate
    assert registered["tp-weights"] == load.weights
    assert registered["tp-max-requests"] == load.max_requests
    assert registered["tp-storm-size"] == load.storm_size
    assert registered["tp-stream-rate"] == load.stream_rate


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ('a "b" \\ é', '"a \\"b\\" \\\\ é"'),  # escapes, non-ASCII kept
        (604_800, "604800"),
        (500.0, "500"),  # integral floats as a person writes them
        (0.01, "0.01"),
        (True, "true"),
        (["405", 429], '["405", 429]'),
    ],
)
def test_toml_literals(value: object, literal: str) -> None:
    assert toml_value(value) == literal


@pytest.mark.parametrize(
    ("seconds", "text"), [(604_800, "7d"), (3_600, "1h"), (5_400, "90m"), (61, "61s")]
)
def test_durations_in_the_largest_exact_unit(seconds: int, text: str) -> None:
    assert whole_duration(seconds) == text


def test_toml_keys_quoted_only_when_needed() -> None:
    assert toml_key("total") == "total"
    assert toml_key("valid login") == '"valid login"'
