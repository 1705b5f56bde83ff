"""tokenprobe's custom Locust options, and `LocustOptions`: their values, validated.

Options are registered with ``events.init_command_line_parser``, so they work on the command
line, in ``locust.conf`` (without the leading dashes) and in the web UI. Locust's master sends
custom options to its workers with every spawn message, so workers see the master's values.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tokenprobe.core import defaults
from tokenprobe.core.durations import parse_duration
from tokenprobe.load.profiles import PROFILES, Profile, build_profile
from tokenprobe.load.settings import MAX_DURATION_S, SCENARIOS, LoadOptionError, parse_weights
from tokenprobe.load.slo import Threshold, parse_slos


def add_arguments(parser: Any) -> None:
    """Register tokenprobe's options on Locust's parser (``init_command_line_parser``)."""
    add = parser.add_argument  # Locust's parser: knows include_in_web_ui (groups do not)
    add(
        "--tp-model",
        choices=["open", "closed"],
        default=defaults.LOAD_MODEL,
        help="open: arrival rate, latency from intended send time; closed: users in a loop",
    )
    add(
        "--tp-arrival",
        choices=["constant", "poisson"],
        default=defaults.LOAD_ARRIVAL,
        help="open model: evenly spaced or Poisson arrivals",
    )
    add("--tp-profile", choices=list(PROFILES), default=defaults.LOAD_PROFILE, help="load profile")
    add(
        "--tp-rate",
        type=float,
        default=defaults.LOAD_RATE_PER_S,
        help="open model: peak arrival rate (requests/s)",
    )
    add("--tp-users", type=int, default=0, help="closed model: peak users (default: -u)")
    add(
        "--tp-duration",
        default="",
        help="profile duration, e.g. 30s, 5m (default: -t or the profile's)",
    )
    add(
        "--tp-stream-rate",
        type=float,
        default=defaults.LOAD_STREAM_RATE_PER_S,
        help="open model: most arrivals/s per user (stream); more streams, more concurrency",
    )
    add("--tp-late-ms", type=float, default=10.0, help="an arrival sent later than this is 'late'")
    add(
        "--tp-max-lateness",
        type=float,
        default=10.0,
        help="an arrival that cannot be sent within this many seconds is dropped (and counted)",
    )
    add("--tp-weights", default=defaults.LOAD_WEIGHTS, help="scenario weights, key=weight,...")
    add(
        "--tp-storm-size",
        type=int,
        default=defaults.LOAD_STORM_SIZE,
        help="concurrent logins in one login storm",
    )
    add(
        "--tp-credentials",
        default="",
        include_in_web_ui=False,
        help="CSV username,password (default: TOKENPROBE_CREDENTIALS / _USERNAME+_PASSWORD)",
    )
    add(
        "--tp-throttled-is-failure",
        action="store_true",
        default=False,
        help="count 429 answers to wrong passwords as failures, not as 'throttled'",
    )
    add(
        "--tp-slo",
        default="",
        help="thresholds, e.g. 'p95<500,p99[valid_login]<800,error_ratio<0.01'",
    )
    add(
        "--tp-max-requests",
        type=int,
        default=defaults.LOAD_MAX_REQUESTS,
        help="stop after this many requests",
    )
    add(
        "--tp-allow-hosts",
        default="",
        help="non-loopback hosts that may be load-tested, comma-separated",
    )
    add(
        "--tp-allow-remote",
        action="store_true",
        default=False,
        help="load-test a non-loopback host even if it is not allow-listed",
    )
    add(
        "--tp-results",
        default="",
        include_in_web_ui=False,
        help="write exact results (JSON) here at quit",
    )
    add(
        "--tp-raw-samples",
        default="",
        include_in_web_ui=False,
        help="write every raw sample (name,username,ms) to one file per process at this prefix",
    )


@dataclasses.dataclass(frozen=True)
class LocustOptions:
    """What one Locust process runs, from ``--tp-*`` and Locust's own options."""

    model: str
    arrival: str
    profile: Profile
    stream_rate: float
    late_s: float
    max_lateness_s: float
    weights: dict[str, int]
    storm_size: int
    credentials_file: str
    throttled_is_failure: bool
    slos: list[Threshold]
    max_requests: int
    allow_hosts: tuple[str, ...]
    allow_remote: bool
    results_file: str
    raw_samples_prefix: str

    @property
    def scenario_weights(self) -> dict[str, int]:
        """Request entry name → weight, only scenarios that run."""
        return {SCENARIOS[key]: weight for key, weight in self.weights.items() if weight > 0}


def duration_of(options: Any) -> float | None:
    """``--tp-duration``, else Locust's ``-t``, else None (the profile's default)."""
    run_time = options.tp_duration or getattr(options, "run_time", None)
    return parse_duration(str(run_time), max_s=MAX_DURATION_S) if run_time else None


def parse_options(options: Any) -> LocustOptions:
    """Validate Locust's parsed options into `LocustOptions`; raise `LoadOptionError`."""
    model = options.tp_model
    level = (
        options.tp_rate
        if model == "open"
        else (options.tp_users or options.num_users or defaults.LOAD_USERS)
    )
    try:
        profile = build_profile(options.tp_profile, model, float(level), duration_of(options))
        slos = parse_slos(options.tp_slo)
    except ValueError as exc:
        raise LoadOptionError(str(exc)) from None
    for name, value in (("--tp-stream-rate", options.tp_stream_rate),
                        ("--tp-max-lateness", options.tp_max_lateness),
                        ("--tp-max-requests", options.tp_max_requests),
                        ("--tp-storm-size", options.tp_storm_size)):  # fmt: skip
        if value <= 0:
            raise LoadOptionError(f"{name} must be positive, got {value}")
    return LocustOptions(
        model=model,
        arrival=options.tp_arrival,
        profile=profile,
        stream_rate=options.tp_stream_rate,
        late_s=options.tp_late_ms / 1000,
        max_lateness_s=options.tp_max_lateness,
        weights=parse_weights(options.tp_weights),
        storm_size=options.tp_storm_size,
        credentials_file=options.tp_credentials,
        throttled_is_failure=options.tp_throttled_is_failure,
        slos=slos,
        max_requests=options.tp_max_requests,
        allow_hosts=tuple(
            h.strip().lower() for h in options.tp_allow_hosts.split(",") if h.strip()
        ),
        allow_remote=options.tp_allow_remote,
        results_file=options.tp_results,
        raw_samples_prefix=options.tp_raw_samples,
    )
