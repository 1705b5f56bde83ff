"""Progress: a live table on a terminal, lines in CI, JSON lines, or nothing."""

from __future__ import annotations

import io
import json
import time

import pytest
from rich.console import Console

from tokenprobe.core.findings import Finding, Severity
from tokenprobe.core.summary import Summary, Verdict, verdict
from tokenprobe.gate.progress import (
    JsonProgress,
    LineProgress,
    QuietProgress,
    RichProgress,
    make_progress,
)


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


def judged(*severities: Severity) -> Verdict:
    found = [Finding(f"TP-SEC-{i:03d}", s, "t", "e", "r") for i, s in enumerate(severities)]
    return verdict(Summary("security", "http://127.0.0.1:1", findings=found))


STAGE = judged(Severity.ERROR, Severity.WARNING, Severity.WARNING)
SO_FAR = judged(Severity.ERROR, Severity.ERROR, Severity.WARNING, Severity.INFO)


def test_quiet_writes_nothing() -> None:
    stream = Terminal()
    with make_progress(quiet=True, stream=stream, environ={}) as progress:
        progress.stage_started("conformance")
        progress.tick()
        progress.stage_finished("conformance", STAGE, SO_FAR)
    assert stream.getvalue() == ""


def test_lines_for_ci_with_a_heartbeat_and_the_verdicts_words() -> None:
    stream, clock = io.StringIO(), FakeClock()
    with LineProgress(stream, clock=clock, interval_s=3600) as progress:
        progress.stage_started("load")
        clock.now += 11
        progress.tick()  # the heartbeat's call: the running stage's time
        clock.now += 1
        progress.stage_finished("load", STAGE, SO_FAR)
        progress.tick()  # nothing is running: nothing to say
    assert stream.getvalue().splitlines() == [
        "tokenprobe: load: started",
        "tokenprobe: load: running, 11 s",
        "tokenprobe: load: FAIL; findings: 1 error, 2 warning, 0 info (12.0 s)",
    ]


def test_the_heartbeat_ticks_on_its_own() -> None:
    stream = io.StringIO()
    with LineProgress(stream, interval_s=0.05) as progress:
        progress.stage_started("security")
        deadline = time.monotonic() + 5
        while "running" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
    assert "tokenprobe: security: running, 0 s" in stream.getvalue()


def test_json_lines() -> None:
    stream, clock = io.StringIO(), FakeClock()
    with JsonProgress(stream, clock=clock, interval_s=3600) as progress:
        progress.stage_started("security")
        clock.now += 2
        progress.tick()
        progress.stage_finished("security", STAGE, SO_FAR)
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [r["event"] for r in records] == ["stage_started", "running", "stage_finished"]
    assert records[2] == {
        "event": "stage_finished",
        "stage": "security",
        "status": "fail",
        "elapsed_s": 2.0,
        "findings": {"error": 1, "warning": 2, "info": 0},
        "so_far": SO_FAR.counts,
    }


def test_live_table_on_a_terminal_ticks_and_counts_as_the_verdict() -> None:
    stream, clock = Terminal(), FakeClock()
    console = Console(file=stream, force_terminal=True, width=160, color_system=None)
    with RichProgress(console, clock=clock) as progress:
        progress.stage_started("conformance")
        clock.now += 4
        assert "4 s" in render_text(progress)  # elapsed ticks between events
        progress.stage_finished("conformance", STAGE, SO_FAR)
        progress.stage_started("load")
        clock.now += 7
        table = render_text(progress)
    assert "so far: FAIL; findings: 2 error, 1 warning, 1 info" in " ".join(table.split())
    assert "running" in table
    assert "7 s" in table


def render_text(progress: RichProgress) -> str:
    console = Console(width=160, color_system=None, record=True, file=io.StringIO())
    console.print(progress.render())
    return console.export_text()
