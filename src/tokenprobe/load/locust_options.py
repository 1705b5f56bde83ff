"""tokenprobe's custom Locust options, and `LocustOptions`: their values, validated.

Options are registered with ``events.init_command_line_parser``, so they work on the command
line, in ``locust.conf`` (without the leading dashes) and in the web UI. Locust's master sends
custom options to its workers with every spawn message, so workers see the master's values.

Locust's own ``-t/--run-time`` and ``-u/--users`` keep their meaning: the run's length and the
closed model's peak users (``-r`` the closed model's spawn rate). ``--tp-duration`` and
``--tp-users`` say the same and may be given instead; given both with different values, the
run is refused rather than one silently winning. Locust sends its own options to no worker,
so the master copies them into two hidden options of ours (`common_options`).
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from tokenprobe.core import defaults
from tokenprobe.core.settings import (
    LOAD_SETTINGS,
    Choice,
    Duration,
    Integer,
    Number,
    Setting,
    load_setting,
    shown_default,
)
from tokenprobe.load.looks import DECIDED_FILE, EVIDENCE_FILE
from tokenprobe.load.profiles import Profile, build_profile
from tokenprobe.load.settings import SCENARIOS, LoadOptionError, parse_weights
from tokenprobe.load.slo import Threshold, parse_slos


def add_setting(add: Any, name: str) -> None:
    """Add the Locust option of a declared load setting (`tokenprobe.core.settings`): the
    same default and help as ``tokenprobe load``'s option; `LocustOptions` checks the value."""
    entry = load_setting(name)
    kind = entry.kind
    typed: dict[str, Any] = {}
    if isinstance(kind, Choice):
        typed["choices"] = list(kind.values)
    elif isinstance(kind, Integer):
        typed["type"] = int
    elif isinstance(kind, Number | Duration):
        typed["type"] = float  # seconds, for a duration
    add(entry.locust, default=entry.default, help=entry.help.replace("%", "%%"), **typed)


def add_twin(add: Any, name: str, **typed: Any) -> None:
    """Add the Locust option of a declared load setting Locust has its own option for (``-u``,
    ``-t``): "not given" by default (``typed``), so that `users_of` and `duration_of` can tell
    which was given; the declaration's help, and its default for when neither is."""
    entry = load_setting(name)
    help_text = f"{entry.help} The same as {entry.twin} (default: {shown_default(entry)})"
    add(entry.locust, help=help_text.replace("%", "%%"), **typed)


def add_arguments(parser: Any) -> None:
    """Register tokenprobe's options on Locust's parser (``init_command_line_parser``)."""
    add = parser.add_argument  # Locust's parser: knows include_in_web_ui (groups do not)
    add_setting(add, "model")
    add_setting(add, "arrival")
    add_setting(add, "profile")
    add_setting(add, "rate")
    # The web UI's own "Number of users" field says it.
    add_twin(add, "users", type=int, default=0, include_in_web_ui=False)
    add_twin(add, "duration", default="")  # a duration as written: 30s, 5m
    add_setting(add, "max-rate")
    add_setting(add, "max-users")
    add_setting(add, "resolution")
    add_setting(add, "stream-rate")
    add_setting(add, "late-ms")
    add_setting(add, "max-lateness")
    add_setting(add, "request-timeout")
    add_setting(add, "weights")
    add_setting(add, "storm-size")
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
    add_setting(add, "max-requests")
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
        "--tp-report-dir",
        default="",
        include_in_web_ui=False,
        help="headless: write the run's reports (summary.json, junit.xml, Locust's HTML, CSVs "
        "and JSON, plots) here (default: a fresh folder reports/<UTC timestamp>/; locustfiles "
        "that write a run folder only)",
    )
    add(
        "--tp-require-complete",
        action="store_true",
        default=False,
        include_in_web_ui=False,
        help="headless: fail (exit 1) when a scenario was not evaluated (no credentials)",
    )
    for hidden in ("--tp-common-run-time", "--tp-common-users"):
        # Locust's -t and -u as the master resolved them (`common_options`), for its workers.
        add(hidden, type=float, default=0, include_in_web_ui=False, help=argparse.SUPPRESS)
    add(
        "--tp-help",
        action=_FullHelp,
        nargs=0,
        include_in_web_ui=False,
        help="show Locust's help with tokenprobe's options and exit (Locust's own --help is "
        "printed before any locustfile is imported, so it cannot list them)",
    )
    add(
        "--tp-looks",
        default="",
        include_in_web_ui=False,
        help="a sequential run (the gate with --compare): write the latency evidence so far to "
        f"DIR/{EVIDENCE_FILE} every --tp-look-every seconds, and end the run, complete, once "
        f"DIR/{DECIDED_FILE} exists",
    )
    add(
        "--tp-look-every",
        type=float,
        default=defaults.LOAD_LOOK_EVERY_S,
        include_in_web_ui=False,
        help="seconds between the looks of --tp-looks",
    )
    add(
        "--tp-raw-samples",
        default="",
        include_in_web_ui=False,
        help="write every raw sample (name,username,ms) to one file per process at this prefix",
    )


