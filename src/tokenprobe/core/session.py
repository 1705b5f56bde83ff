"""The target of a run: its base URL, its accounts, and whether anything answers there.

Opening one (a URL the user gave, or the embedded reference target) is the command line's job
(`tokenprobe.cli.target`); suites only receive a `TargetSession`. URLs are base URLs, as for
Schemathesis' ``--url`` and Locust's ``--host``: the token endpoint is ``<base>/api/v1/token/``.
"""

from __future__ import annotations

import dataclasses
import re

import requests

from tokenprobe.core import defaults
from tokenprobe.core.config_schema import BASE_URL_EXPECTED, BASE_URL_PATTERN
from tokenprobe.core.credentials import Credential
from tokenprobe.core.errors import ConfigError, TargetUnreachable
from tokenprobe.core.http import DeadlineSession
from tokenprobe.core.redact import Redactor

TOKEN_PATH = "/api/v1/token/"


@dataclasses.dataclass(frozen=True)
class TargetSession:
    """The service under test: where it answers, its accounts, and the secrets to keep hidden.

    ``redactor`` knows every password of ``credentials`` from the start and learns each token
    the run sees; everything a run writes or prints goes through it. Stages that get a slice
    of the accounts (`dataclasses.replace`) share the one redactor.
    """

    base_url: str
    credentials: list[Credential]
    embedded: bool = False  # the embedded reference target, started for this run
    # The key the target signs its tokens with, when tokenprobe knows it (the embedded target,
    # which it started): the security probes verify signatures with it unless a key is given.
    verify_key: bytes | None = dataclasses.field(default=None, repr=False, compare=False)
    redactor: Redactor = dataclasses.field(default_factory=Redactor, compare=False, repr=False)

    def __post_init__(self) -> None:
        for credential in self.credentials:
            self.redactor.add_password(credential.password)

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH


def token_url_of(url: str) -> str:
    """The token endpoint's URL from a base URL or the endpoint's own (`normalise_base_url`)."""
    return normalise_base_url(url) + TOKEN_PATH


def normalise_base_url(url: str) -> str:
    """Accept a base URL or the token endpoint's URL; return the base URL without a slash."""
    if not re.match(BASE_URL_PATTERN, url):
        raise ConfigError(url_problem(url))
    return url.rstrip("/").removesuffix(TOKEN_PATH.rstrip("/"))


def url_problem(url: str) -> str:
    """The one wording of a bad target URL (the configuration's is the same)."""
    return f"target URL: expected {BASE_URL_EXPECTED}, got {url!r}"


def ensure_reachable(token_url: str, timeout_s: float = defaults.REACHABILITY_TIMEOUT_S) -> None:
    """Any HTTP answer counts; only no answer at all is 'unreachable'.

    ``timeout_s`` bounds the whole exchange up to the end of the answer's headers (the body is
    not read): a server that trickles its status line is as unreachable as a silent one.
    """
    try:
        with DeadlineSession(timeout_s) as session:
            session.options(token_url, stream=True).close()
    except requests.ConnectionError:
        raise TargetUnreachable(f"cannot connect to {token_url}") from None
    except requests.Timeout:
        raise TargetUnreachable(f"no answer from {token_url} within {timeout_s:g} s") from None
    except requests.RequestException as exc:
        raise TargetUnreachable(f"cannot reach {token_url}: {type(exc).__name__}") from None
