"""`run`: the Schemathesis suite as one plain function, for the CLI and the gate.

It runs ``schemathesis run`` as a subprocess with a ``schemathesis.toml`` rendered for the run
(`tokenprobe.core.native_files`: the file ``tokenprobe init`` writes, with the run's token policy),
the very command QA runs, so both paths load the same hooks and checks and cannot drift apart. A
subprocess, rather than Schemathesis' Python engine, because Schemathesis keeps hooks and checks
in process-wide registries and writes its reports (HAR, JUnit, JSON) only from its CLI: one
process per run keeps runs independent and gives us those reports as Schemathesis writes them.

Findings come as data from tokenprobe's Schemathesis extension (`report`, written with
``--tokenprobe-findings``: errors, warnings and infos alike, with the check tallies); counts,
phases and errors from Schemathesis' own JSON report.
Exit codes are ours: an unreachable target or a run that cannot start is an error (exit 2),
never a finding, unlike plain Schemathesis, which exits 1 for an unreachable server.

Time: the run has a budget (``budget_s``; the gate hands each stage its share of
``--max-time``). Schemathesis' ``--request-timeout`` is per read and its ``--max-time`` is
checked between cases, so neither stops a request a target trickles; the budget bounds the
subprocess instead. Near its end, or on SIGINT/SIGTERM, ``schemathesis run`` gets a SIGINT (it
then writes its reports, as on Ctrl-C) and what it found so far is kept; the summary says the
run was stopped (`Stop`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from tokenprobe import resources
from tokenprobe.conformance.boundary import LOGINS_ONLY_ENV, boundary_cases
from tokenprobe.conformance.cassette import redact_har
from tokenprobe.conformance.policy import POLICY_ENV
from tokenprobe.conformance.report import OPTION as FINDINGS_OPTION
from tokenprobe.conformance.results import RunResults, read_json_report, read_results
from tokenprobe.core import defaults
from tokenprobe.core.config import TokenPolicy
from tokenprobe.core.credentials import ENV_CREDENTIALS, ENV_PASSWORD, ENV_USERNAME, write_csv
from tokenprobe.core.deadlines import Deadline
from tokenprobe.core.errors import SpecError, StageError, TokenprobeError
from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.findings import deduplicate
from tokenprobe.core.interrupts import Interrupted, deferred
from tokenprobe.core.native_files import write_schemathesis_toml
from tokenprobe.core.processes import run_child
from tokenprobe.core.redact import Redactor
from tokenprobe.core.session import TargetSession, ensure_reachable
from tokenprobe.core.summary import Stop, Summary

RESOURCES = Path(resources.__file__).parent
SPECS = {
    "published": RESOURCES / "specs" / "token.openapi.yaml",
    "strict": RESOURCES / "specs" / "token.strict.openapi.yaml",
}
# Fixed names in the report directory (junit.xml and summary.json come from tokenprobe.reports).
CASSETTE_FILE = "cassette.har"
SCHEMATHESIS_JUNIT_FILE = "schemathesis-junit.xml"
FINDINGS_FILE = "findings.json"  # in the run's private temporary directory
OUTPUT_FILE = "schemathesis.out"  # its console output, idem
HYPOTHESIS_STORAGE_ENV = "HYPOTHESIS_STORAGE_DIRECTORY"


@dataclasses.dataclass(frozen=True)
class SchemathesisRun:
    exit_code: int
    wall_time_s: float
    output_tail: str
    stopped: Stop | None = None  # stopped before its end: out of time, or a signal


def resolve_spec(spec: str) -> Path:
    """``published``, ``strict`` or a path to an OpenAPI document."""
    path = SPECS.get(spec, Path(spec))
    if not path.is_file():
        raise SpecError(f"spec {spec!r} is not 'published', 'strict' or a readable file")
    return path.resolve()


@dataclasses.dataclass(frozen=True)
class ConformanceOptions:
    """What to run: which spec, how many cases, and where Schemathesis' own reports go."""

    report_dir: Path
    spec: str = "published"  # "published", "strict" or the path of an OpenAPI document
    max_examples: int | None = None  # None: schemathesis.toml's
    seed: int | None = None
    budget_s: float = defaults.CONFORMANCE_BUDGET_S  # the whole run, reachability included
    policy: TokenPolicy | None = None  # None: schemathesis.toml's
    stage: str = "conformance"  # what a stop names: the command, or the gate's stage
    # Send only the examples phase's logins: for a spec whose requests are the published ones
    # and whose only news is a stricter 200 (the gate's strict stage, after the published run
    # has sent every request question), the 200s are all there is left to see. Without
    # credentials there is no login to send: the examples phase then sends its boundary cases,
    # so that the run happens and says the success path was not evaluated (TP-CONF-011).
    logins_only: bool = False


