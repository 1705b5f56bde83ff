"""deploy/Dockerfile and .dockerignore: what goes into the image, and who it runs as.

Docker cannot build here (client only), so these tests read the files: every COPY source exists
and survives .dockerignore, credentials can never be copied in, the runtime user is not root.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.deploy.conftest import DOCKERFILE, REPO
from tests.deploy.dockerfile import Instruction, is_ignored, parse_dockerfile, read_dockerignore
from tokenprobe.core.native_files import project_files

DOCKERIGNORE = REPO / ".dockerignore"


@pytest.fixture(scope="module")
def instructions() -> list[Instruction]:
    return parse_dockerfile(DOCKERFILE)


def of_kind(instructions: list[Instruction], *keywords: str) -> list[Instruction]:
    return [i for i in instructions if i.keyword in keywords]


def copy_sources(instructions: list[Instruction]) -> list[str]:
    return [src for i in of_kind(instructions, "COPY", "ADD") for src in i.copy_sources()]


def test_base_image_is_slim_python_311(instructions: list[Instruction]) -> None:
    """One stage, on the official slim Python 3.11 image."""
    froms = of_kind(instructions, "FROM")
    assert len(froms) == 1
    assert froms[0].arguments.startswith("python:3.11-slim")


def test_runs_as_a_non_root_user(instructions: list[Instruction]) -> None:
    """The last USER is a numeric non-zero UID (so Kubernetes can verify runAsNonRoot)."""
    users = of_kind(instructions, "USER")
    assert users, "no USER: the container would run as root"
    uid = users[-1].arguments.split(":")[0]
    assert uid.isdigit(), f"USER {uid}: use a numeric UID"
    assert int(uid) != 0


def test_entrypoint_is_locust_with_the_suite_as_default(instructions: list[Instruction]) -> None:
    """`docker run IMAGE --headless …` is `locust -f loadtests/locustfile.py --headless …`."""
    (entrypoint,) = of_kind(instructions, "ENTRYPOINT")
    (cmd,) = of_kind(instructions, "CMD")
    assert entrypoint.exec_form() == ["locust"]
    assert cmd.exec_form() == ["-f", "loadtests/locustfile.py"]


def test_project_installed_with_the_pinned_constraints(instructions: list[Instruction]) -> None:
    """The project is installed with what CI pins: `pip install -c constraints.txt .[extras]`."""
    runs = " ".join(i.arguments for i in of_kind(instructions, "RUN"))
    assert re.search(r'pip install -c constraints\.txt "?\.(\[[a-z,]+\])?"?(\s|$)', runs)
    assert "constraints.txt" in copy_sources(instructions)


def test_workdir_gets_the_entry_points_from_tokenprobe_init(
    instructions: list[Instruction],
) -> None:
    """The final working directory, the one the CMD resolves from, is filled by `tokenprobe
    init` after the install, as a user's folder would be: the locustfile and locust.conf come
    from the installed package, never from the checkout."""
    workdir = of_kind(instructions, "WORKDIR")[-1].arguments
    assert workdir == "/app"
    install = next(i for i, ins in enumerate(instructions) if "pip install" in ins.arguments)
    after = [ins.arguments.split() for ins in instructions[install + 1 :] if ins.keyword == "RUN"]
    assert ["tokenprobe", "init", workdir] in after
    written = project_files()
    cmd = of_kind(instructions, "CMD")[0].exec_form()
    assert cmd[cmd.index("-f") + 1] in written
    assert "locust.conf" in written


def test_nothing_init_writes_is_copied_from_the_checkout(instructions: list[Instruction]) -> None:
    """Copies would shadow what the installed package writes (and could drift from it)."""
    tops = {name.split("/")[0] for name in project_files()}
    copied = {src.rstrip("/").split("/")[0] for src in copy_sources(instructions)}
    assert not tops & copied


def test_copy_sources_exist_in_the_repository(instructions: list[Instruction]) -> None:
    """Every COPY source is a path in the repository (a typo would only show at build time)."""
    missing = [src for src in copy_sources(instructions) if not (REPO / src).exists()]
    assert not missing


def test_copy_sources_are_not_excluded_by_dockerignore(instructions: list[Instruction]) -> None:
    """A source excluded by .dockerignore would fail the build with 'not found'."""
    rules = read_dockerignore(DOCKERIGNORE)
    excluded = [src for src in copy_sources(instructions) if is_ignored(src, rules)]
    assert not excluded


@pytest.mark.parametrize(
    "path",
    [
        ".tokenprobe/credentials.csv",  # `tokenprobe serve` default output
        ".tokenprobe/credentials.inactive.csv",
        "staging.credentials.csv",  # the naming .gitignore also uses
        "credentials.csv",  # a pool dropped at the root
        "deploy/credentials-prod.csv",
        ".env",
        "reports/latest/summary.json",
        ".venv/bin/python",
        ".git/config",
    ],
)
def test_dockerignore_keeps_secrets_and_local_state_out(path: str) -> None:
    """Credential files and local state never reach the build context."""
    assert is_ignored(path, read_dockerignore(DOCKERIGNORE))


def test_dockerignore_matcher_can_say_no() -> None:
    """Guards the matcher above: a source file is not excluded."""
    assert not is_ignored("src/tokenprobe/cli/__init__.py", read_dockerignore(DOCKERIGNORE))


def test_no_tracked_file_in_the_build_context_is_a_csv() -> None:
    """No tracked file that Docker would send is a CSV (a credentials pool by another name)."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, check=True, capture_output=True, text=True, timeout=30
    ).stdout.split()
    rules = read_dockerignore(DOCKERIGNORE)
    sent = [path for path in tracked if not is_ignored(path, rules)]
    assert "pyproject.toml" in sent
    assert not [path for path in sent if path.lower().endswith(".csv")]


def test_no_credentials_or_target_baked_into_the_image(instructions: list[Instruction]) -> None:
    """No ENV/ARG sets a password, a credentials path or a target: those come at run time."""
    settings = " ".join(i.arguments for i in of_kind(instructions, "ENV", "ARG")).upper()
    for forbidden in ("PASSWORD", "TOKENPROBE_CREDENTIALS", "LOCUST_HOST", "HTTP://", "HTTPS://"):
        assert forbidden not in settings
    assert not [src for src in copy_sources(instructions) if src.lower().endswith(".csv")]
