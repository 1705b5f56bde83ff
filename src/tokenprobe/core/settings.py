"""Every setting a user can give, declared once: its name, type, default, help and validation.

One `Setting` per thing a user sets in the configuration file, an environment variable, a
``tokenprobe`` option or a Locust option. Everything else is generated from these declarations:

* the configuration file's JSON Schema (`tokenprobe.core.config_schema`) and the variables that
  set file keys (`tokenprobe.core.config`);
* the commented example file ``tokenprobe init`` writes (``tokenprobe.toml.j2``);
* the ``tokenprobe`` options that set the same things (`tokenprobe.cli.options.setting_option`)
  and tokenprobe's Locust options (`tokenprobe.load.locust_options`): type, range (checked by
  click, and by `tokenprobe.load.locust_options.parse_options` with `admits`), default, help;
* the settings tables of docs/gate.md and docs/regression.md (file keys) and docs/load.md (load
  options), which tests/test_docs.py compares with `file_table` and `load_table`
  (``python -m tests.test_docs`` rewrites them).

A default is a `tokenprobe.core.defaults` constant (durations in seconds): one source each.
The file's two tables of free keys (``[slo.latency.<scenario>]``, ``[severities]``) are not
settings but tables of them; `tokenprobe.core.config_schema` declares their shape.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from tokenprobe.core import defaults
from tokenprobe.core.durations import DURATION_EXPECTED, DURATION_PATTERN, parse_duration
from tokenprobe.core.token_fields import ACCESS_FIELD_ENV, REFRESH_FIELD_ENV

# -- kinds of value ----------------------------------------------------------------------------


class AsWritten:
    """A kind whose value the file holds as it is used (only durations and lists convert)."""

    def read(self, raw: Any) -> Any:
        return raw


def _is_real(value: Any) -> bool:
    """A number, and not a bool (Python's bools are ints)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclasses.dataclass(frozen=True)
class Integer(AsWritten):
    minimum: int
    maximum: int | None = None
    expected: str = ""

    def describe(self) -> str:
        if self.expected:
            return self.expected
        if self.maximum is None:
            return f"a whole number ≥ {self.minimum}"
        return f"an integer between {self.minimum} and {self.maximum}"

    def admits(self, value: Any) -> bool:
        whole = _is_real(value) and isinstance(value, int)
        return whole and self.minimum <= value and (self.maximum is None or value <= self.maximum)

    def schema(self) -> dict[str, Any]:
        bounds = {"minimum": self.minimum}
        if self.maximum is not None:
            bounds["maximum"] = self.maximum
        return {"type": "integer", **bounds}


@dataclasses.dataclass(frozen=True)
class Number(AsWritten):
    minimum: float
    maximum: float | None = None
    above_minimum: bool = False  # the minimum itself is not allowed
    expected: str = ""

    def describe(self) -> str:
        if self.expected:
            return self.expected
        low = f"a number {'>' if self.above_minimum else '≥'} {self.minimum:g}"
        return low if self.maximum is None else f"{low} and ≤ {self.maximum:g}"

    def admits(self, value: Any) -> bool:
        if not _is_real(value):
            return False
        low = value > self.minimum if self.above_minimum else value >= self.minimum
        return low and (self.maximum is None or value <= self.maximum)

    def schema(self) -> dict[str, Any]:
        bound = "exclusiveMinimum" if self.above_minimum else "minimum"
        schema: dict[str, Any] = {"type": "number", bound: self.minimum}
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


@dataclasses.dataclass(frozen=True)
class Duration:
    """``90``, ``30s``, ``5m``, ``1h30m``, ``7d`` (`tokenprobe.core.durations`); an integer in
    the file means seconds. Read as seconds."""

    max_s: float | None = None
    whole_seconds: bool = False  # token lifetimes: whole seconds, like exp and iat

    def describe(self) -> str:
        return DURATION_EXPECTED

    def admits(self, value: Any) -> bool:
        """Seconds, as a parsed duration is."""
        return _is_real(value) and value > 0 and (self.max_s is None or value <= self.max_s)

    def schema(self) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "pattern": DURATION_PATTERN},
            ]
        }

    def read(self, raw: Any) -> Any:
        seconds = parse_duration(raw, max_s=self.max_s)
        return round(seconds) if self.whole_seconds else seconds


