"""The target of a run: a URL the user gave, or the embedded reference target.

Every command resolves its target here, so "no ``--url`` → embedded target" and "unreachable
URL → exit 2" behave the same everywhere. URLs are base URLs, as for Schemathesis' ``--url``
and Locust's ``--host``: the token endpoint is ``<base>/api/v1/token/``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

import requests

from tokenprobe.credentials import Credential, from_environment
from tokenprobe.errors import ConfigError, TargetUnreachable
from tokenprobe.target.embedded import EmbeddedTarget

TOKEN_PATH = "/api/v1/token/"
REACHABILITY_TIMEOUT_S = 5.0


@dataclasses.dataclass(frozen=True)
class TargetSession:
    base_url: str
    credentials: list[Credential]
    embedded: EmbeddedTarget | None = None

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH


def normalise_base_url(url: str) -> str:
    """Accept a base URL or the token endpoint's URL; return the base URL without a slash."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"target URL must be http(s)://host[:port][/prefix], got {url!r}")
    return url.rstrip("/").removesuffix(TOKEN_PATH.rstrip("/"))


def ensure_reachable(token_url: str, timeout_s: float = REACHABILITY_TIMEOUT_S) -> None:
    """Any HTTP answer counts; only no answer at all is 'unreachable'."""
    try:
        requests.options(token_url, timeout=timeout_s, allow_redirects=False)
    except requests.ConnectionError:
        raise TargetUnreachable(f"cannot connect to {token_url}") from None
    except requests.Timeout:
        raise TargetUnreachable(f"no answer from {token_url} within {timeout_s:g} s") from None
    except requests.RequestException as exc:
        raise TargetUnreachable(f"cannot reach {token_url}: {type(exc).__name__}") from None


@contextlib.contextmanager
def target_session(
    url: str | None,
    *,
    credentials: list[Credential] | None = None,
    faults: Iterable[str] = (),
    users: int = 20,
    extra_args: Iterable[str] = (),
) -> Iterator[TargetSession]:
    """Yield the run's target; start (and afterwards stop) the embedded one when ``url`` is None.

    For a given URL, credentials come from ``credentials`` or the environment
    (``TOKENPROBE_USERNAME``/``TOKENPROBE_PASSWORD`` or ``TOKENPROBE_CREDENTIALS``).
    """
    if url:
        base_url = normalise_base_url(url)
        ensure_reachable(base_url + TOKEN_PATH)
        yield TargetSession(
            base_url, credentials if credentials is not None else from_environment()
        )
        return
    with EmbeddedTarget(faults=faults, users=users, extra_args=list(extra_args)) as embedded:
        yield TargetSession(embedded.base_url, embedded.credentials, embedded)
