"""``tokenprobe init`` driven as a user would: what it writes, and what it refuses to overwrite.

The repository root's entry points and configuration files are what ``tokenprobe init`` writes;
after changing a template, a spec or an entry point under ``src/tokenprobe/resources/``,
regenerate them with ``tokenprobe init --force --config-name tokenprobe.example.toml .``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tokenprobe.core.native_files import project_files, render_locust_conf

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKENPROBE = [sys.executable, "-m", "tokenprobe"]
# The repository root keeps the commented configuration under this name, so that it never
# configures a run started from the root.
ROOT_CONFIG_NAME = "tokenprobe.example.toml"
REGENERATE = f"tokenprobe init --force --config-name {ROOT_CONFIG_NAME} ."


def init(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TOKENPROBE, "init", str(folder), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def files_in(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def test_repository_root_is_what_init_writes(tmp_path: Path) -> None:
    """Byte for byte: the root's schemathesis.toml, locust.conf, example configuration, specs
    and entry points come from the package, as for any user outside a checkout."""
    result = init(tmp_path, "--config-name", ROOT_CONFIG_NAME)
    assert result.returncode == 0, result.stderr
    written = files_in(tmp_path)
    assert written == set(project_files(ROOT_CONFIG_NAME))
    stale = [
        name
        for name in sorted(written)
        if not (REPO_ROOT / name).is_file()
        or (REPO_ROOT / name).read_bytes() != (tmp_path / name).read_bytes()
    ]
    assert not stale, f"repository root differs from the package: run `{REGENERATE}`"


def test_init_writes_everything_a_user_runs_and_says_so(tmp_path: Path) -> None:
    """Into an empty folder (created if missing), with the configuration as tokenprobe.toml."""
    folder = tmp_path / "new"
    result = init(folder)
    assert result.returncode == 0, result.stderr
    assert files_in(folder) == {
        "schemathesis.toml",
        "locust.conf",
        "tokenprobe.toml",
        "specs/token.openapi.yaml",
        "specs/token.strict.openapi.yaml",
        "loadtests/locustfile.py",
        "conformance/conftest.py",
        "conformance/test_token_endpoint.py",
    }
    assert {line.removeprefix("wrote ") for line in result.stdout.splitlines()} >= {
        str(folder / name) for name in files_in(folder)
    }


def test_init_refuses_to_overwrite_naming_the_files_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "locust.conf").write_text("tp-rate = 5\n", encoding="utf-8")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "token.openapi.yaml").write_text("mine\n", encoding="utf-8")
    result = init(tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "locust.conf" in line
    assert "specs/token.openapi.yaml" in line
    assert "schemathesis.toml" not in line  # only the files that exist
    assert "Traceback" not in result.stderr
    assert files_in(tmp_path) == {"locust.conf", "specs/token.openapi.yaml"}
    assert (tmp_path / "locust.conf").read_text(encoding="utf-8") == "tp-rate = 5\n"


def test_force_overwrites(tmp_path: Path) -> None:
    (tmp_path / "locust.conf").write_text("tp-rate = 5\n", encoding="utf-8")
    result = init(tmp_path, "--force")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "locust.conf").read_text(encoding="utf-8") == render_locust_conf()


def test_config_name_must_be_a_file_name(tmp_path: Path) -> None:
    result = init(tmp_path, "--config-name", "../escape.toml")
    assert result.returncode == 2
    assert "not a file name" in result.stderr
    assert files_in(tmp_path) == set()
