"""Time to verdict on a real password hasher: the gate against a login view from PyPI.

    .venv/bin/python -m bench.gate_real_hasher [--service stock] [--hasher default] [--skip load]

Starts one of the Django services of `tests/servers` (stock SimpleJWT by default) with Django's
default PBKDF2 hasher (1,000,000 iterations, about 230 ms per login on one core), gives the gate
what a complete run needs (one account, a pool file, a canary, the signing key), runs
``tokenprobe gate --url`` once and prints the wall time, each stage's time (from summary.json),
the exit code and how many checks were left unevaluated. Loopback only.
"""

from __future__ import annotations

import argparse
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
    """The accounts as CI gives them: one account, a pool file, a canary."""
    first, *others = service_credentials
    *pool, canary = others
    os.environ.update(
        CI="true",
        TOKENPROBE_USERNAME=first.username,
        TOKENPROBE_PASSWORD=first.password,
        TOKENPROBE_EMAIL=first.email,
        TOKENPROBE_CREDENTIALS=str(write_csv(workdir / "pool.csv", pool)),
        TOKENPROBE_CANARY_USERNAME=canary.username,
        TOKENPROBE_CANARY_PASSWORD=canary.password,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", default="stock", choices=sorted(DJANGO_PROJECTS))
    parser.add_argument("--hasher", default="default", help="TOKEN_SERVICE_HASHER")
    parser.add_argument("--skip", action="append", default=[], help="a gate stage to skip")
    args = parser.parse_args()
    for name in [k for k in os.environ if k.startswith("TOKENPROBE_")]:
        del os.environ[name]
    os.environ["TOKEN_SERVICE_HASHER"] = args.hasher
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
            skips = [arg for stage in args.skip for arg in ("--skip", stage)]
            command = [
                sys.executable, "-m", "tokenprobe", "gate", "--url", service.base_url,
                "--report-dir", "run", *skips,
            ]  # fmt: skip
            run = run_measured(command, timeout=900, cwd=workdir)
        finally:
            service.stop()
        summary = json.loads((workdir / "run" / "summary.json").read_text())
    print(f"service {args.service}, hasher {args.hasher}, skipped: {args.skip or 'none'}")
    print(
        f"exit {run['code']}, wall {run['wall_s']:.1f} s, not evaluated {summary['not_evaluated']}"
    )
    for stage, result in summary["stages"].items():
        print(f"  {stage}: {result['duration_s']:.1f} s ({result['status']})")


if __name__ == "__main__":
    main()
