"""Progress: a live table on a terminal, lines in CI, JSON lines, or nothing."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from tokenprobe.core.findings import Finding, Severity
from tokenprobe.gate.progress import (
    JsonProgress,
    LineProgress,
    QuietProgress,
    RichProgress,
    make_progress,
)

FINDINGS = [
    Finding("TP-SEC-006", Severity.ERROR, "t", "e", "r"),
    Finding("TP-SEC-009", Severity.WARNING, "t", "e", "r"),
    Finding("TP-SEC-010", Severity.WARNING, "t", "e", "r"),
]


class Terminal(io.StringIO):
    """A text stream that says it is a TTY, as a terminal's stderr does."""

    def isatty(self) -> bool:
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("stream", "environ", "options", "kind"),
    [
        (Terminal(), {}, {}, RichProgress),  # a person at a terminal
        (Terminal(), {"CI": "true"}, {}, LineProgress),  # CI runners often fake a TTY
        (Terminal(), {"CI": "1"}, {}, LineProgress),
        (Terminal(), {"CI": "false"}, {}, RichProgress),
        (Terminal(), {"TERM": "dumb"}, {}, LineProgress),
        (io.StringIO(), {}, {}, LineProgress),  # redirected to a file or a pipe
        (Terminal(), {}, {"quiet": True}, QuietProgress),
        (Terminal(), {}, {"json_lines": True}, JsonProgress),
    ],
)
def test_display_choice(
    stream: io.StringIO, environ: dict[str, str], options: dict[str, bool], kind: type
) -> None:
    with make_progress(stream=stream, environ=environ, **options) as progress:
        assert type(progress) is kind


def test_quiet_writes_nothing() -> None:
    stream = Terminal()
    with make_progress(quiet=True, stream=stream, environ={}) as progress:
        progress.stage_started("conformance")
        progress.update(cases=10)
        progress.stage_finished("conformance", "passed", FINDINGS)
    assert stream.getvalue() == ""


def test_lines_for_ci_with_throttled_updates() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = LineProgress(stream, clock=clock, interval_s=10)
    progress.stage_started("load")
    clock.now += 5
    progress.update(requests=500)  # within the interval: not printed
    clock.now += 6
    progress.update(requests=1100)
    clock.now += 1
    progress.stage_finished("load", "failed", FINDINGS)
    assert stream.getvalue().splitlines() == [
        "tokenprobe: load: started",
        "tokenprobe: load: requests=1100 req/s=100.0 (11 s)",
        "tokenprobe: load: failed in 12.0 s (1 error, 2 warning)",
    ]


def test_json_lines() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = JsonProgress(stream, clock=clock)
    progress.stage_started("security")
    clock.now += 2
    progress.update(cases=7, findings=1)
    progress.stage_finished("security", "failed", FINDINGS[:1])
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [r["event"] for r in records] == ["stage_started", "update", "stage_finished"]
    assert records[1]["counters"] == {"cases": 7, "findings": 1}
    assert records[2] | {"counters": None} == {
        "event": "stage_finished",
        "stage": "security",
        "status": "failed",
        "elapsed_s": 2.0,
        "counters": None,
        "findings": {"error": 1},
        "findings_total": 1,
    }


def test_live_table_on_a_terminal() -> None:
    stream, clock = Terminal(), FakeClock()
    console = Console(file=stream, force_terminal=True, width=120, color_system=None)
    with RichProgress(console, clock=clock) as progress:
        progress.stage_started("conformance")
        clock.now += 4
        progress.update(cases=200, requests=400)
        progress.stage_finished("conformance", "passed", FINDINGS[1:])
        progress.stage_started("load")
        progress.update(requests=50, rps=48.5)
    final = stream.getvalue()
    assert "findings so far: 2" in final
    assert "conformance" in final
    assert "100.0" in final  # 400 requests in 4 s
    assert "48.5" in final
    assert "passed" in final


def test_finished_without_start_and_int_findings() -> None:
    stream = io.StringIO()
    progress = LineProgress(stream, clock=FakeClock())
    progress.stage_finished("load", "error", 3)
    assert stream.getvalue() == "tokenprobe: load: error in 0.0 s (3 findings)\n"
    assert progress.total_findings() == 3
