"""Exact latencies: HDR histograms per request entry, mergeable across processes.

Locust rounds response times before computing percentiles (REFERENCE §5); every sample here
is recorded at microsecond resolution in an HdrHistogram (3 significant digits: any reported
value is within 0.1 % of the sample it stands for). Histograms travel between processes in
HdrHistogram's standard compressed encoding and merge losslessly, so percentiles from a
distributed run equal those of one histogram holding every raw sample.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from hdrh.histogram import HdrHistogram

from tokenprobe.core.defaults import LATENCY_PERCENTILES

HIGHEST_US = 3_600_000_000  # one hour: anything slower is clamped, never lost
EXACT_DIGITS = 3
SERIES_DIGITS = 2  # per-second histograms only feed plots; 1 % is plenty and 7x smaller
PERCENTILES = LATENCY_PERCENTILES
TOTAL = "Aggregated"


def new_histogram(digits: int = EXACT_DIGITS) -> HdrHistogram:
    return _acyclic(HdrHistogram(1, HIGHEST_US, digits))


def decoded_histogram(encoded: str | bytes) -> HdrHistogram:
    return _acyclic(HdrHistogram.decode(encoded))


def _acyclic(histogram: HdrHistogram) -> HdrHistogram:
    """hdrh's histogram and its encoder refer to each other: a dropped histogram (a cell, a
    second, a decoded message: hundreds of KB a second under load) waited for Python's full
    cyclic collection, which comes rarer as a long run's results grow, and the load generator's
    memory grew with it (issue 21: about 190 MB/h at 200 req/s). With the encoder's reference weak,
    a histogram is freed as soon as it is dropped."""
    histogram.encoder.histogram = weakref.proxy(histogram)
    return histogram


def to_microseconds(milliseconds: float) -> int:
    return max(1, min(HIGHEST_US, round(milliseconds * 1000)))


def latency_ms(histogram: HdrHistogram) -> dict[str, float | None]:
    """p50/p90/p95/p99/p99.9/max in milliseconds; None for an empty histogram."""
    if not histogram.get_total_count():
        return {key: None for key in [*PERCENTILES, "max"]}
    values = {
        key: histogram.get_value_at_percentile(pct) / 1000 for key, pct in PERCENTILES.items()
    }
    values["max"] = histogram.get_max_value() / 1000
    return {key: round(value, 3) for key, value in values.items()}


@dataclasses.dataclass
class Tally:
    """One request entry in one scope: latencies plus outcome counts."""

    histogram: HdrHistogram
    failures: int = 0
    throttled: int = 0

    @property
    def requests(self) -> int:
        return int(self.histogram.get_total_count())


class Book:
    """Tallies per request entry for one scope: the whole run, one step or one second."""

    def __init__(self, digits: int = EXACT_DIGITS) -> None:
        self.digits = digits
        self.tallies: dict[str, Tally] = {}

    def tally(self, name: str) -> Tally:
        if name not in self.tallies:
            self.tallies[name] = Tally(new_histogram(self.digits))
        return self.tallies[name]

    def record(self, name: str, microseconds: int, failed: bool, throttled: bool) -> None:
        tally = self.tally(name)
        tally.histogram.record_value(microseconds)
        tally.failures += failed
        tally.throttled += throttled

    def encode(self) -> dict[str, Any]:
        """A message-safe form: ``{name: [encoded histogram, failures, throttled]}``."""
        return {
            name: [t.histogram.encode().decode("ascii"), t.failures, t.throttled]
            for name, t in self.tallies.items()
        }

    def merge(self, encoded: Mapping[str, Any]) -> None:
        for name, (histogram, failures, throttled) in encoded.items():
            tally = self.tally(name)
            tally.histogram.add(decoded_histogram(histogram))
            tally.failures += failures
            tally.throttled += throttled

    def add(self, other: Book) -> None:
        """Merge another book of this process (no encoding on the way), of the same or a
        higher precision."""
        for name, theirs in other.tallies.items():
            tally = self.tally(name)
            add_histogram(tally.histogram, theirs.histogram)
            tally.failures += theirs.failures
            tally.throttled += theirs.throttled

    def total(self) -> Tally:
        combined = Tally(new_histogram(self.digits))
        for tally in self.tallies.values():
            combined.histogram.add(tally.histogram)
            combined.failures += tally.failures
            combined.throttled += tally.throttled
        return combined

    def __bool__(self) -> bool:
        return any(t.requests for t in self.tallies.values())


def add_histogram(target: HdrHistogram, source: HdrHistogram) -> None:
    """Add ``source``'s samples to ``target``, whose precision may be lower (fewer digits).

    Every bucket of a finer histogram lies within one bucket of a coarser one (both split each
    power of two into a power-of-two number of equal buckets), so recording each non-empty
    bucket's value with its count gives ``target`` exactly the counts that recording every
    sample would. hdrh's own ``add`` does that too, but walks all of a histogram's 23,552
    buckets in Python; the non-empty ones are found here in one NumPy pass.
    """
    if target.sub_bucket_count == source.sub_bucket_count:
        target.add(source)  # the same layout: hdrh adds the arrays in C
        return
    counts = np.ctypeslib.as_array(source.counts)
    for index in np.flatnonzero(counts):
        target.record_value(source.get_value_from_index(int(index)), int(counts[index]))


def merge_books(encoded_books: Iterable[Mapping[str, Any]], digits: int = EXACT_DIGITS) -> Book:
    book = Book(digits)
    for encoded in encoded_books:
        book.merge(encoded)
    return book


def summarize(tally: Tally, seconds: float) -> dict[str, Any]:
    """The summary.json shape for one entry (or the total)."""
    return {
        "requests": tally.requests,
        "failures": tally.failures,
        "throttled": tally.throttled,
        "throughput_rps": round(tally.requests / seconds, 3) if seconds > 0 else 0.0,
        "latency_ms": latency_ms(tally.histogram),
    }
