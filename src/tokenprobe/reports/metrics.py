"""A run's verdict as metric samples: what the Prometheus text file and OpenTelemetry export.

One list of samples per run (`run_samples`), rendered by `reports.prometheus` (names with
``_`` and a ``tokenprobe_gate_`` prefix) and `reports.otel` (``tokenprobe.gate.`` names):
both say the same values under the same labels. Every sample has the token URL as ``target``.
"""

from __future__ import annotations

import dataclasses

from tokenprobe.core.summary import Summary, verdict
from tokenprobe.reports.limits_view import limits_section, login_latencies_ms

SEVERITIES = ("error", "warning", "info")


@dataclasses.dataclass(frozen=True)
class Sample:
    name: str  # e.g. "login_latency_max_seconds"; each renderer adds its own prefix
    help: str
    value: float
    labels: dict[str, str]


def run_samples(summary: Summary) -> list[Sample]:
    judged = verdict(summary)
    target = {"target": summary.target}
    samples = [
        # A float, never a bool: OTLP refuses a bool where it expects a number.
        Sample(
            "passed", "1 when the last run passed, else 0.", float(judged.status == "pass"), target
        ),
        Sample(
            "exit_code",
            "The last run's exit code: 0 pass, 1 findings, 2 could not run.",
            judged.exit_code,
            target,
        ),
        *(
            Sample(
                "findings",
                "Findings of the last run, by severity.",
                judged.counts[severity],
                {**target, "severity": severity},
            )
            for severity in SEVERITIES
        ),
        Sample(
            "not_evaluated",
            "Checks the last run could not evaluate.",
            judged.counts["not_evaluated"],
            target,
        ),
    ]
    if limits := limits_section(summary):
        samples.append(
            Sample("requests_sent", "Requests the last run sent.", limits["requests_sent"], target)
        )
    if logins := login_latencies_ms(summary):
        samples.append(
            Sample(
                "login_latency_max_seconds",
                "The slowest login of the last run.",
                max(logins) / 1000,
                target,
            )
        )
    ended = summary.started_at.timestamp() + summary.duration_s
    samples.append(
        Sample("last_run_timestamp_seconds", "When the last run ended (Unix time).", ended, target)
    )
    return samples
