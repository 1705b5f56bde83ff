"""The release gate: every stage against one target, one verdict, one report directory.

Stages run in order against the same target (the embedded reference target when no URL is
given): conformance on the published spec, conformance on the strict spec, the security probes,
and a load smoke with SLOs. Each stage writes its own tool-native reports into its own
sub-directory; a stage that cannot run is recorded as an error and the others still run. The
gate then merges findings and checks, applies severities and the known-deviation baseline,
and writes ``summary.json``, ``junit.xml``, ``summary.md`` and ``report.html`` at the top.

Time: the gate has ``--max-time`` (``[gate] max-time``) and ends within it. Each stage, when it
starts, gets a budget: an equal share of the time left among the stages still to run, after
holding back the load smoke's length (plus its start-up) for it; time a stage leaves unused goes
to the next. A stage that runs out of its budget is stopped, keeps what it found, and is named
in the summary (``stopped``); the stages after it still run while time is left. After each
stage ``summary.json`` is rewritten (atomically) with the stages so far, so a gate killed even
by SIGKILL leaves the last one. SIGINT or SIGTERM stops the running stage the same way, skips
the rest, and the four reports are written.

The production profile (``--profile production``, `gate.production`) runs other stages: the
conformance checks on a fixed plan of requests and the probes that only read a login, with one
account, under a request budget and a rate (`core.limits`, enforced for the whole run); the
stages it leaves out are listed as not run, with the reason.

Exit code (`Summary.exit_code`): 0 pass; 1 an error-severity finding not accepted by the
baseline, or an SLO breach; 2 a stage or the gate itself could not run, or ran out of time;
130 after SIGINT, 143 after SIGTERM. A check that could not be evaluated is a not-evaluated
finding (a warning, counted in the verdict line); with ``require_complete`` it is an error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from tokenprobe import conformance, load, security
from tokenprobe.conformance import ConformanceOptions
from tokenprobe.conformance.runner import CASSETTE_FILE, SCHEMATHESIS_JUNIT_FILE
from tokenprobe.core import catalogue, defaults
from tokenprobe.core.baseline import (
    Acceptance,
    Baseline,
    apply_baseline,
    default_expiry,
    load_baseline,
    write_baseline,
)
from tokenprobe.core.config import Config, slo_text
from tokenprobe.core.credentials import Credential, pool, read_verify_key
from tokenprobe.core.deadlines import Deadline
from tokenprobe.core.errors import TokenprobeError
from tokenprobe.core.findings import deduplicate
from tokenprobe.core.interrupts import Interrupted, shielded
from tokenprobe.core.limits import RequestLedger, enforced
from tokenprobe.core.redact import Redactor
from tokenprobe.core.session import TargetSession, token_url_of
from tokenprobe.core.summary import TIME, Stop, Summary, Verdict, verdict
from tokenprobe.gate import production
from tokenprobe.gate.progress import Progress
from tokenprobe.load import LoadOptions
from tokenprobe.load.runner import LOCUST_HTML_FILE
from tokenprobe.load.stats_csv import STATS_CSV
from tokenprobe.reports import (
    PreviousRun,
    Regression,
    claim_report_dir,
    compare_summaries,
    comparison_plan,
    judge_against,
    load_previous_run,
    new_run_dir,
    publish_run,
    write_all_reports,
    write_stage_reports,
)
from tokenprobe.reports.summary_json import write_summary
from tokenprobe.security import FINDING_IDS, SecurityOptions

# A stage runs one suite against a target, its tool-native files going to the given folder,
# within a budget (seconds): `StageRun`.
StageRunner = Callable[[TargetSession, "StageRun"], Summary]
# Opens the run's target (the command line's `open_target`): the gate never starts a server.
TargetOpener = Callable[..., AbstractContextManager[TargetSession]]
# Enough accounts that security probes spread failed logins and load users get their own.
EMBEDDED_USERS = 60
MIN_POOL_TO_PARTITION = 20
CONFORMANCE_ACCOUNTS = 3
# Held back from --max-time for what follows the stages: stopping the embedded target and
# writing the four reports.
REPORT_RESERVE_S = 5.0
# Held back for the load smoke besides its length: Locust's start-up and final reports.
LOAD_RESERVE_S = 20.0
NOT_RUN = "not run"  # a stage's status when the gate never started it
MIN_STAGE_S = 1.0  # with less time left than this, a stage is not started


@dataclasses.dataclass(frozen=True)
class GateOptions:
    config: Config
    report_dir: Path | None = None  # explicit run directory; None → reports/<UTC timestamp>/
    compare: Path | None = None
    update_baseline: bool = False
    baseline_reason: str = "accepted with --update-baseline"
    skip: frozenset[str] = frozenset()  # stage names to leave out
    load_duration_s: float = defaults.GATE_LOAD_DURATION_S
    load_rate: float = defaults.GATE_LOAD_RATE_PER_S
    # Not-evaluated findings fail the gate (also [gate] require-complete in the configuration).
    require_complete: bool = False
    max_time_s: float = defaults.GATE_MAX_TIME_S  # the whole gate, reports included
    elapsed_before_s: float = 0.0  # already spent (the process's start-up), counted in it
    profile: str = defaults.GATE_PROFILES[0]  # "production": `gate.production`
    max_requests: int = defaults.PRODUCTION_MAX_REQUESTS  # the production profile's limits
    max_rate_per_s: float = defaults.PRODUCTION_MAX_RATE_PER_S

    @property
    def production(self) -> bool:
        return self.profile == production.PRODUCTION

    @property
    def load_length_s(self) -> float:
        """The load stage's planned length: with --compare, the most it may send for."""
        if self.compare is not None:
            return max(self.load_duration_s, self.config.regression.max_load_s)
        return self.load_duration_s


