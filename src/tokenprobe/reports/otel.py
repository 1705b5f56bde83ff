"""A gate's verdict as OpenTelemetry metrics over OTLP/HTTP (``tokenprobe gate --otel``).

The run's samples (`reports.metrics`, as in the Prometheus text file) as observable gauges
named ``tokenprobe.gate.<name>``: each export observes the last run's samples only (a gauge
absent from it, such as the login latency of a run that made none, is not sent again with an
old value). Sent after every run (``force_flush``) by the OpenTelemetry SDK's
OTLP/HTTP exporter, configured as Locust's ``--otel`` is: from the standard ``OTEL_*``
variables (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_HEADERS``,
``OTEL_SERVICE_NAME``...). The SDK is the ``otel`` extra: ``pip install 'tokenprobe[otel]'``.
"""

from __future__ import annotations

import functools
from typing import Any

from tokenprobe.core.errors import ConfigError
from tokenprobe.core.summary import Summary
from tokenprobe.reports.metrics import Sample, run_samples

NO_SDK = "--otel needs the OpenTelemetry SDK: pip install 'tokenprobe[otel]'"
PREFIX = "tokenprobe.gate."
EXPORT_INTERVAL_MS = 24 * 3600 * 1000  # each run flushes its own: no periodic export between


class OtelExport:
    """One meter provider for the whole process: a monitor's every run."""

    def __init__(self) -> None:
        try:
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
            from opentelemetry.metrics import Observation
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
        self._observation = Observation
        self._gauges: set[str] = set()
        self._current: list[Sample] = []

    def record(self, summary: Summary) -> None:
        """Make ``summary``'s samples the ones observed, and send them now."""
        self._current = run_samples(summary)
        for sample in self._current:
            if sample.name not in self._gauges:
                self._gauges.add(sample.name)
                self._meter.create_observable_gauge(
                    PREFIX + sample.name,
                    callbacks=[functools.partial(self._observe, sample.name)],
                    description=sample.help,
                )
        self._provider.force_flush()

    def _observe(self, name: str, _options: Any) -> list[Any]:
        return [self._observation(s.value, s.labels) for s in self._current if s.name == name]

    def close(self) -> None:
        self._provider.shutdown()
