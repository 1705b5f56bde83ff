"""`run`: one bounded Locust run against a target session, turned into a `Summary`.

Locust runs as a subprocess (``python -m locust -f loadtests/locustfile.py --headless …``): the
same path a user takes by hand, and the only one where ``--processes N`` works. The locustfile
writes its exact results (merged HDR histograms, steps, SLO verdicts) to a JSON file at quit;
this module reads that file, writes the reports and builds the ``load`` section.

Time: the run has a budget (the profile's length plus a start-up allowance, or the gate's share
of ``--max-time``). Near its end, or on SIGINT/SIGTERM, Locust gets a SIGTERM: the locustfile
then ends the run through ``quitting`` and writes its results marked incomplete, which this
module keeps, with the `Stop` on the summary.
"""

from __future__ import annotations

import csv
import dataclasses
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from tokenprobe.core import defaults
from tokenprobe.core.config import SloConfig, slo_text
from tokenprobe.core.credentials import write_csv
from tokenprobe.core.deadlines import Deadline
from tokenprobe.core.errors import ConfigError, StageError, TokenprobeError
from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.interrupts import Interrupted, deferred
from tokenprobe.core.processes import ChildExit, run_child
from tokenprobe.core.records import EXACT, first_problem
from tokenprobe.core.redact import Redactor
from tokenprobe.core.session import TargetSession
from tokenprobe.core.settings import load_setting
from tokenprobe.core.summary import Stop, Summary
from tokenprobe.load import looks, settings
from tokenprobe.load.evidence import decode_evidence, read_document, write_evidence
from tokenprobe.load.looks import LookPlan
from tokenprobe.load.profiles import Profile, build_profile
from tokenprobe.load.safety import describe_host, host_problem
from tokenprobe.load.section import FailureReason, LoadResults
from tokenprobe.load.settings import key_of_entry, parse_weights
from tokenprobe.load.slo import parse_slos
from tokenprobe.load.stats_csv import write_stats_csv
from tokenprobe.load.verdict import add_checks, scenarios_not_run, search_found_nothing

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
CREDENTIALS_FILE = "credentials.csv"  # in the run's private temporary directory
DEFAULT_SLOS = slo_text(SloConfig())  # p95<500, p99<1000, error_ratio<0.01
LOCUST_PREFIX = "locust"
# Locust's own report files in the report directory (the docs cite these names; tests/test_docs).
LOCUST_HTML_FILE = "locust_report.html"
LOCUST_LOG_FILE = "locust.log"
LOCUST_JSON_FILE = f"{LOCUST_PREFIX}.json"  # --json-file PREFIX: Locust appends ".json"
LOCUST_CSV_FILES = f"{LOCUST_PREFIX}_*.csv"  # --csv PREFIX: _stats, _stats_history, _failures…
ONE_LINE_ERROR = "tokenprobe: error: "


