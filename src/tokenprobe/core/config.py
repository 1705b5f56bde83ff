"""Configuration: one file, overridden by environment variables, overridden by options.

Where the file comes from, first match wins: ``--config FILE``, ``TOKENPROBE_CONFIG``,
``tokenprobe.toml`` in the current directory, ``[tool.tokenprobe]`` in ``pyproject.toml`` there.
No file is fine: every key has a default. Precedence per key, highest first::

    command-line option  >  environment variable  >  configuration file  >  default

The merged document is validated against `tokenprobe.core.config_schema.CONFIG_SCHEMA`; a bad key
raises `ConfigError` with one line naming the key and where it came from. Relative paths in the
file are relative to the file; relative paths from options and variables to the cwd.
``tokenprobe init`` writes a ``tokenprobe.toml`` documenting every key and its default
(`tokenprobe.core.native_config`); the defaults themselves live in `tokenprobe.core.defaults`.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tokenprobe.core import defaults
from tokenprobe.core.config_schema import CONFIG_SCHEMA
from tokenprobe.core.durations import DurationError, parse_duration
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.findings import Severity
from tokenprobe.core.token_fields import ACCESS_FIELD_ENV, REFRESH_FIELD_ENV, TokenFields
from tokenprobe.core.validation import validate_document

CONFIG_FILE = "tokenprobe.toml"
PYPROJECT_FILE = "pyproject.toml"
ENV_CONFIG = "TOKENPROBE_CONFIG"
# Environment variable → dotted key it sets. TOKENPROBE_USERNAME/PASSWORD stay with
# `tokenprobe.core.credentials`: a password never passes through the configuration.
ENVIRONMENT_KEYS = {
    "TOKENPROBE_URL": "target.url",
    "TOKENPROBE_CREDENTIALS": "target.credentials",
    "TOKENPROBE_BASELINE": "baseline.path",
    "TOKENPROBE_REPORT_DIR": "reports.dir",
    "TOKENPROBE_LOAD_ALLOWED_HOSTS": "load.allowed-hosts",  # comma-separated
    ACCESS_FIELD_ENV: "target.access-field",
    REFRESH_FIELD_ENV: "target.refresh-field",
}
LIST_KEYS = {"load.allowed-hosts", "policy.allowed-algorithms"}
PATH_KEYS = {"target.credentials", "baseline.path", "reports.dir", "security.verify-key-file"}


@dataclasses.dataclass(frozen=True)
class TargetConfig:
    url: str | None = None  # base URL; None → the embedded reference target
    credentials: Path | None = None  # CSV "username,password"; None → environment / embedded
    # The 200's fields that carry the pair.
    token_fields: TokenFields = dataclasses.field(default_factory=TokenFields)


@dataclasses.dataclass(frozen=True)
class TokenPolicy:
    """Issued tokens: above ``*_max`` is an error finding, above ``*_warn`` a warning."""

    allowed_algorithms: tuple[str, ...] = defaults.JWS_ALGORITHMS
    access_max_lifetime_s: int = defaults.ACCESS_MAX_LIFETIME_S
    access_warn_lifetime_s: int = defaults.ACCESS_WARN_LIFETIME_S
    refresh_max_lifetime_s: int = defaults.REFRESH_MAX_LIFETIME_S
    refresh_warn_lifetime_s: int = defaults.REFRESH_WARN_LIFETIME_S


@dataclasses.dataclass(frozen=True)
class LatencySlo:
    p95_ms: float | None = None
    p99_ms: float | None = None


@dataclasses.dataclass(frozen=True)
class SloConfig:
    error_ratio: float | None = defaults.SLO_ERROR_RATIO
    min_throughput_rps: float | None = None
    # Scenario key (`defaults.LOAD_SCENARIOS`) → thresholds; "total" covers every request.
    latency: Mapping[str, LatencySlo] = dataclasses.field(
        default_factory=lambda: {
            "total": LatencySlo(p95_ms=defaults.SLO_P95_MS, p99_ms=defaults.SLO_P99_MS)
        }
    )


@dataclasses.dataclass(frozen=True)
class LoadConfig:
    allowed_hosts: tuple[str, ...] = ()  # non-loopback hosts that may be load-tested


@dataclasses.dataclass(frozen=True)
class SecurityConfig:
    canary_username_env: str = defaults.CANARY_USERNAME_ENV
    canary_password_env: str = defaults.CANARY_PASSWORD_ENV
    brute_force_attempts: int = defaults.BRUTE_FORCE_ATTEMPTS
    # Wrong passwords any one account may receive in a run (below the target's lockout).
    failures_per_account: int = defaults.FAILURES_PER_ACCOUNT
    # A file holding the real HMAC verification key (the key never goes in this file).
    verify_key_file: Path | None = None
    # Login fields besides the username the target accepts ("email"): probed for enumeration
    # even when the target gives no sign of them (tokenprobe.security.login_fields).
    login_fields: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ConformanceConfig:
    max_examples: int | None = None  # fuzzing cases per operation; None → schemathesis.toml's


@dataclasses.dataclass(frozen=True)
class GateConfig:
    # Checks that could not be evaluated fail the gate (they are errors, not warnings).
    require_complete: bool = False
    max_time_s: float = defaults.GATE_MAX_TIME_S  # the whole gate ends within this


@dataclasses.dataclass(frozen=True)
class RegressionConfig:
    """How ``--compare`` judges this run's load numbers against a previous run's."""

    tolerance: float = defaults.REGRESSION_TOLERANCE
    percentiles: tuple[str, ...] = defaults.REGRESSION_PERCENTILES
    confidence: float = defaults.REGRESSION_CONFIDENCE
    min_tail_samples: int = defaults.REGRESSION_MIN_TAIL_SAMPLES
    resamples: int = defaults.REGRESSION_RESAMPLES
    resample: str = defaults.REGRESSION_RESAMPLE
    drift_runs: int = defaults.REGRESSION_DRIFT_RUNS
    # The gate's load stage with --compare: this rate, sending until decided or this long.
    load_rate: float = defaults.GATE_COMPARE_LOAD_RATE_PER_S
    max_load_s: float = defaults.GATE_COMPARE_MAX_LOAD_S


@dataclasses.dataclass(frozen=True)
class Config:
    source: Path | None = None  # the file read, None when defaults only
    target: TargetConfig = TargetConfig()
    policy: TokenPolicy = TokenPolicy()
    slo: SloConfig = SloConfig()
    severities: Mapping[str, Severity] = dataclasses.field(default_factory=dict)
    load: LoadConfig = LoadConfig()
    security: SecurityConfig = SecurityConfig()
    conformance: ConformanceConfig = ConformanceConfig()
    gate: GateConfig = GateConfig()
    regression: RegressionConfig = RegressionConfig()
    baseline_path: Path = Path(defaults.BASELINE_FILE)
    report_root: Path = Path(defaults.REPORT_ROOT)


def load_config(
    config_file: str | os.PathLike[str] | None = None,
    *,
    flags: Mapping[str, Any] | None = None,
    flag_names: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Config:
    """Find, read, merge and validate the configuration.

    ``flags`` maps dotted keys (``"target.url"``) to option values as click gives them; None
    (or ``()`` from a ``multiple=True`` option) means "not given".
    ``flag_names`` maps the same keys to the option's name for error messages (``"--url"``).
    """
    env = os.environ if environ is None else environ
    here = cwd or Path.cwd()
    path, document = read_config_file(find_config_file(config_file, env, here))
    source = display_path(path) if path else "configuration"
    origins: dict[str, str] = {}
    env_names = {key: name for name, key in ENVIRONMENT_KEYS.items()}
    merged = overlay(document, environment_values(env), origins, env_names.__getitem__)
    names = flag_names or {}
    given = {k: flag_value(v) for k, v in (flags or {}).items() if v is not None and v != ()}
    merged = overlay(merged, given, origins, lambda key: names.get(key, f"option for {key}"))
    validate_document(merged, CONFIG_SCHEMA, source, origins)
    base = path.parent if path else here
    return build_config(merged, path, lambda key, p: p if key in origins else base / p)


def flag_value(value: Any) -> Any:
    """Paths and tuples from click as the TOML types the schema checks (str, list)."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, tuple):
        return [flag_value(v) for v in value]
    return value


