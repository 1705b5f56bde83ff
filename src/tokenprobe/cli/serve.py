"""``tokenprobe serve``: run the embedded reference target in the foreground."""

from __future__ import annotations

from pathlib import Path

import click

from tokenprobe.reference.config import DEFAULT_CREDENTIALS_OUT
from tokenprobe.reference.faults import describe_catalogue, parse_faults


def _parse_fault_options(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> dict[str, float | None]:
    try:
        return parse_faults(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def _list_faults(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(describe_catalogue())
        ctx.exit(0)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=0,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one (the URL is printed).",
)
@click.option(
    "--users",
    default=100,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Active accounts to seed, each with a random strong password.",
)
@click.option(
    "--credentials-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CREDENTIALS_OUT,
    show_default=True,
    help="CSV (username,password, mode 0600) of the seeded accounts.",
)
@click.option(
    "--signing-key-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the key tokens are signed with here (mode 0600), for "
    "`tokenprobe security --verify-key-file` [default: not written].",
)
@click.option(
    "--hasher",
    type=click.Choice(["fast", "production"]),
    default="fast",
    show_default=True,
    help="fast: PBKDF2 at 10k iterations (~2 ms); production: Django's default (~230 ms).",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="NAME[=VALUE]",
    callback=_parse_fault_options,
    help="Switch on a deliberate deviation (repeatable).",
)
@click.option(
    "--list-faults",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_list_faults,
    help="Print the fault catalogue and exit.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="gunicorn worker processes [default: CPU count].",
)
@click.option(
    "--lockout-after",
    default=20,
    show_default=True,
    type=click.IntRange(0),
    help="Failed logins per username per 5 min before 429; 0 disables.",
)
def serve(
    host: str,
    port: int,
    users: int,
    credentials_out: Path,
    signing_key_out: Path | None,
    hasher: str,
    faults: dict[str, float | None],
    workers: int | None,
    lockout_after: int,
) -> None:
    """Serve the reference target (Django + DRF + SimpleJWT on SQLite) until interrupted.

    It behaves like the documented service; --fault switches on named deviations so that
    every check can be shown to fail (the active ones are printed at start). Passwords go to
    --credentials-out only, the signing key to --signing-key-out only, never to output.
    """
    from tokenprobe.reference.server import ServeOptions, run_serve  # Django and gunicorn

    options = ServeOptions(
        host=host,
        port=port,
        users=users,
        credentials_out=credentials_out,
        signing_key_out=signing_key_out,
        hasher=hasher,  # type: ignore[arg-type]
        faults=faults,
        lockout_after=lockout_after,
        **({"workers": workers} if workers else {}),
    )
    run_serve(options, announce=click.echo)