# LoadOptions' fields that a declared load setting checks (`tokenprobe.core.settings`).
DECLARED_FIELDS = {
    "profile": "profile", "model": "model", "arrival": "arrival", "rate": "rate",
    "users": "users", "duration_s": "duration", "processes": "processes",
    "max_requests": "max-requests", "storm_size": "storm-size",
    "request_timeout_s": "request-timeout", "stream_rate": "stream-rate",
    "max_rate": "max-rate", "resolution": "resolution",
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class LoadOptions:
    """What to run. ``rate`` drives the open model, ``users`` the closed one."""

    report_dir: Path  # Locust's own reports, exact statistics and plots go here

    profile: str = defaults.LOAD_PROFILE
    model: str = defaults.LOAD_MODEL
    arrival: str = defaults.LOAD_ARRIVAL
    rate: float = defaults.LOAD_RATE_PER_S
    users: int = defaults.LOAD_USERS
    duration_s: float | None = None  # None: the profile's default
    processes: int = 1
    slos: str = DEFAULT_SLOS
    allow_hosts: tuple[str, ...] = ()
    allow_remote: bool = False
    weights: str = defaults.LOAD_WEIGHTS
    max_requests: int = defaults.LOAD_MAX_REQUESTS
    storm_size: int = defaults.LOAD_STORM_SIZE
    request_timeout_s: float = defaults.REQUEST_TIMEOUT_S  # one request, in total
    stream_rate: float = defaults.LOAD_STREAM_RATE_PER_S
    max_rate: float = defaults.BREAKPOINT_MAX_RATE_PER_S  # breakpoint: the search's maximum
    resolution: float = defaults.BREAKPOINT_RESOLUTION  # breakpoint: the bracket's width
    extra_args: tuple[str, ...] = ()  # more Locust options, passed as given
    budget_s: float | None = None  # None: the profile's length + LOAD_STARTUP_ALLOWANCE_S
    stage: str = "load"  # what a stop names: the command, or the gate's stage

    def validate(self) -> None:
        """Raise `ConfigError` (exit 2) before anything is started: each value as its
        declaration allows (the rule ``tokenprobe load``'s options and Locust's apply)."""
        for field, name in DECLARED_FIELDS.items():
            value, entry = getattr(self, field), load_setting(name)
            if value is not None and not entry.kind.admits(value):
                expected = entry.kind.describe()
                raise ConfigError(f"{entry.option or name}: expected {expected}, got {value!r}")
        try:
            self.planned_profile()
            parse_slos(self.slos)
            parse_weights(self.weights)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    def planned_profile(self) -> Profile:
        """The steps this run will go through; its ``duration_s`` is the run's length."""
        level = self.rate if self.model == "open" else self.users
        return build_profile(self.profile, self.model, float(level), self.duration_s)

    def budget(self) -> float:
        """Seconds the whole run may take, Locust's start and final reports included."""
        if self.budget_s is not None:
            return self.budget_s
        return self.planned_profile().duration_s + defaults.LOAD_STARTUP_ALLOWANCE_S


def without_accounts(text: str) -> tuple[str, list[str]]:
    """`tokenprobe.load.settings.without_accounts`, its complaint a `ConfigError` (exit 2)."""
    try:
        return settings.without_accounts(text)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def locust_command(
    base_url: str, options: LoadOptions, report_dir: Path, workdir: Path
) -> list[str]:
    """The headless Locust command line for this run (also printed in the report)."""
    prefix = str(report_dir / LOCUST_PREFIX)
    duration_s = options.planned_profile().duration_s
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base_url,
        "--html", str(report_dir / LOCUST_HTML_FILE), "--csv", prefix,
        "--json-file", prefix,  # Locust appends ".json"
        "--tp-model", options.model, "--tp-arrival", options.arrival,
        "--tp-profile", options.profile, "--tp-rate", f"{options.rate:g}",
        "--tp-users", str(options.users), "--tp-duration", f"{duration_s:g}s",
        "--tp-slo", options.slos, "--tp-weights", options.weights,
        "--tp-max-requests", str(options.max_requests),
        "--tp-storm-size", str(options.storm_size),
        "--tp-request-timeout", f"{options.request_timeout_s:g}",
        "--tp-stream-rate", f"{options.stream_rate:g}",
        "--tp-max-rate", f"{options.max_rate:g}", "--tp-resolution", f"{options.resolution:g}",
        "--tp-results", str(workdir / "results.json"),
        "--tp-allow-hosts", ",".join(options.allow_hosts),
    ]  # fmt: skip
    if (workdir / CREDENTIALS_FILE).exists():
        command += ["--tp-credentials", str(workdir / CREDENTIALS_FILE)]
    if options.allow_remote:
        command.append("--tp-allow-remote")
    if options.processes > 1:
        command += ["--processes", str(options.processes)]
    return command + list(options.extra_args)