def display_path(path: Path) -> str:
    """Relative to the cwd when inside it: what the user would type."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def find_config_file(
    explicit: str | os.PathLike[str] | None, env: Mapping[str, str], cwd: Path
) -> Path | None:
    if explicit is not None:
        return Path(explicit)
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG])
    for name in (CONFIG_FILE, PYPROJECT_FILE):
        if (cwd / name).is_file():
            return cwd / name
    return None


def read_config_file(path: Path | None) -> tuple[Path | None, dict[str, Any]]:
    """The file's tokenprobe table; ``(None, {})`` for a pyproject.toml without one."""
    if path is None:
        return None, {}
    shown = display_path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {shown} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {shown}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {shown} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: invalid TOML: {exc}") from None
    if path.name != PYPROJECT_FILE:
        return path, document
    tool = document.get("tool")
    table = tool.get("tokenprobe") if isinstance(tool, dict) else None
    if table is None:
        return None, {}
    if not isinstance(table, dict):
        raise ConfigError(f"{shown}: [tool.tokenprobe] must be a table")
    return path, table


def environment_values(env: Mapping[str, str]) -> dict[str, Any]:
    """Dotted key → value for every configuration variable that is set and non-empty."""
    values: dict[str, Any] = {}
    for name, key in ENVIRONMENT_KEYS.items():
        if raw := env.get(name, "").strip():
            values[key] = (
                [p.strip() for p in raw.split(",") if p.strip()] if key in LIST_KEYS else raw
            )
    return values


