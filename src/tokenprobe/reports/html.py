"""``report.html``: one self-contained page a release manager reads and an engineer digs into.

Rendered with Jinja2 from ``templates/report.html.j2`` (package data) with autoescaping on:
evidence comes from the target under test and may hold markup. Self-contained: CSS inline,
plots embedded as ``data:`` URIs, no script, and a Content-Security-Policy that forbids
loading anything. Tool-native reports (Schemathesis cassette, Locust HTML) are linked by
paths relative to the run directory, so the directory can be moved or archived whole.
"""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.findings import Finding, Severity
from tokenprobe.core.summary import Summary, verdict
from tokenprobe.reports.compare import Comparison
from tokenprobe.reports.limits_view import limits_lines
from tokenprobe.reports.load_view import capacity_line, load_notes, load_rows, slo_rows

HTML_FILE = "report.html"
TEMPLATE = "report.html.j2"
IMAGE_TYPES = {"image/png", "image/svg+xml", "image/jpeg", "image/gif"}

ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("tokenprobe.reports", "templates"),
    autoescape=True,  # every value is text from the target or the run, never trusted markup
    # Missing values render empty: a report of a partial run must still be written.
    undefined=jinja2.Undefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(
    summary: Summary,
    *,
    run_dir: Path,
    plots: Iterable[Path] = (),
    native_reports: Mapping[str, Path | str] | None = None,
    comparison: Comparison | None = None,
) -> str:
    context = report_context(summary, run_dir, plots, native_reports or {}, comparison)
    return ENVIRONMENT.get_template(TEMPLATE).render(**context)


def report_context(
    summary: Summary,
    run_dir: Path,
    plots: Iterable[Path],
    native_reports: Mapping[str, Path | str],
    comparison: Comparison | None,
) -> dict[str, Any]:
    data = summary.to_dict()  # its status, counts and check outcomes: the run's verdict
    judged = verdict(summary)
    return {
        "summary": data,
        "status": judged.status,
        "verdict_line": judged.line(),
        "counts": judged.counts,
        "outcomes": judged.outcomes(),
        "checks": data["checks"],
        "findings": [finding_row(f, summary) for f in ordered_findings(summary)],
        "slos": slo_rows(summary, judged),
        "load_rows": load_rows(summary),
        "capacity": capacity_line(summary),
        "load_notes": load_notes(summary),
        "limits": limits_lines(summary),
        "plots": [plot for plot in (embed_plot(p) for p in plots) if plot],
        "native_reports": [native_link(label, p, run_dir) for label, p in native_reports.items()],
        "comparison": comparison.to_dict() if comparison else None,
    }


def ordered_findings(summary: Summary) -> list[Finding]:
    """Failing first, then by severity (error → info), then by ID."""
    return sorted(
        summary.findings,
        key=lambda f: (summary.is_accepted(f), -int(f.severity), f.id),
    )


def finding_row(finding: Finding, summary: Summary) -> dict[str, Any]:
    return {
        **finding.to_dict(),
        "seen": finding.seen,
        "accepted": summary.is_accepted(finding),
        "accepted_note": summary.accepted.get(finding.id, ""),
        "failing": finding.severity is Severity.ERROR and not summary.is_accepted(finding),
    }


def embed_plot(path: Path) -> dict[str, str] | None:
    """A plot file as a ``data:`` URI; a missing or non-image file is shown as missing."""
    mime, _ = mimetypes.guess_type(path.name)
    if mime not in IMAGE_TYPES:
        return {"name": path.name, "uri": "", "missing": "not an image"}
    try:
        payload = base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError as exc:
        return {"name": path.name, "uri": "", "missing": exc.strerror or "unreadable"}
    return {"name": path.name, "uri": f"data:{mime};base64,{payload}", "missing": ""}


def native_link(label: str, path: Path | str, run_dir: Path) -> dict[str, Any]:
    """A link relative to the run directory, and whether the file is there."""
    target = Path(path)
    absolute = target if target.is_absolute() else run_dir / target
    relative = Path(os.path.relpath(absolute, run_dir)).as_posix()
    # "./" keeps a name such as "javascript:x" a path, never a URL scheme.
    href = relative if relative.startswith("../") else f"./{relative}"
    return {"label": label, "href": href, "exists": absolute.exists()}


def write_html(
    summary: Summary,
    report_dir: Path,
    redact: Callable[[str], str] = lambda text: text,
    **options: Any,
) -> Path:
    html = render_html(summary.redacted(redact), run_dir=report_dir, **options)
    return write_text_atomic(report_dir / HTML_FILE, redact(html))