def run(
    session: TargetSession,
    options: LoadOptions,
    *,
    announce: Callable[[str], None] | None = None,
    plan: LookPlan | None = None,
) -> Summary:
    """Run one bounded load test and return its summary; Locust's reports, the exact statistics
    and the plots go to ``options.report_dir``. With a ``plan`` the run is sequential: it ends
    at the first look with nothing left to decide (`tokenprobe.load.looks`).

    An SLO breach is an error finding, TP-LOAD-001 (exit 1); scenarios switched off for lack of
    credentials are a not-evaluated one, TP-LOAD-003; a run that cannot happen raises a
    `TokenprobeError` (exit 2).
    """
    say = announce or (lambda line: print(line, file=sys.stderr))
    off: list[str] = []
    if not session.credentials:
        weights, off = without_accounts(options.weights)
        options = dataclasses.replace(options, weights=weights)
        if off:
            say(f"tokenprobe load: no credentials: scenarios {', '.join(off)} off")
    options.validate()
    if problem := host_problem(session.base_url, options.allow_hosts, options.allow_remote):
        raise ConfigError(problem)
    redactor = session.redactor
    report_dir = options.report_dir.resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    summary = Summary(command="load", target=session.token_url, embedded_target=session.embedded)
    if off:
        check, finding = scenarios_not_run(off)
        summary.checks.append(check)
        summary.findings.append(finding)
    say(f"tokenprobe load: target {describe_host(session.base_url)}")
    deadline = Deadline.after(options.budget())
    try:
        results = _run_and_read(session, options, report_dir, deadline, summary, plan)
    except StageError as exc:
        if summary.stopped is None:  # a stopped run that left no results: the stop says why
            summary.errors.append(redactor(str(exc)))
    else:
        try:
            with deferred():  # Locust is done: a signal now must not cost its numbers
                record_results(summary, results, report_dir)
                if plan is not None:
                    summary.sections["load"]["sequential"] = plan.to_dict(results.decided)
        except Interrupted as exc:
            summary.stop(Stop(exc.signal_name, options.stage))
    summary.finish()
    return summary


def _run_and_read(
    session: TargetSession,
    options: LoadOptions,
    report_dir: Path,
    deadline: Deadline,
    summary: Summary,
    plan: LookPlan | None = None,
) -> LoadResults:
    with tempfile.TemporaryDirectory(prefix="tokenprobe-load-") as tmp:
        workdir = Path(tmp)
        if session.credentials:
            write_csv(workdir / CREDENTIALS_FILE, session.credentials)
        command = locust_command(session.base_url, options, report_dir, workdir)
        poll = None
        if plan is not None:
            command += ["--tp-looks", str(workdir), "--tp-look-every", f"{plan.every_s:g}"]
            poll = look_poller(workdir, plan)
        redactor = session.redactor
        child = _run_locust(command, workdir, report_dir, deadline, options.stage, redactor, poll)
        if child.stopped is not None:
            summary.stop(child.stopped)
        results = read_results(workdir / "results.json", report_dir)
        # 2 is a verdict only for a breakpoint search that found nothing (a run problem the
        # summary states); otherwise it is Locust's own failure.
        if child.stopped is None and child.code == 2 and not search_found_nothing(results):
            reason = _last_error(report_dir / LOCUST_LOG_FILE)
            raise StageError(f"Locust exited with 2: {reason}")
        return results


def _run_locust(
    command: list[str],
    workdir: Path,
    report_dir: Path,
    deadline: Deadline,
    stage: str,
    redactor: Redactor,
    poll: Callable[[], None] | None = None,
) -> ChildExit:
    """Run Locust to its end, or stop it (SIGTERM: it writes its results) at the deadline or
    on a signal; return how it ended. ``poll`` is called every second while it runs."""
    log_path = report_dir / LOCUST_LOG_FILE
    with (workdir / "locust.out").open("w+", encoding="utf-8", errors="replace") as output:
        try:
            child = run_child(
                command, cwd=workdir, env=None, output=output, deadline=deadline,
                stop_signal=signal.SIGTERM, stage=stage, poll=poll,
            )  # fmt: skip
        finally:
            output.seek(0)
            write_text_atomic(log_path, redactor(output.read()))
    # 0, 1, 2: the run's verdict (2: a breakpoint search that could not search, checked once
    # the results are read); any other code is Locust not running.
    if child.stopped is None and child.code not in (0, 1, 2):
        raise StageError(f"Locust exited with {child.code}: {_last_error(log_path)}")
    return child


