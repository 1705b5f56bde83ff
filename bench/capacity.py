"""Benchmark: the breakpoint profile's capacity search vs the capacity wrk measures.

Targets (``--target``):

* ``slow`` (default): ``slow=DELAY`` on one gunicorn worker with 8 threads, so its capacity is
  fixed at about 8 / (DELAY + service time): N workers x a fixed service time.
* ``production``: the embedded reference target as ``tokenprobe load`` starts it, with the
  production password hasher (a real PBKDF2 per login), every core.

wrk (closed loop, more connections than the target has threads) measures the capacity before
and after; in between, ``locust -f loadtests/locustfile.py --tp-profile breakpoint`` searches
for it with its defaults (first probe at 20 req/s, 1 for the production hasher; no ceiling to
give) and only the error-ratio SLO, so that its verdicts are about keeping up. On a shared
machine a target's capacity drifts while others use the cores: the two wrk figures show by
how much. Printed: wrk's figures, the search's capacity and bracket, every probe, and the
search's wall time.

    .venv/bin/python -m bench.capacity [--target slow|production] [--delay-ms 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench.common import LOCUSTFILE, locust, run_measured, wrk_rps
from tokenprobe.reference.embedded import EmbeddedTarget

WRK_SECONDS = 15
SEARCH_BUDGET_S = 180


def wrk_capacity(target: EmbeddedTarget, work: Path, connections: int) -> float:
    credential = target.credentials[0]
    script = work / "login.lua"  # holds a password: a temporary file, removed with the folder
    body = json.dumps(credential.as_json())
    script.write_text(
        f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    outcome = run_measured(
        ["wrk", "-t2", f"-c{connections}", f"-d{WRK_SECONDS}s", "-s", str(script), target.url]
    )
    return wrk_rps(outcome["output"])


def search(target: EmbeddedTarget, work: Path, first_rate: float) -> tuple[dict, float]:
    started = time.monotonic()
    outcome = run_measured(locust(
        "-f", str(LOCUSTFILE), "--host", target.base_url, "--tp-profile", "breakpoint",
        "--tp-rate", f"{first_rate:g}",
        "-t", f"{SEARCH_BUDGET_S}s", "--tp-weights", "valid_login=1",
        "--tp-slo", "error_ratio<0.01", "--tp-credentials", str(target.credentials_file),
        "--tp-results", str(work / "breakpoint.json"),
    ), timeout=SEARCH_BUDGET_S + 120)  # fmt: skip
    wall = time.monotonic() - started
    if outcome["code"] not in (0, 1):
        raise SystemExit(outcome["output"][-2000:])
    return json.loads((work / "breakpoint.json").read_text()), wall


def target_for(args: argparse.Namespace) -> tuple[EmbeddedTarget, str, int]:
    no_lockout = ["--lockout-after", "0"]
    if args.target == "production":
        # A real PBKDF2 per login: a few logins/s on 2 cores. Few wrk connections, so that no
        # long backlog outlives wrk's run; the search starts at 1 req/s.
        target = EmbeddedTarget(users=40, hasher="production", extra_args=no_lockout)
        return target, "embedded target, production hasher, every core", 8
    target = EmbeddedTarget(
        faults=[f"slow={args.delay_ms}"], workers=1, users=60, extra_args=no_lockout
    )
    return target, f"slow={args.delay_ms} ms, 1 worker x 8 threads", 32


def one_round(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        target, label, connections = target_for(args)
        with target:
            before = wrk_capacity(target, work, connections)
            results, wall = search(target, work, 1.0 if args.target == "production" else 20.0)
            after = wrk_capacity(target, work, connections)
    measured = (before + after) / 2
    capacity = results["capacity"]
    print(f"\n{label}; wrk: 2 threads, {connections} connections, {WRK_SECONDS} s")
    print(f"wrk measured capacity:   {measured:8.1f} req/s "
          f"(before {before:.1f}, after {after:.1f})")  # fmt: skip
    if capacity["reached"] and capacity["capacity_rps"] is not None:
        error = (capacity["capacity_rps"] - measured) / measured
        lo, hi = capacity["bracket"]
        print(f"breakpoint capacity_rps: {capacity['capacity_rps']:8.1f} req/s  ({error:+.1%} vs "
              f"wrk), bracket {lo:g}..{hi:g}, converged {capacity['converged']}")  # fmt: skip
    else:
        print(f"breakpoint: {capacity['summary']}")
    print(f"search wall time:        {wall:8.1f} s (Locust process, start to exit); "
          f"search {capacity['search_s']} s")  # fmt: skip
    for probe in capacity["probes"]:
        verdict = "held " if probe["held"] else "broke"
        print(f"  {probe['purpose']:<8}{probe['level']:8.2f} req/s  {verdict}  {probe['reason']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", choices=["slow", "production"], default="slow")
    parser.add_argument("--delay-ms", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    for _ in range(args.repeat):
        one_round(args)


if __name__ == "__main__":
    main()
