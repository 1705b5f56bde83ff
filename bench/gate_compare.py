"""Bench: the README's CI command, ``tokenprobe gate --url URL --compare reports/latest``, on
pairs of releases: does it fail a slower release, and only that? (issue 20, item 6)

Each round starts two reference targets alike (the gate's 60 users, the fast hasher): a clean
one, the same build as before, and one with ``slower=PERCENT`` (every token request takes that
much longer than it would). The README's CI command runs against each, one after the other:

* the clean run goes into the report root, as CI keeps a passing run: ``reports/latest`` moves
  to it, and the next round compares with it (a *same build* pair);
* the slower run goes beside it (``--report-dir``) and never becomes ``latest``: a failing
  release is not kept (a *slower* pair, against the same previous run).

Before the first round, two clean runs make the first previous run as CI's second release
would: the very first has nothing to compare with (a plain 10 s smoke), the second compares
with it and so sends until it holds the samples its successor needs (shown as ``warm-up``).
Every gate is the whole gate (conformance, security, load); with ``--compare`` its load stage
sends until the comparison is decided (docs/regression.md, "Sending until decided").

    .venv/bin/python -m bench.gate_compare [--pairs 20] [--slower 25] [--keep DIR]
    .venv/bin/python -m bench.gate_compare --rejudge DIR [--drift-runs N]  # judge them again

Prints one line per gate (the comparison's verdict, the total's p50/p95/p99 verdicts, when the
load stage ended and the gate's wall time), then per kind of pair how many regressed, and the
gate's wall time (median and maximum).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import run_measured
from tokenprobe.core.config import RegressionConfig
from tokenprobe.reference.embedded import EmbeddedTarget
from tokenprobe.reports.regression import judge_regression

GATE_USERS = 60  # tokenprobe.gate.EMBEDDED_USERS: the gate's own embedded target
SAME = "same build"
WARM_UP = "warm-up"
GATE_TIMEOUT_S = 300
SHOWN = ("p50_ms", "p95_ms", "p99_ms")


def gate(target: EmbeddedTarget, root: Path, report_dir: Path | None = None) -> dict[str, Any]:
    """The README's CI command against ``target``, from ``root``; the run's summary and wall
    time."""
    command = [sys.executable, "-m", "tokenprobe", "gate", "--url", target.base_url]
    if (root / "reports" / "latest").exists():
        command += ["--compare", "reports/latest"]
    if report_dir is not None:
        command += ["--report-dir", str(report_dir)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENPROBE_")}
    env.update(CI="true", TOKENPROBE_CREDENTIALS=str(target.credentials_file))
    outcome = run_measured(command, timeout=GATE_TIMEOUT_S, cwd=root, env=env)
    if outcome["code"] not in (0, 1):
        code, output = outcome["code"], outcome["output"][-3000:]
        raise SystemExit(f"the gate could not run ({code}):\n{output}")
    folder = report_dir or (root / "reports" / "latest").resolve()
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return {"summary": summary, "wall_s": outcome["wall_s"], "code": outcome["code"]}


def describe(kind: str, run: dict[str, Any]) -> dict[str, Any]:
    """One gate's row: its comparison's verdicts and its load stage's length."""
    summary = run["summary"]
    regression = (summary.get("comparison") or {}).get("regression") or {}
    verdicts = {
        v["metric"]: v["verdict"] for v in regression.get("verdicts", []) if v["scope"] == "total"
    }
    load = summary.get("load", {})
    sequential = load.get("sequential") or {}
    return {
        "kind": kind,
        "verdict": regression.get("verdict"),
        "total": [verdicts.get(metric, "-") for metric in SHOWN],
        "load_s": load.get("duration_s"),
        "requests": load.get("requests"),
        "ended": sequential.get("ended"),
        "looks": len(sequential.get("looks", [])),
        "unreliable": load.get("unreliable"),
        "wall_s": round(run["wall_s"], 1),
        "exit_code": run["code"],
    }


def round_of(root: Path, slower: int, index: int) -> list[dict[str, Any]]:
    """One round: the clean release (kept), then the slower one (not kept)."""
    clean, slow = (
        EmbeddedTarget(users=GATE_USERS),
        EmbeddedTarget(faults=[f"slower={slower}"], users=GATE_USERS),
    )
    with clean, slow:
        if index == 0:
            return [describe(WARM_UP, gate(clean, root)), describe(WARM_UP, gate(clean, root))]
        rows = [describe(SAME, gate(clean, root))]
        rows.append(describe(f"+{slower} %", gate(slow, root, root / f"slower-{index}")))
    return rows