@dataclasses.dataclass(frozen=True)
class Choice(AsWritten):
    values: tuple[str, ...]
    expected: str = ""

    def describe(self) -> str:
        return self.expected or f"one of {', '.join(self.values)}"

    def admits(self, value: Any) -> bool:
        return value in self.values

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.values)}


@dataclasses.dataclass(frozen=True)
class Flag(AsWritten):
    def describe(self) -> str:
        return "true or false"

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclasses.dataclass(frozen=True)
class Text(AsWritten):
    expected: str = "a string"
    pattern: str | None = None
    path: bool = False  # a file or folder: relative to the file it is written in

    def describe(self) -> str:
        return self.expected

    def admits(self, value: Any) -> bool:
        """Any string: what it means is parsed where it is used (weights, SLOs)."""
        return isinstance(value, str)

    def schema(self) -> dict[str, Any]:
        if self.pattern:
            return {"type": "string", "pattern": self.pattern}
        return {"type": "string", "minLength": 1}


@dataclasses.dataclass(frozen=True)
class TextList:
    """A list in the file, comma-separated in an environment variable; read as a tuple."""

    item: Choice | Text
    expected: str
    non_empty: bool = False
    distinct: bool = False

    def describe(self) -> str:
        return self.expected

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "array",
            "items": {**self.item.schema(), "x-expected": self.item.describe()},
        }
        if self.non_empty:
            schema["minItems"] = 1
        if self.distinct:
            schema["uniqueItems"] = True
        return schema

    def read(self, raw: Any) -> Any:
        return tuple(raw)


Kind = Integer | Number | Duration | Choice | Flag | Text | TextList


# -- a setting ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Setting:
    """One setting. ``table`` is its table in the configuration file (``""``: not a file key);
    ``option`` the ``tokenprobe`` option that sets it, ``locust`` tokenprobe's Locust option
    for it, ``env`` the environment variable; ``example`` is what the example file shows for
    a setting without a default."""

    table: str
    name: str
    kind: Kind
    help: str
    default: Any = None
    example: Any = None
    env: str | None = None
    option: str | None = None
    locust: str | None = None
    # Locust's own option for the same value (``-u``, ``--processes``). When tokenprobe has a
    # Locust option for it too (``--tp-users``), that one is "not given" unless typed, so that
    # the two can be told apart, and refused if they disagree.
    twin: str | None = None
    unset: str = ""  # what applies without a default ("the profile's")

    @property
    def key(self) -> str:
        """The dotted key of the file (``security.failures-per-account``)."""
        return f"{self.table}.{self.name}"

    @property
    def option_dest(self) -> str:
        """The parameter click gives its ``tokenprobe`` option's value (``max_rate``)."""
        return option_dest(self.option or "")

    @property
    def locust_dest(self) -> str:
        """The attribute argparse gives its Locust option's value (``tp_max_rate``)."""
        return option_dest(self.locust or "")

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of its value, with the wording of its one-line error."""
        return {**self.kind.schema(), "x-expected": self.kind.describe()}

    def read(self, table: dict[str, Any]) -> Any:
        """Its value in a validated file ``table`` (durations in seconds, lists as tuples), or
        its default."""
        raw = table.get(self.name)
        return self.default if raw is None else self.kind.read(raw)


def option_dest(option: str) -> str:
    """Where click and argparse alike put an option's value: ``--max-rate`` → ``max_rate``."""
    return option.removeprefix("--").replace("-", "_")


