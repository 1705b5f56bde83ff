"""Plain Locust's checks before it starts: every user error is one line on stderr and exit 2.

Locust parses its command line, sets up its logging, logs "Starting Locust …" and only then
fires ``init``: a refusal there would be the second line on stderr, after a line that says the
opposite. ``init_command_line_parser`` is the only hook before that, and it hands us the parser
that Locust then uses; `install` wraps that parser's ``parse_args`` so the checks below run the
moment the command line is parsed, before any log line and any request:

* argparse's own complaints (``--tp-rate abc``, an unknown option) without its usage block;
* every ``--tp-*`` value (`parse_options`), a credentials file, and (not on a worker) a host
  that is not loopback and not allowed, or, for a run that starts by itself (``--headless``,
  ``--autostart``), a host where nothing accepts a connection;
* without credentials (not on a worker) the scenarios that need accounts are switched off, as
  ``tokenprobe load`` does: the weights change here, the master passes them on to its workers,
  and the listeners warn at ``init`` and report them as not evaluated (TP-LOAD-003);
* then the steps a higher layer added (`Preflight.steps`: the run folder of a headless run).

Locust also builds a parser for every page of its web UI (``ui_extra_args_dict``); the checks
run for the first parse of the process only.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import socket
import sys
from collections.abc import Callable
from typing import Any, NoReturn
from urllib.parse import urlsplit

from tokenprobe.core import defaults
from tokenprobe.core.errors import ConfigError, TargetUnreachable, TokenprobeError
from tokenprobe.core.session import token_url_of
from tokenprobe.load.accounts import LoadAccounts
from tokenprobe.load.locust_options import CommonOptions, common_options, parse_options
from tokenprobe.load.safety import host_problem
from tokenprobe.load.settings import ACCOUNT_SCENARIOS, parse_weights, without_accounts

ERROR_PREFIX = "tokenprobe: error: "
HELP_HINT = "(help: locust -f LOCUSTFILE --tp-help)"

Step = Callable[[argparse.Namespace], None]


def fail(message: str) -> NoReturn:
    """The one line of a user error, and exit 2 (Locust's logging is not set up yet)."""
    sys.stderr.write(f"{ERROR_PREFIX}{' '.join(message.split())}\n")
    sys.stderr.flush()
    raise SystemExit(2)


@dataclasses.dataclass
class Preflight:
    """The checks of one process, and what they decided for the listeners."""

    steps: list[Step] = dataclasses.field(default_factory=list)
    done: bool = False
    switched_off: list[str] = dataclasses.field(default_factory=list)  # scenario keys

    def install(self, parser: Any) -> None:
        """Make ``parser``'s errors one line, and check its first parse in this process."""
        parser.error = lambda message: fail(f"{with_suggestion(parser, message)} {HELP_HINT}")
        if self.done:
            return
        parse_args = parser.parse_args

        def parse_and_check(*args: Any, **kwargs: Any) -> Any:
            parsed = parse_args(*args, **kwargs)
            if not self.done:
                self.done = True
                self.check(parsed)
            return parsed

        parser.parse_args = parse_and_check

    def check(self, parsed: argparse.Namespace) -> None:
        try:
            self._check(parsed)
        except (TokenprobeError, ValueError) as exc:  # LoadOptionError is a ValueError
            fail(str(exc))

    def _check(self, parsed: argparse.Namespace) -> None:
        worker = bool(getattr(parsed, "worker", False))
        if not worker:  # a worker runs the master's -t and -u, not its own
            common_options(parsed, CommonOptions.given(parsed))
        options = parse_options(parsed)
        host = getattr(parsed, "host", None)
        problem = host_problem(host, options.allow_hosts, options.allow_remote) if host else None
        if not worker and problem:
            raise ConfigError(problem)
        pool = LoadAccounts.load(options.credentials_file)
        if not worker and not pool.valid:
            parsed.tp_weights, off = without_accounts(parsed.tp_weights)
            self.switched_off = off
        if not worker and host and starts_by_itself(parsed):
            ensure_connectable(token_url_of(host))
        for step in self.steps:
            step(parsed)

    def switch_off_again(self, parsed: Any) -> None:
        """Web UI: the start form may weigh the account scenarios again; they stay off (and
        are remembered as switched off)."""
        weights = parse_weights(parsed.tp_weights)
        if any(weights[key] for key in ACCOUNT_SCENARIOS):
            parsed.tp_weights, off = without_accounts(parsed.tp_weights)
            self.switched_off = sorted({*self.switched_off, *off}, key=ACCOUNT_SCENARIOS.index)


def starts_by_itself(parsed: argparse.Namespace) -> bool:
    """Headless, or a web UI told to start at once: the host is used before anyone looks.

    Not an explicit ``--master``: its workers send the requests, perhaps from a network the
    master is not on (``--processes`` becomes a master only after this check)."""
    if getattr(parsed, "master", False):
        return False
    return bool(getattr(parsed, "headless", False) or getattr(parsed, "autostart", False))


def ensure_connectable(url: str, timeout_s: float = defaults.REACHABILITY_TIMEOUT_S) -> None:
    """`TargetUnreachable` when nothing accepts a connection at ``url``'s host and port.

    A connection is all it takes, unlike ``tokenprobe load``'s check (`ensure_reachable`, an
    answer's headers within the time): a target that answers slowly is what a load test may
    be looking at, and its requests' own timeout judges it."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout_s).close()
    except TimeoutError:
        raise TargetUnreachable(f"no connection to {url} within {timeout_s:g} s") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TargetUnreachable(f"cannot connect to {url}: {reason.lower()}") from None


def with_suggestion(parser: Any, message: str) -> str:
    """Locust's own "did you mean" for an unknown option, on the same line."""
    if "unrecognized arguments:" not in message:
        return message
    bad = message.split("unrecognized arguments:")[1].split()
    known = [option for action in parser._actions for option in action.option_strings]
    close = difflib.get_close_matches(bad[0], known, n=1) if bad else []
    return f"{message} (did you mean {close[0]}?)" if close else message