def look_poller(folder: Path, plan: LookPlan) -> Callable[[], None]:
    """What the runner does each second of a sequential run: judge each new look the Locust
    process wrote, and tell it to end once a look leaves nothing open."""
    evidence = folder / looks.EVIDENCE_FILE
    seen: set[int] = set()  # the looks' file versions judged (a new look replaces the file)

    def poll() -> None:
        if looks.decided(folder) is not None or plan.failed is not None:
            return
        try:
            version = evidence.stat().st_mtime_ns
        except FileNotFoundError:  # before the first look
            return
        if version in seen:  # parsed only when Locust wrote a new look, not every second
            return
        seen.add(version)
        try:  # read once, decoded only when the plan judges it (written whole: unreadable
            # is a defect, not a file caught mid-write)
            document = read_document(evidence)
            at_s = looks.look_time(document)
            if not plan.due(at_s):
                return
            reason = plan.look(decode_evidence(evidence, document), at_s)
        except ValueError as exc:
            plan.failed = f"{evidence}: {exc}"
            return
        except TokenprobeError as exc:  # the run goes on to its planned length; the plan says why
            plan.failed = str(exc)
            return
        if reason is not None:
            looks.decide(folder, reason)

    return poll


def _last_error(log_path: Path) -> str:
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    for line in reversed(lines):
        if ONE_LINE_ERROR in line:  # the locustfile's own one-line refusal
            return line.split(ONE_LINE_ERROR, 1)[1].strip()
        if "tokenprobe:" in line or "error" in line.lower():
            return line.split(": ", 1)[-1].strip()
    return lines[-1] if lines else "no output"


def read_results(path: Path, report_dir: Path) -> LoadResults:
    try:
        data = path.read_bytes()
    except OSError:
        reason = _last_error(report_dir / LOCUST_LOG_FILE)
        raise StageError(f"Locust wrote no results: {reason}") from None
    try:  # exactly as written: a damaged SLO verdict or stop is a defect, never left out
        return LoadResults.model_validate_json(data, context=EXACT)
    except ValidationError as exc:  # not ours: say where, never guess
        reason = _last_error(report_dir / LOCUST_LOG_FILE)
        raise StageError(
            f"Locust wrote unreadable results ({first_problem(exc)}): {reason}"
        ) from None


def failure_reasons(report_dir: Path) -> list[FailureReason]:
    """Why requests failed, from Locust's ``_failures.csv`` (written once, at the end): by
    Locust's request entry (``name``, the display name) and by ``scenario`` key."""
    path = report_dir / f"{LOCUST_PREFIX}_failures.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        FailureReason(
            name=row["Name"],
            scenario=key_of_entry(row["Name"]),
            error=row["Error"],
            occurrences=int(row["Occurrences"]),
        )
        for row in rows
    ]


def record_results(
    summary: Summary,
    results: LoadResults,
    report_dir: Path,
    reasons: list[FailureReason] | None = None,
) -> None:
    """Put the run's results on ``summary`` and write what the load suite writes itself
    (``load_stats.csv``, ``latency_histograms.json``, the plots) to ``report_dir``: for
    `run` and for a headless plain Locust run alike."""
    # ``reasons``: known otherwise than from Locust's ``_failures.csv`` (plain Locust, in its
    # own process) or read from it.
    reasons = failure_reasons(report_dir) if reasons is None else reasons
    summary.sections["load"] = results.section(reasons)
    add_checks(summary, results)
    write_stats_csv(results, report_dir)
    write_evidence(results.evidence, report_dir)
    from tokenprobe.load.plots import write_plots  # matplotlib: only a run that plots loads it

    write_plots(results, report_dir)