def overlay(
    document: Mapping[str, Any],
    overrides: Mapping[str, Any],
    origins: dict[str, str],
    origin_label: Any,
) -> dict[str, Any]:
    """The precedence helper: a copy of ``document`` with dotted ``overrides`` set on top.

    Records in ``origins`` where each overridden key came from (``origin_label(key)``), so a
    validation error names the variable or option, not the file.
    """
    merged = _deep_copy(document)
    for key, value in overrides.items():
        table = merged
        *parents, leaf = key.split(".")
        for part in parents:
            if not isinstance(table.get(part), dict):
                table[part] = {}
            table = table[part]
        table[leaf] = value
        origins[key] = origin_label(key)
    return merged


def _deep_copy(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deep_copy(v) if isinstance(v, Mapping) else v for k, v in document.items()}


def build_config(doc: Mapping[str, Any], source: Path | None, resolve: Any) -> Config:
    """Typed `Config` from a validated document; ``resolve(key, path)`` anchors relative paths."""
    defaults = Config()

    def path_of(key: str, default: Path | None) -> Path | None:
        table, leaf = key.split(".")
        raw = doc.get(table, {}).get(leaf)
        return default if raw is None else resolve(key, Path(raw))

    target = doc.get("target", {})
    slo = doc.get("slo", {})
    security = doc.get("security", {})
    return Config(
        source=source,
        target=TargetConfig(
            url=target.get("url"),
            credentials=path_of("target.credentials", None),
            token_fields=TokenFields(
                access=target.get("access-field", defaults.target.token_fields.access),
                refresh=target.get("refresh-field", defaults.target.token_fields.refresh),
            ),
        ),
        policy=build_policy(
            doc.get("policy", {}), display_path(source) if source else "configuration"
        ),
        slo=SloConfig(
            error_ratio=slo.get("error-ratio", defaults.slo.error_ratio),
            min_throughput_rps=slo.get("min-throughput-rps"),
            latency=latency_slos(slo.get("latency", {}), source) or defaults.slo.latency,
        ),
        severities={k: Severity.parse(v) for k, v in doc.get("severities", {}).items()},
        load=LoadConfig(allowed_hosts=tuple(doc.get("load", {}).get("allowed-hosts", ()))),
        security=SecurityConfig(
            canary_username_env=security.get(
                "canary-username-env", defaults.security.canary_username_env
            ),
            canary_password_env=security.get(
                "canary-password-env", defaults.security.canary_password_env
            ),
            brute_force_attempts=security.get(
                "brute-force-attempts", defaults.security.brute_force_attempts
            ),
            failures_per_account=security.get(
                "failures-per-account", defaults.security.failures_per_account
            ),
            verify_key_file=path_of("security.verify-key-file", None),
            login_fields=tuple(security.get("login-fields", ())),
        ),
        conformance=ConformanceConfig(
            max_examples=doc.get("conformance", {}).get("max-examples"),
        ),
        gate=GateConfig(
            require_complete=doc.get("gate", {}).get(
                "require-complete", defaults.gate.require_complete
            ),
            max_time_s=_duration(doc.get("gate", {}), "gate", "max-time", defaults.gate.max_time_s),
        ),
        regression=build_regression(doc.get("regression", {})),
        baseline_path=path_of("baseline.path", defaults.baseline_path),  # type: ignore[arg-type]
        report_root=path_of("reports.dir", defaults.report_root),  # type: ignore[arg-type]
    )