class _FullHelp(argparse.Action):
    """``--tp-help``: argparse's help action, run after the locustfile added its options."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        parser.print_help()
        parser.exit()


@dataclasses.dataclass(frozen=True)
class CommonOptions:
    """Locust's ``-t``, ``-u`` and ``-r`` as given: read before Locust fills in its headless
    defaults (one user, one per second), which would be indistinguishable from a user's."""

    run_time_s: float | None
    users: int | None
    spawn_rate: float | None

    @classmethod
    def given(cls, parsed: Any) -> CommonOptions:
        return cls(
            float(parsed.run_time) if getattr(parsed, "run_time", None) else None,
            getattr(parsed, "num_users", None) or None,
            getattr(parsed, "spawn_rate", None) or None,
        )


def common_options(parsed: Any, common: CommonOptions) -> list[str]:
    """Master/standalone: hand ``-t`` and ``-u`` to the workers in our hidden options; return
    warnings for those the model has no use for (never a silent override)."""
    parsed.tp_common_run_time = common.run_time_s or 0
    parsed.tp_common_users = common.users or 0
    if parsed.tp_model == "closed":
        return []
    return [
        f"{flag} has no effect in the open model (its load is --tp-rate, "
        f"{parsed.tp_rate:g} req/s); give --tp-model closed to run {what}"
        for flag, what, value in (("-u/--users", "users", common.users),
                                  ("-r/--spawn-rate", "a spawn rate", common.spawn_rate))
        if value
    ]  # fmt: skip


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
    looks_dir: str = ""  # a sequential run's exchange with its judge ("" when not sequential)
    look_every_s: float = defaults.LOAD_LOOK_EVERY_S
    max_level: float = defaults.BREAKPOINT_MAX_RATE_PER_S  # breakpoint: the search's maximum
    resolution: float = defaults.BREAKPOINT_RESOLUTION
    request_timeout_s: float = defaults.REQUEST_TIMEOUT_S  # one request, in total

    @property
    def scenario_weights(self) -> dict[str, int]:
        """Request entry name → weight, only scenarios that run."""
        return {SCENARIOS[key]: weight for key, weight in self.weights.items() if weight > 0}


def duration_of(options: Any) -> float | None:
    """``-t`` or ``--tp-duration`` (refused when they disagree), else None (the profile's);
    both within the declaration's bounds."""
    entry = load_setting("duration")
    ours = _read(entry, options.tp_duration, entry.locust or "") if options.tp_duration else None
    locusts = options.tp_common_run_time or None
    if ours is not None and locusts is not None and ours != locusts:
        raise LoadOptionError(
            f"-t/--run-time ({locusts:g}s) and --tp-duration ({options.tp_duration}) disagree: "
            "give one of them"
        )
    if locusts is not None:
        _read(entry, f"{locusts:g}s", "-t/--run-time")  # the same bounds as ours
    return ours if ours is not None else locusts


def _read(entry: Setting, raw: str, option: str) -> Any:
    try:
        return entry.kind.read(raw)
    except ValueError as exc:
        raise LoadOptionError(f"{option}: {exc}") from None


def users_of(options: Any) -> int:
    """``-u`` or ``--tp-users`` (refused when they disagree), else the default."""
    entry = load_setting("users")
    ours, locusts = options.tp_users or None, int(options.tp_common_users) or None
    if ours is not None and locusts is not None and ours != locusts:
        raise LoadOptionError(f"-u/--users ({locusts}) and --tp-users ({ours}) disagree")
    users = ours or locusts or entry.default
    if not entry.kind.admits(users):
        given = entry.locust if ours else entry.twin
        raise LoadOptionError(f"{given}: expected {entry.kind.describe()}, got {users}")
    return users


def parse_options(options: Any) -> LocustOptions:
    """Validate Locust's parsed options into `LocustOptions`; raise `LoadOptionError`."""
    model = options.tp_model
    try:
        level = options.tp_rate if model == "open" else users_of(options)
        profile = build_profile(options.tp_profile, model, float(level), duration_of(options))
        slos = parse_slos(options.tp_slo)
    except ValueError as exc:
        raise LoadOptionError(str(exc)) from None
    for entry in LOAD_SETTINGS:  # each value as its declaration allows, as the CLI checks it
        if not entry.locust or entry.twin:  # a twin's value is checked once resolved
            continue
        value = getattr(options, entry.locust_dest)
        if not entry.kind.admits(value):
            raise LoadOptionError(f"{entry.locust}: expected {entry.kind.describe()}, got {value}")
    if options.tp_look_every <= 0:
        raise LoadOptionError(f"--tp-look-every must be positive, got {options.tp_look_every}")
    return LocustOptions(
        model=model,
        arrival=options.tp_arrival,
        profile=profile,
        stream_rate=options.tp_stream_rate,
        late_s=options.tp_late_ms / 1000,
        max_lateness_s=options.tp_max_lateness,
        request_timeout_s=options.tp_request_timeout,
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
        looks_dir=options.tp_looks,
        look_every_s=options.tp_look_every,
        max_level=options.tp_max_rate if model == "open" else float(options.tp_max_users),
        resolution=options.tp_resolution,
    )