def run(session: TargetSession, options: ConformanceOptions) -> Summary:
    """Run the conformance suite against ``session`` and return the summary.

    Writes Schemathesis' own reports, ``schemathesis-junit.xml`` and ``cassette.har``
    (passwords and tokens redacted), into ``options.report_dir``. A run that cannot happen
    returns a summary whose ``errors`` say why (exit 2).
    """
    summary = Summary(
        command="conformance", target=session.token_url, embedded_target=session.embedded
    )
    redactor = session.redactor
    deadline = Deadline.after(options.budget_s)
    try:
        spec_path = resolve_spec(options.spec)
        ensure_reachable(session.token_url, min(defaults.REACHABILITY_TIMEOUT_S, options.budget_s))
        with tempfile.TemporaryDirectory(prefix="tokenprobe-conformance-") as work:
            workdir = Path(work)
            run = _run_schemathesis(session, spec_path, workdir, options, deadline)
            if run.stopped is not None:
                summary.stop(run.stopped)
            try:
                with deferred():  # Schemathesis is done: a signal now must not cost its results
                    _keep_results(summary, session, options, spec_path, run, workdir)
            except Interrupted as exc:
                summary.stop(Stop(exc.signal_name, options.stage))
    except TokenprobeError as exc:
        if summary.stopped is None:  # a stopped run's partial results may be missing: said
            summary.errors.append(redactor(str(exc)))
    summary.finish()
    return summary


def _keep_results(
    summary: Summary,
    session: TargetSession,
    options: ConformanceOptions,
    spec_path: Path,
    run: SchemathesisRun,
    workdir: Path,
) -> None:
    """Findings, checks and the section on ``summary``; Schemathesis' reports, redacted, into
    the report directory."""
    redactor = session.redactor
    results = _read_results(run, workdir, redactor)
    report = read_json_report(workdir / "report.json")
    summary.findings = deduplicate(results.to_findings(redactor))
    summary.checks = results.check_results(bool(session.credentials), complete=run.stopped is None)
    summary.errors += results.crashes()  # a check that crashed did not judge: not a pass
    summary.sections["conformance"] = _section(options, spec_path, session, run, results, report)
    _copy_reports(workdir, options.report_dir, redactor)


def _command(spec_path: Path, config_file: Path, base_url: str, workdir: Path) -> list[str]:
    return [
        sys.executable, "-m", "schemathesis.cli",
        "--config-file", str(config_file), "--no-color",
        "run", str(spec_path), "--url", base_url,
        "--report", "junit,har,json", "--report-dir", str(workdir),
        "--report-junit-path", str(workdir / "junit.xml"),
        "--report-har-path", str(workdir / "cassette.har"),
        "--report-json-path", str(workdir / "report.json"),
        FINDINGS_OPTION, str(workdir / FINDINGS_FILE),
    ]  # fmt: skip


def _sends_logins_only(session: TargetSession, options: ConformanceOptions) -> bool:
    return options.logins_only and bool(session.credentials)


def _environment(session: TargetSession, workdir: Path, logins_only: bool) -> dict[str, str]:
    """The child's environment: our credentials (in a 0600 file), never the caller's; the
    token policy only from the rendered configuration file, never from a stray variable."""
    dropped = (
        ENV_USERNAME, ENV_PASSWORD, ENV_CREDENTIALS, "SCHEMATHESIS_HOOKS", POLICY_ENV,
        LOGINS_ONLY_ENV,
    )  # fmt: skip
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    if session.credentials:
        env[ENV_CREDENTIALS] = str(write_csv(workdir / "credentials.csv", session.credentials))
    if logins_only:
        env[LOGINS_ONLY_ENV] = "1"
    # Hypothesis builds its Unicode tables (1.5 s) in its storage folder, by default one in the
    # working directory: here a run's temporary folder, so they were built on every run. The
    # user's cache keeps them; nothing secret goes there, as the run's schemathesis.toml keeps
    # Hypothesis' example database off.
    env.setdefault(HYPOTHESIS_STORAGE_ENV, str(_user_cache() / "hypothesis"))
    return env


