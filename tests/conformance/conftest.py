"""Fixtures for the conformance self-tests: suite runs shared across tests, run concurrently."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conformance.helpers import SMALL_N, SuiteRun
from tokenprobe import conformance
from tokenprobe.conformance import ConformanceOptions
from tokenprobe.core.credentials import Credential
from tokenprobe.core.session import TargetSession
from tokenprobe.reference.embedded import EmbeddedTarget
from tokenprobe.reports import write_stage_reports

# Each run is mostly a `schemathesis run` subprocess waiting on its target: a few at a time
# overlap well even on two cores.
CONCURRENT_RUNS = 3

RunKey = tuple[tuple[str, ...], str, tuple[Credential, ...] | None]


class SuiteRuns:
    """conformance.run against reference targets, each (faults, spec, credentials) once."""

    def __init__(
        self,
        target_factory: Callable[..., EmbeddedTarget],
        tmp_path_factory: pytest.TempPathFactory,
    ) -> None:
        self._target_factory = target_factory
        self._tmp_path_factory = tmp_path_factory
        self._runs: dict[RunKey, SuiteRun] = {}
        self._lock = threading.Lock()

    def __call__(
        self, *faults: str, spec: str = "published", credentials: list[Credential] | None = None
    ) -> SuiteRun:
        """``credentials=None`` uses the target's seeded accounts; a list replaces them."""
        key: RunKey = (faults, spec, None if credentials is None else tuple(credentials))
        if key not in self._runs:
            self.prefetch([key])
        return self._runs[key]

    def prefetch(self, keys: Iterable[RunKey]) -> None:
        """Start the targets, then run the missing suites, a few at a time."""
        missing = [key for key in dict.fromkeys(keys) if key not in self._runs]
        fault_sets = list(dict.fromkeys(key[0] for key in missing))
        with ThreadPoolExecutor(CONCURRENT_RUNS) as pool:
            # Distinct fault sets are distinct cache keys of target_factory, so starting them
            # from several threads never starts one target twice.
            started = dict(zip(fault_sets, pool.map(self._start, fault_sets), strict=True))
            runs = pool.map(lambda key: self._run(started[key[0]], key), missing)
            for key, run in zip(missing, runs, strict=True):
                self._runs[key] = run

    def _start(self, faults: tuple[str, ...]) -> EmbeddedTarget:
        return self._target_factory(*faults)

    def _run(self, target: EmbeddedTarget, key: RunKey) -> SuiteRun:
        _, spec, credentials = key
        accounts = target.credentials if credentials is None else list(credentials)
        with self._lock:
            report_dir = self._tmp_path_factory.mktemp("conformance")
        session = TargetSession(target.base_url, accounts)
        # The strict spec as the gate runs it: its logins alone (the published run asks the rest).
        options = ConformanceOptions(
            report_dir, spec, max_examples=SMALL_N, seed=1, logins_only=spec == "strict"
        )
        summary = conformance.run(session, options)
        write_stage_reports(summary, report_dir, session.redactor)
        return SuiteRun(summary, report_dir)


@pytest.fixture(scope="session")
def suite_run(
    target_factory: Callable[..., EmbeddedTarget], tmp_path_factory: pytest.TempPathFactory
) -> SuiteRuns:
    """``suite_run("alg-none", spec="strict")`` → the run's summary and report dir, cached."""
    return SuiteRuns(target_factory, tmp_path_factory)
