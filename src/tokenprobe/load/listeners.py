"""One process's view of the run: configuration, books and accounts, wired to Locust's events.

``install(events)`` registers every listener; the locustfile calls it once. Roles:

* every process: records its users' samples (``request``), watches its own CPU;
* worker: ships increments to the master (``report_to_master``);
* master or standalone: merges (``worker_report``), enforces the request cap, and at
  ``quitting`` writes the exact results, prints the SLO table and sets the exit code.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from pathlib import Path
from typing import Any

import gevent
import psutil
from locust.env import Environment
from locust.event import Events
from locust.runners import MasterRunner, WorkerRunner

from tokenprobe.core.errors import CredentialsError
from tokenprobe.load.accounts import AccountPool
from tokenprobe.load.arrivals import ArrivalStream
from tokenprobe.load.locust_options import LoadConfig, add_arguments, load_config
from tokenprobe.load.partition import Partition
from tokenprobe.load.profiles import users_for_rate
from tokenprobe.load.recorder import Recorder
from tokenprobe.load.results import build_results, step_rows
from tokenprobe.load.safety import describe_host, host_problem
from tokenprobe.load.scenarios import MALFORMED_BODIES
from tokenprobe.load.settings import LoadConfigError

logger = logging.getLogger("tokenprobe.load")
MONITOR_INTERVAL_S = 1.0
RESULTS_KEY = "tokenprobe"
BREAKPOINT_GRACE_S = {"standalone": 1.5, "master": 4.5}  # worker reports come every 3 s


class LoadRun:
    """Everything one process knows about the current test."""

    def __init__(
        self, environment: Environment, config: LoadConfig, pool: AccountPool, partition: Partition
    ) -> None:
        self.environment = environment
        self.config = config
        self.pool = pool
        self.partition = partition
        self.recorder = Recorder(config.profile, config.raw_samples_prefix)
        self.started_wall = time.time()
        self.users_started = 0
        self.started = False
        self.refused: str | None = None
        self._malformed = itertools.cycle(MALFORMED_BODIES)
        self._monitor: gevent.Greenlet | None = None

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
        self._monitor = gevent.spawn(self._watch)

    def stop(self) -> None:
        if self.recorder.stopped_wall is None:
            self.recorder.stopped_wall = time.time()
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
        return bool(self.config.weights["valid_login"] or self.config.weights["login_storm"])

    def _refuse_once(self, reason: str) -> None:
        if self.refused is None:
            self.refused = reason
            _refuse(self.environment, reason)

    def peak_users(self) -> int:
        level = self.config.profile.max_level()
        if self.config.model == "closed":
            return int(level)
        return users_for_rate(level, self.config.stream_rate)

    def next_malformed_body(self) -> tuple[str, dict[str, Any]]:
        """Negative bodies in strict rotation across this process's users: each gets sent."""
        return next(self._malformed)

    def new_arrival_stream(self) -> ArrivalStream:
        config = self.config
        poisson = config.arrival == "poisson"
        return ArrivalStream(
            config.profile, self.started_wall, config.stream_rate, poisson, time.time()
        )

    def _watch(self) -> None:
        """Sample this process's CPU; enforce the request cap on the master/standalone."""
        process = psutil.Process()
        process.cpu_percent(None)
        name = f"{self.role}-{getattr(self.environment.runner, 'worker_index', 0)}"
        while True:
            gevent.sleep(MONITOR_INTERVAL_S)
            self.recorder.note_cpu(name, process.cpu_percent(None))
            if self.role == "standalone":
                self.recorder.settle_series(time.time() - 2)
            if self.role != "worker" and self._over_request_cap():
                logger.warning("request cap of %d reached: stopping", self.config.max_requests)
                gevent.spawn(self.environment.runner.quit)
                return

    def _over_request_cap(self) -> bool:
        return self.environment.runner.stats.total.num_requests >= self.config.max_requests

    def breakpoint_broken(self, elapsed_s: float) -> bool:
        """Master/standalone: has a finished breakpoint step failed to hold?"""
        grace = BREAKPOINT_GRACE_S["master" if self.role == "master" else "standalone"]
        done = [s for s in self.config.profile.stages if s.end_s + grace <= elapsed_s]
        return any(not row["held"] for row in step_rows(self.recorder, self.config, done))

    def finish(self) -> dict[str, Any]:
        self.stop()
        duration = max(1e-3, (self.recorder.stopped_wall or time.time()) - self.started_wall)
        duration = min(duration, self.config.profile.duration_s)
        return build_results(self.recorder, self.config, duration)


_current: LoadRun | None = None
_partition: Partition | None = None


def current() -> LoadRun:
    if _current is None:
        raise RuntimeError("the tokenprobe load run is not initialised")
    return _current


