"""One process's view of the run: configuration, books and accounts, wired to Locust's events.

``install(events)`` registers the listeners of `LoadListeners` (one method per event, named
after it: ``on_test_start``, ``on_quitting``, …); the locustfile calls it once. Roles:

* every process: keeps the books its users record each sample into (`tokenprobe.load.users`,
  as each request is judged: no ``request`` listener between), watches its own CPU;
* worker: ships increments to the master (``report_to_master``);
* master or standalone: merges (``worker_report``), enforces the request cap, at
  ``test_stop`` (a master once its workers' last reports are in: `FinalReports`) writes the
  exact results and prints the SLO table, and at ``quitting`` sets the exit code.

A headless run stopped by SIGTERM or SIGINT still ends through ``quitting``: its results are
written with ``complete: false`` and ``stopped`` (which signal, after how long), the SLO lines
say INCOMPLETE, and the exit code is the signal's (143 for SIGTERM, 130 for SIGINT).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gevent
import psutil
from gevent.pool import Group
from locust.env import Environment
from locust.event import Events
from locust.runners import MasterRunner, WorkerRunner
from locust.stats import StatsError

from tokenprobe.core.catalogue import SLO_CHECK_PREFIX
from tokenprobe.core.errors import CredentialsError
from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.interrupts import exit_code_of
from tokenprobe.core.records import EXACT
from tokenprobe.core.summary import Verdict
from tokenprobe.load import looks
from tokenprobe.load.accounts import LoadAccounts
from tokenprobe.load.arrivals import ArrivalStream
from tokenprobe.load.breakpoint import BreakpointDriver, receive_steps
from tokenprobe.load.evidence import evidence_document, write_evidence
from tokenprobe.load.final_reports import FinalReports
from tokenprobe.load.locust_options import (
    CommonOptions,
    LocustOptions,
    add_arguments,
    common_options,
    parse_options,
)
from tokenprobe.load.partition import Partition
from tokenprobe.load.preflight import Preflight, Step
from tokenprobe.load.profiles import users_for_rate
from tokenprobe.load.recorder import Recorder
from tokenprobe.load.results import build_results
from tokenprobe.load.safety import describe_host, host_problem, is_loopback
from tokenprobe.load.scenarios import MALFORMED_BODIES
from tokenprobe.load.section import FailureReason, LoadResults
from tokenprobe.load.settings import NO_CREDENTIALS_HINT, LoadOptionError, key_of_entry
from tokenprobe.load.verdict import judge, search_result
from tokenprobe.load.web_ui import WebVerdict
from tokenprobe.load.web_ui import install as install_web_ui

logger = logging.getLogger("tokenprobe.load")
MONITOR_INTERVAL_S = 1.0
END_WAIT_S = 2.0  # for the shape's next tick (once a second) to end a run, before stopping it
# At the stop, requests in flight get this long to be answered (Locust's --stop-timeout, when
# given, instead): one sent a moment before a stop (the request cap, the last tick) was cut
# off by the generator, not left unanswered by the target.
STOP_GRACE_S = 1.0
RESULTS_KEY = "tokenprobe"


class LoadRun:
    """Everything one process knows about the current test."""

    def __init__(
        self,
        environment: Environment,
        options: LocustOptions,
        pool: LoadAccounts,
        partition: Partition,
        common: CommonOptions | None = None,
    ) -> None:
        self.environment = environment
        self.options = options
        self.pool = pool
        self.partition = partition
        self.common = common or CommonOptions(None, None, None)
        self.breakpoint: BreakpointDriver | None = None
        self.recorder = Recorder(options.profile, options.raw_samples_prefix)
        self.started_wall = time.time()
        self.users_started = 0
        self.streams_started = 0
        self.started = False
        self.refused: str | None = None
        self.stopped_by: str | None = None  # the signal that ended the run early
        # Locust is stopping the whole test (not a ramp-down stopping some users).
        self.ending = False
        # Every request greenlet of this process's users: they outlive a user stopped by a
        # ramp-down (their answers belong to the step that sent them), not the run.
        self.in_flight = Group()
        self._malformed = itertools.cycle(MALFORMED_BODIES)
        self._monitor: gevent.Greenlet | None = None
        self._next_look_s = options.look_every_s
        self.decided: tuple[str, float] | None = None  # a sequential run's judge: why, when
        self.end_requested = False  # its profile ends at the shape's next tick (`end`)
        self._end_requested_at = 0.0
        self.final_results: LoadResults | None = None  # once stopped: its verdict's results

    @property
    def role(self) -> str:
        runner = self.environment.runner
        if isinstance(runner, MasterRunner):
            return "master"
        return "worker" if isinstance(runner, WorkerRunner) else "standalone"

    def start(self) -> None:
        self.started = True
        self.started_wall = time.time()
        self.recorder.reset(self.started_wall)
        self.users_started = 0
        self.streams_started = 0
        self.ending = False
        self.in_flight = Group()
        self._next_look_s = self.options.look_every_s
        self.decided = None
        self.end_requested = False
        self.final_results = None
        if self.options.profile.is_breakpoint and self.role != "worker":
            self.breakpoint = BreakpointDriver(self)
        self._monitor = gevent.spawn(self._watch)

    def elapsed_s(self) -> float:
        return time.time() - self.started_wall

    def end(self) -> None:
        """End the run as its profile's last tick would: the shape greenlet quits (headless) or
        stops (web UI) by itself, so Locust's main greenlet, which waits on it, wakes only once
        the verdict is taken. Quitting from any other greenlet woke it at once, and its own
        quit stopped the master listening while its workers' last reports were due. With no
        shape under way (or asked again: a ramp-up holds the shape), it stops at once. Once
        the run has stopped (its verdict under way), there is nothing left to end."""
        if self.recorder.closed:
            return
        runner = self.environment.runner
        if self.end_requested or runner.shape_greenlet is None:
            headless = getattr(self.environment.parsed_options, "headless", True)
            gevent.spawn(runner.quit if headless else runner.stop)
        self.end_requested = True
        self._end_requested_at = time.monotonic()

    @property
    def stop_grace_s(self) -> float:
        """How long a request in flight at the stop must have waited to count as unanswered;
        a younger one was cut off by the generator's stop (`Recorder.note_cut_off`)."""
        return self.environment.stop_timeout or STOP_GRACE_S

    def stop(self) -> None:
        """The test is over: requests still in flight are abandoned and counted unanswered.

        They get `STOP_GRACE_S` (Locust's ``--stop-timeout``, when given) to be answered; then
        they are ended before the books close, so that none is answered in Locust's statistics
        and unanswered in ours. A worker gets only ``--stop-timeout`` (none by default), as
        Locust's own workers stop their users at once: a distributed run's requests in flight
        at the stop are unanswered where a standalone run's get a second more.
        """
        if not self.recorder.closed:
            grace = 0.0 if self.role == "worker" else STOP_GRACE_S
            self.in_flight.join(timeout=self.environment.stop_timeout or grace)
            self.in_flight.kill(block=True)
            self.recorder.close(time.time())
        if self._monitor is not None:
            self._monitor.kill(block=False)
            self._monitor = None
        self.recorder.flush_raw()

    def accounts_for_new_user(self) -> tuple[Any, ...] | None:
        """This user's own slice of this process's share of the valid accounts.

        None: this process has no share (a refused worker, or fewer accounts than workers),
        and its users must not send anything rather than borrow another worker's accounts.
        """
        assignment = self.partition.current()
        if assignment.refused:
            self._refuse_once(assignment.refused)
            return None
        share = self.pool.for_worker(assignment.slot, assignment.slots)
        if self.pool.valid and not share.valid and self._needs_valid_accounts():
            self._refuse_once(
                f"account slice {assignment.slot + 1} of {assignment.slots} is empty: "
                f"{len(self.pool.valid)} valid accounts cannot be split across "
                f"{assignment.slots} workers"
            )
            return None
        expected = -(-int(self.peak_users()) // assignment.slots)
        number, self.users_started = self.users_started, self.users_started + 1
        return share.for_user(number, max(expected, 1))

    def _needs_valid_accounts(self) -> bool:
        return bool(self.options.weights["valid_login"] or self.options.weights["login_storm"])

    def _refuse_once(self, reason: str) -> None:
        if self.refused is None:
            self.refused = reason
            _refuse(self.environment, reason)

    def peak_users(self) -> int:
        level = self.options.profile.max_level()
        if self.options.model == "closed":
            return int(level)
        return users_for_rate(level, self.options.stream_rate)

    def next_malformed_body(self) -> tuple[str, dict[str, Any]]:
        """Negative bodies in strict rotation across this process's users: each gets sent."""
        return next(self._malformed)

    def new_arrival_stream(self) -> ArrivalStream:
        """The next stream's schedule. Its turn interleaves with the other workers' streams
        (Locust spreads users evenly over workers), so all of them together send evenly."""
        options = self.options
        assignment = self.partition.current()
        number, self.streams_started = self.streams_started, self.streams_started + 1
        return ArrivalStream(
            options.profile, self.started_wall, options.stream_rate,
            options.arrival == "poisson", time.time(),
            index=number * assignment.slots + assignment.slot,
        )  # fmt: skip

    def _watch(self) -> None:
        """Sample this process's CPU; on the master/standalone, enforce the request cap and
        take a sequential run's looks."""
        process = psutil.Process()
        process.cpu_percent(None)
        name = f"{self.role}-{getattr(self.environment.runner, 'worker_index', 0)}"
        while True:
            gevent.sleep(MONITOR_INTERVAL_S)
            self.recorder.note_cpu(name, process.cpu_percent(None))
            if self.role == "standalone":
                self.recorder.settle_series(time.time() - 2)
            if self.role == "worker":
                continue
            if self.end_requested:  # a ramp-up can hold the shape's tick: end it regardless
                if time.monotonic() - self._end_requested_at > END_WAIT_S:
                    self.end()
                continue
            if self._over_request_cap():
                logger.warning("request cap of %d reached: stopping", self.options.max_requests)
                self.end()
            elif self.options.looks_dir and self._judged_enough(Path(self.options.looks_dir)):
                self.end()

    def _judged_enough(self, folder: Path) -> bool:
        """A sequential run: True once its judge has said the run may end; until then, the
        evidence so far every ``look_every_s`` seconds."""
        reason = looks.decided(folder)
        if reason is not None:
            self.decided = (reason, self.elapsed_s())
            logger.info("tokenprobe: ending the run: %s", reason)
            return True
        if self.elapsed_s() >= self._next_look_s:
            self._next_look_s += self.options.look_every_s
            evidence = evidence_document(self.recorder.run, self.recorder.settled)
            evidence["elapsed_s"] = round(self.elapsed_s(), 3)
            write_evidence(evidence, folder, looks.EVIDENCE_FILE)
        return False

    def _over_request_cap(self) -> bool:
        return self.environment.runner.stats.total.num_requests >= self.options.max_requests

    def finish(self, missing_reports: Sequence[str] = ()) -> LoadResults:
        """The final results; ``missing_reports``: workers whose last report never came."""
        self.stop()
        results = self._assemble(final=True)
        results["missing_reports"] = list(missing_reports)
        elapsed = max(1e-3, (self.recorder.stopped_wall or time.time()) - self.started_wall)
        planned = self.options.profile.duration_s
        results["complete"] = self.stopped_by is None
        if self.decided is not None:  # ended by its judge: complete, and shorter than planned
            reason, after_s = self.decided
            results["decided"] = {"reason": reason, "after_s": round(after_s, 3)}
        results["stopped"] = (
            None
            if self.stopped_by is None
            else {"reason": self.stopped_by, "after_s": round(elapsed, 3), "planned_s": planned}
        )
        return LoadResults.model_validate(results, context=EXACT)

    def results(self, final: bool) -> LoadResults:
        """The run's results; not ``final``: a snapshot while it runs (the web UI's)."""
        return LoadResults.model_validate(self._assemble(final), context=EXACT)

    def _assemble(self, final: bool) -> dict[str, Any]:
        elapsed = max(1e-3, (self.recorder.stopped_wall or time.time()) - self.started_wall)
        duration = min(elapsed, self.options.profile.duration_s)
        search = self.breakpoint.outcome(elapsed) if self.breakpoint else None
        return build_results(self.recorder, self.options, duration, search, final=final)

    def stopped_early(self) -> bool:
        """Stopped before its profile ended (STOP in the web UI, a signal, the request cap)."""
        end = self.recorder.stopped_wall or time.time()
        search_over = self.breakpoint is not None and self.breakpoint.ended_s is not None
        return not search_over and end - self.started_wall < self.options.profile.duration_s - 1


def _refuse(environment: Environment, reason: str) -> None:
    logger.error("tokenprobe: %s", reason)
    environment.process_exit_code = 2


def check_host(run: LoadRun) -> bool:
    """Print the target before the first request; refuse one that is not allowed."""
    host = run.environment.host
    problem = host_problem(host, run.options.allow_hosts, run.options.allow_remote)
    run.refused = problem
    if problem:
        _refuse(run.environment, problem)
        return False
    # Loopback is the normal case: information, not a warning (the web UI's Logs tab marks
    # every warning); a remote host someone allowed stays a warning.
    log = logger.info if is_loopback(urlsplit(host or "").hostname or "") else logger.warning
    log("tokenprobe: load target %s", describe_host(host or ""))
    return True


@dataclasses.dataclass(frozen=True)
class FinishedRun:
    """What a results hook gets at ``quitting`` (master or standalone): the run, its final
    results, the scenarios switched off for lack of credentials (keys), and why requests
    failed, from Locust's statistics (its ``_failures.csv`` is rewritten only every second)."""

    run: LoadRun
    results: LoadResults
    switched_off: tuple[str, ...]
    failure_reasons: list[FailureReason]


ResultsHook = Callable[[FinishedRun], None]


class LoadListeners:
    """tokenprobe's listeners on Locust's events, named after them, and the state they share:
    this process's current run and its side of the account partition."""

    def __init__(self) -> None:
        self.preflight = Preflight()
        self.results_hooks: list[ResultsHook] = []
        self.run: LoadRun | None = None
        self.partition: Partition | None = None
        self.common = CommonOptions(None, None, None)
        self.final_reports: FinalReports | None = None

    def register(self, events: Events) -> None:
        events.init_command_line_parser.add_listener(self.on_init_command_line_parser)
        events.init.add_listener(self.on_init)
        events.test_start.add_listener(self.on_test_start)
        events.report_to_master.add_listener(self.on_report_to_master)
        events.worker_report.add_listener(self.on_worker_report)
        events.test_stopping.add_listener(self.on_test_stopping)
        events.test_stop.add_listener(self.on_test_stop)
        events.quitting.add_listener(self.on_quitting)

    def configure(self, environment: Environment, at_init: bool = False) -> LoadRun:
        """Build this process's run from the options; at init, refuse a bad host before
        anything is sent."""
        if self.partition is None:
            self.partition = Partition(environment)
        if self.final_reports is None:
            self.final_reports = FinalReports(environment, self._drain, self._absorb)
        parsed = environment.parsed_options
        try:
            if not isinstance(environment.runner, WorkerRunner):
                for warning in common_options(parsed, self.common):
                    if at_init:
                        logger.warning("tokenprobe: %s", warning)
            options = parse_options(parsed)
        except LoadOptionError as exc:
            _refuse(environment, str(exc))
            raise SystemExit(2) from None
        checks_host = at_init and not isinstance(environment.runner, WorkerRunner)
        problem = host_problem(environment.host, options.allow_hosts, options.allow_remote)
        if checks_host and environment.host and problem:
            _refuse(environment, problem)
            raise SystemExit(2)
        try:
            pool = LoadAccounts.load(options.credentials_file)
            if not pool.valid and not isinstance(environment.runner, WorkerRunner):
                options = self._without_accounts(parsed, at_init)
        except (CredentialsError, LoadOptionError) as exc:
            _refuse(environment, str(exc))
            raise SystemExit(2) from None
        needs_accounts = options.weights["valid_login"] or options.weights["login_storm"]
        # A worker's weights at init are its own command line's; the master's (which switched
        # the valid-login scenarios off when it has no credentials either) come with the spawn,
        # and are judged then.
        master_decides = at_init and isinstance(environment.runner, WorkerRunner)
        if not pool.valid and needs_accounts and not master_decides:
            _refuse(environment, f"valid-login scenarios need credentials: {NO_CREDENTIALS_HINT}")
            raise SystemExit(2)
        self.run = LoadRun(environment, options, pool, self.partition, self.common)
        return self.run

    def _without_accounts(self, parsed: Any, at_init: bool) -> LocustOptions:
        """No credentials: the scenarios that need accounts stay off (the preflight switched
        them off; the web UI's form may weigh them again), said once, at init."""
        self.preflight.switch_off_again(parsed)
        if at_init and self.preflight.switched_off:
            logger.warning(
                "tokenprobe: no credentials: scenarios %s off, reported as not evaluated "
                "(TP-LOAD-003); %s",
                ", ".join(self.preflight.switched_off),
                NO_CREDENTIALS_HINT,
            )
        return parse_options(parsed)

    def on_init_command_line_parser(self, parser: Any, **_kw: Any) -> None:
        add_arguments(parser)
        self.preflight.install(parser)

    def on_init(self, environment: Environment, **_kw: Any) -> None:
        if self.run is not None and self.run.started:
            return  # a worker that joined a running test got its spawn before init
        # Before Locust applies its headless defaults to -u and -r (see CommonOptions).
        self.common = CommonOptions.given(environment.parsed_options)
        run = self.configure(environment, at_init=True)
        if environment.web_ui is not None:
            install_web_ui(environment, self.web_verdict)
            use_common_fields(environment, run.options.model)
        headless = getattr(environment.parsed_options, "headless", False)
        if headless and not isinstance(environment.runner, WorkerRunner):
            self._stop_on_signals(environment)

    def _stop_on_signals(self, environment: Environment) -> None:
        """SIGTERM and SIGINT end a headless run through ``quitting``, noted as incomplete.

        Locust 2.47 installs its own SIGTERM handler only once a shape test has ended (its
        ``main`` first blocks on the shape greenlet), so until then SIGTERM would kill the run
        with no final statistics. Both signals now end the run at the shape's next tick
        (`LoadRun.end`); a second one before the stop stops it at once.
        """

        def stop(signal_name: str) -> None:
            run = self.run
            ongoing = run is not None and run.started and run.recorder.stopped_wall is None
            if ongoing and run.stopped_by is None:  # type: ignore[union-attr]
                run.stopped_by = signal_name  # type: ignore[union-attr]
                logger.warning("tokenprobe: %s: stopping; the results are incomplete", signal_name)
            if run is not None and run.started and run.final_results is None:
                run.end()  # nothing while its verdict is taken (bounded: the last reports)
            else:
                environment.runner.quit()

        gevent.signal_handler(signal.SIGTERM, stop, "SIGTERM")
        gevent.signal_handler(signal.SIGINT, stop, "SIGINT")

    def web_verdict(self) -> WebVerdict:
        """The web UI's view: the final verdict of the last stopped run, or the running one's
        so far."""
        run, state = self.run, self.run.environment.runner.state if self.run else "ready"
        if run is not None and run.final_results is not None:
            results, final = run.final_results, True
        elif run is not None and run.started:
            results, final = run.results(final=False), False
        else:
            return WebVerdict(state)
        stopped_early = bool(run and final and run.stopped_early())
        return WebVerdict(state, results, self.judge(results), final, stopped_early)

    def judge(self, results: LoadResults) -> Verdict:
        """This process's verdict of ``results``: the one every report gives of them."""
        parsed = self.run.environment.parsed_options if self.run else None
        require_complete = bool(getattr(parsed, "tp_require_complete", False))
        return judge(results, self.preflight.switched_off, require_complete)

    def on_test_start(self, environment: Environment, **_kw: Any) -> None:
        parsed = environment.parsed_options
        if parsed is not None and not parsed.headless:
            self.common = CommonOptions.given(parsed)  # the web UI's form, as the user left it
        run = self.configure(environment)  # workers receive the master's options with the spawn
        receive_steps(environment, lambda: self.run)
        if not check_host(run) and run.role != "worker":
            gevent.spawn(environment.runner.quit)
            return
        run.partition.test_started()
        assert self.final_reports is not None
        self.final_reports.register()
        self.final_reports.test_started()
        run.start()

    def on_report_to_master(self, client_id: str, data: dict[str, Any], **_kw: Any) -> None:
        if self.run is not None:
            data[RESULTS_KEY] = self._drain()
        if self.final_reports is not None:
            # A worker that joined a running test had no runner at its test_start.
            self.final_reports.register()

    def on_worker_report(self, client_id: str, data: dict[str, Any], **_kw: Any) -> None:
        if self.final_reports is not None:
            self.final_reports.heard_from(client_id)
        if RESULTS_KEY in data:
            self._absorb(data[RESULTS_KEY])

    def _drain(self) -> dict[str, Any]:
        assert self.run is not None
        return self.run.recorder.drain()

    def _absorb(self, data: dict[str, Any]) -> None:
        if self.run is not None:
            self.run.recorder.absorb(data)

    def _final_results(self, run: LoadRun) -> LoadResults:
        """The run's results once every worker's last samples are in (master), or now."""
        assert self.final_reports is not None
        return run.finish(self.final_reports.collect())

    def on_test_stopping(self, **_kw: Any) -> None:
        # Fired before Locust stops the users: a request they abandon now is unanswered.
        if self.run is not None:
            self.run.ending = True

    def on_test_stop(self, environment: Environment, **_kw: Any) -> None:
        run = self.run
        if run is None:
            return
        run.stop()
        if run.role == "worker" or run.refused or not run.started:
            return
        # The verdict is taken now: a master still hears its workers (at ``quitting`` it no
        # longer does), and the web UI's STOP or the end of its profile shows it at once.
        if run.final_results is None:
            self._take_verdict(run)
        headless = environment.parsed_options is None or environment.parsed_options.headless
        if not headless:
            use_common_fields(environment, run.options.model)

    def _take_verdict(self, run: LoadRun) -> LoadResults:
        """The run's final results, written and printed once; kept with the run."""
        results = run.final_results = self._final_results(run)
        _write_results(run.options.results_file, results)
        _print_verdict(results, self.judge(results))
        return results

    def on_quitting(self, environment: Environment, **_kw: Any) -> None:
        run = self.run
        if run is None or run.role == "worker" or run.refused:
            return
        if not run.started:  # the web UI was opened and closed without a test
            return
        # Taken at test_stop; Locust's own SIGTERM handler fires quitting before it stops.
        results = run.final_results or self._take_verdict(run)
        judged = self.judge(results)
        if run.stopped_by is not None:  # an incomplete run passes no verdict
            environment.process_exit_code = exit_code_of(run.stopped_by)
        elif run.options.slos or results.missing_reports:
            environment.process_exit_code = judged.exit_code
        finished = FinishedRun(
            run, results, tuple(self.preflight.switched_off), failure_reasons(environment)
        )
        for hook in self.results_hooks:
            hook(finished)


# One per process: every Locust process (standalone, master, each worker) imports the
# locustfile once, and its users and load shape find their run here.
_LISTENERS = LoadListeners()


def install(events: Events) -> None:
    """Register tokenprobe's listeners on Locust's events (the locustfile does, once)."""
    _LISTENERS.register(events)


def add_preflight_step(step: Step) -> None:
    """Run ``step`` on Locust's parsed options once tokenprobe's checks passed, before Locust
    uses them (it may set Locust's own, ``--html`` say); a `TokenprobeError` it raises is one
    line and exit 2."""
    _LISTENERS.preflight.steps.append(step)


def add_results_hook(hook: ResultsHook) -> None:
    """Call ``hook`` with the `FinishedRun` at ``quitting``, after the verdict (master or
    standalone; it may set ``environment.process_exit_code``)."""
    _LISTENERS.results_hooks.append(hook)


def failure_reasons(environment: Environment) -> list[FailureReason]:
    """Why requests failed, as `tokenprobe.load.runner.failure_reasons` reads them from
    Locust's ``_failures.csv``: by request entry and by scenario key."""
    errors = environment.runner.stats.errors.values() if environment.runner else []
    return [
        FailureReason(name=error.name, scenario=key_of_entry(error.name),
                      error=StatsError.parse_error(error.error), occurrences=error.occurrences)
        for error in errors
    ]  # fmt: skip


def current_run() -> LoadRun:
    if _LISTENERS.run is None:
        raise RuntimeError("the tokenprobe load run is not initialised")
    return _LISTENERS.run


def use_common_fields(environment: Environment, model: str) -> None:
    """Web UI: the users, ramp-up and run-time fields of Locust's start form mean something in
    the closed model only; for the open model Locust greys them out ("disabled for tests using
    LoadTestShape"), and the rate and duration are tp-rate and tp-duration."""
    shape = environment.shape_class
    if shape is not None:
        shape.use_common_options = model == "closed"


def _write_results(path: str, results: LoadResults) -> None:
    if path:  # write_text_atomic makes the folder
        write_text_atomic(Path(path), results.model_dump_json(indent=1, exclude_unset=True) + "\n")


def _print_verdict(results: LoadResults, judged: Verdict) -> None:
    """The numbers, then each SLO check and the search as the run's verdict judges them (the
    same rule every report uses), then the verdict line."""
    latency = results.latency_ms
    logger.info(
        "tokenprobe: %d requests, %d failures, %.1f req/s, p50 %s p95 %s p99 %s max %s ms; "
        "late %d, dropped %d, unanswered %d%s%s",
        results.requests, results.failures, results.throughput_rps,
        latency.p50, latency.p95, latency.p99, latency.max,
        results.late, results.dropped, results.unanswered,
        " (percentiles are lower bounds)" if results.percentiles_are_lower_bounds else "",
        "; UNRELIABLE: load generator CPU saturated" if results.unreliable else "",
    )  # fmt: skip
    if results.capacity:
        logger.info("tokenprobe: breakpoint: %s", search_result(results.capacity))
    stopped = results.stopped
    incomplete = (
        f", INCOMPLETE: stopped by {stopped.reason} after {stopped.after_s:g} of "
        f"{stopped.planned_s:g} s"
        if stopped
        else ""
    )
    for checked in judged.checks:
        if checked.id.startswith(SLO_CHECK_PREFIX):
            logger.info("tokenprobe: %s: %s [%s%s]", checked.check.name, checked.message,
                        checked.outcome, incomplete)  # fmt: skip
    logger.info("tokenprobe: %s", judged.line())
