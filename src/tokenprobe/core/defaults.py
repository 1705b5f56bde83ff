"""Every default that more than one place needs, stated once.

The configuration (`tokenprobe.core.config`), the conformance checks' policy, the load suite's
options, the gate, the command line and the generated native files (``schemathesis.toml``,
``locust.conf``, ``tokenprobe.toml``, rendered by `tokenprobe.core.native_config`) read their
defaults here, so they cannot drift apart. Plain values only: this module imports nothing.
Units are in the names.
"""

DAY_S = 86_400
HOUR_S = 3_600

# --- Token policy (RFC 8725) ---------------------------------------------------------------
# JWS algorithms an issued token may use: every signature algorithm in IANA's JOSE registry,
# that is RFC 7518 §3.1 (HS*, RS*, ES*, PS*), RFC 8037 (EdDSA) and RFC 8812 (ES256K), except
# "none" (RFC 8725 §3.1). The default flags only what no verifier should accept; a narrower list
# is a deployment's choice ([policy] allowed-algorithms). ES256K belongs: it is registered,
# PyJWT verifies it, and a default that rejected a registered algorithm would report a finding
# no standard supports. The configuration schema accepts exactly these names.
JWS_ALGORITHMS = (
    "HS256", "HS384", "HS512",
    "RS256", "RS384", "RS512",
    "ES256", "ES384", "ES512", "ES256K",
    "PS256", "PS384", "PS512",
    "EdDSA",
)  # fmt: skip
# Lifetimes (exp - iat): above the maximum is an error finding, above the warn level a warning.
ACCESS_MAX_LIFETIME_S = 7 * DAY_S  # the service's documented access lifetime
ACCESS_WARN_LIFETIME_S = 1 * HOUR_S
REFRESH_MAX_LIFETIME_S = 30 * DAY_S  # the service's documented refresh lifetime
REFRESH_WARN_LIFETIME_S = 1 * DAY_S  # SimpleJWT's default refresh lifetime

# --- The token pair -----------------------------------------------------------------------
# The 200's fields that carry the tokens (SimpleJWT's names); `tokenprobe.core.token_fields`.
ACCESS_FIELD = "access"
REFRESH_FIELD = "refresh"

# --- Conformance --------------------------------------------------------------------------
# Protocol answers rather than contract violations: Schemathesis' status checks do not flag
# them, tokenprobe checks their required headers (issue #3, item 5).
PROTOCOL_STATUSES = (405, 415, 429)
# Fuzzing cases per operation (Schemathesis' max-examples); boundary and coverage cases add more.
FUZZ_MAX_EXAMPLES = 100
# Schemathesis' [output.sanitization] sensitive-markers: a list replaces its defaults (the first
# eight), which miss the token pair's keys, "access" and "refresh".
SENSITIVE_KEY_MARKERS = (
    "token", "key", "secret", "password", "auth", "session", "passwd", "credential",
    "access", "refresh",
)  # fmt: skip

# --- Load SLOs (checked by `tokenprobe load` and the gate's load smoke) -------------------------
SLO_P95_MS = 500.0  # every request of the run ("total")
SLO_P99_MS = 1000.0
SLO_ERROR_RATIO = 0.01  # failed requests / all requests