def _configure(environment: Environment, at_init: bool = False) -> LoadRun:
    """Build this process's run from the options; at init, refuse a bad host before anything."""
    global _current, _partition
    if _partition is None:
        _partition = Partition(environment)
    try:
        config = load_config(environment.parsed_options)
    except LoadConfigError as exc:
        _refuse(environment, str(exc))
        raise SystemExit(2) from None
    checks_host = at_init and not isinstance(environment.runner, WorkerRunner)
    problem = host_problem(environment.host, config.allow_hosts, config.allow_remote)
    if checks_host and environment.host and problem:
        _refuse(environment, problem)
        raise SystemExit(2)
    try:
        pool = AccountPool.load(config.credentials_file)
    except CredentialsError as exc:
        _refuse(environment, str(exc))
        raise SystemExit(2) from None
    if not pool.valid and (config.weights["valid_login"] or config.weights["login_storm"]):
        _refuse(environment, "valid-login scenarios need credentials (--tp-credentials)")
        raise SystemExit(2)
    _current = LoadRun(environment, config, pool, _partition)
    return _current


def _refuse(environment: Environment, reason: str) -> None:
    logger.error("tokenprobe: %s", reason)
    environment.process_exit_code = 2


def check_host(run: LoadRun) -> bool:
    """Print the target before the first request; refuse one that is not allowed."""
    host = run.environment.host
    problem = host_problem(host, run.config.allow_hosts, run.config.allow_remote)
    run.refused = problem
    if problem:
        _refuse(run.environment, problem)
        return False
    logger.warning("tokenprobe: load target %s", describe_host(host or ""))
    return True


def install(events: Events) -> None:
    """Register tokenprobe's listeners on Locust's events."""

    @events.init_command_line_parser.add_listener
    def _(parser: Any) -> None:
        add_arguments(parser)

    @events.init.add_listener
    def _(environment: Environment, **_kw: Any) -> None:
        if _current is not None and _current.started:
            return  # a worker that joined a running test got its spawn before init
        _configure(environment, at_init=True)

    @events.test_start.add_listener
    def _(environment: Environment, **_kw: Any) -> None:
        run = _configure(environment)  # workers receive the master's options with the spawn
        if not check_host(run) and run.role != "worker":
            gevent.spawn(environment.runner.quit)
            return
        run.partition.test_started()
        run.start()

    @events.request.add_listener
    def _(name: str, response_time: float, exception: Any, context: dict, **kw: Any) -> None:
        if _current is None:
            return
        intended = context.get("tp_intended", kw.get("start_time", time.time()))
        throttled = context.get("tp_throttled", False)
        account = context.get("tp_account", "")
        _current.recorder.record(
            name, response_time, exception is not None, throttled, intended, account
        )

    @events.report_to_master.add_listener
    def _(client_id: str, data: dict[str, Any]) -> None:
        if _current is not None:
            data[RESULTS_KEY] = _current.recorder.drain()

    @events.worker_report.add_listener
    def _(client_id: str, data: dict[str, Any]) -> None:
        if _current is not None and RESULTS_KEY in data:
            _current.recorder.absorb(data[RESULTS_KEY])

    @events.test_stop.add_listener
    def _(environment: Environment, **_kw: Any) -> None:
        if _current is not None:
            _current.stop()

    @events.quitting.add_listener
    def _(environment: Environment, **_kw: Any) -> None:
        if _current is None or _current.role == "worker" or _current.refused:
            return
        if not _current.started:  # the web UI was opened and closed without a test
            return
        results = _current.finish()
        _write_results(_current.config.results_file, results)
        _print_verdict(results)
        if _current.config.slos:
            environment.process_exit_code = 0 if all(s["passed"] for s in results["slo"]) else 1


def _write_results(path: str, results: dict[str, Any]) -> None:
    if path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


def _print_verdict(results: dict[str, Any]) -> None:
    latency = results["latency_ms"]
    logger.info(
        "tokenprobe: %d requests, %d failures, %.1f req/s, p50 %s p95 %s p99 %s max %s ms; "
        "late %d, dropped %d%s",
        results["requests"], results["failures"], results["throughput_rps"],
        latency["p50"], latency["p95"], latency["p99"], latency["max"],
        results["late"], results["dropped"],
        "; UNRELIABLE: load generator CPU saturated" if results["unreliable"] else "",
    )  # fmt: skip
    if results["capacity_rps"] is not None:
        logger.info("tokenprobe: capacity %s req/s", results["capacity_rps"])
    for slo in results["slo"]:
        verdict = "pass" if slo["passed"] else "FAIL"
        logger.info("tokenprobe: SLO %s %s: observed %s [%s]",
                    slo["name"], slo["threshold"], slo["observed"], verdict)  # fmt: skip
