"""How long each command takes to stop, reports written, after SIGTERM (or SIGINT) mid-run.

    .venv/bin/python -m bench.signal_stop [--signal SIGTERM] [--repeat 3]

The runs of `tests/test_interrupts.py`: each command against a loopback server of
`tests/gate/misbehaving.py`, signalled once the server has seen its requests. Prints a Markdown
table: exit code and seconds from the signal to the exit (the slowest of the repeats).
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.gate.misbehaving import MisbehavingServer, misbehaving_server
from tests.test_interrupts import REPO_ROOT, Stopped, interrupt, requests_seen, tokenprobe
from tokenprobe.load.runner import LOCUSTFILE

# name → (server mode, command for a server URL and a work folder, POSTs to wait for)
Command = Callable[[str, Path], list[str]]
RUNS: dict[str, tuple[str, Command, int]] = {
    "tokenprobe gate": ("hang-post", lambda url, d: tokenprobe("gate", "--url", url), 1),
    "tokenprobe conformance": (
        "hang-post", lambda url, d: tokenprobe("conformance", "--url", url), 1,
    ),
    "tokenprobe security": ("hang-post", lambda url, d: tokenprobe("security", "--url", url), 1),
    "tokenprobe load": (
        "wrong-login",
        lambda url, d: tokenprobe(
            "load", "--url", url, "--rate", "10", "--duration", "60s", "--weights", "unknown_user=1"
        ),
        10,
    ),
    "locust -f loadtests/locustfile.py --headless": (
        "wrong-login",
        lambda url, d: [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url,
            "--tp-weights", "unknown_user=1", "--tp-rate", "10",
            "--tp-results", str(d / "results.json"), "--html", str(d / "report.html"),
        ],
        10,
    ),
}  # fmt: skip


def stop_once(mode: str, command: Command, posts: int, sig: signal.Signals) -> Stopped:
    server: MisbehavingServer
    with misbehaving_server(mode) as server, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        args = command(server.url, work)
        # Plain Locust reads the repository's locust.conf; the others write reports/ in `work`.
        cwd = REPO_ROOT if "locust" in args[:3] else work
        ready = requests_seen(server, posts, b"POST")
        return interrupt(args, ready, sig, cwd=cwd, log=work / "out.log")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signal", choices=["SIGTERM", "SIGINT"], default="SIGTERM")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sig = signal.Signals[args.signal]
    print(f"{sig.name}, slowest of {args.repeat}")
    print("| command | exit | signal → exit (s) | children left |")
    print("|---|---|---|---|")
    for name, (mode, command, posts) in RUNS.items():
        runs = [stop_once(mode, command, posts, sig) for _ in range(args.repeat)]
        codes = sorted({run.returncode for run in runs})
        slowest = max(run.stop_s for run in runs)
        left = sum(len(run.survivors) for run in runs)
        print(f"| `{name}` | {', '.join(map(str, codes))} | {slowest:.2f} | {left} |")


if __name__ == "__main__":
    main()
