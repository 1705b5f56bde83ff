"""Configuration: one file, overridden by environment variables, overridden by options.

Where the file comes from, first match wins: ``--config FILE``, ``TOKENPROBE_CONFIG``,
``tokenprobe.toml`` in the current directory, ``[tool.tokenprobe]`` in ``pyproject.toml`` there.
No file is fine: every key has a default. Precedence per key, highest first::

    command-line option  >  environment variable  >  configuration file  >  default

The merged document is validated against `tokenprobe.core.config_schema.CONFIG_SCHEMA`; a bad key
raises `ConfigError` with one line naming the key and where it came from. Relative paths in the
file are relative to the file; relative paths from options and variables to the cwd.
Each key is declared once, with its type, default, help and validation, in
`tokenprobe.core.settings`; ``tokenprobe init`` writes a ``tokenprobe.toml`` documenting every key
and its default from those declarations (`tokenprobe.core.native_files`).
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
from tokenprobe.core.durations import DurationError
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.findings import Severity
from tokenprobe.core.settings import FILE_SETTINGS, TextList, environment_keys, setting
from tokenprobe.core.token_fields import TokenFields
from tokenprobe.core.validation import validate_document

CONFIG_FILE = "tokenprobe.toml"
PYPROJECT_FILE = "pyproject.toml"
ENV_CONFIG = "TOKENPROBE_CONFIG"
# Environment variable → dotted key it sets (declared with each setting). TOKENPROBE_USERNAME and
# _PASSWORD stay with `tokenprobe.core.credentials`: a password never passes through the
# configuration.
ENVIRONMENT_KEYS = environment_keys()
LIST_KEYS = {entry.key for entry in FILE_SETTINGS if isinstance(entry.kind, TextList)}


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
    profile: str = defaults.GATE_PROFILES[0]  # "production": safe checks under limits
    max_requests: int = defaults.PRODUCTION_MAX_REQUESTS  # the production profile's budget
    max_rate_per_s: float = defaults.PRODUCTION_MAX_RATE_PER_S  # and its highest rate
    keep_runs: int = defaults.MONITOR_KEEP_RUNS  # --every: production runs kept


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
    """Typed `Config` from a validated document; ``resolve(key, path)`` anchors relative paths.
    Each key's value, or its default, is read by its declaration (`tokenprobe.core.settings`)."""

    def value(key: str) -> Any:
        return read_setting(doc, key)

    def path_of(key: str) -> Path | None:
        """A path from the document anchored by ``resolve``; a default is left as it is."""
        entry = setting(key)
        raw = doc.get(entry.table, {}).get(entry.name)
        if raw is None:
            return None if entry.default is None else Path(entry.default)
        return resolve(key, Path(raw))

    slo = doc.get("slo", {})
    return Config(
        source=source,
        target=TargetConfig(
            url=value("target.url"),
            credentials=path_of("target.credentials"),
            token_fields=TokenFields(
                access=value("target.access-field"), refresh=value("target.refresh-field")
            ),
        ),
        policy=build_policy(doc, display_path(source) if source else "configuration"),
        slo=SloConfig(
            error_ratio=value("slo.error-ratio"),
            min_throughput_rps=value("slo.min-throughput-rps"),
            latency=latency_slos(slo.get("latency", {}), source) or SloConfig().latency,
        ),
        severities={k: Severity.parse(v) for k, v in doc.get("severities", {}).items()},
        load=LoadConfig(allowed_hosts=value("load.allowed-hosts") or ()),
        security=SecurityConfig(
            canary_username_env=value("security.canary-username-env"),
            canary_password_env=value("security.canary-password-env"),
            brute_force_attempts=value("security.brute-force-attempts"),
            failures_per_account=value("security.failures-per-account"),
            verify_key_file=path_of("security.verify-key-file"),
            login_fields=value("security.login-fields") or (),
        ),
        conformance=ConformanceConfig(max_examples=value("conformance.max-examples")),
        gate=GateConfig(
            require_complete=value("gate.require-complete"),
            max_time_s=value("gate.max-time"),
            profile=value("gate.profile"),
            max_requests=value("gate.max-requests"),
            max_rate_per_s=value("gate.max-rate"),
            keep_runs=value("gate.keep-runs"),
        ),
        regression=build_regression(doc),
        baseline_path=path_of("baseline.path"),  # type: ignore[arg-type]
        report_root=path_of("reports.dir"),  # type: ignore[arg-type]
    )


def read_setting(doc: Mapping[str, Any], key: str) -> Any:
    """A validated document's value of ``key``, or its default; a duration's value error
    names the key."""
    entry = setting(key)
    try:
        return entry.read(doc.get(entry.table, {}))
    except DurationError as exc:  # "0s": the schema checks the shape, not the value
        raise DurationError(f"{key}: {exc}") from None


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


def build_regression(doc: Mapping[str, Any]) -> RegressionConfig:
    """``[regression]`` of a validated document."""

    def value(name: str) -> Any:
        return read_setting(doc, f"regression.{name}")

    return RegressionConfig(
        tolerance=value("tolerance"),
        percentiles=value("percentiles"),
        confidence=value("confidence"),
        min_tail_samples=value("min-tail-samples"),
        resamples=value("bootstrap-resamples"),
        resample=value("resample"),
        drift_runs=value("drift-runs"),
        load_rate=value("load-rate"),
        max_load_s=value("max-load-duration"),
    )


def build_policy(doc: Mapping[str, Any], where: str) -> TokenPolicy:
    """``[policy]`` of a validated document; a warn threshold above its maximum is a
    configuration error."""

    def value(name: str) -> Any:
        return read_setting(doc, f"policy.{name}")

    policy = TokenPolicy(
        allowed_algorithms=value("allowed-algorithms"),
        access_max_lifetime_s=value("access-max-lifetime"),
        access_warn_lifetime_s=value("access-warn-lifetime"),
        refresh_max_lifetime_s=value("refresh-max-lifetime"),
        refresh_warn_lifetime_s=value("refresh-warn-lifetime"),
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
