"""Locust's built-in OpenTelemetry export (`locust --otel`) delivers request metrics over OTLP/HTTP.

A tiny OTLP/HTTP receiver on loopback stands in for a collector. Locust (2.47) configures the
exporters from the standard OTEL_* variables; with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf it
posts ExportMetricsServiceRequest protobufs to <endpoint>/v1/metrics. The request-duration
histogram `locust.client.duration` (seconds, one series per request name) must arrive, and its
final count must equal the request count in Locust's own statistics.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.otlp import OtlpReceiver, otlp_receiver
from tokenprobe.reference.embedded import EmbeddedTarget

LOCUSTFILE = Path(__file__).with_name("otel_locustfile.py")
SERVICE_NAME = "tokenprobe-otel-test"
DURATION_METRIC = "locust.client.duration"
REQUEST_NAME = "token: valid login (otel test)"


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    with otlp_receiver() as server:
        yield server


def run_locust(
    target: EmbeddedTarget, receiver: OtlpReceiver, cwd: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    """A bounded headless run (2 users, 3 s) with the OTLP exporter pointed at the receiver.

    It runs in an empty directory so no locust.conf or pyproject.toml of the repository applies.
    """
    env = {
        **os.environ,
        "TOKENPROBE_CREDENTIALS": str(target.credentials_file),
        "OTEL_TEST_REQUEST_NAME": REQUEST_NAME,
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_SERVICE_NAME": SERVICE_NAME,
        "OTEL_METRIC_EXPORT_INTERVAL": "1000",
        "OTEL_TRACES_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
    }
    for name in ("LOCUST_ENABLE_OPENTELEMETRY", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"):
        env.pop(name, None)
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    command += ["--host", target.base_url, "-u", "2", "-r", "2", "-t", "3s", "--json", *extra]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def locust_request_count(stdout: str) -> int:
    """Requests Locust itself counted for REQUEST_NAME (from its --json statistics)."""
    stats = json.loads(stdout)
    return sum(entry["num_requests"] for entry in stats if entry["name"] == REQUEST_NAME)


def exported_durations(receiver: OtlpReceiver) -> list[tuple[dict[str, str], int, str]]:
    """(resource attributes, histogram count, unit) for each exported REQUEST_NAME data point."""
    points = []
    for export in receiver.exports:
        for resource_metrics in export.resource_metrics:
            resource = {a.key: a.value.string_value for a in resource_metrics.resource.attributes}
            for scope in resource_metrics.scope_metrics:
                for metric in scope.metrics:
                    if metric.name != DURATION_METRIC:
                        continue
                    for point in metric.histogram.data_points:
                        attributes = {a.key: a.value.string_value for a in point.attributes}
                        if attributes.get("name") == REQUEST_NAME:
                            points.append((resource, point.count, metric.unit))
    return points


def test_otel_exports_request_durations(
    clean_target: EmbeddedTarget, receiver: OtlpReceiver, tmp_path: Path
) -> None:
    result = run_locust(clean_target, receiver, tmp_path, "--otel")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "OpenTelemetry enabled" in result.stderr
    requests_made = locust_request_count(result.stdout)
    assert requests_made > 0

    points = exported_durations(receiver)
    assert points, f"no {DURATION_METRIC} for {REQUEST_NAME!r}; posts: {receiver.paths}"
    resource, final_count, unit = points[-1]
    assert resource["service.name"] == SERVICE_NAME
    assert unit == "s"
    # Cumulative temporality: the last export (flushed at exit) counts every request.
    assert final_count == requests_made


def test_without_the_flag_nothing_is_exported(
    clean_target: EmbeddedTarget, receiver: OtlpReceiver, tmp_path: Path
) -> None:
    """The export is opt-in: the same run without --otel posts nothing."""
    result = run_locust(clean_target, receiver, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert locust_request_count(result.stdout) > 0
    assert receiver.paths == []