@dataclasses.dataclass(frozen=True)
class StageRun:
    """Where a stage writes its own files, what it is called, and how long it may take."""

    name: str
    report_dir: Path
    budget_s: float


@dataclasses.dataclass(frozen=True)
class Stage:
    name: str
    run: StageRunner


@dataclasses.dataclass(frozen=True)
class GateResult:
    summary: Summary
    run_dir: Path
    latest_problem: str | None = None  # why ``latest`` was left alone, if it was


def security_options(config: Config, environ: dict[str, str]) -> SecurityOptions:
    username = environ.get(config.security.canary_username_env, "")
    password = environ.get(config.security.canary_password_env, "")
    canary = Credential(username, password) if username and password else None
    key_file = config.security.verify_key_file
    return SecurityOptions(
        # The probes' own overrides; the rest of [severities] is applied to the merged findings.
        severities={k: v for k, v in config.severities.items() if k in FINDING_IDS},
        canary=canary,
        brute_force_attempts=config.security.brute_force_attempts,
        failures_per_account=config.security.failures_per_account,
        login_fields=frozenset(config.security.login_fields),
        verify_key=read_verify_key(key_file) if key_file else None,
        request_timeout_s=defaults.GATE_REQUEST_TIMEOUT_S,
    )


def load_options(config: Config, options: GateOptions, stage: StageRun) -> LoadOptions:
    # The "smoke" profile caps the rate at 2/s: too few samples for a p99. A short constant
    # run gives the SLOs a hundred or more. With --compare it is a measurement: faster, and as
    # long as the comparison needs (`comparison_plan`).
    comparing = options.compare is not None
    return LoadOptions(
        report_dir=stage.report_dir,
        profile="constant",
        rate=config.regression.load_rate if comparing else options.load_rate,
        duration_s=options.load_length_s,
        slos=slo_text(config.slo),
        allow_hosts=tuple(config.load.allowed_hosts),
        budget_s=stage.budget_s,
        stage=stage.name,
    )


def conformance_stage(spec: str, config: Config) -> StageRunner:
    def run(session: TargetSession, stage: StageRun) -> Summary:
        options = ConformanceOptions(
            stage.report_dir,
            spec,
            max_examples=config.conformance.max_examples,
            policy=config.policy,
            budget_s=stage.budget_s,
            stage=stage.name,
            # The strict spec asks the published requests again; only its 200 is news.
            logins_only=spec == "strict",
        )
        return conformance.run(session, options)

    return run


def security_stage(config: Config, environ: dict[str, str]) -> StageRunner:
    def run(session: TargetSession, stage: StageRun) -> Summary:
        options = dataclasses.replace(
            security_options(config, environ), budget_s=stage.budget_s, stage=stage.name
        )
        return security.run(session, options)

    return run


