"""The evidence a later run is compared with: a run's latency histograms, kept in its folder.

``latency_histograms.json`` holds, for the whole run and for each scenario, the full-resolution
HdrHistogram (3 significant digits, microseconds) in HdrHistogram's standard interchange
encoding (V2, compressed, base64: the ``HISTFAAA…`` strings of ``HdrHistogram.encode()``, which
``HdrHistogram.decode()`` and the Java, C, Go and Rust ports read), with the request, failure and
throttled counts an error ratio needs. It also keeps one histogram per scenario for each block of
consecutive seconds (2 significant digits): latencies within a run are correlated in time (a
busy second slows many requests at once), so a regression verdict resamples whole blocks, not
single requests (`tokenprobe.reports.statistics`).

Scenarios are keyed as the run's ``scenarios`` section keys them (scenario keys, ``valid_login``;
a request entry of no scenario keeps its name), and a reader takes them from the file, never from
a list of its own. Locust-free: the release gate and reports read it.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from hdrh.histogram import HdrHistogram

from tokenprobe.core.errors import ConfigError
from tokenprobe.core.files import write_text_atomic
from tokenprobe.load.latency import SERIES_DIGITS, Book, Tally, decoded_histogram, merge_books
from tokenprobe.load.settings import key_of_entry

HISTOGRAMS_FILE = "latency_histograms.json"
FORMAT = "HdrHistogram V2, compressed, base64 (HdrHistogram.encode())"
UNIT = "microseconds"
# A long run's seconds are merged into at most this many blocks: the file stays small (a few
# hundred KB for a 4 h soak) and a block bootstrap has plenty of blocks to draw from.
MAX_BLOCKS = 300


def tally_entry(tally: Tally) -> dict[str, Any]:
    """One scope as stored: its counts and its encoded histogram."""
    return {
        "requests": tally.requests,
        "failures": tally.failures,
        "throttled": tally.throttled,
        "histogram": tally.histogram.encode().decode("ascii"),
    }


def evidence_document(
    run: Book, seconds: Mapping[int, Iterable[Mapping[str, Any]]]
) -> dict[str, Any]:
    """The file's content: the run's book (one tally per request entry, stored by its scenario
    key) and, per second of the run, the encoded books recorded in it (`Book.encode`)."""
    block_s, blocks = second_blocks(seconds)
    return {
        "format": FORMAT,
        "unit": UNIT,
        "total": tally_entry(run.total()),
        "scenarios": {key_of_entry(n): tally_entry(t) for n, t in sorted(run.tallies.items())},
        "blocks": {"seconds": block_s, "digits": SERIES_DIGITS, "books": blocks},
    }


def second_blocks(
    seconds: Mapping[int, Iterable[Mapping[str, Any]]],
) -> tuple[int, list[dict[str, dict[str, Any]]]]:
    """Consecutive seconds merged into at most `MAX_BLOCKS` blocks of equal length (a second
    without an answer is an empty block: a stall is evidence too)."""
    if not seconds:
        return 1, []
    first, last = min(seconds), max(seconds)
    block_s = max(1, math.ceil((last - first + 1) / MAX_BLOCKS))
    blocks = []
    for start in range(first, last + 1, block_s):
        encoded = [book for s in range(start, start + block_s) for book in seconds.get(s, ())]
        book = merge_books(encoded, SERIES_DIGITS)
        blocks.append({key_of_entry(n): tally_entry(t) for n, t in sorted(book.tallies.items())})
    return block_s, blocks


def write_evidence(
    document: Mapping[str, Any], report_dir: Path, name: str = HISTOGRAMS_FILE
) -> Path:
    return write_text_atomic(report_dir / name, json.dumps(document) + "\n")


# -- reading -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Distribution:
    """A histogram as the values it recorded (ms, ascending) and how often each was seen."""

    values_ms: np.ndarray
    counts: np.ndarray

    @property
    def total(self) -> int:
        return int(self.counts.sum())


EMPTY = Distribution(np.zeros(0), np.zeros(0, dtype=np.int64))


@dataclasses.dataclass(frozen=True)
class Scope:
    """The whole run ("total") or one scenario: counts, the exact distribution, its blocks."""

    requests: int
    failures: int
    distribution: Distribution
    blocks: tuple[Distribution, ...]  # per block of seconds; empty when none were stored

    @property
    def filled_blocks(self) -> int:
        """Blocks with at least one sample: what a block bootstrap can draw from."""
        return sum(1 for block in self.blocks if block.total)


@dataclasses.dataclass(frozen=True)
class Evidence:
    path: Path
    block_s: int
    scopes: Mapping[str, Scope]  # "total" first, then the scenarios by name


TOTAL_SCOPE = "total"


def find_evidence(run_dir: Path) -> Path | None:
    """The histograms file of a run folder: a load run's own, or the gate's ``load/`` stage."""
    for candidate in (run_dir / HISTOGRAMS_FILE, run_dir / "load" / HISTOGRAMS_FILE):
        if candidate.is_file():
            return candidate
    return None


def read_evidence(path: Path) -> Evidence:
    """Decode the file; `ConfigError` (one line, naming the file) when it is not one of ours."""
    return decode_evidence(path, read_document(path))


def read_document(path: Path) -> Any:
    """The file's JSON, undecoded (`decode_evidence`); `ConfigError` when it is none."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise _not_evidence(path, exc) from None


