"""deploy/k8s: valid Kubernetes objects (offline schemas), wired together, and locked down.

Schemas: kubernetes-validate's bundled OpenAPI-derived JSON schemas, strict flavour (unknown
fields are errors), for Kubernetes 1.34, the oldest minor it ships here. When kubectl is on the
machine, the kustomization is also rendered with `kubectl kustomize` (offline) and validated.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import PurePosixPath
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.conftest import (
    CREDENTIALS_SECRET,
    K8S,
    LOCUST_CONFIGMAP,
    REPO,
    all_deploy_documents,
    kustomize_resources,
)

K8S_VERSION = "1.34"
MASTER, WORKER, SERVICE = "tokenprobe-master", "tokenprobe-worker", "tokenprobe-master"
CREDENTIALS_ENV = "TOKENPROBE_CREDENTIALS"


def validate(document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, K8S_VERSION, strict=True)


def pod_spec(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    (only,) = pod_spec(deployment)["containers"]
    return only


def env_of(deployment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container(deployment)["env"]}


def volumes_of(deployment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {volume["name"]: volume for volume in pod_spec(deployment)["volumes"]}


def test_every_manifest_validates(manifests: list[dict[str, Any]]) -> None:
    for manifest in manifests:
        validate(manifest)
    assert sorted(m["kind"] for m in manifests) == ["Deployment", "Deployment", "Service"]


def test_validation_catches_a_misspelt_field(manifests: list[dict[str, Any]]) -> None:
    """Guards the check above: strict schemas reject an unknown field and a wrong type."""
    deployment = next(m for m in manifests if m["kind"] == "Deployment")
    misspelt = copy.deepcopy(deployment)
    misspelt["spec"]["template"]["spec"]["securityContxt"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(misspelt)
    wrong_type = copy.deepcopy(deployment)
    wrong_type["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(wrong_type)


def test_kustomization_lists_every_manifest() -> None:
    """Every YAML file in deploy/k8s (not the operator example) is applied by `kubectl apply -k`."""
    on_disk = {p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"}
    assert set(kustomize_resources()) == on_disk


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_rendered_kustomization_validates() -> None:
    """What `kubectl apply -k deploy/k8s` would send: namespaced, labelled, valid."""
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    documents = [doc for doc in yaml.safe_load_all(rendered) if doc]
    assert len(documents) == 3
    for document in documents:
        validate(document)
        assert document["metadata"]["namespace"] == "tokenprobe"
        assert document["metadata"]["labels"]["app.kubernetes.io/name"] == "tokenprobe"


def test_master_deployment_and_service(deployments: dict[str, Any], manifests: list[Any]) -> None:
    """One master; the Service exposes 5557 (workers) and 8089 (web UI) on the master's pods."""
    master = deployments[MASTER]
    assert master["spec"]["replicas"] == 1
    ports = {port["name"]: port["containerPort"] for port in container(master)["ports"]}
    assert ports == {"master": 5557, "web": 8089}
    assert "--master" in container(master)["args"]
    (service,) = [m for m in manifests if m["kind"] == "Service"]
    assert service["metadata"]["name"] == SERVICE
    assert {p["port"]: p["targetPort"] for p in service["spec"]["ports"]} == {
        5557: "master",
        8089: "web",
    }
    pod_labels = master["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()


def test_workers_find_the_master_and_match_expected_count(deployments: dict[str, Any]) -> None:
    """Workers dial the master Service; the master expects as many workers as there are replicas."""
    worker_args = container(deployments[WORKER])["args"]
    assert "--worker" in worker_args
    assert f"--master-host={SERVICE}" in worker_args
    assert "--master-port=5557" in worker_args
    replicas = deployments[WORKER]["spec"]["replicas"]
    assert replicas >= 2
    assert f"--expect-workers={replicas}" in container(deployments[MASTER])["args"]


@pytest.mark.parametrize("name", [MASTER, WORKER])
def test_locustfile_and_config_come_from_the_configmap(
    deployments: dict[str, Any], name: str
) -> None:
    """locustfile.py and locust.conf are mounted from the ConfigMap where the image's CMD looks."""
    deployment = deployments[name]
    assert container(deployment)["args"][:2] == ["-f", "loadtests/locustfile.py"]
    volume = volumes_of(deployment)["locust-files"]
    assert volume["configMap"]["name"] == LOCUST_CONFIGMAP
    mounts = {
        m["mountPath"]: m["subPath"]
        for m in container(deployment)["volumeMounts"]
        if m["name"] == "locust-files"
    }
    assert mounts == {
        "/app/loadtests/locustfile.py": "locustfile.py",
        "/app/locust.conf": "locust.conf",
    }


@pytest.mark.parametrize("name", [MASTER, WORKER])
def test_credentials_file_comes_from_the_secret(deployments: dict[str, Any], name: str) -> None:
    """TOKENPROBE_CREDENTIALS names a file inside a mount whose volume is the Secret."""
    deployment = deployments[name]
    path = PurePosixPath(env_of(deployment)[CREDENTIALS_ENV]["value"])
    mount = next(
        m for m in container(deployment)["volumeMounts"] if path.is_relative_to(m["mountPath"])
    )
    assert mount["readOnly"] is True
    volume = volumes_of(deployment)[mount["name"]]
    assert set(volume) == {"name", "secret"}
    assert volume["secret"]["secretName"] == CREDENTIALS_SECRET
    assert volume["secret"]["defaultMode"] == 0o440
    keys = {item["path"]: item["key"] for item in volume["secret"]["items"]}
    assert keys[str(path.relative_to(mount["mountPath"]))] == "credentials.csv"


@pytest.mark.parametrize("name", [MASTER, WORKER])
def test_target_url_comes_from_the_configmap(deployments: dict[str, Any], name: str) -> None:
    """LOCUST_HOST expands TOKENPROBE_TARGET_URL, read from the ConfigMap: no URL in the repo."""
    env = env_of(deployments[name])
    ref = env["TOKENPROBE_TARGET_URL"]["valueFrom"]["configMapKeyRef"]
    assert ref == {"name": LOCUST_CONFIGMAP, "key": "TOKENPROBE_TARGET_URL"}
    assert env["LOCUST_HOST"]["value"] == "$(TOKENPROBE_TARGET_URL)"
    names = list(env)
    assert names.index("TOKENPROBE_TARGET_URL") < names.index("LOCUST_HOST")  # $(…) needs order


def test_no_url_or_password_literal_in_any_manifest() -> None:
    """No hard-coded target and no password anywhere under deploy/ (comments aside)."""
    for path, document in all_deploy_documents():
        text = yaml.safe_dump(document).lower()
        assert "http://" not in text, path
        assert "https://" not in text, path
        assert "password" not in text, path


def test_no_configmap_carries_credentials() -> None:
    """Credentials only ever come from a Secret: no ConfigMap under deploy/ mentions them."""
    for path, document in all_deploy_documents():
        if document.get("kind") == "ConfigMap":
            text = yaml.safe_dump(document).lower()
            assert "password" not in text, path
            assert "credential" not in text, path


@pytest.mark.parametrize("name", [MASTER, WORKER])
def test_pods_run_non_root_and_locked_down(deployments: dict[str, Any], name: str) -> None:
    """Pod Security Standard 'restricted': non-root UID, no privilege gain, no capabilities."""
    pod = pod_spec(deployments[name])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    context = container(deployments[name])["securityContext"]
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"] == {"drop": ["ALL"]}


@pytest.mark.parametrize("name", [MASTER, WORKER])
def test_resources_are_bounded(deployments: dict[str, Any], name: str) -> None:
    """CPU and memory requests and limits are set (a swarm must not starve its node)."""
    resources = container(deployments[name])["resources"]
    for kind in ("requests", "limits"):
        assert set(resources[kind]) == {"cpu", "memory"}


def readme_kubectl_commands() -> list[str]:
    """The `kubectl …` commands of docs/distributed.md, continuation lines joined."""
    text = (REPO / "docs" / "distributed.md").read_text(encoding="utf-8").replace("\\\n", " ")
    return [" ".join(line.split()) for line in text.splitlines() if line.startswith("kubectl ")]


def test_readme_creates_the_inputs_the_manifests_use() -> None:
    """The documented commands put the CSV in the Secret and only non-secrets in the ConfigMap."""
    commands = readme_kubectl_commands()
    (secret,) = [c for c in commands if " create secret generic " in c]
    (configmap,) = [c for c in commands if " create configmap " in c]
    assert f" {CREDENTIALS_SECRET} " in secret
    assert "--from-file=credentials.csv=" in secret
    assert f" {LOCUST_CONFIGMAP} " in configmap
    for key in ("locustfile.py=loadtests/locustfile.py", "locust.conf=locust.conf"):
        assert f"--from-file={key}" in configmap
    assert "--from-literal=TOKENPROBE_TARGET_URL=" in configmap
    assert "credential" not in configmap.lower()
    assert ".csv" not in configmap.lower()
    assert "password" not in configmap.lower()
    assert "kubectl apply -k deploy/k8s" in commands
