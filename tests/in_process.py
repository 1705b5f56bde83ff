"""``tokenprobe ARGS`` in this process, through `main` (the entry point's error boundary).

For option and error tests, where no signal or child process matters: an interpreter and its
imports per call cost about a second; this costs milliseconds. Commands that run a suite, stop on
a signal or must show their exit as a process are still run as subprocesses.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from click.testing import CliRunner

from tokenprobe.cli import main
from tokenprobe.core.credentials import ENV_CREDENTIALS, ENV_PASSWORD, ENV_USERNAME
from tokenprobe.core.token_fields import ACCESS_FIELD_ENV, REFRESH_FIELD_ENV


@dataclasses.dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def tokenprobe(
    args: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Outcome:
    """Run ``tokenprobe ARGS`` with ``env`` over a clean environment, in ``cwd``."""
    # Unset what a run could leave behind (the token field names are exported to children),
    # and any credentials or setting of the caller's environment.
    clean: dict[str, str | None] = dict.fromkeys(
        (ACCESS_FIELD_ENV, REFRESH_FIELD_ENV, ENV_CREDENTIALS, ENV_USERNAME, ENV_PASSWORD)
    )
    clean.update(dict.fromkeys(k for k in os.environ if k.startswith("TOKENPROBE_")))
    folder = contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext()
    with folder, CliRunner().isolation(env={**clean, **(env or {})}) as (stdout, stderr, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:  # sys.exit(None) is 0; sys.exit("text") prints it, then 1
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        return Outcome(code, stdout.getvalue().decode(), stderr.getvalue().decode())