PERCENT_RATIO = "0.05 = 5 %"


# -- the configuration file ---------------------------------------------------------------------

# Each table's heading in the example file.
TABLES = {
    "target": "The service under test.",
    "policy": "Issued tokens: above a maximum is an error finding, above a warn threshold a "
    "warning.",
    "slo": "Load SLOs, checked on the gate's load smoke and by `tokenprobe load`. A breach "
    "fails the gate.",
    "severities": "Re-grade a finding by its ID: error (fails the gate), warning or info "
    "(reported only).",
    "load": "Where load may be sent.",
    "baseline": "Known deviations (docs/gate.md).",
    "security": "The security probes (docs/security.md).",
    "conformance": "The conformance suite (docs/conformance.md).",
    "gate": "The release gate (docs/gate.md).",
    "regression": "`--compare PREVIOUS_RUN`: is each latency percentile, error ratio and "
    "capacity of this run worse than the previous run's by more than the tolerance? A bootstrap "
    "confidence interval of new/previous decides: regressed (fails the gate), improved, "
    "unchanged or inconclusive (docs/regression.md).",
    "reports": "Where runs are written.",
}

FILE_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "target", "url",
        Text("an http(s) base URL such as https://api.example.com", pattern=r"^https?://[^/\s]+"),
        "Base URL of the service; its token endpoint is URL/api/v1/token/. Unset: the embedded "
        "reference target.",
        example="https://staging.example.com", env="TOKENPROBE_URL", option="--url",
    ),
    Setting(
        "target", "credentials", Text("a path to a CSV file", path=True),
        "CSV file username,password[,email] (mode 0600, never committed) of valid accounts; with "
        "TOKENPROBE_USERNAME + TOKENPROBE_PASSWORD as well, every command uses the union.",
        example=".tokenprobe/staging.credentials.csv", env="TOKENPROBE_CREDENTIALS",
        option="--credentials",
    ),
    Setting(
        "target", "access-field", Text("a JSON field name"),
        "The field of a 200 that carries the access token; every other field is data, never a "
        "token.",
        default=defaults.ACCESS_FIELD, env=ACCESS_FIELD_ENV,
    ),
    Setting(
        "target", "refresh-field", Text("a JSON field name"),
        "The field of a 200 that carries the refresh token.",
        default=defaults.REFRESH_FIELD, env=REFRESH_FIELD_ENV,
    ),
    Setting(
        "policy", "allowed-algorithms",
        TextList(
            Choice(
                defaults.JWS_ALGORITHMS,
                "a JWS algorithm such as HS256, RS256, ES256, EdDSA ('none' is never allowed, "
                "RFC 8725)",
            ),
            "a non-empty list of distinct JWS algorithms", non_empty=True, distinct=True,
        ),
        "JWS algorithms issued tokens may use: every registered one except none (RFC 8725).",
        default=defaults.JWS_ALGORITHMS,
    ),
    Setting(
        "policy", "access-max-lifetime", Duration(whole_seconds=True),
        "Longest access-token lifetime (exp - iat): longer is an error finding; the service's "
        "documented access lifetime.",
        default=defaults.ACCESS_MAX_LIFETIME_S,
    ),
    Setting(
        "policy", "access-warn-lifetime", Duration(whole_seconds=True),
        "Access-token lifetime above which a warning is raised (at most access-max-lifetime).",
        default=defaults.ACCESS_WARN_LIFETIME_S,
    ),
    Setting(
        "policy", "refresh-max-lifetime", Duration(whole_seconds=True),
        "Longest refresh-token lifetime: longer is an error finding; the documented refresh "
        "lifetime.",
        default=defaults.REFRESH_MAX_LIFETIME_S,
    ),
    Setting(
        "policy", "refresh-warn-lifetime", Duration(whole_seconds=True),
        "Refresh-token lifetime above which a warning is raised (at most refresh-max-lifetime).",
        default=defaults.REFRESH_WARN_LIFETIME_S,
    ),
    Setting(
        "slo", "error-ratio", Number(0, 1, expected="a ratio between 0 and 1"),
        "Failed requests / all requests above this breach the SLO.",
        default=defaults.SLO_ERROR_RATIO,
    ),
    Setting(
        "slo", "min-throughput-rps", Number(0, expected="requests per second as a number ≥ 0"),
        "Completed requests per second over the run below this breach the SLO. Default: none.",
        example=20,
    ),
    Setting(
        "load", "allowed-hosts",
        TextList(Text(), "a list of host names"),
        "Hosts other than 127.0.0.1, ::1 and localhost that may be load-tested (the variable: "
        "comma-separated). Default: none.",
        example=("staging.example.com",), env="TOKENPROBE_LOAD_ALLOWED_HOSTS",
        option="--allow-host",
    ),
    Setting(
        "baseline", "path", Text("a file path", path=True),
        "Known-deviation file of accepted finding IDs (a reason and an expiry each); a missing "
        "file accepts nothing.",
        default=defaults.BASELINE_FILE, env="TOKENPROBE_BASELINE",
    ),
    Setting(
        "security", "canary-username-env",
        Text("an environment variable name", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$"),
        "The variable holding the username of the canary account, the only one the brute-force "
        "probe ever targets.",
        default=defaults.CANARY_USERNAME_ENV,
    ),
    Setting(
        "security", "canary-password-env",
        Text("an environment variable name", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$"),
        "The variable holding the canary's password.",
        default=defaults.CANARY_PASSWORD_ENV, option="--canary-password-env",
    ),
    Setting(
        "security", "brute-force-attempts", Integer(1, 1000),
        "Consecutive wrong passwords the brute-force probe sends the canary.",
        default=defaults.BRUTE_FORCE_ATTEMPTS, option="--brute-force-attempts",
    ),
    Setting(
        "security", "failures-per-account", Integer(1, 1000),
        "Wrong passwords any one account may receive in a run: keep it below the target's "
        "lockout. One account at the default evaluates every error-severity probe.",
        default=defaults.FAILURES_PER_ACCOUNT, option="--failures-per-account",
    ),
    Setting(
        "security", "verify-key-file", Text("a path to a key file", path=True),
        "A file holding the HMAC key tokens must verify with (TP-SEC-010), never the key "
        "itself. Default: none (TP-SEC-010 not evaluated).",
        example=".tokenprobe/signing.key", option="--verify-key-file",
    ),
    Setting(
        "security", "login-fields",
        TextList(
            Choice(("email",), "email"),
            'a list of login fields besides the username: ["email"]', distinct=True,
        ),
        "Login fields besides the username the target accepts (dj-rest-auth takes an email): "
        "TP-SEC-018 and TP-SEC-019 probe them with the accounts' emails. Found from the "
        "target's answers too; listed here, a field is never passed over. Default: none.",
        example=("email",),
    ),
    Setting(
        "conformance", "max-examples", Integer(1, expected="a whole number of cases ≥ 1"),
        "Fuzzing cases per operation (Schemathesis' max-examples); boundary and coverage cases "
        "add more. Default: schemathesis.toml's.",
        example=defaults.FUZZ_MAX_EXAMPLES,
    ),
    Setting(
        "gate", "require-complete", Flag(),
        "Fail the gate when a check could not be evaluated (no credentials, canary or key; a "
        "429) instead of passing with N checks not evaluated.",
        default=False, option="--require-complete",
    ),
    Setting(
        "gate", "profile", Choice(defaults.GATE_PROFILES),
        "staging: every stage, for a service that may take load and wrong passwords; "
        "production: safe checks only, within --max-requests and --max-rate, one account.",
        default=defaults.GATE_PROFILES[0], option="--profile",
    ),
    Setting(
        "gate", "max-requests", Integer(1, 10_000),
        "The production profile's total requests to the target, every stage together.",
        default=defaults.PRODUCTION_MAX_REQUESTS, option="--max-requests",
    ),
    Setting(
        "gate", "max-rate",
        Number(0, 100, above_minimum=True, expected="requests per second above 0, at most 100"),
        "The production profile's highest rate, requests per second.",
        default=defaults.PRODUCTION_MAX_RATE_PER_S, option="--max-rate",
    ),
    Setting(
        "gate", "keep-runs", Integer(1, 100_000),
        "With --every: the production runs kept in the report root; older ones are removed.",
        default=defaults.MONITOR_KEEP_RUNS, option="--keep-runs",
    ),
    Setting(
        "gate", "max-time", Duration(),
        "The release gate ends within this, its reports written (stages cut short are named, "
        "exit 2). Keep it below your CI job's timeout.",
        default=defaults.GATE_MAX_TIME_S, option="--max-time",
    ),
    Setting(
        "regression", "tolerance",
        Number(0, 10, above_minimum=True, expected="a ratio above 0 such as 0.1 (+10 %)"),
        "+10 %: regressed when the whole interval is above 1.1.",
        default=defaults.REGRESSION_TOLERANCE,
    ),
    Setting(
        "regression", "percentiles",
        TextList(
            Choice(tuple(defaults.LATENCY_PERCENTILES)),
            "a non-empty list of distinct percentiles such as p95", non_empty=True,
            distinct=True,
        ),
        f"The latency percentiles judged: any of {', '.join(defaults.LATENCY_PERCENTILES)}.",
        default=defaults.REGRESSION_PERCENTILES,
    ),
    Setting(
        "regression", "confidence",
        Number(0.5, 0.999, expected="a confidence level between 0.5 and 0.999"),
        "Of all the comparison's two-sided intervals together (Bonferroni).",
        default=defaults.REGRESSION_CONFIDENCE,
    ),
    Setting(
        "regression", "min-tail-samples", Integer(1, 10_000),
        "Requests beyond a percentile each run needs for it to be judged (p99 at 10: 1,000 "
        "requests).",
        default=defaults.REGRESSION_MIN_TAIL_SAMPLES,
    ),
    Setting(
        "regression", "bootstrap-resamples", Integer(100, defaults.REGRESSION_MAX_RESAMPLES),
        "Bootstrap replicates.",
        default=defaults.REGRESSION_RESAMPLES,
    ),
    Setting(
        "regression", "resample", Choice(("blocks", "requests")),
        "Resample blocks of seconds (latencies correlate in time), or single requests (only for "
        "runs whose requests are independent).",
        default=defaults.REGRESSION_RESAMPLE,
    ),
    Setting(
        "regression", "drift-runs", Integer(0, 1000, "an integer between 0 (off) and 1000"),
        "Learn the runner's run-to-run drift from this many comparable runs stored beside the "
        "previous one (0: off).",
        default=defaults.REGRESSION_DRIFT_RUNS,
    ),
    Setting(
        "regression", "load-rate",
        Number(0, 10_000, above_minimum=True, expected="requests per second above 0 such as 40"),
        "The gate's load stage with --compare: logins per second, sent from --load-duration "
        "until every compared metric is decided.",
        default=defaults.GATE_COMPARE_LOAD_RATE_PER_S,
    ),
    Setting(
        "regression", "max-load-duration", Duration(),
        "The gate's load stage with --compare: the longest it sends for.",
        default=defaults.GATE_COMPARE_MAX_LOAD_S,
    ),
    Setting(
        "reports", "dir", Text("a directory path", path=True),
        "Run folders go to DIR/UTC-TIMESTAMP/, and DIR/latest points at the newest.",
        default=defaults.REPORT_ROOT, env="TOKENPROBE_REPORT_DIR",
    ),
)  # fmt: skip


# -- load options: `tokenprobe load` and tokenprobe's Locust options ------------------------------

LOAD_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "", "profile", Choice(defaults.LOAD_PROFILES), "The load profile (docs/load.md).",
        default=defaults.LOAD_PROFILE, option="--profile", locust="--tp-profile",
    ),
    Setting(
        "", "model", Choice(("open", "closed")),
        "open: arrival rate, latency from the intended send time; closed: users in a loop.",
        default=defaults.LOAD_MODEL, option="--model", locust="--tp-model",
    ),
    Setting(
        "", "arrival", Choice(("constant", "poisson")),
        "Open model: evenly spaced or Poisson arrivals.",
        default=defaults.LOAD_ARRIVAL, option="--arrival", locust="--tp-arrival",
    ),
    Setting(
        "", "rate", Number(0.1),
        "Open model: peak arrival rate (requests/s); breakpoint: the first probe's.",
        default=defaults.LOAD_RATE_PER_S, option="--rate", locust="--tp-rate",
    ),
    Setting(
        "", "users", Integer(1, defaults.LOAD_MAX_USERS), "Closed model: peak users.",
        default=defaults.LOAD_USERS, option="--users", locust="--tp-users", twin="-u",
    ),
    Setting(
        "", "duration", Duration(max_s=defaults.LOAD_MAX_DURATION_S),
        "How long the profile runs, e.g. 30s, 5m.", unset="the profile's",
        option="--duration", locust="--tp-duration", twin="-t",
    ),
    Setting(
        "", "processes", Integer(1, defaults.LOAD_MAX_PROCESSES),
        "Locust processes on this machine (Locust's own --processes).",
        default=defaults.LOAD_PROCESSES, option="--processes", twin="--processes",
    ),
    Setting(
        "", "max-rate", Number(0.1),
        "Breakpoint, open model: the capacity search never offers more (req/s); if it holds, "
        "the capacity is reported as not reached.",
        default=defaults.BREAKPOINT_MAX_RATE_PER_S, option="--max-rate", locust="--tp-max-rate",
    ),
    Setting(
        "", "max-users", Integer(1),
        "Breakpoint, closed model: the capacity search never runs more users.",
        default=defaults.BREAKPOINT_MAX_USERS, locust="--tp-max-users",
    ),
    Setting(
        "", "resolution", Number(0.001, 0.5),
        f"Breakpoint: bisect until the capacity bracket is this narrow ({PERCENT_RATIO}).",
        default=defaults.BREAKPOINT_RESOLUTION, option="--resolution", locust="--tp-resolution",
    ),
    Setting(
        "", "stream-rate", Number(0, above_minimum=True),
        "Open model: most arrivals per second per user (stream); more streams, more "
        "concurrency.",
        default=defaults.LOAD_STREAM_RATE_PER_S, locust="--tp-stream-rate",
    ),
    Setting(
        "", "late-ms", Number(0),
        "Open model: an arrival sent more than this many milliseconds after its intended time "
        "is counted as late.",
        default=defaults.LOAD_LATE_MS, locust="--tp-late-ms",
    ),
    Setting(
        "", "max-lateness", Number(0, above_minimum=True),
        "Open model: an arrival that cannot be sent within this many seconds of its intended "
        "time is dropped (and counted).",
        default=defaults.LOAD_MAX_LATENESS_S, locust="--tp-max-lateness",
    ),
    Setting(
        "", "request-timeout", Duration(max_s=3600),
        "One request's whole deadline (connect, send, the full answer) in seconds; a request "
        "past it is a failure that names it.",
        default=defaults.REQUEST_TIMEOUT_S, option="--request-timeout",
        locust="--tp-request-timeout",
    ),
    Setting(
        "", "weights", Text("key=weight,..."),
        "Scenario weights by key, e.g. valid_login=8,wrong_password=1 (unnamed scenarios: 0).",
        default=defaults.LOAD_WEIGHTS, option="--weights", locust="--tp-weights",
    ),
    Setting(
        "", "storm-size", Integer(1),
        "Concurrent logins in one login storm.",
        default=defaults.LOAD_STORM_SIZE, locust="--tp-storm-size",
    ),
    Setting(
        "", "max-requests", Integer(1),
        "Stop after this many requests, whatever the profile's length.",
        default=defaults.LOAD_MAX_REQUESTS, locust="--tp-max-requests",
    ),
)  # fmt: skip

