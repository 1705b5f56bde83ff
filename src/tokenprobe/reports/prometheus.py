"""A gate's verdict as a Prometheus text file, for node_exporter's textfile collector.

``tokenprobe gate --prometheus-file PATH`` (with ``--every``, after every run) writes the run's
samples (`reports.metrics`: verdict, findings per severity, requests sent, the slowest login,
when it ended) as gauges named ``tokenprobe_gate_<name>``, through `prometheus_client`: its own
registry per run, written atomically by `write_to_textfile` (the collector never reads half a
file).
"""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from tokenprobe.core.summary import Summary
from tokenprobe.reports.metrics import run_samples

PREFIX = "tokenprobe_gate_"


def write_prometheus_textfile(summary: Summary, path: Path) -> Path:
    registry = CollectorRegistry()
    gauges: dict[str, Gauge] = {}
    for sample in run_samples(summary):
        gauge = gauges.get(sample.name)
        if gauge is None:
            gauge = Gauge(PREFIX + sample.name, sample.help, list(sample.labels), registry=registry)
            gauges[sample.name] = gauge
        gauge.labels(**sample.labels).set(sample.value)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)
    return path
