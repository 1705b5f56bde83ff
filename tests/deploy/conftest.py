"""Shared helpers for the deployment tests: where the files are, and how to read them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
OPERATOR_EXAMPLE = K8S / "operator" / "locusttest.yaml"
KUSTOMIZATION = K8S / "kustomization.yaml"

# Names shared by the plain manifests, the operator example and the commands of docs/distributed.md.
CREDENTIALS_SECRET = "tokenprobe-credentials"
LOCUST_CONFIGMAP = "tokenprobe-locust"


def load_documents(path: Path) -> list[dict[str, Any]]:
    """Every non-empty YAML document in a file."""
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def all_deploy_documents() -> Iterator[tuple[Path, dict[str, Any]]]:
    """(file, document) for every YAML file under deploy/."""
    for path in sorted(DEPLOY.rglob("*.y*ml")):
        for doc in load_documents(path):
            yield path, doc


def kustomize_resources() -> list[Path]:
    """The manifest files the kustomization lists, in its order."""
    kustomization = load_documents(KUSTOMIZATION)[0]
    return [K8S / name for name in kustomization["resources"]]


@pytest.fixture(scope="session")
def manifests() -> list[dict[str, Any]]:
    """The plain Kubernetes objects of deploy/k8s, as kubectl apply -k would send them."""
    return [doc for path in kustomize_resources() for doc in load_documents(path)]


@pytest.fixture(scope="session")
def deployments(manifests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == "Deployment"}