def bounded_stage(config: Config) -> StageRunner:
    def run(session: TargetSession, stage: StageRun) -> Summary:
        # Imported here: it loads Hypothesis (tokenprobe's hooks), which only this stage needs.
        from tokenprobe.conformance import bounded

        options = bounded.BoundedOptions(
            policy=config.policy,
            request_timeout_s=defaults.GATE_REQUEST_TIMEOUT_S,
            budget_s=stage.budget_s,
            stage=stage.name,
        )
        summary = bounded.run(session, options)
        summary.checks.extend(
            production.conformance_checks_not_run(bounded.SCHEMATHESIS_RESPONSE_CHECKS)
        )
        return summary

    return run


def safe_security_stage(config: Config, environ: dict[str, str]) -> StageRunner:
    def run(session: TargetSession, stage: StageRun) -> Summary:
        staging = security_options(config, environ)
        options = dataclasses.replace(
            production.security_options(staging), budget_s=stage.budget_s, stage=stage.name
        )
        summary = security.run(session, options)
        summary.checks.extend(production.probes_not_run())
        return summary

    return run


def load_stage(options: GateOptions, previous: PreviousRun | None) -> StageRunner:
    def run(session: TargetSession, stage: StageRun) -> Summary:
        plan = None
        if previous is not None:
            plan = comparison_plan(
                previous, options.config.regression, stage.report_dir.parent,
                first_s=options.load_duration_s, max_s=options.load_length_s,
            )  # fmt: skip
        return load.run(session, load_options(options.config, options, stage), plan=plan)

    return run


def build_stages(
    options: GateOptions, environ: dict[str, str], previous: PreviousRun | None = None
) -> list[Stage]:
    """The profile's stages in their order (`defaults.GATE_STAGES`), less those skipped."""
    config = options.config
    runners: dict[str, StageRunner] = (
        {
            "conformance-bounded": bounded_stage(config),
            "security": safe_security_stage(config, environ),
        }
        if options.production
        else {
            "conformance-published": conformance_stage("published", config),
            "conformance-strict": conformance_stage("strict", config),
            "security": security_stage(config, environ),
            "load": load_stage(options, previous),
        }
    )
    names = defaults.GATE_STAGES[options.profile]
    return [Stage(name, runners[name]) for name in names if name not in options.skip]


def stage_budget(name: str, later: Sequence[str], remaining_s: float, load_need_s: float) -> float:
    """The seconds a stage may take when it starts with ``remaining_s`` left for it and the
    stages ``later``: an equal share among the stages left, after holding back ``load_need_s``
    for the load smoke (the last stage, which takes whatever is left)."""
    if name == "load":
        return remaining_s
    sharing = 1 + sum(1 for other in later if other != "load")
    held_back = load_need_s if "load" in later else 0.0
    # With less left than the load smoke needs, it gets an equal share like the others.
    available = max(remaining_s - held_back, remaining_s * sharing / (sharing + 1))
    return available / sharing


def partition_accounts(session: TargetSession, stages: Sequence[Stage]) -> dict[str, TargetSession]:
    """Give each stage its own accounts, so one stage's failed logins (and the target's
    per-account lockout) never decide another stage's results. A pool too small to split is
    shared by every stage."""
    credentials = session.credentials
    names = [stage.name for stage in stages]
    if len(credentials) < MIN_POOL_TO_PARTITION:
        return dict.fromkeys(names, session)
    slices: dict[str, list[Credential]] = {}
    start = 0
    for name in names:
        if name.startswith("conformance"):
            slices[name] = credentials[start : start + CONFORMANCE_ACCOUNTS]
            start += CONFORMANCE_ACCOUNTS
    load_size = len(credentials) // 4 if "load" in names else 0
    slices["load"] = credentials[start : start + load_size]
    slices["security"] = credentials[start + load_size :]  # the rest; its canary is the last
    return {name: dataclasses.replace(session, credentials=slices[name]) for name in names}


def sessions_of(
    session: TargetSession, stages: Sequence[Stage], ledger: RequestLedger | None
) -> dict[str, TargetSession]:
    """Each stage's accounts; under the production profile's limits every stage shares the
    first account, the one the limits protect."""
    if ledger is None:
        return partition_accounts(session, stages)
    one = dataclasses.replace(session, credentials=session.credentials[:1])
    ledger.protected = one.credentials[0] if one.credentials else None
    return {stage.name: one for stage in stages}


def limits_of(ledger: RequestLedger | None) -> AbstractContextManager[object]:
    return enforced(ledger) if ledger is not None else contextlib.nullcontext()


