"""Locust's web UI with tokenprobe's extension, over HTTP as a script would use it.

Two web UIs on loopback, each autostarted (``--autostart``): one runs its 3 s to the end, the
other is stopped with Locust's own STOP (``POST /stop``) after its first answers. Both must
then give a final SLO verdict on ``/tokenprobe/verdict`` and in the tabs that ride on Locust's
``/stats/requests`` poll.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.load.conftest import REPO_ROOT, locust_args, start

DEADLINE_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def poll(url: str, until: Callable[[dict[str, Any]], bool], process: subprocess.Popen) -> dict:
    """GET ``url`` until its JSON satisfies ``until`` (the web UI starts in its own time)."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "locust exited"
        with contextlib.suppress(requests.RequestException, ValueError):
            body = requests.get(url, timeout=5).json()
            if until(body):
                return body
        time.sleep(0.2)
    raise AssertionError(f"{url} never satisfied the condition")


@pytest.fixture(scope="module")
def web_uis(load_target: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    base = tmp_path_factory.mktemp("web-ui")
    uis = {}
    # "ready" and "form" wait for START, the open model's start form on their page; "ready"
    # gets a START, "form" never.
    for key, run_time in (("complete", "3s"), ("stopped", "60s"), ("ready", ""), ("form", "")):
        port = free_port()
        args = [a for a in locust_args(load_target, base / key) if a != "--headless"]
        args += ["--autostart", "-t", run_time] if run_time else ["--tp-duration", "2s"]
        args += ["--web-host", "127.0.0.1", "--web-port", str(port),
                 "--tp-slo", "p99<5000,error_ratio<0.05"]  # fmt: skip
        uis[key] = (start(args, base / key), f"http://127.0.0.1:{port}", base / key)
    yield uis
    for process, _, _ in uis.values():
        process.send_signal(signal.SIGTERM)
    for process, _, _ in uis.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_finished_run_gives_its_verdict_over_http(web_uis: dict) -> None:
    process, url, workdir = web_uis["complete"]
    verdict = poll(f"{url}/tokenprobe/verdict", lambda body: body["final"], process)
    assert verdict["passed"] is True
    # The verdict every report gives: its status, its line, each check's outcome.
    assert verdict["status"] == "pass"
    assert verdict["line"].startswith("PASS; findings: 0 error,")
    assert verdict["checks"]["slo:p99"] == verdict["checks"]["slo:error_ratio"] == "passed"
    assert verdict["stopped_early"] is False
    results = verdict["results"]
    assert results["requests"] > 0
    assert [slo["name"] for slo in results["slo"]] == ["p99", "error_ratio"]
    assert isinstance(results["latency_ms"]["p99"], float)  # exact, not Locust's rounding
    assert (Path(workdir) / "results.json").exists()  # written at STOP, not only at quit


def test_stop_gives_the_verdict_of_the_partial_run(web_uis: dict) -> None:
    process, url, _ = web_uis["stopped"]
    poll(f"{url}/tokenprobe/verdict", lambda body: (body["results"] or {}).get("requests"), process)
    assert requests.post(f"{url}/stop", timeout=10).json()["success"]
    verdict = poll(f"{url}/tokenprobe/verdict", lambda body: body["final"], process)
    assert verdict["stopped_early"] is True
    assert verdict["passed"] in (True, False)
    assert verdict["results"]["duration_s"] < 60
    assert {slo["name"] for slo in verdict["results"]["slo"]} == {"p99", "error_ratio"}


def test_the_tabs_ride_on_locusts_stats_poll(web_uis: dict) -> None:
    process, url, _ = web_uis["complete"]
    poll(f"{url}/tokenprobe/verdict", lambda body: body["final"], process)
    stats = requests.get(f"{url}/stats/requests", timeout=10).json()
    tables = {table["key"]: table["data"] for table in stats["extended_stats"]}
    verdict_row, *slo_rows = tables["tokenprobe-slo"]
    assert verdict_row["verdict"].startswith("PASS; findings: 0 error,")
    assert [(row["name"], row["verdict"]) for row in slo_rows] == [
        ("p99", "passed"), ("error_ratio", "passed")]  # fmt: skip
    latency = {row["name"]: row for row in tables["tokenprobe-latency"]}
    assert latency["Aggregated"]["requests"] > 0
    page = requests.get(url, timeout=10).text
    assert "tokenprobe SLOs" in page  # the extra tabs are in the page's template arguments
    # Open model: Locust greys out the users and ramp-up fields the shape has no use for.
    assert '"hide_common_options": true' in page


def test_a_loopback_target_is_information_not_a_warning(web_uis: dict) -> None:
    process, url, _ = web_uis["complete"]
    poll(f"{url}/tokenprobe/verdict", lambda body: body["final"], process)
    logs = requests.get(f"{url}/logs", timeout=10).json()["master"]
    announced = [line for line in logs if "tokenprobe: load target" in line]
    assert announced, logs
    # Locust's Logs tab marks itself with a "!" for any line with WARNING, ERROR or CRITICAL.
    assert [line for line in logs if "WARNING" in line or "ERROR" in line] == []


def test_start_pressed_after_the_profile_length_still_runs_the_profile(
    web_uis: dict, load_target: Any
) -> None:
    process, url, _ = web_uis["ready"]
    poll(f"{url}/tokenprobe/verdict", lambda body: body["state"] == "ready", process)
    time.sleep(2.5)  # longer than the profile (--tp-duration 2s) since the process started
    form = {"userCount": "0", "spawnRate": "0", "host": load_target.base_url}
    assert requests.post(f"{url}/swarm", data=form, timeout=10).json()["success"]
    verdict = poll(f"{url}/tokenprobe/verdict", lambda body: body["final"], process)
    assert verdict["results"]["requests"] > 0
    assert verdict["stopped_early"] is False


def browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("no headless Chromium (apt-get install chromium)")
    return found


def rendered(url: str) -> str:
    """The page's DOM after its scripts ran, as headless Chromium renders it."""
    command = [browser(), "--headless", "--no-sandbox", "--disable-gpu",
               "--virtual-time-budget=5000", "--dump-dom", url]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout


def report_colour(name: str) -> str:
    """A colour of the HTML report's badge (``--pass``, ``--fail``) as Chromium writes it."""
    template = (REPO_ROOT / "src/tokenprobe/reports/templates/report.html.j2").read_text()
    hex_colour = re.search(rf"--{name}: #([0-9a-f]{{6}})", template).group(1)
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"


def test_the_slo_verdict_is_coloured_like_the_reports_badge(web_uis: dict) -> None:
    process, url, _ = web_uis["complete"]
    poll(f"{url}/tokenprobe/verdict", lambda body: body["final"], process)
    dom = rendered(f"{url}/?tab=tokenprobe-slo")
    badge = re.search(r'<td[^>]*style="([^"]*)"[^>]*>PASS; findings: 0 error[^<]*</td>', dom)
    assert badge, dom
    assert f"background: {report_colour('pass')}" in badge.group(1)
    thresholds = re.findall(r'<td[^>]*style="([^"]*)"[^>]*>passed</td>', dom)
    assert len(thresholds) == 2, dom
    assert all(f"color: {report_colour('pass')}" in style for style in thresholds)


def test_the_open_models_idle_fields_are_hidden_and_explained(web_uis: dict) -> None:
    process, url, _ = web_uis["form"]
    poll(f"{url}/tokenprobe/verdict", lambda body: "state" in body, process)
    dom = rendered(url)
    assert "Open model: tokenprobe sends tp-rate requests/s for tp-duration" in dom
    for name in ("userCount", "spawnRate"):
        field = re.search(rf'<div[^>]*style="display: none;"[^>]*>(?:(?!</div>).)*name="{name}"',
                          dom, re.S)  # fmt: skip
        assert field, name
