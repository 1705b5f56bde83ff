"""deploy/k8s/operator/locusttest.yaml: the example LocustTest for the Locust Kubernetes operator.

Validated offline against tests/deploy/schemas/locusttest-v2.schema.json, a schema written for
these tests from the operator's locust.io/v2 API (its header says which version and file), whose
Kubernetes core types resolve to the schemas kubernetes-validate ships.
"""

from __future__ import annotations

import copy
import json
import shlex
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from tests.deploy.conftest import (
    CREDENTIALS_SECRET,
    LOCUST_CONFIGMAP,
    OPERATOR_EXAMPLE,
    load_documents,
)

SCHEMA = Path(__file__).parent / "schemas" / "locusttest-v2.schema.json"
K8S_DEFINITIONS = "kubernetes-json-schema/v1.34.0-local-strict/_definitions.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    """Our LocustTest schema, with https://kubernetes.io/api/_definitions.json served offline."""
    definitions = json.loads(
        resources.files("kubernetes_validate").joinpath(K8S_DEFINITIONS).read_text(encoding="utf-8")
    )
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    registry = Registry().with_resource(definitions["$id"], Resource.from_contents(definitions))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry)


@pytest.fixture(scope="module")
def locust_test() -> dict[str, Any]:
    (document,) = load_documents(OPERATOR_EXAMPLE)
    return document


def errors(validator: jsonschema.Draft202012Validator, document: dict[str, Any]) -> list[str]:
    return [error.message for error in validator.iter_errors(document)]


def test_example_validates(
    validator: jsonschema.Draft202012Validator, locust_test: dict[str, Any]
) -> None:
    assert errors(validator, locust_test) == []


def broken(locust_test: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """A copy with spec.<path> set to value (None deletes it)."""
    document = copy.deepcopy(locust_test)
    *parents, leaf = path.split(".")
    node = document["spec"]
    for key in parents:
        node = node[key]
    if value is None:
        del node[leaf]
    else:
        node[leaf] = value
    return document


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("worker.replicas", None),  # required
        ("worker.replicas", 0),  # minimum 1
        ("worker.replicas", 501),  # maximum 500
        ("master.command", None),  # required
        ("masterCommandSeed", "--locustfile x.py"),  # a v1 field in a v2 resource
        ("observability.openTelemetry.protocol", "http/json"),  # enum
        ("master.resources", {"limits": {"cpu": "1"}, "limts": {}}),  # k8s type, misspelt field
        ("security.podSecurityContext", {"runAsNonRoot": "yes"}),  # k8s type, wrong type
    ],
)
def test_schema_rejects_broken_resources(
    validator: jsonschema.Draft202012Validator,
    locust_test: dict[str, Any],
    path: str,
    value: object,
) -> None:
    """Guards the check above: each mistake is caught."""
    assert errors(validator, broken(locust_test, path, value))


def test_uses_the_same_configmap_and_secret_as_plain_kubernetes(
    locust_test: dict[str, Any],
) -> None:
    """Both ways of running share one set of inputs: the same ConfigMap and Secret names."""
    spec = locust_test["spec"]
    assert spec["testFiles"]["configMapRef"] == LOCUST_CONFIGMAP
    (mount,) = spec["env"]["secretMounts"]
    assert mount["name"] == CREDENTIALS_SECRET
    assert mount["readOnly"] is True
    env = {v["name"]: v for v in spec["env"]["variables"]}
    credentials = PurePosixPath(env["TOKENPROBE_CREDENTIALS"]["value"])
    assert credentials.is_relative_to(mount["mountPath"])
    assert credentials.name == "credentials.csv"
    assert spec["env"].get("configMapRefs", []) == []  # nothing secret-shaped arrives as env
    target = env["TOKENPROBE_TARGET_URL"]["valueFrom"]["configMapKeyRef"]
    assert target == {"name": LOCUST_CONFIGMAP, "key": "TOKENPROBE_TARGET_URL"}
    assert env["LOCUST_HOST"]["value"] == "$(TOKENPROBE_TARGET_URL)"


@pytest.mark.parametrize("role", ["master", "worker"])
def test_commands_load_the_mounted_files(locust_test: dict[str, Any], role: str) -> None:
    """Commands name the mounted ConfigMap files; the operator adds --master/--worker itself."""
    spec = locust_test["spec"]
    args = shlex.split(spec[role]["command"])
    source = PurePosixPath(spec["testFiles"]["srcMountPath"])
    assert args[args.index("--locustfile") + 1] == str(source / "locustfile.py")
    assert args[args.index("--config") + 1] == str(source / "locust.conf")
    assert not {"--master", "--worker", "--host", "-H"} & set(args)


def test_pods_run_non_root(locust_test: dict[str, Any]) -> None:
    security = locust_test["spec"]["security"]
    assert security["podSecurityContext"]["runAsNonRoot"] is True
    assert security["podSecurityContext"]["runAsUser"] != 0
    assert security["containerSecurityContext"]["allowPrivilegeEscalation"] is False
    assert security["containerSecurityContext"]["capabilities"] == {"drop": ["ALL"]}
