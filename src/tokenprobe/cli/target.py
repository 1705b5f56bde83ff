"""Opening a run's target: the URL the user gave, or the embedded reference target.

Every command opens its target here, so "no ``--url`` → embedded target" and "unreachable
URL → exit 2" behave the same everywhere. Only this layer (and tests) starts the reference
server; the suites and the gate receive an open `TargetSession`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from tokenprobe.core import defaults
from tokenprobe.core.config import Config
from tokenprobe.core.credentials import Credential, from_environment, pool
from tokenprobe.core.deadlines import Deadline
from tokenprobe.core.session import TOKEN_PATH, TargetSession, ensure_reachable, normalise_base_url
from tokenprobe.core.token_fields import TokenFields
from tokenprobe.core.token_fields import from_environment as token_fields_from_environment
from tokenprobe.reference.embedded import STARTUP_TIMEOUT_S, EmbeddedTarget


@contextlib.contextmanager
def open_target(
    url: str | None,
    *,
    credentials: list[Credential] | None = None,
    faults: Iterable[str] = (),
    users: int = 20,
    extra_args: Iterable[str] = (),
    deadline: Deadline | None = None,
    token_fields: TokenFields | None = None,
) -> Iterator[TargetSession]:
    """Yield the run's target; start (and afterwards stop) the embedded one when ``url`` is None.

    For a given URL, credentials come from ``credentials`` or the environment
    (``TOKENPROBE_USERNAME``/``TOKENPROBE_PASSWORD`` or ``TOKENPROBE_CREDENTIALS``).
    ``deadline`` (the run's) bounds the reachability check and the embedded target's start.
    ``token_fields`` (the configured ``[target]`` names; None: those the environment already
    names) are exported to this process's environment: every suite's child inherits them.
    """
    (token_fields or token_fields_from_environment()).export()
    if url:
        base_url = normalise_base_url(url)
        ensure_reachable(base_url + TOKEN_PATH, _within(defaults.REACHABILITY_TIMEOUT_S, deadline))
        yield TargetSession(
            base_url, credentials if credentials is not None else from_environment()
        )
        return
    with EmbeddedTarget(
        faults=faults,
        users=users,
        extra_args=list(extra_args),
        startup_timeout_s=_within(STARTUP_TIMEOUT_S, deadline),
    ) as embedded:
        yield TargetSession(
            embedded.base_url,
            embedded.credentials,
            embedded=True,
            verify_key=embedded.signing_key,
        )


def _within(seconds: float, deadline: Deadline | None) -> float:
    # Never zero: a run with no time left still gets a moment to find out what is there.
    return seconds if deadline is None else max(0.5, min(seconds, deadline.remaining()))


def open_configured_target(
    config: Config, **options: Any
) -> contextlib.AbstractContextManager[TargetSession]:
    """`open_target` for the configured ``[target]``: its URL, and the pool of its credentials
    file (option, variable or file key) with ``TOKENPROBE_USERNAME``/``_PASSWORD``; the embedded
    target brings its own."""
    credentials = pool(config.target.credentials) if config.target.url else None
    return open_target(
        config.target.url,
        credentials=credentials,
        token_fields=config.target.token_fields,
        **options,
    )
