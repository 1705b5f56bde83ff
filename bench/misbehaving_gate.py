"""The release gate against each misbehaving server: exit code, wall time, reports complete.

    .venv/bin/python -m bench.misbehaving_gate [--max-time 15] [--all-stages]

One gate at a time (the servers of `tests/gate/misbehaving.py`, threads of this process); by
default the strict conformance and load stages are skipped, as in the test suite. Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from bench.common import run_measured
from tests.gate.misbehaving import misbehaving_server
from tests.gate.test_misbehaving import MODES, REPORT_FILES


def reports_complete(run_dir: Path) -> bool:
    return all(
        (run_dir / name).is_file() and (run_dir / name).stat().st_size for name in REPORT_FILES
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-time", type=float, default=15.0, help="the gate's --max-time, s")
    parser.add_argument("--all-stages", action="store_true", help="run all four stages")
    args = parser.parse_args()
    skip = [] if args.all_stages else ["--skip", "conformance-strict", "--skip", "load"]
    os.environ["CI"] = "true"
    for name in [k for k in os.environ if k.startswith("TOKENPROBE_")]:
        del os.environ[name]
    print(f"--max-time {args.max_time:g}s, stages skipped: {skip[1::2] or 'none'}")
    print("| server | exit | wall (s) | reports complete | stopped |")
    print("|---|---|---|---|---|")
    for mode in MODES:
        with misbehaving_server(mode) as server, tempfile.TemporaryDirectory() as tmp:
            command = [
                sys.executable, "-m", "tokenprobe", "gate", "--url", server.url,
                "--report-dir", "run", "--max-time", f"{args.max_time:g}s", *skip,
            ]  # fmt: skip
            run = run_measured(command, timeout=args.max_time + 120, cwd=Path(tmp))
            run_dir = Path(tmp) / "run"
            complete = reports_complete(run_dir)
            stopped = (
                json.loads((run_dir / "summary.json").read_text())["stopped"] if complete else None
            )
            where = f"{stopped['stage']} ({stopped['reason']})" if stopped else "-"
            cells = [mode, run["code"], f"{run['wall_s']:.1f}", "yes" if complete else "no", where]
            print("| " + " | ".join(map(str, cells)) + " |")


if __name__ == "__main__":
    main()
