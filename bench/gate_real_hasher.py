"""Time to verdict on a real password hasher: the gate against a login view from PyPI.

    .venv/bin/python -m bench.gate_real_hasher [--service stock] [--hasher default] [--skip load]
        [--before-src OLD_CHECKOUT/src]

Starts one of the Django services of `tests/servers` (stock SimpleJWT by default) with Django's
default PBKDF2 hasher (1,000,000 iterations, about 230 ms per login on one core), gives the gate
what a complete run needs (one account, a pool file, a canary, the signing key), runs
``tokenprobe gate --url`` once (twice with ``--before-src``: an earlier version first, on the
same service) and prints the wall time, each stage's time (from summary.json),
the exit code and how many checks were left unevaluated. Loopback only.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
from pathlib import Path

from bench.common import run_measured
from tests.servers.conftest import DJANGO_PROJECTS, SERVICE_USERS
from tests.servers.process import django_service
from tokenprobe.core.credentials import write_csv


def gate_environment(service_credentials: list, workdir: Path) -> None:
    """The accounts as CI gives them: one account, a pool file, a canary. Usernames only (no
    email column): an earlier version reads the same file."""
    first, *others = service_credentials
    *pool, canary = [dataclasses.replace(account, email="") for account in others]
    os.environ.update(
        CI="true",
        TOKENPROBE_USERNAME=first.username,
        TOKENPROBE_PASSWORD=first.password,
        TOKENPROBE_CREDENTIALS=str(write_csv(workdir / "pool.csv", pool)),
        TOKENPROBE_CANARY_USERNAME=canary.username,
        TOKENPROBE_CANARY_PASSWORD=canary.password,
    )


def run_gate(service_url: str, workdir: Path, skips: list[str], src: str | None) -> dict:
    """One gate run into a fresh folder; ``src``: an earlier checkout's src/ to run instead."""
    run_dir = workdir / f"run-{len(list(workdir.glob('run-*')))}"
    command = [
        sys.executable, "-m", "tokenprobe", "gate", "--url", service_url,
        "--report-dir", str(run_dir), *skips,
    ]  # fmt: skip
    if src:
        os.environ["PYTHONPATH"] = src
    try:
        run = run_measured(command, timeout=900, cwd=workdir)
    finally:
        os.environ.pop("PYTHONPATH", None)
    summary = json.loads((run_dir / "summary.json").read_text())
    return {**run, "summary": summary}


def report(label: str, run: dict) -> None:
    summary = run["summary"]
    unevaluated = summary["not_evaluated"]
    print(f"{label}: exit {run['code']}, wall {run['wall_s']:.1f} s, not evaluated {unevaluated}")
    for stage, result in summary["stages"].items():
        print(f"  {stage}: {result.get('duration_s', 0):.1f} s ({result['status']})")
    probes = summary.get("security", {}).get("probes", {})
    slowest = sorted(probes.items(), key=lambda item: -item[1]["wall_s"])[:6]
    if slowest:
        print("  security, slowest probes: " + ", ".join(
            f"{probe} {entry['wall_s']:.1f} s/{entry['requests']} requests"
            for probe, entry in slowest
        ))  # fmt: skip
    for error in summary["errors"]:
        print(f"  error: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", default="stock", choices=sorted(DJANGO_PROJECTS))
    parser.add_argument("--hasher", default="default", help="TOKEN_SERVICE_HASHER")
    parser.add_argument("--skip", action="append", default=[], help="a gate stage to skip")
    parser.add_argument(
        "--before-src", help="an earlier checkout's src/: its gate runs too, on the same service"
    )
    args = parser.parse_args()
    for name in [k for k in os.environ if k.startswith("TOKENPROBE_")]:
        del os.environ[name]
    os.environ["TOKEN_SERVICE_HASHER"] = args.hasher
    skips = [arg for stage in args.skip for arg in ("--skip", stage)]
    print(f"service {args.service}, hasher {args.hasher}, skipped: {args.skip or 'none'}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        service = django_service(
            DJANGO_PROJECTS[args.service], workdir / "service", args.service, SERVICE_USERS
        ).start()
        try:
            gate_environment(service.credentials, workdir)
            (workdir / "tokenprobe.toml").write_text(
                f'[security]\nverify-key-file = "{service.key_file}"\n', encoding="utf-8"
            )
            if args.before_src:
                report("before", run_gate(service.base_url, workdir, skips, args.before_src))
            report("now", run_gate(service.base_url, workdir, skips, None))
        finally:
            service.stop()


if __name__ == "__main__":
    main()
