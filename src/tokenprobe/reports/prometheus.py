"""A gate's verdict as a Prometheus text file, for node_exporter's textfile collector.

``tokenprobe gate --prometheus-file PATH`` (with ``--every``, after every run) writes the run's
verdict, its findings per severity, the requests it sent, the latency of the logins it made
and when it ended, through `prometheus_client` (its own registry per run, written atomically
by `write_to_textfile`: the collector never reads half a file). Every sample carries the
target's token URL as ``target``.
"""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from tokenprobe.core.summary import Summary, verdict

PREFIX = "tokenprobe_gate"
SEVERITIES = ("error", "warning", "info")


def write_prometheus_textfile(summary: Summary, path: Path) -> Path:
    registry = CollectorRegistry()
    judged = verdict(summary)
    target = ("target",)

    def gauge(name: str, help_text: str, labels: tuple[str, ...] = target) -> Gauge:
        return Gauge(f"{PREFIX}_{name}", help_text, labels, registry=registry)

    gauge("passed", "1 when the last run passed, else 0.").labels(summary.target).set(
        judged.status == "pass"
    )
    gauge("exit_code", "The last run's exit code: 0 pass, 1 findings, 2 could not run.").labels(
        summary.target
    ).set(judged.exit_code)
    findings = gauge("findings", "Findings of the last run, by severity.", ("target", "severity"))
    for severity in SEVERITIES:
        findings.labels(summary.target, severity).set(judged.counts[severity])
    gauge("not_evaluated", "Checks the last run could not evaluate.").labels(summary.target).set(
        judged.counts["not_evaluated"]
    )
    limits = summary.sections.get("limits", {})
    if limits:
        gauge("requests_sent", "Requests the last run sent.").labels(summary.target).set(
            limits["requests_sent"]
        )
    logins = summary.sections.get("conformance", {}).get("bounded", {}).get("login_latency_ms")
    if logins:
        gauge("login_latency_max_seconds", "The slowest login of the last run.").labels(
            summary.target
        ).set(max(logins) / 1000)
    ended = summary.started_at.timestamp() + summary.duration_s
    gauge("last_run_timestamp_seconds", "When the last run ended (Unix time).").labels(
        summary.target
    ).set(ended)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)
    return path