def rejudge(root: Path, slower: int, settings: RegressionConfig) -> list[dict[str, Any]]:
    """Every pair of a kept report root judged again by this tokenprobe with ``settings``
    (the runs as they were sent; only the final judgement is new)."""
    clean = _clean_runs(root)
    rows: list[dict[str, Any]] = []
    for index in range(1, len(clean) - 1):
        previous, current = clean[index], clean[index + 1]
        rows.append(_rejudged(SAME, current, previous, settings))
        folder = root / f"slower-{index}"
        if (folder / "summary.json").is_file():
            rows.append(_rejudged(f"+{slower} %", _run(folder), current, settings))
    return rows


def _clean_runs(root: Path) -> list[tuple[dict[str, Any], Path]]:
    """The report root's runs, oldest first (``latest`` is a link to one of them)."""
    runs = [
        (_run(folder)[0], folder)
        for folder in (root / "reports").iterdir()
        if folder.is_dir() and not folder.is_symlink() and (folder / "summary.json").is_file()
    ]
    return sorted(runs, key=lambda run: str(run[0].get("started_at")))


def _run(folder: Path) -> tuple[dict[str, Any], Path]:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8")), folder


def _rejudged(
    kind: str,
    current: tuple[dict[str, Any], Path],
    previous: tuple[dict[str, Any], Path],
    settings: RegressionConfig,
) -> dict[str, Any]:
    (now, now_dir), (before, before_dir) = current, previous
    regression = judge_regression(now, now_dir, before, before_dir, settings)
    summary = {**now, "comparison": {"regression": regression.to_dict() if regression else None}}
    return describe(kind, {"summary": summary, "wall_s": 0.0, "code": -1})


def print_row(index: int, row: dict[str, Any]) -> None:
    total = "/".join(v[0] if v != "-" else "-" for v in row["total"])
    print(
        f"{index:>3} {row['kind']:<11} {row['verdict'] or '-':<13} p50/p95/p99 {total:<6}"
        f" load {row['load_s'] or 0:5.1f} s ({row['requests'] or 0} requests, {row['looks']}"
        f" looks, {row['ended'] or '-'}){' UNRELIABLE' if row['unreliable'] else ''}"
        f"  gate {row['wall_s']:5.1f} s, exit {row['exit_code']}",
        flush=True,
    )


def print_totals(rows: list[dict[str, Any]]) -> None:
    compared = [row for row in rows if row["verdict"] is not None and row["kind"] != WARM_UP]
    for kind in sorted({row["kind"] for row in compared}):
        mine = [row for row in compared if row["kind"] == kind]
        regressed = sum(row["verdict"] == "regressed" for row in mine)
        verdicts = collections.Counter(row["verdict"] for row in mine)
        print(f"{kind:<11}: {regressed} of {len(mine)} regressed; verdicts {dict(verdicts)}")
    walls = [row["wall_s"] for row in compared]
    if walls:
        print(
            f"gate with --compare: wall median {statistics.median(walls):.1f} s,"
            f" max {max(walls):.1f} s; load stage median"
            f" {statistics.median(row['load_s'] for row in compared):.1f} s"
        )
    print(f"machine load average (1, 5, 15 min): {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--slower", type=int, default=25, help="percent")
    parser.add_argument("--keep", type=Path, help="keep the report root here")
    parser.add_argument("--rejudge", type=Path, help="judge a kept report root's pairs again")
    parser.add_argument(
        "--drift-runs", type=int, help="--rejudge: [regression] drift-runs (0: no drift)"
    )
    args = parser.parse_args()
    if args.rejudge is not None:
        settings = RegressionConfig()
        if args.drift_runs is not None:
            settings = dataclasses.replace(settings, drift_runs=args.drift_runs)
        rows = rejudge(args.rejudge, args.slower, settings)
        for index, row in enumerate(rows):
            print_row(index // 2 + 1, row)
        print_totals(rows)
        return
    with tempfile.TemporaryDirectory(prefix="tokenprobe-bench-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        rows: list[dict[str, Any]] = []
        for index in range(args.pairs + 1):
            for row in round_of(root, args.slower, index):
                print_row(index, row)
                rows.append(row)
        (root / "bench.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
        print_totals(rows)


if __name__ == "__main__":
    main()