def run_stage(stage: Stage, session: TargetSession, run_dir: Path, budget_s: float) -> Summary:
    """Run one stage within ``budget_s``; whatever goes wrong (a signal included) becomes an
    error on its summary, never an exception. The stage's reports are the caller's to write."""
    return _run_suite(stage, session, StageRun(stage.name, run_dir / stage.name, budget_s))


def _run_suite(stage: Stage, session: TargetSession, stage_run: StageRun) -> Summary:
    failed = Summary(command=stage.name, target=session.token_url)
    try:
        return stage.run(session, stage_run)
    except Interrupted as exc:  # before the suite could stop in good order (e.g. starting)
        failed.stop(Stop(exc.signal_name, stage.name))
    except TokenprobeError as exc:
        failed.errors.append(f"{stage.name}: {exc}")
    except Exception as exc:  # a bug in a stage must not cost the other stages' results
        failed.errors.append(f"{stage.name}: internal error: {type(exc).__name__}")
    failed.finish()
    return failed


def merge(
    target: str,
    started_at: dt.datetime,
    results: Sequence[tuple[str, Summary]],
    not_run: Sequence[str] = (),
    embedded_target: bool = False,
) -> Summary:
    """One gate summary from the stages' summaries; stage sections keep their own keys.

    ``stopped``: the first stage stopped by a signal, else the first that ran out of time.
    """
    gate = Summary(
        command="gate", target=target, started_at=started_at, embedded_target=embedded_target
    )
    stages: dict[str, Any] = {}
    conformance: dict[str, Any] = {}
    for name, result in results:
        gate.findings.extend(result.findings)
        gate.checks.extend(dataclasses.replace(c, source=name) for c in result.checks)
        gate.errors.extend(e if e.startswith(name) else f"{name}: {e}" for e in result.errors)
        stages[name] = {
            "status": result.status,
            "duration_s": result.duration_s,
            "findings": len(result.findings),
            "errors": list(result.errors),
            "report_dir": f"./{name}",
            "stopped": result.stopped.to_dict() if result.stopped else None,
        }
        for key, value in result.sections.items():
            if name.startswith("conformance"):
                conformance[name.removeprefix("conformance-")] = value
            else:
                gate.sections[key] = value
    for name in not_run:
        stages[name] = not_run_stage()
    gate.findings = catalogue.fold_same_causes(deduplicate(gate.findings))
    gate.sections["stages"] = stages
    if conformance:
        gate.sections["conformance"] = conformance
    stops = [result.stopped for _, result in results if result.stopped is not None]
    signals = [stop for stop in stops if stop.reason != TIME]
    gate.stopped = (signals or stops or [None])[0]
    return gate


def not_run_stage() -> dict[str, Any]:
    return {"status": NOT_RUN, "findings": 0, "errors": [], "stopped": None}


def native_reports(run_dir: Path) -> dict[str, str]:
    """Links to the tools' own reports, relative to the run directory, where they exist."""
    candidates = {
        "Schemathesis cassette (published spec)": f"conformance-published/{CASSETTE_FILE}",
        "Schemathesis cassette (strict spec)": f"conformance-strict/{CASSETTE_FILE}",
        "Schemathesis JUnit (published spec)": f"conformance-published/{SCHEMATHESIS_JUNIT_FILE}",
        "Locust HTML report": f"load/{LOCUST_HTML_FILE}",
        "Load statistics, exact (CSV)": f"load/{STATS_CSV}",
    }
    return {label: f"./{path}" for label, path in candidates.items() if (run_dir / path).exists()}


