"""Installed the ordinary way, tokenprobe works from any folder: the wheel and a fresh venv.

The wheel is built from a copy of the sources (so no stale ``build/`` of the checkout can leak
in) and installed, not editable, into a new virtual environment. Its dependencies are the dev
venv's, made importable by a ``.pth`` file naming the dev venv's site-packages: Python reads
``.pth`` files only in site directories, so the dev venv's own ``__editable__`` hook (which puts
the checkout's ``src/`` on the path) stays inactive, and ``import tokenprobe`` can only find the
wheel's copy. Everything then runs from an empty folder outside the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.deploy.conftest import REPO
from tokenprobe.core import catalogue
from tokenprobe.reference.embedded import EmbeddedTarget

pytestmark = pytest.mark.slow

# Package data the code reads at run time, as paths inside the wheel.
PACKAGE_DATA = (
    "tokenprobe/resources/specs/token.openapi.yaml",
    "tokenprobe/resources/specs/token.strict.openapi.yaml",
    "tokenprobe/resources/templates/schemathesis.toml.j2",
    "tokenprobe/resources/templates/locust.conf.j2",
    "tokenprobe/resources/templates/tokenprobe.toml.j2",
    "tokenprobe/resources/project/loadtests/locustfile.py",
    "tokenprobe/resources/project/conformance/conftest.py",
    "tokenprobe/resources/project/conformance/test_token_endpoint.py",
    "tokenprobe/security/weak_jwt_secrets.txt",
    "tokenprobe/reports/templates/report.html.j2",
    "tokenprobe/py.typed",
)
TIMEOUT_S = 120


def run(args: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, capture_output=True, text=True, timeout=TIMEOUT_S, check=False, **options
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built without network or build isolation from a clean copy of the sources."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(REPO / "src", source / "src", ignore=ignore)
    dist = tmp_path_factory.mktemp("dist")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    result = run([*pip, "wheel", "--no-deps", "--no-build-isolation", str(source), "-w", str(dist)])
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = dist.glob("tokenprobe-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel; the dev venv's site-packages on its path, nothing else."""
    root = tmp_path_factory.mktemp("venv")
    assert run([sys.executable, "-m", "venv", "--without-pip", str(root)]).returncode == 0
    python = root / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python)]
    result = run([*install, "install", "--no-deps", "--no-index", str(wheel)])
    assert result.returncode == 0, result.stdout + result.stderr
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    dev_paths = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(site.stdout.strip()) / "tokenprobe-dev-dependencies.pth").write_text(
        "".join(f"{path}\n" for path in dev_paths), encoding="utf-8"
    )
    return root


class VenvUser:
    """A user with the fresh venv's commands on PATH, working in an empty folder."""

    def __init__(self, venv: Path, folder: Path) -> None:
        self.venv = venv
        self.folder = folder
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TOKENPROBE_", "PYTHON", "VIRTUAL_ENV"))
        }
        self.env["PATH"] = f"{venv / 'bin'}{os.pathsep}{self.env.get('PATH', '')}"

    def __call__(self, command: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        executable = str(self.venv / "bin" / command)
        return run([executable, *args], cwd=self.folder, env={**self.env, **env})


@pytest.fixture
def user(venv: Path, tmp_path: Path) -> VenvUser:
    folder = tmp_path / "empty"
    folder.mkdir()
    return VenvUser(venv, folder)


def test_wheel_installs_tokenprobe_only_with_its_package_data(wheel: Path) -> None:
    """No generic top-level name (conformance, loadtests, conftest, tests) in site-packages."""
    with zipfile.ZipFile(wheel) as archive:
        record_name = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        record = archive.read(record_name).decode("utf-8")
    paths = [line.split(",")[0] for line in record.splitlines() if line]
    tops = {path.split("/")[0] for path in paths}
    assert tops == {"tokenprobe", record_name.split("/")[0]}
    missing = [data for data in PACKAGE_DATA if data not in paths]
    assert not missing


def test_the_installed_copy_is_the_one_imported(user: VenvUser) -> None:
    """Guards the set-up: the checkout's src/ is not on the fresh venv's path."""
    result = user("python", "-c", "import tokenprobe; print(tokenprobe.__file__)")
    assert result.returncode == 0, result.stderr
    imported = Path(result.stdout.strip())
    assert REPO / "src" not in imported.parents
    assert "site-packages" in imported.parts


def test_the_installed_catalogue_lists_every_id(user: VenvUser) -> None:
    result = user("tokenprobe", "checks", "--json")
    assert result.returncode == 0, result.stderr
    assert [e["id"] for e in json.loads(result.stdout)] == [e.id for e in catalogue.ENTRIES]


def test_init_then_the_gate_from_an_empty_folder(user: VenvUser) -> None:
    """`tokenprobe init`, then a real gate run (conformance, security, a short load smoke)
    against the embedded target: specs, templates and the locustfile all come from the wheel."""
    init = user("tokenprobe", "init")
    assert init.returncode == 0, init.stderr
    assert (user.folder / "loadtests" / "locustfile.py").is_file()
    assert user("tokenprobe", "conformance", "--help").returncode == 0
    gate = user(
        "tokenprobe", "gate", "--quiet", "--skip", "conformance-strict", "--load-duration", "2"
    )
    assert gate.returncode == 0, gate.stdout + gate.stderr
    # Everything evaluated: tokenprobe started the target, so it knows its signing key too
    # (no TP-SEC-104, "no verification key"); the verdict leaves nothing out.
    assert gate.stdout.startswith("tokenprobe gate: PASS; findings: 0 error,"), gate.stdout
    assert "not evaluated" not in gate.stdout.splitlines()[0]
    summary = user.folder / "reports" / "latest" / "summary.json"
    data = json.loads(summary.read_text())
    assert data["not_evaluated"] == 0, data["findings"]
    assert data["embedded_target"] is True  # the history groups its runs whatever the port
    checks = {c["id"]: c["outcome"] for c in data["checks"]}
    assert checks["TP-SEC-010"] == "passed"
    stages = ("conformance-published", "security", "load")
    assert all((user.folder / "reports" / "latest" / stage).is_dir() for stage in stages)


def test_plain_schemathesis_in_an_init_folder_runs_our_checks(
    user: VenvUser, target_factory: Callable[..., EmbeddedTarget]
) -> None:
    """QA's command outside a checkout: the schemathesis.toml `tokenprobe init` wrote loads
    tokenprobe's checks, which catch a missing Cache-Control: no-store (TP-CONF-005)."""
    target = target_factory("no-cache-headers")
    assert user("tokenprobe", "init").returncode == 0
    result = user(
        "python", "-m", "schemathesis.cli", "run", "specs/token.openapi.yaml",
        "--url", target.base_url, "-n", "5",
        TOKENPROBE_CREDENTIALS=str(target.credentials_file),
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "TP-CONF-005" in result.stdout
