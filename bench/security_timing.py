"""Bench: false-alarm and detection rates of the timing probe (TP-SEC-002).

Runs the probe ``--runs`` times against the clean reference target (every alarm is a false
alarm) and against the ``enumeration-timing`` fault (every pass is a miss), and prints the
rates with the samples each verdict took.

    .venv/bin/python bench/security_timing.py --runs 30
    .venv/bin/python bench/security_timing.py --runs 30 --hasher production --workers 2
    # one account, with the share of its budget a full run gives the probe (issue 11)
    .venv/bin/python bench/security_timing.py --runs 30 --accounts 1 --max-pairs 6
"""

from __future__ import annotations

import argparse
import statistics
import time

from tokenprobe import security
from tokenprobe.core.session import TargetSession
from tokenprobe.core.summary import verdict
from tokenprobe.reference.embedded import EmbeddedTarget
from tokenprobe.security import SecurityOptions, TimingBudget

PROBE = "TP-SEC-002"


def run_many(
    target: EmbeddedTarget, runs: int, accounts: int | None, max_pairs: int
) -> list[dict[str, object]]:
    pool = target.credentials[:accounts] if accounts else target.credentials
    session = TargetSession(target.base_url, pool, embedded=accounts is None)
    options = SecurityOptions(
        probes=frozenset({PROBE}),
        allow_brute_force=False,
        timing=TimingBudget(max_pairs=max_pairs),
    )
    results = []
    for _ in range(runs):
        summary = security.run(session, options)
        entry = summary.sections["security"]["probes"][PROBE]
        results.append(
            {
                "outcome": verdict(summary).checks[0].outcome,
                "wall_s": entry["wall_s"],
                **entry.get("details", {}),
            }
        )
    return results


def report(label: str, results: list[dict[str, object]], alarm_is_correct: bool) -> None:
    alarms = sum(r["outcome"] == "failed" for r in results)
    skipped = sum(r["outcome"] == "skipped" for r in results)
    evaluated = len(results) - skipped
    rate = alarms / evaluated if evaluated else float("nan")
    name = "detection rate" if alarm_is_correct else "false-alarm rate"
    pairs = [r["pairs"] for r in results if "pairs" in r]
    diffs = [r["median_difference_ms"] for r in results if "median_difference_ms" in r]
    walls = [r["wall_s"] for r in results]
    print(
        f"{label}: {name} {alarms}/{evaluated} = {rate:.1%} (skipped {skipped}); "
        f"pairs median {statistics.median(pairs) if pairs else '-'} (max {max(pairs, default=0)}); "
        f"median difference {statistics.median(diffs) if diffs else float('nan'):.2f} ms; "
        f"wall per run median {statistics.median(walls):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--hasher", choices=["fast", "production"], default="fast")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument(
        "--accounts", type=int, default=None, help="use only this many accounts (no canary)"
    )
    parser.add_argument(
        "--max-pairs", type=int, default=TimingBudget.max_pairs, help="real-account samples at most"
    )
    args = parser.parse_args()
    for faults, alarm_is_correct in (([], False), (["enumeration-timing"], True)):
        label = faults[0] if faults else "clean"
        started = time.perf_counter()
        with EmbeddedTarget(
            faults=faults, users=args.users, hasher=args.hasher, workers=args.workers
        ) as target:
            results = run_many(target, args.runs, args.accounts, args.max_pairs)
        report(
            f"{label} ({args.hasher}, {time.perf_counter() - started:.0f} s)",
            results,
            alarm_is_correct,
        )


if __name__ == "__main__":
    main()
