"""summary.md and report.html say what the load numbers are worth: requests left unanswered
(errors; the percentiles of the answered ones are lower bounds) and contract deviations that
are information, not load errors. Rendering only: the numbers come from `test_unanswered` and
`test_validation` runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tokenprobe.core.summary import Summary
from tokenprobe.reports.html import render_html
from tokenprobe.reports.markdown import render_markdown

LATENCY = {"p50": 4.1, "p90": 9.0, "p95": 12.0, "p99": 25.0, "p999": 40.0, "max": 61.2}
DEVIATION = "answered 401 where the spec documents 400"


def load_section(unanswered: int) -> dict[str, Any]:
    p95: dict[str, Any] = {"name": "p95", "threshold": "< 500 ms", "observed": 12.0, "unit": "ms"}
    p95 |= {"observed_is_lower_bound": True} if unanswered else {}
    return {
        "model": "open", "requests": 40, "failures": 0, "throughput_rps": 4.0,
        "latency_ms": LATENCY, "unanswered": unanswered,
        "percentiles_are_lower_bounds": unanswered > 0,
        "scenarios": {"wrong_password": {
            "name": "wrong password", "requests": 40, "failures": 0, "throughput_rps": 4.0,
            "latency_ms": LATENCY, "contract_deviations": {DEVIATION: 40},
        }},
        "contract_deviations": [{"scenario": "wrong_password", "name": "wrong password",
                                 "deviation": DEVIATION, "occurrences": 40}],
        "slo": [p95],
    }  # fmt: skip


@pytest.mark.parametrize("unanswered", [0, 9])
def test_the_load_section_says_what_its_numbers_are_worth(unanswered: int, tmp_path: Path) -> None:
    summary = Summary(command="load", target="http://127.0.0.1:8000")
    summary.sections["load"] = load_section(unanswered)
    summary.finish()
    markdown = render_markdown(summary)
    html = render_html(summary, run_dir=tmp_path)
    lower_bound = "latency percentiles, of answered requests only, are lower bounds"
    for text in (markdown, html):
        assert (f"Unanswered: {unanswered} requests" in text) is bool(unanswered)
        assert (lower_bound in text) is bool(unanswered)
        assert ("≥ 12 ms" in text) is bool(unanswered)  # the SLO's observed p95, its unit
        assert f"Information, not a load error: wrong_password {DEVIATION} (40 answers" in text
