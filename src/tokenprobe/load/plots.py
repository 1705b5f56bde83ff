"""The PNG plots of a load run (matplotlib, no display): imported only when a run writes them,
for matplotlib's import costs about a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt
from hdrh.histogram import HdrHistogram
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from tokenprobe.load.latency import decoded_histogram, new_histogram
from tokenprobe.load.section import LoadResults, Second

LATENCY_PLOT = "latency_over_time.png"
THROUGHPUT_PLOT = "throughput_errors.png"
HISTOGRAM_PLOT = "latency_histogram.png"


def write_plots(results: LoadResults, report_dir: Path) -> list[Path]:
    """Latency percentiles over time, throughput and errors over time, latency histogram."""
    return [
        _save(latency_figure(results.series), report_dir / LATENCY_PLOT),
        _save(throughput_figure(results.series), report_dir / THROUGHPUT_PLOT),
        _save(histogram_figure(results.histograms), report_dir / HISTOGRAM_PLOT),
    ]


def latency_figure(series: list[Second]) -> Figure:
    """p50, p95 and p99 per second on their own axis, the maximum on the one below: a spike
    of the maximum never hides the percentiles, and each axis is linear, with ticks."""
    fig, (percentiles, maximum) = plt.subplots(
        2, 1, figsize=(9, 5.5), sharex=True, height_ratios=(3, 1.4)
    )
    seconds = [row.t for row in series]
    for key in ("p50", "p95", "p99"):
        percentiles.plot(seconds, [getattr(row, key) for row in series], label=key, marker=".",
                         linewidth=1.2)  # fmt: skip
    maximum.plot(seconds, [row.max for row in series], label="max", color="tab:gray",
                 marker=".", linewidth=1)  # fmt: skip
    percentiles.set(ylabel="ms", title="Latency per second (from the intended send time)")
    maximum.set(xlabel="seconds since start", ylabel="max ms")
    for axes in (percentiles, maximum):
        axes.set_ylim(bottom=0)
        axes.grid(alpha=0.3)
        axes.legend(loc="upper left", fontsize=8)
    return fig


def throughput_figure(series: list[Second]) -> Figure:
    fig, ax = plt.subplots(figsize=(9, 4.5))
    seconds = [row.t for row in series]
    ax.plot(seconds, [row.requests for row in series], label="answers/s", linewidth=1.5)
    ax.plot(seconds, [row.failures for row in series], label="failures/s", color="tab:red")
    ax.set(xlabel="seconds since start", ylabel="per second", title="Throughput and errors")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def histogram_figure(encoded: Mapping[str, str]) -> Figure:
    """Requests per 10 %-wide latency bucket: a log latency axis labelled at 1, 2 and 5 of
    each decade (never one label), and whole request counts."""
    total = new_histogram()
    for histogram in encoded.values():
        total.add(decoded_histogram(histogram))
    values, counts = _recorded(total)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    if values:
        ax.bar(values, counts, width=[v * 0.08 for v in values], color="tab:blue")
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="latency (ms)", ylabel="requests", title="Latency distribution (all requests)")
    ax.grid(alpha=0.3)
    return fig


def _recorded(histogram: HdrHistogram) -> tuple[list[float], list[int]]:
    # Logarithmic buckets (10 % wide) keep the bar count small for any range of latencies.
    values, counts = [], []
    if histogram.get_total_count():
        for item in histogram.get_log_iterator(100, 1.1):
            if item.count_added_in_this_iter_step:
                values.append(item.value_iterated_to / 1000)
                counts.append(item.count_added_in_this_iter_step)
    return values, counts


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
