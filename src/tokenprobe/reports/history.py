"""The report root's history: ``<root>/index.html`` and ``tokenprobe history``.

One row per run folder under the root (the newest `HISTORY_RUNS` by default, newest first):
when it started, its target and its kind (the command; a load run's profile too: a breakpoint
search's 1,100 ms overload steps are not a gate's 25 ms smoke), its status, its findings by
severity, its regression verdict against the run it was compared with, p95 per scope
(``total`` and every scenario the run reports, by name), ``capacity_rps``, and a link to its
``report.html`` (a command without one: its ``summary.json``). Read from each folder's
``summary.json`` only. Runs are shown grouped by target and kind (`groups`), each group with its
own trends, drawn only where two runs make a line. ``index.html`` is self-contained like
``report.html`` (inline CSS, plots as ``data:`` URIs, no script, a CSP that loads nothing) and
is rewritten atomically after every run, of any command, that made a fresh run folder under the
root (`publish_run`), and by ``tokenprobe history``.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from tokenprobe import __version__
from tokenprobe.core.defaults import HISTORY_RUNS
from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.summary import utc_now
from tokenprobe.load.section import LoadSection, load_section
from tokenprobe.reports.html import HTML_FILE
from tokenprobe.reports.rundir import run_folders, update_latest
from tokenprobe.reports.summary_json import SUMMARY_FILE, read_stored_summary, stored_run

if TYPE_CHECKING:
    from matplotlib.figure import Figure

INDEX_FILE = "index.html"
INDEX_TEMPLATE = "index.html.j2"
TOTAL = "total"
# What the history calls runs on the embedded reference target, whose port changes every run.
EMBEDDED_TARGET = "the embedded reference target"
SEVERITIES = ("error", "warning", "info")

ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("tokenprobe.reports", "templates"),
    autoescape=True,  # run data is text, never markup
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclasses.dataclass(frozen=True)
class HistoryRow:
    run: str  # the run folder's name
    started_at: str
    command: str
    target: str
    kind: str  # the command, and a load run's profile: "load (breakpoint)"
    status: str  # pass, fail, error; "unreadable" when its summary.json is not one
    findings: Mapping[str, int]  # severity → count
    accepted: int
    regression: str | None  # the comparison's overall verdict, None without --compare
    compared_with: str | None
    p95_ms: Mapping[str, float | None]  # scope → p95, "total" first
    capacity_rps: float | None
    report: str  # link relative to the root: ./<run>/report.html or ./<run>/summary.json

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "findings": dict(self.findings)}


def history_rows(root: Path, limit: int = HISTORY_RUNS) -> list[HistoryRow]:
    """The newest ``limit`` runs, newest first."""
    rows = [history_row(folder) for folder in run_folders(root)]
    rows.sort(key=lambda row: (row.started_at, row.run), reverse=True)
    return rows[:limit]


def history_row(folder: Path) -> HistoryRow:
    report = folder / HTML_FILE
    link = f"./{folder.name}/{HTML_FILE if report.is_file() else SUMMARY_FILE}"
    summary = read_stored_summary(folder)
    if summary is None:
        return HistoryRow(folder.name, "", "?", "?", "?", "unreadable", {}, 0, None, None, {}, None,
                          link)  # fmt: skip
    run = stored_run(summary)
    if run is None:
        return HistoryRow(folder.name, "", "?", "?", "?", "unreadable", {}, 0, None, None, {}, None,
                          link)  # fmt: skip
    # The counts the run's verdict gave; counted again for a summary written before them, or
    # one whose counts are damaged.
    counts = (
        run.counts.model_dump()
        if run.counts is not None
        else collections.Counter(finding.severity for finding in run.findings)
    )
    load = load_section(summary)
    comparison = run.comparison
    return HistoryRow(
        run=folder.name,
        started_at=run.started_at,
        command=run.command,
        target=EMBEDDED_TARGET if run.embedded_target else run.target,
        kind=kind_of(run.command, load),
        status=run.status,
        findings={s: int(counts.get(s, 0)) for s in SEVERITIES},
        accepted=sum(finding.accepted for finding in run.findings),
        regression=comparison.regression.verdict
        if comparison is not None and comparison.regression is not None
        else None,
        compared_with=comparison.previous_run if comparison is not None else None,
        p95_ms=p95_by_scope(load),
        capacity_rps=None if load is None else load.capacity_rps,
        report=link,
    )


def kind_of(command: str, load: LoadSection | None) -> str:
    """What kind of run: its command, with a load run's profile (the gate's smoke is "gate")."""
    profile = load.profile if command == "load" and load is not None else None
    return f"{command} ({profile})" if profile else command


def groups(rows: Sequence[HistoryRow]) -> dict[tuple[str, str], list[HistoryRow]]:
    """The rows by (target, kind), in the order of each group's newest run."""
    grouped: dict[tuple[str, str], list[HistoryRow]] = {}
    for row in rows:
        grouped.setdefault((row.target, row.kind), []).append(row)
    return grouped


def p95_by_scope(load: LoadSection | None) -> dict[str, float | None]:
    if load is None:
        return {}
    return {name: scope.latency_ms.p95 for name, scope in load.scopes().items()}