def decode_evidence(path: Path, document: Any) -> Evidence:
    """The evidence ``document``, read from ``path``, decoded; `ConfigError` when it is not."""
    try:
        return _evidence(path, document)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _not_evidence(path, exc) from None


def _not_evidence(path: Path, exc: Exception) -> ConfigError:
    reason = exc.strerror if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
    return ConfigError(f"{path}: not a tokenprobe latency histograms file ({reason})")


def _evidence(path: Path, document: Mapping[str, Any]) -> Evidence:
    if document.get("format") != FORMAT:
        raise ValueError(f"format {document.get('format')!r}")
    stored = {TOTAL_SCOPE: document["total"], **dict(sorted(document["scenarios"].items()))}
    # Each block's histograms decoded once; a block's total is the sum of its scenarios.
    books = [
        {name: distribution(entry["histogram"]) for name, entry in book.items()}
        for book in document["blocks"]["books"]
    ]
    blocks = {name: tuple(book.get(name, EMPTY) for book in books) for name in stored}
    blocks[TOTAL_SCOPE] = tuple(combined(book.values()) for book in books)
    scopes = {
        name: Scope(
            requests=int(entry["requests"]),
            failures=int(entry["failures"]),
            distribution=distribution(entry["histogram"]),
            blocks=blocks[name],
        )
        for name, entry in stored.items()
    }
    return Evidence(path, int(document["blocks"]["seconds"]), scopes)


def combined(distributions: Iterable[Distribution]) -> Distribution:
    """One distribution holding every sample of several."""
    parts = list(distributions)
    if not parts:
        return EMPTY
    values, where = np.unique(np.concatenate([d.values_ms for d in parts]), return_inverse=True)
    weights = np.concatenate([d.counts for d in parts])
    counts = np.bincount(where, weights=weights, minlength=len(values)).astype(np.int64)
    return Distribution(values, counts)


def distribution(encoded: str) -> Distribution:
    return histogram_distribution(decoded_histogram(encoded))


def histogram_distribution(histogram: HdrHistogram) -> Distribution:
    """The recorded values (each bucket's highest equivalent value, as HdrHistogram reports a
    percentile) with their counts. The counts array is read once, not walked in Python."""
    counts = np.ctypeslib.as_array(histogram.counts)[: histogram.counts_len]
    indexes = np.flatnonzero(counts)
    values_us = [
        histogram.get_highest_equivalent_value(histogram.get_value_from_index(int(i)))
        for i in indexes
    ]
    return Distribution(np.asarray(values_us, dtype=float) / 1000, counts[indexes].astype(np.int64))
