"""The release gate: every stage against one target, one verdict, one report directory.

Stages run in order against the same target (the embedded reference target when no URL is
given): conformance on the published spec, conformance on the strict spec, the security probes,
and a load smoke with SLOs. Each stage writes its own tool-native reports into its own
sub-directory; a stage that cannot run is recorded as an error and the others still run. The
gate then merges findings and checks, applies severities and the known-deviation baseline,
and writes ``summary.json``, ``junit.xml``, ``summary.md`` and ``report.html`` at the top.

Exit code (`Summary.exit_code`): 0 pass; 1 an error-severity finding not accepted by the
baseline, or an SLO breach; 2 a stage or the gate itself could not run. A check that could not
be evaluated is a not-evaluated finding (a warning, counted in the verdict line); with
``require_complete`` it is an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from tokenprobe import conformance, load, security
from tokenprobe.conformance import ConformanceOptions
from tokenprobe.conformance.runner import CASSETTE_FILE, SCHEMATHESIS_JUNIT_FILE
from tokenprobe.core import catalogue, defaults
from tokenprobe.core.baseline import apply_baseline, default_expiry, load_baseline, write_baseline
from tokenprobe.core.config import Config, slo_text
from tokenprobe.core.credentials import Credential, pool, read_verify_key
from tokenprobe.core.errors import TokenprobeError
from tokenprobe.core.findings import apply_severity_overrides, deduplicate, raise_to_error
from tokenprobe.core.redact import Redactor
from tokenprobe.core.session import TargetSession
from tokenprobe.core.summary import Summary
from tokenprobe.gate.progress import Progress
from tokenprobe.load import LoadOptions
from tokenprobe.load.artifacts import STATS_CSV
from tokenprobe.load.runner import LOCUST_HTML_FILE
from tokenprobe.reports import (
    PreviousRun,
    Regression,
    compare_summaries,
    judge_against,
    load_previous_run,
    new_run_dir,
    update_latest,
    write_all_reports,
    write_history_index,
    write_stage_reports,
)
from tokenprobe.security import FINDING_IDS, SecurityOptions

# A stage runs one suite against a target, its tool-native files going to the given folder.
StageRunner = Callable[[TargetSession, Path], Summary]
# Opens the run's target (the command line's `open_target`): the gate never starts a server.
TargetOpener = Callable[..., AbstractContextManager[TargetSession]]
# Enough accounts that security probes spread failed logins and load users get their own.
EMBEDDED_USERS = 60
MIN_POOL_TO_PARTITION = 20
CONFORMANCE_ACCOUNTS = 3


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


@dataclasses.dataclass(frozen=True)
class Stage:
    name: str
    run: StageRunner


@dataclasses.dataclass(frozen=True)
class GateResult:
    summary: Summary
    run_dir: Path


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
        verify_key=read_verify_key(key_file) if key_file else None,
        request_timeout_s=defaults.GATE_REQUEST_TIMEOUT_S,
    )


def load_options(config: Config, options: GateOptions, report_dir: Path) -> LoadOptions:
    # The "smoke" profile caps the rate at 2/s: too few samples for a p99. A short constant
    # run gives the SLOs a hundred or more.
    return LoadOptions(
        report_dir=report_dir,
        profile="constant",
        rate=options.load_rate,
        duration_s=options.load_duration_s,
        slos=slo_text(config.slo),
        allow_hosts=tuple(config.load.allowed_hosts),
    )


def conformance_stage(spec: str, config: Config) -> StageRunner:
    def run(session: TargetSession, report_dir: Path) -> Summary:
        options = ConformanceOptions(
            report_dir, spec, max_examples=config.conformance.max_examples, policy=config.policy
        )
        return conformance.run(session, options)

    return run


def build_stages(options: GateOptions, environ: dict[str, str]) -> list[Stage]:
    config = options.config
    stages = [
        Stage("conformance-published", conformance_stage("published", config)),
        Stage("conformance-strict", conformance_stage("strict", config)),
        Stage("security", lambda s, d: security.run(s, security_options(config, environ))),
        Stage("load", lambda s, d: load.run(s, load_options(config, options, d))),
    ]
    return [stage for stage in stages if stage.name not in options.skip]


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


def run_stage(stage: Stage, session: TargetSession, run_dir: Path) -> Summary:
    """Run one stage and write its reports into its own folder; whatever goes wrong becomes an
    error on its summary, never an exception."""
    stage_dir = run_dir / stage.name
    result = _run_suite(stage, session, stage_dir)
    write_stage_reports(result, stage_dir, session.redactor)
    return result


def _run_suite(stage: Stage, session: TargetSession, stage_dir: Path) -> Summary:
    try:
        return stage.run(session, stage_dir)
    except TokenprobeError as exc:
        failed = Summary(command=stage.name, target=session.base_url)
        failed.errors.append(f"{stage.name}: {exc}")
    except Exception as exc:  # a bug in a stage must not cost the other stages' results
        failed = Summary(command=stage.name, target=session.base_url)
        failed.errors.append(f"{stage.name}: internal error: {type(exc).__name__}")
    failed.finish()
    return failed


def merge(target: str, started_at: dt.datetime, results: Sequence[tuple[str, Summary]]) -> Summary:
    """One gate summary from the stages' summaries; stage sections keep their own keys."""
    gate = Summary(command="gate", target=target, started_at=started_at)
    stages: dict[str, Any] = {}
    conformance: dict[str, Any] = {}
    for name, result in results:
        gate.findings.extend(result.findings)
        gate.checks.extend(dataclasses.replace(c, source=name) for c in result.checks)
        gate.errors.extend(e if e.startswith(name) else f"{name}: {e}" for e in result.errors)
        gate.failed_sections.update(f"{name}.{section}" for section in result.failed_sections)
        stages[name] = {
            "status": result.status,
            "duration_s": result.to_dict()["duration_s"],
            "findings": len(result.findings),
            "errors": list(result.errors),
            "report_dir": f"./{name}",
        }
        for key, value in result.sections.items():
            if name.startswith("conformance"):
                conformance[name.removeprefix("conformance-")] = value
            else:
                gate.sections[key] = value
    gate.findings = deduplicate(gate.findings)
    gate.sections["stages"] = stages
    if conformance:
        gate.sections["conformance"] = conformance
    return gate


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
    """Run every stage, write every report, return the verdict. Raises nothing but bugs."""
    env = dict(environ or {})
    config = options.config
    run_dir = options.report_dir or new_run_dir(config.report_root)
    run_dir.mkdir(parents=True, exist_ok=True)
    redactor = Redactor()
    started = dt.datetime.now(dt.UTC)
    results: list[tuple[str, Summary]] = []
    target = config.target.url or "embedded reference target"
    try:
        # The same pool as every command: the credentials file with USERNAME/PASSWORD.
        credentials = pool(config.target.credentials, env) if config.target.url else None
        with open_target(
            config.target.url, credentials=credentials, users=EMBEDDED_USERS
        ) as opened:
            # One redactor for the whole run: the gate's own reports are written after the
            # target is closed, and must hide what every stage learnt.
            session = dataclasses.replace(opened, redactor=redactor)
            target = session.base_url
            stages = build_stages(options, env)
            sessions = partition_accounts(session, stages)
            for stage in stages:
                progress.stage_started(stage.name)
                result = run_stage(stage, sessions[stage.name], run_dir)
                progress.stage_finished(stage.name, result.status, result.findings)
                results.append((stage.name, result))
    except TokenprobeError as exc:
        failed = Summary(command="target", target=target)
        failed.errors.append(str(exc))
        results.append(("target", failed))
    summary = merge(target, started, results)
    previous, regression = _judge_regression(summary, run_dir, options)
    summary.findings = apply_severity_overrides(summary.findings, config.severities)
    if options.require_complete:  # before the baseline: it may still accept one
        summary.findings = raise_to_error(summary.findings, catalogue.NOT_EVALUATED_IDS)
    comparison = None
    try:
        _apply_baseline(summary, options)
        if previous is not None:
            comparison = compare_summaries(
                summary.to_dict(), previous.summary, str(previous.given), regression
            )
    except TokenprobeError as exc:  # a bad baseline or comparison must not lose the report
        summary.errors.append(str(exc))
    summary.finish()
    write_all_reports(
        summary,
        run_dir,
        redactor,
        plots=sorted(run_dir.glob("load/*.png")),
        native_reports=native_reports(run_dir),
        comparison=comparison,
    )
    if options.report_dir is None:
        update_latest(run_dir)
        write_history_index(run_dir.parent)
    return GateResult(summary, run_dir)


def _judge_regression(
    summary: Summary, run_dir: Path, options: GateOptions
) -> tuple[PreviousRun | None, Regression | None]:
    """With ``--compare``: the regression verdicts join the findings; a previous run that
    cannot be read is an error of this run (its report is still written)."""
    if options.compare is None:
        return None, None
    try:
        previous = load_previous_run(options.compare)
    except TokenprobeError as exc:
        summary.errors.append(str(exc))
        return None, None
    return previous, judge_against(summary, run_dir, previous, options.config.regression)


def _apply_baseline(summary: Summary, options: GateOptions) -> None:
    path = options.config.baseline_path
    if options.update_baseline:
        write_baseline(summary.findings, path, options.baseline_reason, default_expiry())
    apply_baseline(summary.findings, load_baseline(path)).apply_to(summary)