def _user_cache() -> Path:
    """tokenprobe's folder in the user's cache: XDG's, ~/.cache where it is unset or relative
    (the XDG rule; a relative one would also be read in the run's temporary folder)."""
    xdg = Path(os.environ.get("XDG_CACHE_HOME", ""))
    return (xdg if xdg.is_absolute() else Path.home() / ".cache") / "tokenprobe"


def _run_schemathesis(
    session: TargetSession,
    spec_path: Path,
    workdir: Path,
    options: ConformanceOptions,
    deadline: Deadline,
) -> SchemathesisRun:
    config_file = write_schemathesis_toml(workdir, options.policy)
    command = _command(spec_path, config_file, session.base_url, workdir)
    if options.max_examples is not None:
        command += ["--max-examples", str(options.max_examples)]
    if options.seed is not None:
        command += ["--seed", str(options.seed)]
    if options.logins_only:
        command += ["--phases", "examples"]
    started = time.perf_counter()
    env = _environment(session, workdir, _sends_logins_only(session, options))
    with (workdir / OUTPUT_FILE).open("w+", encoding="utf-8", errors="replace") as output:
        child = run_child(
            command, cwd=workdir, env=env, output=output,
            deadline=deadline, stop_signal=signal.SIGINT, stage=options.stage,
        )  # fmt: skip
        output.seek(0)
        lines = output.read().strip().splitlines()
    return SchemathesisRun(
        child.code, time.perf_counter() - started, "\n".join(lines[-5:]), child.stopped
    )


def _read_results(run: SchemathesisRun, workdir: Path, redactor: Redactor) -> RunResults:
    """What the run found, or a `StageError` when it did not get to test anything.

    A stopped run keeps whatever Schemathesis wrote before it ended (the stop is the error).
    """
    results = read_results(workdir / FINDINGS_FILE)
    if run.stopped is not None:
        if results is None:
            raise StageError("schemathesis run wrote no results before it was stopped")
        return results
    if run.exit_code not in (0, 1) or results is None:
        last = redactor(run.output_tail.splitlines()[-1]) if run.output_tail else "no output"
        raise StageError(f"schemathesis run could not start (exit {run.exit_code}): {last}")
    report = read_json_report(workdir / "report.json")
    if errors := report.get("errors"):
        raise StageError(f"schemathesis run hit errors: {redactor(_first_error(errors))}")
    if not results.finished:
        raise StageError("schemathesis run stopped before the end")
    return results


def _first_error(errors: list[object]) -> str:
    first = errors[0]
    text = json.dumps(first) if not isinstance(first, str) else first
    return " ".join(text.split())[:300]


def _section(
    options: ConformanceOptions,
    spec_path: Path,
    session: TargetSession,
    run: SchemathesisRun,
    results: RunResults,
    report: dict,
) -> dict:
    cases = int(report.get("test_cases", {}).get("generated", 0))
    return {
        "spec": options.spec,
        "spec_path": str(spec_path),
        "operations": report.get("operations", {}).get("tested", 0),
        "cases": cases,
        "boundary_cases": 0 if _sends_logins_only(session, options) else len(boundary_cases()),
        "logins_only": _sends_logins_only(session, options),
        "wall_time_s": round(run.wall_time_s, 3),
        "schemathesis_time_s": round(float(report.get("running_time", 0.0)), 3),
        "cases_per_s": round(cases / run.wall_time_s, 1) if run.wall_time_s else 0.0,
        "statuses": {str(k): v for k, v in sorted(results.statuses.items())},
        "credentials": len(session.credentials),
        "success_path_exercised": results.token_responses > 0,
        "token_responses": results.token_responses,
        "phases": {k: v.get("status") for k, v in report.get("phases", {}).items()},
        "seed": str(report.get("seed", "")),
        "schemathesis_exit_code": run.exit_code,
        "reports": [CASSETTE_FILE, SCHEMATHESIS_JUNIT_FILE, "junit.xml", "summary.json"],
    }


def _copy_reports(workdir: Path, report_dir: Path, redactor: Redactor) -> None:
    """Schemathesis' HAR and JUnit, redacted, at fixed names; the rest stays in the temp dir."""
    if (workdir / "cassette.har").is_file():
        redact_har(workdir / "cassette.har", report_dir / CASSETTE_FILE, redactor)
    if (workdir / "junit.xml").is_file():
        text = (workdir / "junit.xml").read_text(encoding="utf-8", errors="replace")
        write_text_atomic(report_dir / SCHEMATHESIS_JUNIT_FILE, redactor(text))
