"""Every report of a run, written together: summary.json, junit.xml, summary.md, report.html.

Secrets: the summary is redacted *as data* before any writer sees it (`redact_summary`), and
each rendered text is redacted once more on the way out. Redacting data first matters: JSON,
XML and HTML escape characters, so a password containing ``"`` or ``<`` would no longer match
its text form after rendering.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from tokenprobe.core.redact import redact_data
from tokenprobe.core.summary import Summary
from tokenprobe.reports.compare import Comparison
from tokenprobe.reports.html import native_link, write_html
from tokenprobe.reports.junit import write_junit
from tokenprobe.reports.markdown import write_markdown
from tokenprobe.reports.summary_json import write_summary

Redact = Callable[[str], str]


@dataclasses.dataclass(frozen=True)
class WrittenReports:
    summary_json: Path
    junit_xml: Path
    summary_md: Path
    report_html: Path

    def paths(self) -> list[Path]:
        return [self.summary_json, self.junit_xml, self.summary_md, self.report_html]


def write_all_reports(
    summary: Summary,
    run_dir: Path,
    redactor: Redact,
    *,
    plots: Iterable[Path] = (),
    native_reports: Mapping[str, Path | str] | None = None,
    comparison: Comparison | None = None,
) -> WrittenReports:
    """Write the four reports into ``run_dir`` (created if needed), each atomically.

    ``plots``: image files (the load stage's PNGs) embedded in report.html. ``native_reports``:
    label → path (relative to ``run_dir`` or absolute) of tool-native reports, linked from
    report.html and listed in summary.json ``artifacts``. ``comparison``: `compare_runs` output,
    shown in summary.md and report.html and stored as summary.json ``comparison``. The
    ``summary`` object itself is not modified.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    links = {
        label: native_link(label, path, run_dir) for label, path in (native_reports or {}).items()
    }
    extra: dict[str, Any] = {}
    if links:
        extra["artifacts"] = {label: link["href"] for label, link in links.items()}
    if comparison is not None:
        extra["comparison"] = comparison.to_dict()
    clean = redact_summary(summary, redactor, extra_sections=extra)
    if comparison is not None:
        comparison = redact_comparison(comparison, redactor)
    return WrittenReports(
        summary_json=write_summary(clean, run_dir, redactor),
        junit_xml=write_junit(clean, run_dir, redactor),
        summary_md=write_markdown(clean, run_dir, redactor, comparison=comparison),
        report_html=write_html(
            clean,
            run_dir,
            redactor,
            plots=list(plots),
            native_reports=native_reports or {},
            comparison=comparison,
        ),
    )


def redact_summary(
    summary: Summary, redact: Redact, extra_sections: Mapping[str, Any] | None = None
) -> Summary:
    """A redacted copy of ``summary`` with ``extra_sections`` added."""
    extended = dataclasses.replace(summary, sections={**summary.sections, **(extra_sections or {})})
    return extended.redacted(redact)


def redact_comparison(comparison: Comparison, redact: Redact) -> Comparison:
    return dataclasses.replace(
        comparison,
        previous_run=redact(comparison.previous_run),
        new=tuple(redact_data(item, redact) for item in comparison.new),
        fixed=tuple(redact_data(item, redact) for item in comparison.fixed),
        unchanged=tuple(redact_data(item, redact) for item in comparison.unchanged),
    )