# --- Load runs ------------------------------------------------------------------------------
LOAD_MODEL = "open"  # arrival rate, latency from the intended send time
LOAD_ARRIVAL = "constant"
LOAD_PROFILES = ("smoke", "constant", "ramp", "spike", "soak", "breakpoint")
LOAD_PROFILE = "constant"
LOAD_RATE_PER_S = 20.0  # open model: peak arrival rate
LOAD_USERS = 10  # closed model: peak users
LOAD_MAX_USERS = 100_000
LOAD_PROCESSES = 1  # Locust processes on this machine
LOAD_MAX_PROCESSES = 256
LOAD_MAX_DURATION_S = 4 * 3600.0  # a bounded run: no load profile runs longer
LOAD_DURATION_S = 60.0  # the constant profile's length
# The load scenarios: key (weights, SLOs, configuration, reports) → display name (Locust's request
# entry name, shown in its UI and CSVs). The configuration accepts only these keys (and, for
# configurations written before the keys, the display names).
LOAD_SCENARIOS = {
    "valid_login": "valid login",
    "wrong_password": "wrong password",
    "unknown_user": "unknown user",
    "malformed_body": "malformed body",
    "login_storm": "login storm",
}
# Scenario weights in the load suite's option syntax (--tp-weights, `tokenprobe load --weights`).
LOAD_WEIGHTS = "valid_login=8,wrong_password=1,unknown_user=1,malformed_body=1,login_storm=0"
LOAD_MAX_REQUESTS = 1_000_000  # a run stops after this many requests, whatever its duration
LOAD_STORM_SIZE = 10  # concurrent logins in one login storm
LOAD_LATE_MS = 10.0  # open model: an arrival sent later than this is counted "late"
LOAD_MAX_LATENESS_S = 10.0  # an arrival that cannot be sent within this is dropped
LOAD_STREAM_RATE_PER_S = 2.0  # open model: most arrivals per second per simulated user
# The breakpoint profile's capacity search: no ceiling to guess, only a safety maximum, and the
# width of the final bracket (highest level that held .. lowest that broke).
BREAKPOINT_MAX_RATE_PER_S = 5_000.0
BREAKPOINT_MAX_USERS = 2_000
BREAKPOINT_RESOLUTION = 0.05
# The gate's load smoke: short and gentle, yet enough samples (a hundred) for a p99.
GATE_LOAD_DURATION_S = 10.0
GATE_LOAD_RATE_PER_S = 10.0
# With --compare the load smoke becomes a measurement (docs/regression.md, "Sending until
# decided"): this rate, from --load-duration until the comparison is decided or this long.
GATE_COMPARE_LOAD_RATE_PER_S = 40.0
GATE_COMPARE_MAX_LOAD_S = 60.0
# The gate's production profile (docs/production.md): what it may send to a live service.
GATE_PROFILES = ("staging", "production")
# Each profile's stages, in run order: the names `--skip` takes and summary.json's `stages` keys.
GATE_STAGES = {
    "staging": ("conformance-published", "conformance-strict", "security", "load"),
    "production": ("conformance-bounded", "security"),
}
PRODUCTION_MAX_REQUESTS = 60
PRODUCTION_MAX_RATE_PER_S = 1.0
MONITOR_KEEP_RUNS = 288  # --every 5m: a day of runs
LOAD_LOOK_EVERY_S = 10.0  # a sequential run's looks at its evidence, after the first

# Latency percentiles the load suite reports (name → percent); SLOs and verdicts use the names.
LATENCY_PERCENTILES = {"p50": 50.0, "p90": 90.0, "p95": 95.0, "p99": 99.0, "p999": 99.9}

# --- Regression verdicts (`--compare`: this run against a previous one) ---------------------
REGRESSION_TOLERANCE = 0.10  # new/old above 1.10 is worse, below 1/1.10 better
REGRESSION_PERCENTILES = ("p50", "p95", "p99")
REGRESSION_CONFIDENCE = 0.95  # two-sided confidence interval of the ratio
# A percentile is judged only when each run has this many samples beyond it (p99: 1000 requests).
REGRESSION_MIN_TAIL_SAMPLES = 10
REGRESSION_RESAMPLES = 2000  # bootstrap replicates (Efron & Tibshirani: 1000+ for intervals)
REGRESSION_MAX_RESAMPLES = 100_000  # the most a setting, or many looks' small tails, may ask
REGRESSION_RESAMPLE = "blocks"  # whole seconds ("blocks") or single requests ("requests")
# Run-to-run drift is learned from the newest this many comparable stored runs (0: not at all).
REGRESSION_DRIFT_RUNS = 20
HISTORY_RUNS = 20  # runs listed in reports/index.html and by `tokenprobe history`

# --- Security probes ------------------------------------------------------------------------
BRUTE_FORCE_ATTEMPTS = 30  # consecutive wrong passwords against the canary account
# Wrong passwords any one account may receive in a security run. Below a 20-failures-in-5-minutes
# lockout (the reference target's) with room for a person's own typos; one account at this budget
# evaluates every error-severity probe (security/budget.py).
FAILURES_PER_ACCOUNT = 15
CANARY_USERNAME_ENV = "TOKENPROBE_CANARY_USERNAME"
CANARY_PASSWORD_ENV = "TOKENPROBE_CANARY_PASSWORD"

# --- Time: every request has a deadline, every run a budget ---------------------------------
# Request timeouts are total (connect, send, the whole answer), never per read
# (`tokenprobe.core.http`).
REACHABILITY_TIMEOUT_S = 5.0  # "is anything answering at the URL?" before a run starts
REQUEST_TIMEOUT_S = 30.0  # one request of a security probe or of a load run, in total
# In the gate, a login slower than this is broken, not slow: keeps a hanging target's gate short.
GATE_REQUEST_TIMEOUT_S = 10.0
# The whole release gate ([gate] max-time, --max-time): a CI job's usual step timeout is longer,
# so the gate ends first, with its reports, rather than being killed without them.
GATE_MAX_TIME_S = 15 * 60.0
# A suite run as its own command (the gate gives each stage its share of --max-time instead).
CONFORMANCE_BUDGET_S = 10 * 60.0
SECURITY_BUDGET_S = 10 * 60.0
LOAD_STARTUP_ALLOWANCE_S = 60.0  # a load run's budget is its profile's length plus this

# --- Files ----------------------------------------------------------------------------------
REPORT_ROOT = "reports"  # run directories go to <root>/<UTC timestamp>/, <root>/latest
BASELINE_FILE = "tokenprobe-baseline.yaml"
