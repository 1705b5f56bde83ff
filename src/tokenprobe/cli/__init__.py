"""The ``tokenprobe`` command line: thin click commands over plain ``run_…`` functions.

Every command shares one error boundary (`main`): a `TokenprobeError` becomes one line on
stderr and exit code 2, and so does click's usage error (a bad option value, an unknown option:
one line naming the command's ``--help``, not click's four-line block); findings are the
commands' own business (exit 1).
"""

from __future__ import annotations

import os
import sys

import click

from tokenprobe import __version__
from tokenprobe.cli.checks import checks
from tokenprobe.cli.conformance import conformance
from tokenprobe.cli.gate import gate
from tokenprobe.cli.history import history
from tokenprobe.cli.init import init
from tokenprobe.cli.load import load
from tokenprobe.cli.security import security
from tokenprobe.cli.serve import serve
from tokenprobe.core.errors import TokenprobeError
from tokenprobe.core.interrupts import Interrupted


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tokenprobe")
def cli() -> None:
    """Load and conformance test harness for POST /api/v1/token/."""


cli.add_command(serve)
cli.add_command(conformance)
cli.add_command(security)
cli.add_command(load)
cli.add_command(gate)
cli.add_command(init)
cli.add_command(checks)
cli.add_command(history)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="tokenprobe", standalone_mode=False)
    except click.exceptions.Abort as exc:  # click turns KeyboardInterrupt into Abort
        cause = exc.__cause__
        click.echo("tokenprobe: interrupted", err=True)
        sys.exit(cause.exit_code if isinstance(cause, Interrupted) else 130)
    except click.exceptions.NoArgsIsHelpError as exc:  # bare ``tokenprobe``: the help, as ever
        exc.show()
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"tokenprobe: error: {one_line(exc)}", err=True)
        sys.exit(2)
    except TokenprobeError as exc:
        click.echo(f"tokenprobe: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:
        click.echo("tokenprobe: interrupted", err=True)
        sys.exit(exc.exit_code if isinstance(exc, Interrupted) else 130)
    except Exception as exc:
        # A bug in tokenprobe, not in the target: still one line, and never a secret-bearing
        # traceback. TOKENPROBE_DEBUG=1 shows the traceback to whoever is fixing it.
        if os.environ.get("TOKENPROBE_DEBUG"):
            raise
        click.echo(f"tokenprobe: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)


def one_line(exc: click.ClickException) -> str:
    """A click error as one line: its message, and for a usage error where the help is.

    Click's own display is a four-line block (usage, a "Try … --help" line, a blank line, the
    error); every other error of tokenprobe is one line, and so is this one."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        return f"{message} (help: {ctx.command_path} --help)"
    return message
