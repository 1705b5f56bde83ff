"""Report files of a load run: the final CSV and the PNG plots (matplotlib, no display).

Locust's own ``_stats.csv`` is rewritten every second and misses the last one; ``load_stats.csv``
is written once from the exact final results.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt
from hdrh.histogram import HdrHistogram

from tokenprobe.core.files import write_text_atomic
from tokenprobe.load.latency import TOTAL, new_histogram

STATS_CSV = "load_stats.csv"
LATENCY_PLOT = "latency_over_time.png"
THROUGHPUT_PLOT = "throughput_errors.png"
HISTOGRAM_PLOT = "latency_histogram.png"
# "name" is Locust's request entry (as in its own CSVs), "scenario" the key SLOs and the
# configuration use ("total" for the Aggregated row); last, so earlier columns keep their place.
CSV_COLUMNS = ["name", "requests", "failures", "throttled", "throughput_rps",
               "p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "scenario"]  # fmt: skip
TOTAL_SCENARIO = "total"


def write_stats_csv(results: Mapping[str, Any], report_dir: Path) -> Path:
    """One row per request entry and one for all of them, with exact percentiles."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    rows = [*results["scenarios"].items(), (TOTAL_SCENARIO, {**results, "name": TOTAL})]
    for key, entry in rows:
        latency = entry["latency_ms"]
        percentiles = [latency[k] for k in ("p50", "p90", "p95", "p99", "p999", "max")]
        counts = [entry[k] for k in ("requests", "failures", "throttled", "throughput_rps")]
        writer.writerow([entry["name"], *counts, *percentiles, key])
    return write_text_atomic(report_dir / STATS_CSV, buffer.getvalue())


def write_plots(results: Mapping[str, Any], report_dir: Path) -> list[Path]:
    """Latency percentiles over time, throughput and errors over time, latency histogram."""
    return [
        _plot_latency(results["series"], report_dir / LATENCY_PLOT),
        _plot_throughput(results["series"], report_dir / THROUGHPUT_PLOT),
        _plot_histogram(results["histograms"], report_dir / HISTOGRAM_PLOT),
    ]


def _plot_latency(series: list[dict[str, Any]], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(9, 4.5))
    seconds = [row["t"] for row in series]
    for key in ("p50", "p95", "p99", "max"):
        ax.plot(seconds, [row.get(key) for row in series], label=key, marker=".", linewidth=1)
    ax.set(xlabel="seconds since start", ylabel="latency (ms, from intended send time)",
           title="Latency percentiles per second")  # fmt: skip
    ax.set_yscale("symlog", linthresh=10)
    ax.grid(alpha=0.3)
    ax.legend()
    return _save(fig, path)


def _plot_throughput(series: list[dict[str, Any]], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(9, 4.5))
    seconds = [row["t"] for row in series]
    ax.plot(seconds, [row["requests"] for row in series], label="answers/s", linewidth=1.5)
    ax.plot(seconds, [row["failures"] for row in series], label="failures/s", color="tab:red")
    ax.set(xlabel="seconds since start", ylabel="per second", title="Throughput and errors")
    ax.grid(alpha=0.3)
    ax.legend()
    return _save(fig, path)


def _plot_histogram(encoded: Mapping[str, str], path: Path) -> Path:
    total = new_histogram()
    for histogram in encoded.values():
        total.decode_and_add(histogram)
    values, counts = _recorded(total)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    if values:
        ax.bar(values, counts, width=[v * 0.02 for v in values], color="tab:blue")
        ax.set_xscale("log")
    ax.set(xlabel="latency (ms)", ylabel="requests", title="Latency distribution (all requests)")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def _recorded(histogram: HdrHistogram) -> tuple[list[float], list[int]]:
    # Logarithmic buckets (10 % wide) keep the bar count small for any range of latencies.
    values, counts = [], []
    if histogram.get_total_count():
        for item in histogram.get_log_iterator(100, 1.1):
            if item.count_added_in_this_iter_step:
                values.append(item.value_iterated_to / 1000)
                counts.append(item.count_added_in_this_iter_step)
    return values, counts


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