def latency_slos(tables: Mapping[str, Any], source: Path | None) -> dict[str, LatencySlo]:
    """``[slo.latency.<scope>]`` tables by scenario key: a display name (``"valid login"``,
    as configurations written before the keys say) is read as its key."""
    key_of = {name: key for key, name in defaults.LOAD_SCENARIOS.items()}
    latency: dict[str, LatencySlo] = {}
    for name, table in tables.items():
        key = key_of.get(name, name)
        if key in latency:
            where = display_path(source) if source else "configuration"
            raise ConfigError(f"{where}: slo.latency.{key} is given twice (as {name!r} too)")
        latency[key] = LatencySlo(p95_ms=table.get("p95-ms"), p99_ms=table.get("p99-ms"))
    return latency


def build_regression(table: Mapping[str, Any]) -> RegressionConfig:
    default = RegressionConfig()
    return RegressionConfig(
        tolerance=table.get("tolerance", default.tolerance),
        percentiles=tuple(table.get("percentiles", default.percentiles)),
        confidence=table.get("confidence", default.confidence),
        min_tail_samples=table.get("min-tail-samples", default.min_tail_samples),
        resamples=table.get("bootstrap-resamples", default.resamples),
        resample=table.get("resample", default.resample),
        drift_runs=table.get("drift-runs", default.drift_runs),
        load_rate=table.get("load-rate", default.load_rate),
        max_load_s=_duration(table, "regression", "max-load-duration", default.max_load_s),
    )


def build_policy(table: Mapping[str, Any], where: str) -> TokenPolicy:
    """Lifetimes in seconds; a warn threshold above its maximum is a configuration error."""
    default = TokenPolicy()
    policy = TokenPolicy(
        allowed_algorithms=tuple(table.get("allowed-algorithms", default.allowed_algorithms)),
        access_max_lifetime_s=_lifetime(table, "access-max", default.access_max_lifetime_s),
        access_warn_lifetime_s=_lifetime(table, "access-warn", default.access_warn_lifetime_s),
        refresh_max_lifetime_s=_lifetime(table, "refresh-max", default.refresh_max_lifetime_s),
        refresh_warn_lifetime_s=_lifetime(table, "refresh-warn", default.refresh_warn_lifetime_s),
    )
    for kind in ("access", "refresh"):
        warn = getattr(policy, f"{kind}_warn_lifetime_s")
        maximum = getattr(policy, f"{kind}_max_lifetime_s")
        if warn > maximum:
            raise ConfigError(
                f"{where}: policy.{kind}-warn-lifetime ({warn} s) must not exceed "
                f"policy.{kind}-max-lifetime ({maximum} s)"
            )
    return policy


def _lifetime(table: Mapping[str, Any], prefix: str, default: int) -> int:
    # Whole seconds, like a JWT's exp and iat.
    return round(_duration(table, "policy", f"{prefix}-lifetime", default))


def _duration(table: Mapping[str, Any], name: str, key: str, default: float) -> float:
    raw = table.get(key)
    if raw is None:
        return default
    try:
        return parse_duration(raw)
    except DurationError as exc:  # "0s": the schema checks the shape, not the value
        raise DurationError(f"{name}.{key}: {exc}") from None


def slo_text(slo: SloConfig) -> str:
    """The SLOs in the load suite's threshold syntax (``p95<500, p99<1000, error_ratio<0.01``):
    what ``--tp-slo`` and ``tp-slo`` in ``locust.conf`` take."""
    items = []
    for scenario, latency in slo.latency.items():
        where = "" if scenario == "total" else f"[{scenario}]"
        if latency.p95_ms is not None:
            items.append(f"p95{where}<{latency.p95_ms:g}")
        if latency.p99_ms is not None:
            items.append(f"p99{where}<{latency.p99_ms:g}")
    if slo.error_ratio is not None:
        items.append(f"error_ratio<{slo.error_ratio:g}")
    if slo.min_throughput_rps is not None:
        items.append(f"throughput_rps>{slo.min_throughput_rps:g}")
    return ", ".join(items)
