"""The files a project folder needs to run tokenprobe's suites with the tools' own commands.

``schemathesis.toml``, ``locust.conf`` and the commented ``tokenprobe.toml`` are Jinja2
templates (package data, `tokenprobe.resources`) rendered from `tokenprobe.core.defaults`, so
the tools' configuration and tokenprobe's own defaults cannot disagree. The specs and the thin
entry points (``loadtests/locustfile.py``, ``conformance/``) ship verbatim.

``tokenprobe init`` writes them all into a folder; the conformance runner renders a run's
``schemathesis.toml`` with that run's token policy; the repository root holds what ``tokenprobe
init`` writes (a test keeps them byte-identical). Neither Locust nor Schemathesis is imported.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import jinja2

from tokenprobe import resources
from tokenprobe.core import defaults, settings
from tokenprobe.core.config import Config, SloConfig, TokenPolicy, slo_text
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.settings import whole_duration

SCHEMATHESIS_TOML = "schemathesis.toml"
LOCUST_CONF = "locust.conf"
TOKENPROBE_TOML = "tokenprobe.toml"
# Path in a project folder → path in the package, copied byte for byte.
VERBATIM_FILES = {
    "specs/token.openapi.yaml": "specs/token.openapi.yaml",
    "specs/token.strict.openapi.yaml": "specs/token.strict.openapi.yaml",
    "loadtests/locustfile.py": "project/loadtests/locustfile.py",
    "conformance/conftest.py": "project/conformance/conftest.py",
    "conformance/test_token_endpoint.py": "project/conformance/test_token_endpoint.py",
}
BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
COMMENT_WIDTH = 96


def toml_value(value: object) -> str:
    """A TOML literal for a string, number, boolean or list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no TOML literal for {value!r}")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are valid in TOML strings
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML literal for {type(value).__name__}")


def toml_key(key: str) -> str:
    """A TOML key: bare where TOML allows it, quoted otherwise (``"valid login"``)."""
    return key if BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def comment(text: str) -> str:
    """Prose as TOML comment lines of at most `COMMENT_WIDTH` characters."""
    lines = textwrap.wrap(
        text,
        COMMENT_WIDTH,
        initial_indent="# ",
        subsequent_indent="# ",
        break_on_hyphens=False,  # never "--brute-force-" / "attempts"
        break_long_words=False,
    )
    return "\n".join(lines)


def number(value: float) -> str:
    """A number as a person writes it in ``locust.conf``: 20, not 20.0."""
    return toml_value(value)


ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("tokenprobe.resources", "templates"),
    autoescape=False,  # noqa: S701 - TOML and Locust configuration, never HTML
    undefined=jinja2.StrictUndefined,  # a misspelt name fails the render, not the file
    keep_trailing_newline=True,
)
ENVIRONMENT.filters.update(
    toml=toml_value, toml_key=toml_key, number=number, duration=whole_duration, comment=comment
)


def render_schemathesis_toml(policy: TokenPolicy | None = None) -> str:
    """``schemathesis.toml`` with tokenprobe's hooks and ``policy`` (default: the defaults')."""
    template = ENVIRONMENT.get_template(SCHEMATHESIS_TOML + ".j2")
    return template.render(defaults=defaults, policy=policy or TokenPolicy())


def render_locust_conf() -> str:
    """``locust.conf``: the load suite's default options, SLOs included."""
    template = ENVIRONMENT.get_template(LOCUST_CONF + ".j2")
    return template.render(defaults=defaults, slos=slo_text(SloConfig()))


def render_tokenprobe_toml() -> str:
    """The configuration file with every key commented out, showing its default."""
    template = ENVIRONMENT.get_template(TOKENPROBE_TOML + ".j2")
    return template.render(
        config=Config(),
        tables=settings.TABLES,
        settings=settings.FILE_SETTINGS,
        described=settings.described,
        file_value=settings.file_value,
        scenarios=list(defaults.LOAD_SCENARIOS),
    )


def write_schemathesis_toml(folder: Path, policy: TokenPolicy | None = None) -> Path:
    """Render ``schemathesis.toml`` into ``folder`` (a run's private work folder)."""
    path = folder / SCHEMATHESIS_TOML
    path.write_text(render_schemathesis_toml(policy), encoding="utf-8")
    return path


def project_files(config_name: str = TOKENPROBE_TOML) -> dict[str, bytes]:
    """Relative path → content of every file ``tokenprobe init`` writes.

    ``config_name`` names the commented configuration file (the repository root keeps it as
    ``tokenprobe.example.toml``, so that it never configures a run from the root).
    """
    rendered = {
        SCHEMATHESIS_TOML: render_schemathesis_toml(),
        LOCUST_CONF: render_locust_conf(),
        config_name: render_tokenprobe_toml(),
    }
    files = {name: text.encode("utf-8") for name, text in rendered.items()}
    package = Path(resources.__file__).parent
    files.update({name: (package / source).read_bytes() for name, source in VERBATIM_FILES.items()})
    return files


def write_project_files(
    folder: Path, *, force: bool = False, config_name: str = TOKENPROBE_TOML
) -> list[Path]:
    """Write `project_files` into ``folder``; refuse (`ConfigError`) to overwrite unless ``force``.

    Returns the paths written. Nothing is written when any file would be overwritten.
    """
    files = project_files(config_name)
    clashes = [name for name in files if (folder / name).exists()]
    if clashes and not force:
        shown = ", ".join(str(folder / name) for name in clashes)
        raise ConfigError(f"would overwrite {shown} (--force overwrites)")
    written = []
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written
