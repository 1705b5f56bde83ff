"""Run folders with known latency distributions: real HdrHistograms, the real evidence file.

Latencies are log-normal (median 8 ms, sigma 0.3) times a per-run ``scale``, times a per-second
factor ``exp(N(0, second_sd))`` that all requests of one second share (a busy second), drawn
from a seeded generator: the same arguments always give the same run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tokenprobe.load.evidence import evidence_document, write_evidence
from tokenprobe.load.latency import SERIES_DIGITS, Book, to_microseconds

MEDIAN_MS = 8.0
SIGMA = 0.3


def synthetic_run(
    folder: Path,
    *,
    seed: int,
    seconds: int = 30,
    per_second: int = 40,
    scale: float = 1.0,
    second_sd: float = 0.0,
    failure_share: float = 0.0,
    scenarios: tuple[str, ...] = ("valid_login",),
    load: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``folder``'s evidence file; return the summary dict a comparison reads."""
    rng = np.random.default_rng(seed)
    run = Book()
    settled: dict[int, list[dict[str, Any]]] = {}
    for second in range(seconds):
        book = Book(SERIES_DIGITS)
        busy = math.exp(rng.normal(0, second_sd)) if second_sd else 1.0
        for index in range(per_second):
            name = scenarios[index % len(scenarios)]
            latency_ms = scale * busy * rng.lognormal(math.log(MEDIAN_MS), SIGMA)
            failed = bool(rng.random() < failure_share)
            for target in (run, book):
                target.record(name, to_microseconds(latency_ms), failed, False)
        settled[second] = [book.encode()]
    folder.mkdir(parents=True, exist_ok=True)
    write_evidence(evidence_document(run, settled), folder)
    total = run.total()
    section = {"requests": total.requests, "failures": total.failures, "unreliable": False}
    return {"load": {**section, **(load or {})}}
