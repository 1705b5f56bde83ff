"""The load run's plots are readable: percentiles never under the maximum, ticks that label."""

from __future__ import annotations

import matplotlib.pyplot as plt

from tokenprobe.load.latency import new_histogram
from tokenprobe.load.plots import histogram_figure, latency_figure, throughput_figure
from tokenprobe.load.section import Second

SERIES = [
    Second(t=t, p50=4.0, p95=9.0 + t % 3, p99=14.0, max=1200.0 if t == 5 else 20.0, requests=3)
    for t in range(10)
]


def labelled_ticks(axis) -> list[str]:
    low, high = axis.get_view_interval()
    ticks = zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=True)
    return [label.get_text() for value, label in ticks if low <= value <= high and label.get_text()]


def test_a_spike_of_the_maximum_never_hides_the_percentiles() -> None:
    figure = latency_figure(SERIES)
    percentiles, maximum = figure.axes
    figure.canvas.draw()
    assert [line.get_label() for line in percentiles.lines] == ["p50", "p95", "p99"]
    assert [line.get_label() for line in maximum.lines] == ["max"]
    # The percentiles' axis is scaled to them, not to the 1,200 ms spike.
    assert percentiles.get_ylim()[1] < 100
    assert len(labelled_ticks(percentiles.yaxis)) >= 3
    plt.close(figure)


def test_the_histogram_labels_its_log_axis_and_counts_whole_requests() -> None:
    histogram = new_histogram()
    for microseconds in (3_000, 4_000, 6_000, 20_000):
        histogram.record_value(microseconds)
    figure = histogram_figure({"valid login": histogram.encode().decode("ascii")})
    (axes,) = figure.axes
    figure.canvas.draw()
    assert len(labelled_ticks(axes.xaxis)) >= 3  # 5, 10, 20 ms: never a lone "10^1"
    counts = labelled_ticks(axes.yaxis)
    assert counts
    assert all(label.isdigit() for label in counts), counts
    plt.close(figure)


def test_throughput_counts_whole_requests() -> None:
    figure = throughput_figure(SERIES)
    (axes,) = figure.axes
    figure.canvas.draw()
    assert all(label.isdigit() for label in labelled_ticks(axes.yaxis))
    plt.close(figure)
