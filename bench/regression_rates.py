"""Benchmark: false-alarm and detection rates of the regression verdict (``--compare``).

Four reference targets run side by side: a clean one and three with the ``slow=MS`` fault
(every token request waits 5, 10 or 20 ms longer). Each round runs a short constant-rate load
(``tokenprobe load --profile constant``, the gate's kind of run) against the clean target
twice, and once against each slow target, in a shuffled order, then judges every run against
the round's first clean run, the previous release. Two clean runs make a pair that must not
regress; so does each round's first clean run with the previous round's (a longer gap, more
drift). Each pair is judged from the same stored histograms several ways: resampling blocks of
seconds (the default) or single requests, with every other setting at its default (tolerance
10 %, 95 % confidence), and with the latency intervals widened by run-to-run drift or not:

* ``no drift``: each interval from the two runs' own samples only (``drift-runs = 0``);
* ``drift, held out``: drift learned from the clean runs of the first half of the rounds (the
  newest 20), and only the second half's pairs judged: the runs judged never taught it;
* ``drift, rolling``: as a CI runner learns it, from the newest 20 clean runs that ended before
  the judged run (the pair's previous run among them); the first rounds have too few (drift
  unknown: judged without it).

    .venv/bin/python -m bench.regression_rates [--rounds 20] [--seconds 15] [--rate 20]
        [--side-by-side] [--clean-only] [--keep DIR]   # keep the run folders (and pairs.json)
    .venv/bin/python -m bench.regression_rates --rejudge DIR   # judge kept runs again
    .venv/bin/python -m bench.regression_rates --timing 3600 20  # judging a 1 h run: how long

``--side-by-side`` runs the two runs of each pair at the same time instead (each slow run, and
the second clean run, next to a clean run of its own), so that the machine's drift between two
moments cancels and only the statistics are left to err.

Prints, per resampling and comparison, how many pairs had *any* regressed verdict (any scope,
any metric) and the verdicts of the total's p50, p95 and p99 and error ratio
(regressed / inconclusive / improved / unchanged), and how long a judgement took.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import run_measured
from tokenprobe.core.config import RegressionConfig
from tokenprobe.load.evidence import MAX_BLOCKS, evidence_document, write_evidence
from tokenprobe.load.latency import SERIES_DIGITS, Book, to_microseconds
from tokenprobe.reference.embedded import EmbeddedTarget
from tokenprobe.reports.regression import Regression, judge_regression

DELAYS_MS = (5, 10, 20)
NAMES = ("clean", *(f"+{d} ms" for d in DELAYS_MS))
CLEAN = "clean vs clean"
CLEAN_ACROSS = "clean vs previous round's clean"
SHOWN = ("p50_ms", "p95_ms", "p99_ms", "error_ratio")
MARK = {"regressed": "R", "inconclusive": "?", "improved": "+", "unchanged": "="}
MANIFEST = "pairs.json"


def load_command(target: EmbeddedTarget, folder: Path, seconds: int, rate: float) -> list[str]:
    return [
        sys.executable, "-m", "tokenprobe", "load", "--url", target.base_url,
        "--credentials", str(target.credentials_file), "--profile", "constant",
        "--rate", f"{rate:g}", "--duration", f"{seconds}s", "--report-dir", str(folder),
    ]  # fmt: skip


def load_run(target: EmbeddedTarget, work: Path, name: str, seconds: int, rate: float) -> str:
    """One run into ``work/name``; returns ``name``."""
    outcome = run_measured(load_command(target, work / name, seconds, rate), timeout=seconds + 120)
    if outcome["code"] not in (0, 1):
        raise SystemExit(f"load run failed:\n{outcome['output'][-2000:]}")
    return name


def load_runs_together(
    runs: list[tuple[EmbeddedTarget, str]], work: Path, seconds: int, rate: float
) -> list[str]:
    """Several runs at the same time (same machine, same moment); returns their names."""
    started = [
        subprocess.Popen(  # noqa: S603 - our interpreter, our command
            load_command(target, work / name, seconds, rate), cwd=tempfile.gettempdir(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for target, name in runs
    ]  # fmt: skip
    for process in started:
        output, _ = process.communicate(timeout=seconds + 120)
        if process.returncode not in (0, 1):
            raise SystemExit(f"load run failed:\n{output[-2000:]}")
    return [name for _, name in runs]


def run_rounds(
    work: Path, rounds: int, seconds: int, rate: float, side_by_side: bool, clean_only: bool
) -> dict:
    """Every load run; returns (and writes to ``work``) the manifest of pairs to judge."""
    rng = random.Random(14)
    mode = "side by side" if side_by_side else "one after another"
    manifest: dict = {"rounds": rounds, "seconds": seconds, "rate": rate, "mode": mode,
                      "pairs": [], "loads": []}  # fmt: skip
    no_lockout = ("--lockout-after", "0")  # wrong passwords cost a hash, every time
    faults = [(), *(() if clean_only else ((f"slow={d}",) for d in DELAYS_MS))]
    targets = [EmbeddedTarget(faults=f, workers=1, extra_args=no_lockout) for f in faults]
    for target in targets:
        target.start()
    try:
        previous_baseline = None
        for index in range(rounds):
            order = list(range(len(targets)))
            rng.shuffle(order)
            names = {i: f"round{index}/{NAMES[i].replace(' ', '')}" for i in order}
            if side_by_side:  # each run next to a clean run of its own, started together
                for i in order:
                    pair = [(targets[0], f"{names[i]}-baseline"), (targets[i], names[i])]
                    old, new = load_runs_together(pair, work, seconds, rate)
                    manifest["pairs"].append([index, CLEAN if i == 0 else NAMES[i], old, new])
            else:
                baseline = load_run(targets[0], work, f"round{index}/baseline", seconds, rate)
                for i in order:
                    run = load_run(targets[i], work, names[i], seconds, rate)
                    comparison = CLEAN if i == 0 else NAMES[i]
                    manifest["pairs"].append([index, comparison, baseline, run])
                if previous_baseline is not None:
                    manifest["pairs"].append([index, CLEAN_ACROSS, previous_baseline, baseline])
                previous_baseline = baseline
            manifest["loads"].append(os.getloadavg()[0])
            print(f"round {index + 1}/{rounds} done (load average {manifest['loads'][-1]:.1f})",
                  file=sys.stderr, flush=True)  # fmt: skip
    finally:
        for target in targets:
            target.request_stop()
        for target in targets:
            target.close()
    (work / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


NO_DRIFT, HELD_OUT, ROLLING = "no drift", "drift, held out", "drift, rolling"
EVALUATIONS = (("blocks", NO_DRIFT), ("blocks", HELD_OUT), ("blocks", ROLLING),
               ("requests", NO_DRIFT), ("requests", HELD_OUT))  # fmt: skip
HISTORY = 20  # stored runs drift is learned from (the default ``drift-runs``)


def judge(
    previous: Path, current: Path, resample: str, history: list[Path] | None
) -> tuple[Regression, float]:
    """``history`` None: no drift; else the run folders (newest first) it is learned from."""
    drift_runs = 0 if history is None else HISTORY
    settings = RegressionConfig(resample=resample, drift_runs=drift_runs)
    summaries = [json.loads((p / "summary.json").read_text()) for p in (previous, current)]
    started = time.perf_counter()
    regression = judge_regression(
        summaries[1], current, summaries[0], previous, settings, history=history or []
    )
    if regression is None or regression.not_evaluated:
        raise SystemExit(f"nothing judged: {current}")
    return regression, time.perf_counter() - started


def clean_runs(work: Path, manifest: dict) -> list[Path]:
    """Every clean run, oldest first (a round's baseline, then its clean run)."""
    names = [name for pair in manifest["pairs"] if pair[1] == CLEAN for name in pair[2:]]
    return sorted((work / name for name in set(names)), key=_started)


def _started(folder: Path) -> str:
    return json.loads((folder / "summary.json").read_text())["started_at"]


def history_for(
    evaluation: str, round_index: int, current: Path, work: Path, manifest: dict
) -> list[Path] | None:
    """The runs drift is learned from for one pair (newest first); None: no drift."""
    if evaluation == NO_DRIFT:
        return None
    clean = clean_runs(work, manifest)
    if evaluation == HELD_OUT:
        learning = {f"round{i}" for i in range(manifest["rounds"] // 2)}
        return [run for run in clean if run.parent.name in learning][::-1][:HISTORY]
    ended = [run for run in clean if _started(run) < _started(current) and run != current]
    return ended[::-1][:HISTORY]


def judged_pairs(evaluation: str, manifest: dict) -> list[list]:
    pairs = sorted(manifest["pairs"], key=_order)
    if evaluation == HELD_OUT:
        return [pair for pair in pairs if pair[0] >= manifest["rounds"] // 2]
    return pairs


def judge_all(work: Path, manifest: dict) -> None:
    any_regressed: dict[tuple[str, str], list[int]] = collections.defaultdict(lambda: [0, 0])
    verdicts: dict[tuple[str, str, str], collections.Counter] = collections.defaultdict(
        collections.Counter
    )
    timings: dict[str, list[float]] = collections.defaultdict(list)
    for resample, evaluation in EVALUATIONS:
        label = f"{resample}, {evaluation}"
        for round_index, comparison, old, new in judged_pairs(evaluation, manifest):
            history = history_for(evaluation, round_index, work / new, work, manifest)
            regression, seconds = judge(work / old, work / new, resample, history)
            timings[label].append(seconds)
            tally = any_regressed[(label, comparison)]
            tally[0] += 1
            tally[1] += regression.overall == "regressed"
            total = [v for v in regression.verdicts if v.scope == "total"]
            for v in total:
                verdicts[(label, comparison, v.metric)][v.verdict] += 1
            if regression.overall == "regressed" and comparison in (CLEAN, CLEAN_ACROSS):
                worst = [f"{v.label} {v.reason}" for v in regression.verdicts
                         if v.verdict == "regressed"]  # fmt: skip
                print(f"false alarm ({label}, round {round_index + 1}, {comparison}): "
                      + "; ".join(worst), file=sys.stderr)  # fmt: skip
    print_table(any_regressed, verdicts, timings, manifest)


def _order(pair: list) -> tuple[int, int]:
    comparisons = [CLEAN, CLEAN_ACROSS, *NAMES[1:]]
    return comparisons.index(pair[1]), pair[0]


def print_table(any_regressed: dict, verdicts: dict, timings: dict, manifest: dict) -> None:
    print(f"\n{manifest['rounds']} rounds, constant {manifest['rate']:g} req/s for "
          f"{manifest['seconds']} s per run, the two runs of a pair "
          f"{manifest.get('mode', 'one after another')}; the total's verdicts as "
          "regressed/inconclusive/improved/unchanged\n")  # fmt: skip
    header = f"{'judged':26} {'comparison':32} {'pairs':>5} {'any regressed':>14}"
    header += "".join(f" {metric:>15}" for metric in SHOWN)
    print(header)
    for (resample, comparison), (pairs, regressed) in any_regressed.items():
        share = f"{regressed} ({regressed / pairs:.0%})"
        cells = f"{resample:26} {comparison:32} {pairs:5} {share:>14}"
        for metric in SHOWN:
            counts = verdicts[(resample, comparison, metric)]
            cells += " " + "/".join(f"{counts[v]:>3}" for v in MARK)
        print(cells)
    for resample, values in timings.items():
        values.sort()
        print(f"\njudging one pair ({resample}): median {values[len(values) // 2] * 1000:.0f} ms, "
              f"max {values[-1] * 1000:.0f} ms", end="")  # fmt: skip
    loads = sorted(manifest["loads"])
    print(f"\nmachine load average ({os.cpu_count()} CPUs) after each round: min {loads[0]:.1f}, "
          f"median {loads[len(loads) // 2]:.1f}, max {loads[-1]:.1f}")  # fmt: skip


def synthetic_run(folder: Path, seed: int, seconds: int, per_second: int) -> dict:
    """A run of log-normal latencies (median 8 ms) over four scenarios, written as evidence."""
    rng = np.random.default_rng(seed)
    run, settled = Book(), {}
    names = ("valid login", "wrong password", "unknown user", "malformed body")
    for second in range(seconds):
        book = Book(SERIES_DIGITS)
        for index, value in enumerate(rng.lognormal(np.log(8), 0.3, per_second)):
            for target in (run, book):
                target.record(names[index % 4], to_microseconds(value), False, False)
        settled[second] = [book.encode()]
    folder.mkdir(parents=True, exist_ok=True)
    write_evidence(evidence_document(run, settled), folder)
    return {"load": {"requests": run.total().requests, "unreliable": False}}


def time_long_runs(seconds: int, per_second: int) -> None:
    """How long judging two long runs takes (every scope, p50/p95/p99, both resamplings)."""
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "old", Path(tmp) / "new"
        before, now = (
            synthetic_run(old, 1, seconds, per_second),
            synthetic_run(new, 2, seconds, per_second),
        )
        print(f"two runs of {seconds} s x {per_second} req/s ({seconds * per_second} requests "
              f"each, {min(seconds, MAX_BLOCKS)} blocks):")  # fmt: skip
        for resample in ("blocks", "requests"):
            started = time.perf_counter()
            regression = judge_regression(
                now, new, before, old, RegressionConfig(resample=resample)
            )
            elapsed = time.perf_counter() - started
            assert regression is not None
            print(f"  {resample:9} {elapsed:6.2f} s for {len(regression.verdicts)} verdicts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--keep", type=Path, help="keep the run folders here")
    parser.add_argument("--rejudge", type=Path, help="judge the runs kept in this folder again")
    parser.add_argument(
        "--side-by-side",
        action="store_true",
        help="run both runs of a pair at the same time: the machine's drift between runs cancels",
    )
    parser.add_argument(
        "--clean-only",
        action="store_true",
        help="no slow targets: only the clean pairs (false alarms), in half the time",
    )
    parser.add_argument(
        "--timing",
        nargs=2,
        type=int,
        metavar=("SECONDS", "RATE"),
        help="only time judging two synthetic runs of this length and rate (no targets)",
    )
    args = parser.parse_args()
    if args.timing:
        time_long_runs(*args.timing)
        return
    # A stopped benchmark still stops its targets (they run in their own process groups).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.rejudge:
        judge_all(args.rejudge, json.loads((args.rejudge / MANIFEST).read_text()))
        return
    with tempfile.TemporaryDirectory(prefix="tokenprobe-regression-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        manifest = run_rounds(
            work, args.rounds, args.seconds, args.rate, args.side_by_side, args.clean_only
        )
        judge_all(work, manifest)


if __name__ == "__main__":
    main()
