"""Shared fixtures: reference targets served for real on loopback, started once per session."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tokenprobe.reference.embedded import EmbeddedTarget

TargetFactory = Callable[..., EmbeddedTarget]


@pytest.fixture(scope="session")
def target_factory() -> Iterator[TargetFactory]:
    """``target_factory("status-401", "slow=50")`` → a running target with those faults.

    Targets are cached per (faults, options) for the whole session, so every test module that
    needs the same faulty target shares one process. Fault targets run one worker to save memory.
    """
    started: dict[tuple[object, ...], EmbeddedTarget] = {}

    def get(*faults: str, **options: object) -> EmbeddedTarget:
        options.setdefault("workers", 1 if faults else None)
        key = (tuple(sorted(faults)), tuple(sorted(options.items())))
        if key not in started:
            started[key] = EmbeddedTarget(faults=faults, **options).start()  # type: ignore[arg-type]
        return started[key]

    yield get
    for target in started.values():
        target.request_stop()  # all at once: graceful shutdowns overlap
    for target in started.values():
        target.close()


@pytest.fixture(scope="session")
def clean_target(target_factory: TargetFactory) -> EmbeddedTarget:
    """The reference target with no faults: the documented service."""
    return target_factory()