def run_gate(
    options: GateOptions,
    progress: Progress,
    open_target: TargetOpener,
    environ: dict[str, str] | None = None,
) -> GateResult:
    """Run every stage within ``--max-time``, write every report, return the verdict.

    Raises `ConfigError` before anything runs for a ``report_dir`` that would overwrite a run
    (`claim_report_dir`); otherwise nothing but bugs."""
    env = dict(environ or {})
    config = options.config
    if options.report_dir is not None:
        run_dir = claim_report_dir(options.report_dir)
    else:
        run_dir = new_run_dir(config.report_root)
    # The token URL, as every command records it (the target is not started yet).
    url = config.target.url
    target = token_url_of(url) if url else "embedded reference target"
    run = GateRun(options, run_dir, progress, target)
    previous, previous_problem = _previous_run(options)
    stages = build_stages(options, env, previous)
    try:
        # The same pool as every command: the credentials file with USERNAME/PASSWORD.
        credentials = pool(config.target.credentials, env) if config.target.url else None
        with (
            limits_of(run.ledger),
            open_target(
                config.target.url,
                credentials=credentials,
                users=EMBEDDED_USERS,
                deadline=run.deadline,
                token_fields=config.target.token_fields,
            ) as opened,
        ):
            # One redactor for the whole run: the gate's own reports are written after the
            # target is closed, and must hide what every stage learnt.
            session = dataclasses.replace(opened, redactor=run.redactor)
            run.target = session.token_url  # as every command records it
            run.run_stages(stages, sessions_of(session, stages, run.ledger))
    except TokenprobeError as exc:
        run.add_error("target", str(exc))
    except Interrupted as exc:  # starting or stopping the target: nothing else is running
        run.add_stop("target", Stop(exc.signal_name, "target"))
    with shielded():  # a signal now must not cut a report in half
        summary = run.summary([stage.name for stage in stages])
        regression = _judge_regression(summary, run_dir, options, previous, previous_problem)
        summary.grade(config.severities, require_complete=options.require_complete)
        comparison = None
        try:
            _apply_baseline(summary, options)
            if previous is not None and summary.stopped is None:  # cut short: no comparison
                comparison = compare_summaries(
                    summary.to_dict(), previous.summary, str(previous.given), regression
                )
        except TokenprobeError as exc:  # a bad baseline or comparison must not lose the report
            summary.errors.append(str(exc))
        summary.finish()
        write_all_reports(
            summary,
            run_dir,
            run.redactor,
            plots=sorted(run_dir.glob("load/*.png")),
            native_reports=native_reports(run_dir),
            comparison=comparison,
        )
        latest_problem = None
        if options.report_dir is None:
            latest_problem = publish_run(run_dir)
    return GateResult(summary, run_dir, latest_problem)