def scopes_of(rows: Iterable[HistoryRow]) -> list[str]:
    """Every scope any row reports, ``total`` first, the scenarios by name."""
    names = {name for row in rows for name in row.p95_ms}
    return ([TOTAL] if TOTAL in names else []) + sorted(names - {TOTAL})


# -- the terminal table ------------------------------------------------------------------------


def history_table(rows: Sequence[HistoryRow]) -> str:
    """A table per target and kind, each under its own heading line."""
    tables = [
        f"{kind} on {target}\n{_group_table(group)}"
        for (target, kind), group in groups(rows).items()
    ]
    return "\n\n".join(tables)


def _group_table(rows: Sequence[HistoryRow]) -> str:
    scopes = scopes_of(rows)
    header = ["RUN", "COMMAND", "STATUS", "FINDINGS E/W/I", "VS PREVIOUS"]
    header += [f"P95 {scope.upper()} MS" for scope in scopes] + ["CAPACITY RPS"]
    table = [header]
    for row in rows:
        counts = "/".join(str(row.findings.get(s, 0)) for s in SEVERITIES)
        cells = [row.run, row.command, row.status, counts, row.regression or "-"]
        cells += [_cell(row.p95_ms.get(scope)) for scope in scopes]
        table.append([*cells, _cell(row.capacity_rps)])
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in table]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


# -- index.html --------------------------------------------------------------------------------


def render_index(rows: Sequence[HistoryRow], root: Path) -> str:
    sections = []
    for (target, kind), group in groups(rows).items():
        scopes = scopes_of(group)
        sections.append({
            "target": target,
            "kind": kind,
            "rows": [{**row.to_dict(), "p95": [row.p95_ms.get(s) for s in scopes]}
                     for row in group],
            "scopes": scopes,
            "plots": [p for p in trend_plots(list(reversed(group)), scopes) if p],
        })  # fmt: skip
    return ENVIRONMENT.get_template(INDEX_TEMPLATE).render(
        sections=sections,
        runs=len(rows),
        root=root.name,
        tool=f"tokenprobe {__version__}",
        generated_at=utc_now().isoformat(timespec="seconds"),
    )


def write_history_index(root: Path, limit: int = HISTORY_RUNS) -> Path:
    """Rewrite ``<root>/index.html`` (atomically) from the run folders there."""
    return write_text_atomic(root / INDEX_FILE, render_index(history_rows(root, limit), root))


def publish_run(run_dir: Path) -> str | None:
    """The last step of every run that made a fresh folder under a report root, its reports
    written: point ``latest`` at it and rewrite the root's ``index.html`` with it listed.
    Returns `update_latest`'s line, if ``latest`` was left alone."""
    problem = update_latest(run_dir)
    write_history_index(run_dir.parent)
    return problem


def trend_plots(rows: Sequence[HistoryRow], scopes: Sequence[str]) -> list[dict[str, str] | None]:
    """p95 per scope, capacity and findings over the runs (oldest first), as PNG data URIs."""
    labels = [row.run for row in rows]
    p95 = {scope: [row.p95_ms.get(scope) for row in rows] for scope in scopes}
    capacity = [row.capacity_rps for row in rows]
    return [
        _line_plot("p95 latency per scope (ms)", labels, p95),
        _line_plot("capacity (req/s)", labels, {"capacity_rps": capacity}),
        _findings_plot(labels, rows),
    ]


def _line_plot(
    title: str, labels: list[str], series: Mapping[str, list[float | None]]
) -> dict[str, str] | None:
    """None unless some series has two points: one point is no trend."""
    if not any(sum(v is not None for v in values) >= 2 for values in series.values()):
        return None
    figure, axes = _figure(title, labels)
    for name, values in series.items():
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, marker="o", linewidth=1.2, label=name)
    axes.set_ylim(bottom=0)
    _legend(axes)
    return _embedded(figure, title)


def _findings_plot(labels: list[str], rows: Sequence[HistoryRow]) -> dict[str, str] | None:
    if len(rows) < 2:
        return None
    title = "findings per run"
    figure, axes = _figure(title, labels)
    bottom = [0] * len(rows)
    colours = {"error": "#cf222e", "warning": "#9a6700", "info": "#57606a"}
    for severity in SEVERITIES:
        counts = [row.findings.get(severity, 0) for row in rows]
        axes.bar(range(len(rows)), counts, bottom=bottom, color=colours[severity], label=severity)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    _legend(axes)
    return _embedded(figure, title)


def _legend(axes: Any) -> None:
    """Beside the plot, never over a line."""
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)


def _figure(title: str, labels: list[str]) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure  # matplotlib's import costs a second: only to plot

    figure = Figure(figsize=(10, 3.2), dpi=90)
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=10)
    axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=7)
    axes.grid(alpha=0.3)
    return figure, axes


def _embedded(figure: Figure, title: str) -> dict[str, str]:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    payload = base64.b64encode(buffer.getvalue()).decode("ascii")
    return {"title": title, "uri": f"data:image/png;base64,{payload}"}
