"""deploy/docker-compose.yml: valid against the compose-spec schema, offline, and safe by default.

The schema is the compose-spec JSON schema vendored inside check-jsonschema
(`--builtin-schema vendor.compose-spec`), so validation needs no network. Compose cannot run here
(no Docker engine), so the variable interpolation the tests rely on is resolved by a small helper
that follows the compose-spec rules for ${VAR}, ${VAR:-default} and ${VAR:?error}.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import COMPOSE_FILE, DEPLOY, REPO

TARGET = "TOKENPROBE_TARGET_URL"
CREDENTIALS_FILE = "TOKENPROBE_CREDENTIALS_FILE"
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class MissingVariable(Exception):
    """A ${VAR:?message} whose variable is unset: compose refuses to start."""


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Resolve compose variables in every string of a loaded compose document."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def resolve(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = env.get(name, "")
        if op in (":?", "?") and not current:
            raise MissingVariable(f"{name}: {arg}")
        if op in (":-", "-") and not current:
            return arg
        return current

    return VARIABLE.sub(resolve, value)


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with its vendored compose schema; any network use would hit a dead proxy."""
    env = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", path],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def resolved(compose: dict[str, Any]) -> dict[str, Any]:
    """The file as compose sees it with only the required variables set."""
    env = {TARGET: "http://127.0.0.1:8000", CREDENTIALS_FILE: "/srv/credentials.csv"}
    return interpolate(compose, env)


def environment(service: dict[str, Any]) -> dict[str, str | None]:
    """A service's environment list as a dict (None for pass-through names)."""
    pairs = (entry.partition("=") for entry in service["environment"])
    return {name: (value if sep else None) for name, sep, value in pairs}


def test_validates_against_the_compose_spec_schema() -> None:
    result = check_jsonschema(COMPOSE_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_validation_catches_a_broken_file(tmp_path: Path) -> None:
    """Guards the check above: a misspelt service key is rejected by the same command."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        COMPOSE_FILE.read_text(encoding="utf-8").replace("    command:", "    comand:", 1),
        encoding="utf-8",
    )
    result = check_jsonschema(broken)
    assert result.returncode == 1
    assert "comand" in result.stdout + result.stderr


def test_master_and_scalable_workers(resolved: dict[str, Any]) -> None:
    """A master with the web UI and master port, workers that find it by service name.

    Workers publish no host port, so `--scale worker=N` cannot collide.
    """
    master, worker = resolved["services"]["master"], resolved["services"]["worker"]
    assert "--master" in master["command"]
    assert "--master-bind-port=5557" in master["command"]
    assert "8089:8089" in master["ports"]
    assert "5557" in master["expose"]
    assert "--worker" in worker["command"]
    assert "--master-host=master" in worker["command"]
    assert "--master-port=5557" in worker["command"]
    assert "ports" not in worker
    for service in (master, worker):
        assert service["command"][:2] == ["-f", "loadtests/locustfile.py"]


def test_expected_workers_follow_the_worker_count(compose: dict[str, Any]) -> None:
    """--expect-workers and the default replica count come from the same variable."""
    for workers in ("2", "7"):
        env = {
            TARGET: "http://127.0.0.1:8000",
            CREDENTIALS_FILE: "/c.csv",
            "TOKENPROBE_WORKERS": workers,
        }
        services = interpolate(compose, env)["services"]
        assert f"--expect-workers={workers}" in services["master"]["command"]
        assert services["worker"]["deploy"]["replicas"] == workers


def test_target_url_is_required_and_not_hard_coded(compose: dict[str, Any]) -> None:
    """LOCUST_HOST is ${TOKENPROBE_TARGET_URL:?…}: no default, so nothing is hit by accident."""
    for name in ("master", "worker"):
        host = environment(compose["services"][name])["LOCUST_HOST"]
        assert host is not None
        assert re.fullmatch(r"\$\{TOKENPROBE_TARGET_URL:\?[^}]+\}", host)
    with pytest.raises(MissingVariable, match=TARGET):
        interpolate(compose, {CREDENTIALS_FILE: "/c.csv"})
    assert not re.search(r"https?://", yaml.safe_dump(compose))


def test_target_url_reaches_locust(compose: dict[str, Any]) -> None:
    """With the variable set, both services get it as Locust's --host (LOCUST_HOST)."""
    url = "http://127.0.0.1:8123"
    services = interpolate(compose, {TARGET: url, CREDENTIALS_FILE: "/c.csv"})["services"]
    for service in services.values():
        assert environment(service)["LOCUST_HOST"] == url


def test_credentials_come_from_a_secret_file(
    compose: dict[str, Any], resolved: dict[str, Any]
) -> None:
    """The CSV is a compose secret from a required file path; services read it at /run/secrets."""
    (name,) = compose["secrets"]
    assert re.fullmatch(
        r"\$\{TOKENPROBE_CREDENTIALS_FILE:\?[^}]+\}", compose["secrets"][name]["file"]
    )
    for service in resolved["services"].values():
        assert service["secrets"] == [name]
        env = environment(service)
        assert env["TOKENPROBE_CREDENTIALS"] == f"/run/secrets/{name}"
        assert not [key for key in env if "PASSWORD" in key]
    with pytest.raises(MissingVariable, match=CREDENTIALS_FILE):
        interpolate(compose, {TARGET: "http://127.0.0.1:8000"})


def test_containers_run_unprivileged_by_default(resolved: dict[str, Any]) -> None:
    """Non-root UID by default, read-only root filesystem, no capabilities, no privilege gain."""
    for service in resolved["services"].values():
        uid, _, gid = service["user"].partition(":")
        assert int(uid) != 0
        assert int(gid) != 0
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]


def test_image_is_built_from_deploy_dockerfile(resolved: dict[str, Any]) -> None:
    """The build context (relative to this file) is the repository root holding the Dockerfile."""
    build = resolved["services"]["master"]["build"]
    context = (DEPLOY / build["context"]).resolve()
    assert context == REPO
    assert (context / build["dockerfile"]).is_file()
    assert resolved["services"]["worker"]["image"] == resolved["services"]["master"]["image"]