class GateRun:
    """One gate run as it goes: its clock, the stages' results so far, the progress file."""

    def __init__(self, options: GateOptions, run_dir: Path, progress: Progress, target: str):
        self.options = options
        self.run_dir = run_dir
        self.progress = progress
        self.target = target
        self.embedded = options.config.target.url is None  # the embedded reference target
        self.redactor = Redactor()
        self.started = dt.datetime.now(dt.UTC)
        spent_s = options.elapsed_before_s + REPORT_RESERVE_S
        self.deadline = Deadline.after(max(0.0, options.max_time_s - spent_s))
        self.results: list[tuple[str, Summary]] = []
        self.out_of_time = False  # the gate's own time ran out before every stage started
        # The production profile's limits, and its count of what every stage sent.
        self.ledger = (
            production.ledger(options.max_requests, options.max_rate_per_s)
            if options.production
            else None
        )
        self.interrupted: Stop | None = None  # a signal outside any stage's own handling

    def run_stages(self, stages: Sequence[Stage], sessions: dict[str, TargetSession]) -> None:
        """The stages in order, each within its budget, until done, out of time or stopped
        by a signal; each stage's reports, and ``summary.json``, are written after it."""
        names = [stage.name for stage in stages]
        load_need_s = self.options.load_length_s + LOAD_RESERVE_S
        current = names[0] if names else "target"
        try:
            for index, stage in enumerate(stages):
                current = stage.name
                remaining_s = self.deadline.remaining()
                if remaining_s < MIN_STAGE_S:
                    self.out_of_time = True
                    return  # the rest are "not run"
                later = names[index + 1 :]
                budget_s = round(stage_budget(stage.name, later, remaining_s, load_need_s), 1)
                self.progress.stage_started(stage.name)
                if self.ledger is not None:
                    self.ledger.stage = stage.name  # its requests are counted under its name
                result = run_stage(stage, sessions[stage.name], self.run_dir, budget_s)
                self.results.append((stage.name, result))
                so_far = None
                try:
                    write_stage_reports(result, self.run_dir / stage.name, self.redactor)
                    so_far = self.write_progress(names)
                finally:  # a signal while writing must not leave the stage "running"
                    self.progress.stage_finished(stage.name, verdict(result), so_far)
                if result.stopped is not None and result.stopped.reason != TIME:
                    return  # a signal: the rest are "not run"
        except Interrupted as exc:  # between stages, or writing one's reports (atomically)
            self.interrupted = Stop(exc.signal_name, current)

    def add_error(self, name: str, error: str) -> None:
        failed = Summary(command=name, target=self.target)
        failed.errors.append(error)
        self.results.append((name, failed))

    def add_stop(self, name: str, stop: Stop) -> None:
        failed = Summary(command=name, target=self.target)
        failed.stop(stop)
        self.results.append((name, failed))

    def summary(self, planned: Sequence[str]) -> Summary:
        """The merged summary; stages of ``planned`` not run are listed and named in errors."""
        ran = {name for name, _ in self.results}
        not_run = [name for name in planned if name not in ran]
        summary = merge(self.target, self.started, self.results, not_run, self.embedded)
        if self.interrupted is not None:
            summary.stop(self.interrupted)
        if self.out_of_time and summary.stopped is None:  # between stages, none cut short
            summary.stopped = Stop(TIME, not_run[0], self.options.max_time_s)
        if not_run and summary.stopped is not None:  # else the target's error says why
            summary.errors.append(f"gate: not run: {', '.join(not_run)}")
        if self.ledger is not None:
            self.add_production_sections(summary)
        return summary

    def add_production_sections(self, summary: Summary) -> None:
        """The stages the profile leaves out, as not run with the reason; and the limits, with
        what was sent under them."""
        stages = summary.sections["stages"]
        for name in production.LEFT_OUT:
            if name not in self.options.skip:
                stages[name] = {**not_run_stage(), "reason": production.NOT_RUN}
        summary.sections["limits"] = {"profile": self.options.profile, **self.ledger.to_dict()}

    @functools.cached_property
    def baseline(self) -> Baseline | None:
        """The baseline file as the run found it, read once; None when it cannot be read (the
        final verdict says why)."""
        try:
            return load_baseline(self.options.config.baseline_path)
        except TokenprobeError:
            return None

    def judge_as_final(self, interim: Summary) -> None:
        """Grade ``interim`` and apply the baseline as the final verdict will, so the counts
        shown while the gate runs are the ones it ends with (the comparison's come at the end)."""
        config, options = self.options.config, self.options
        interim.grade(config.severities, require_complete=options.require_complete)
        baseline = self.baseline
        if baseline is None:
            return
        if options.update_baseline:  # the final run accepts every finding it has
            expires = default_expiry()
            accepted = {
                f.id: Acceptance(f.id, options.baseline_reason, expires) for f in interim.findings
            }
            baseline = Baseline(baseline.path, accepted)
        apply_baseline(interim.findings, baseline).apply_to(interim)

    def write_progress(self, planned: Sequence[str]) -> Verdict:
        """summary.json as things stand, written atomically: what a killed gate leaves. Returns
        the verdict of the stages so far, merged and graded as the final one will be."""
        interim = merge(self.target, self.started, self.results, (), self.embedded)
        self.judge_as_final(interim)
        so_far = verdict(interim)
        done = {name for name, _ in self.results}
        rest = [name for name in planned if name not in done]
        if rest:
            interim.errors.append(f"gate: unfinished: {', '.join(rest)} not run yet")
        interim.finish()
        write_summary(interim, self.run_dir, self.redactor)
        return so_far


def _previous_run(options: GateOptions) -> tuple[PreviousRun | None, str | None]:
    """With ``--compare``: the previous run, read before the stages (the load stage sends
    until the comparison is decided), or why it cannot be read."""
    if options.compare is None:
        return None, None
    try:
        return load_previous_run(options.compare), None
    except TokenprobeError as exc:
        return None, str(exc)


def _judge_regression(
    summary: Summary,
    run_dir: Path,
    options: GateOptions,
    previous: PreviousRun | None,
    problem: str | None,
) -> Regression | None:
    """With ``--compare``: the regression verdicts join the findings; a previous run that
    cannot be read is an error of this run (its report is still written)."""
    if summary.stopped is not None:  # a run cut short is judged against nothing
        return None
    if problem is not None:
        summary.errors.append(problem)
    if previous is None:
        return None
    return judge_against(summary, run_dir, previous, options.config.regression)


def _apply_baseline(summary: Summary, options: GateOptions) -> None:
    path = options.config.baseline_path
    if options.update_baseline:
        write_baseline(summary.findings, path, options.baseline_reason, default_expiry())
    apply_baseline(summary.findings, load_baseline(path)).apply_to(summary)