BY_KEY = {setting.key: setting for setting in FILE_SETTINGS}


def setting(key: str) -> Setting:
    """A file key's setting (``security.failures-per-account``)."""
    return BY_KEY[key]


def load_setting(name: str) -> Setting:
    """A load option's setting by name (``rate``)."""
    return next(s for s in LOAD_SETTINGS if s.name == name)


def table_settings(table: str) -> Iterator[Setting]:
    """The file settings of one table, in declaration order."""
    return (s for s in FILE_SETTINGS if s.table == table)


def environment_keys() -> dict[str, str]:
    """Environment variable → the file key it sets."""
    return {s.env: s.key for s in FILE_SETTINGS if s.env}


def shown_default(entry: Setting) -> str:
    """The default as people write it: a duration in its largest exact unit, a list with
    commas; ``""`` when there is none."""
    value = entry.default
    if value is None:
        return entry.unset
    if isinstance(entry.kind, Duration):
        return whole_duration(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def described(entry: Setting) -> str:
    """Its help, then where else it can be set: the example file's comment above the key."""
    parts = [entry.help]
    if entry.env:
        parts.append(f"Environment: {entry.env}.")
    if entry.option:
        parts.append(f"Option: {entry.option}.")
    return " ".join(parts)


def file_value(entry: Setting) -> Any:
    """The value the example file shows: the default (a duration in its largest exact unit,
    a list as a list), else the example."""
    value = entry.default if entry.default is not None else entry.example
    if isinstance(entry.kind, Duration) and value is not None:
        return whole_duration(value)
    if isinstance(value, tuple):
        return list(value)
    return value


DURATION_UNITS = (("d", defaults.DAY_S), ("h", defaults.HOUR_S), ("m", 60))


def whole_duration(seconds: float) -> str:
    """Seconds in the duration syntax, largest exact unit: 604800 → 7d, 1.5 → 1.5s."""
    if float(seconds).is_integer():
        whole = int(seconds)
        for unit, size in DURATION_UNITS:
            if whole % size == 0:
                return f"{whole // size}{unit}"
        return f"{whole}s"
    return f"{seconds:g}s"


def file_table(settings: Iterable[Setting]) -> str:
    """docs/gate.md's table of configuration keys."""
    rows = [
        (f"`{entry.key}`", _code(shown_default(entry)), _code(entry.env), _code(entry.option),
         entry.help)
        for entry in settings
    ]  # fmt: skip
    return _markdown(("key", "default", "environment", "option", "meaning"), rows)


def load_table(settings: Iterable[Setting]) -> str:
    """docs/load.md's table of the options ``tokenprobe load`` and Locust share."""
    rows = [
        (_code(entry.option), _locust_options(entry), _either_default(entry), entry.help)
        for entry in settings
    ]
    return _markdown(("tokenprobe load", "Locust", "default", "meaning"), rows)


def _locust_options(entry: Setting) -> str:
    return " or ".join(_code(option) for option in (entry.locust, entry.twin) if option)


def _either_default(entry: Setting) -> str:
    """A default both sides accept: a duration as seconds (Locust's options take a number)."""
    if entry.default is None:
        return entry.unset
    if isinstance(entry.kind, Duration):
        return _code(f"{entry.default:g}")
    return _code(shown_default(entry))


def _code(text: str | None) -> str:
    return f"`{text}`" if text else ""


def _markdown(heading: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(heading) + " |", "|" + "---|" * len(heading)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
