"""The final CSV of a load run.

Locust's own ``_stats.csv`` is rewritten every second and misses the last one; ``load_stats.csv``
is written once from the exact final results.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tokenprobe.core.files import write_text_atomic
from tokenprobe.load.latency import TOTAL
from tokenprobe.load.section import LoadSection

STATS_CSV = "load_stats.csv"
# "name" is Locust's request entry (as in its own CSVs), "scenario" the key SLOs and the
# configuration use ("total" for the Aggregated row); last, so earlier columns keep their place.
CSV_COLUMNS = ["name", "requests", "failures", "throttled", "throughput_rps",
               "p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "scenario"]  # fmt: skip
TOTAL_SCENARIO = "total"


def write_stats_csv(results: LoadSection, report_dir: Path) -> Path:
    """One row per request entry and one for all of them, with exact percentiles."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    rows = [*results.scenarios.items(), (TOTAL_SCENARIO, results)]
    for key, entry in rows:
        name = TOTAL if entry is results else entry.name
        counts = [entry.requests, entry.failures, entry.throttled, entry.throughput_rps]
        writer.writerow([name, *counts, *entry.latency_ms.values(), key])
    return write_text_atomic(report_dir / STATS_CSV, buffer.getvalue())
