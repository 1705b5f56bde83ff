"""Shared fixtures: reference targets served for real on loopback, started once per session."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tokenprobe.reference.embedded import EmbeddedTarget

TargetFactory = Callable[..., EmbeddedTarget]

TESTS = Path(__file__).parent
# Tiers by where a test lives (issue 21). ``e2e``: whole commands as a user runs them (the gate,
# Locust runs, Schemathesis runs, services we did not build, installs, signals); the rest talks
# to functions or to a reference target served on loopback. The inner loop is
# ``pytest -m "not e2e"``; CI runs everything. A path names a folder or a file under tests/,
# the longest one that matches decides.
TIERS = {
    "servers": "e2e",
    "gate": "e2e",
    "deploy": "e2e",
    "conformance": "e2e",
    "conformance/test_results.py": "inner",
    "load": "e2e",
    "load/test_looks.py": "inner",
    "load/test_plots.py": "inner",
    "load/test_report_notes.py": "inner",
    "load/test_rules.py": "inner",
    "load/test_section.py": "inner",
    "cli/test_user_errors.py": "e2e",
    "security/test_cli.py": "e2e",
    "security/test_one_account.py": "e2e",
    "target/test_faults.py": "e2e",
    "test_interrupts.py": "e2e",
}


def tier_of(path: Path) -> str:
    if not path.is_relative_to(TESTS):  # e.g. `pytest tests conformance/`
        return "inner"
    parts = path.relative_to(TESTS).parts
    for length in range(len(parts), 0, -1):
        tier = TIERS.get("/".join(parts[:length]))
        if tier is not None:
            return tier
    return "inner"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (addopts): one pytest-xdist worker more than the CPUs this process may use.

    A fifth of the suite's time is spent waiting on the clock (load runs at fixed rates, the
    misbehaving targets' timeouts); the spare worker keeps the CPUs busy meanwhile (2 CPUs:
    159 % of CPU with two workers, 184 % with three)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    return len(os.sched_getaffinity(0)) + 1


# The workers take one test file each at a time (``--dist loadfile``), in collection order.
# The longest files (from ``--durations``) start first, so the workers finish together instead
# of one of them running a long file alone at the end.
LONGEST_FIRST = (
    "gate/test_gate.py",
    "conformance/test_cli.py",
    "conformance/test_runner.py",
    "servers/test_gate_on_servers.py",
    "target/test_faults.py",
    "load/test_breakpoint.py",
    "servers/test_real_services.py",
    "gate/test_regression.py",
    "test_interrupts.py",
    "security/test_one_account.py",
    "load/test_validation.py",
    "load/test_models.py",
    "deploy/test_install.py",
    "load/test_partition.py",
    "gate/test_misbehaving.py",
    "load/test_unanswered.py",
    "load/test_distributed.py",
    "load/test_cli.py",
    "load/test_multihost.py",
    "security/test_probes.py",
    "load/test_web_ui.py",
    "cli/test_user_errors.py",
    "deploy/test_commands_run.py",
    "gate/test_production.py",
)


def start_rank(path: Path) -> int:
    name = path.relative_to(TESTS).as_posix() if path.is_relative_to(TESTS) else ""
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if tier_of(item.path) == "e2e":
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: start_rank(item.path))  # stable: a file's own order is kept


@pytest.fixture(scope="session")
def target_factory() -> Iterator[TargetFactory]:
    """``target_factory("status-401", "slow=50")`` → a running target with those faults.

    Targets are cached per (faults, options) for the whole session, so every test module that
    needs the same faulty target shares one process. Fault targets run one worker to save memory.
    ``owner="..."`` gives a caller a target of its own: its accounts keep no lockout from
    the wrong passwords other modules send (20 per account lock it for 5 minutes), whatever
    order the tests run in.
    """
    started: dict[tuple[object, ...], EmbeddedTarget] = {}

    def get(*faults: str, owner: str = "", **options: object) -> EmbeddedTarget:
        options.setdefault("workers", 1 if faults else None)
        key = (owner, tuple(sorted(faults)), tuple(sorted(options.items())))
        if key not in started:
            started[key] = EmbeddedTarget(faults=faults, **options).start()  # type: ignore[arg-type]
        return started[key]

    yield get
    for target in started.values():
        target.request_stop()  # all at once: their shutdowns overlap
    for target in started.values():
        target.close()


@pytest.fixture(scope="session")
def clean_target(target_factory: TargetFactory) -> EmbeddedTarget:
    """The reference target with no faults: the documented service."""
    return target_factory()
