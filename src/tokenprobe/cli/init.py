"""``tokenprobe init``: the tools' own entry points and configuration, written into a folder."""

from __future__ import annotations

from pathlib import Path

import click

from tokenprobe.core.native_files import TOKENPROBE_TOML, write_project_files

NEXT_STEPS = (
    "next: schemathesis run specs/token.openapi.yaml --url URL   (QA)\n"
    "      locust --host URL                                     (SRE; defaults in locust.conf)\n"
    "      pytest conformance/                                   (with pytest installed)"
)


def _file_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not value or Path(value).name != value:
        raise click.BadParameter(f"{value!r} is not a file name", ctx=ctx, param=param)
    return value


@click.command()
@click.argument(
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--config-name",
    default=TOKENPROBE_TOML,
    show_default=True,
    callback=_file_name,
    help="Name of the commented configuration file (e.g. tokenprobe.example.toml, to keep an "
    "existing tokenprobe.toml).",
)
def init(folder: Path, force: bool, config_name: str) -> None:
    """Write what `schemathesis run`, `locust` and `pytest conformance/` need into FOLDER.

    FOLDER (default: the current one) gets schemathesis.toml, locust.conf, tokenprobe.toml (every
    key commented out, with its default), specs/, loadtests/locustfile.py and conformance/, all
    from tokenprobe's defaults. Existing files are left alone unless --force (exit 2).
    """
    for path in write_project_files(folder, force=force, config_name=config_name):
        click.echo(f"wrote {path}")
    click.echo(NEXT_STEPS)
