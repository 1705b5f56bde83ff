"""A gate's verdict as OpenTelemetry metrics over OTLP/HTTP (``tokenprobe gate --otel``).

The run's samples (`reports.metrics`, as in the Prometheus text file) as gauges named
``tokenprobe.gate.<name>``, sent after every run (``force_flush``) by the OpenTelemetry SDK's
OTLP/HTTP exporter, configured as Locust's ``--otel`` is: from the standard ``OTEL_*``
variables (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_HEADERS``,
``OTEL_SERVICE_NAME``...). The SDK is the ``otel`` extra: ``pip install 'tokenprobe[otel]'``.
"""

from __future__ import annotations

from typing import Any

from tokenprobe.core.errors import ConfigError
from tokenprobe.core.summary import Summary
from tokenprobe.reports.metrics import run_samples

NO_SDK = "--otel needs the OpenTelemetry SDK: pip install 'tokenprobe[otel]'"
PREFIX = "tokenprobe.gate."
EXPORT_INTERVAL_MS = 24 * 3600 * 1000  # each run flushes its own: no periodic export between


class OtelExport:
    """One meter provider for the whole process: a monitor's every run."""

    def __init__(self) -> None:
        try:
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
            from opentelemetry.sdk.metrics import MeterProvider
            from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
            from opentelemetry.sdk.resources import Resource
        except ImportError:
            raise ConfigError(NO_SDK) from None
        reader = PeriodicExportingMetricReader(
            OTLPMetricExporter(), export_interval_millis=EXPORT_INTERVAL_MS
        )
        # Resource.create reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES over ours.
        resource = Resource.create({"service.name": "tokenprobe"})
        self._provider = MeterProvider(metric_readers=[reader], resource=resource)
        self._meter = self._provider.get_meter("tokenprobe")
        self._gauges: dict[str, Any] = {}

    def record(self, summary: Summary) -> None:
        """Set every gauge from ``summary`` and send them now."""
        for sample in run_samples(summary):
            gauge = self._gauges.get(sample.name)
            if gauge is None:
                gauge = self._meter.create_gauge(PREFIX + sample.name, description=sample.help)
                self._gauges[sample.name] = gauge
            gauge.set(sample.value, sample.labels)
        self._provider.force_flush()

    def close(self) -> None:
        self._provider.shutdown()
