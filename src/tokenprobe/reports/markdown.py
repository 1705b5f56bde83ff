"""``summary.md``: the verdict in a few lines, for a pull-request comment or a CI job summary.

Short by construction (GitHub caps comments at 65,536 characters): at most `MAX_ROWS` rows per
table, cells truncated to `MAX_CELL`; report.html has everything. Only error findings get a
table (accepted ones marked); warnings and infos are counted. Cell text is escaped so that a
finding's evidence can neither break the table nor inject HTML or mentions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.findings import Finding, Severity
from tokenprobe.core.summary import Summary, Verdict, verdict
from tokenprobe.reports.compare import Comparison
from tokenprobe.reports.limits_view import limits_lines
from tokenprobe.reports.load_view import capacity_line, load_notes, slo_rows
from tokenprobe.reports.regression import MetricVerdict, Regression, describe_interval

MARKDOWN_FILE = "summary.md"
MAX_ROWS = 20
MAX_CELL = 160
MARK = {"pass": "✅", "fail": "❌", "error": "⚠️"}
SLO_MARK = {"met": "✅ met", "breached": "❌ **breached**",
            "breached (accepted)": "breached (accepted)", "not judged": "not judged"}  # fmt: skip


def render_markdown(summary: Summary, comparison: Comparison | None = None) -> str:
    judged = verdict(summary)
    lines = [f"## tokenprobe {summary.command}: {MARK[judged.status]} {judged.line()}", ""]
    if capacity := capacity_line(summary):  # a breakpoint run's result comes first
        lines += [f"**{cell(capacity, 300)}**", ""]
    lines += [overview(summary, judged), ""]
    if limits := limits_lines(summary):  # what the production profile sent, and left out
        for line in limits:
            lines += [cell(line, 400), ""]
    if summary.errors:
        lines += ["**Could not run** (run problems):", ""]
        lines += [f"- {cell(e, 300)}" for e in summary.errors[:MAX_ROWS]]
        lines += [""]
    lines += error_findings_table(summary)
    lines += not_evaluated_lines(judged)
    lines += slo_table(slo_rows(summary, judged))
    lines += load_note_lines(summary)
    if comparison is not None:
        lines += comparison_lines(comparison)
    lines += ["_Full report: `report.html` in the run's report directory._", ""]
    return "\n".join(lines)


def overview(summary: Summary, judged: Verdict) -> str:
    outcomes = judged.outcomes()
    checks = f"checks: {outcomes['passed']} passed, {outcomes['failed']} failed"
    checks += f", {outcomes['skipped']} skipped"
    duration = f"{summary.duration_s:.1f} s"
    return " · ".join((f"Target {code(summary.target, 120)}", duration, checks))


def not_evaluated_lines(judged: Verdict) -> list[str]:
    """What the verdict did not look at, and what each check needed: never only in the HTML."""
    skipped = judged.not_evaluated
    if not skipped:
        return []
    lines = ["**Not evaluated** (the verdict does not cover these):", ""]
    lines += [
        f"- {code(f.id, 40)} {cell(', '.join(f.checks), 120)}: {cell(f.evidence)}"
        for f in skipped[:MAX_ROWS]
    ]
    return [*lines, ""]


def error_findings_table(summary: Summary) -> list[str]:
    errors = [f for f in summary.findings if f.severity is Severity.ERROR]
    if not errors:
        return []
    errors.sort(key=summary.is_accepted)  # failing ones first

    def row(f: Finding) -> Sequence[str]:
        status = "accepted" if summary.is_accepted(f) else "**failing**"
        return (status, code(f.id, 40), cell(f.title), cell(f.evidence + f.seen), cell(f.reference))

    lines = ["### Error findings", ""]
    lines += table(("", "ID", "finding", "evidence", "standard"), errors, row)
    return lines


def slo_table(slos: list[dict[str, Any]]) -> list[str]:
    if not slos:
        return []

    def row(slo: dict[str, Any]) -> Sequence[str]:
        result = SLO_MARK[slo["result"]]
        return (*(cell(str(slo[k]), 60) for k in ("name", "threshold", "observed")), result)

    return ["### SLOs", "", *table(("SLO", "threshold", "observed", "result"), slos, row)]


def load_note_lines(summary: Summary) -> list[str]:
    notes = load_notes(summary)
    return [*(f"- {cell(note, 300)}" for note in notes), ""] if notes else []


def comparison_lines(comparison: Comparison) -> list[str]:
    lines = [
        f"### Since {code(comparison.previous_run)}",
        "",
        f"Findings: {len(comparison.new)} new, {len(comparison.fixed)} fixed, "
        f"{len(comparison.unchanged)} unchanged.",
        "",
    ]
    for label, items in (("New", comparison.new), ("Fixed", comparison.fixed)):
        if items:
            shown = ", ".join(f"{code(i['id'], 40)} {cell(i['title'], 60)}" for i in items[:10])
            more = f" … and {len(items) - 10} more" if len(items) > 10 else ""
            lines += [f"- {label}: {shown}{more}"]
    if comparison.new or comparison.fixed:
        lines += [""]
    totals = [d for d in comparison.load if d.scope == "total"]
    if totals:

        def row(d: Any) -> Sequence[str]:
            pct = "n/a" if d.change_pct is None else f"{d.change_pct:+.1f} %"
            trend = "better" if d.improved else ("worse" if d.change else "same")
            return (d.metric, f"{d.previous:g}", f"{d.current:g}", f"{pct} ({trend})")

        lines += table(("load (total)", "previous", "now", "change"), totals, row)
    if comparison.regression is not None:
        lines += regression_lines(comparison.regression)
    return lines


VERDICT_MARK = {"regressed": "❌ regressed", "improved": "✅ improved", "unchanged": "unchanged",
                "inconclusive": "❔ inconclusive"}  # fmt: skip


def regression_lines(regression: Regression) -> list[str]:
    """The verdicts, regressed first: a table a reviewer reads in a pull request."""
    settings = regression.settings
    if regression.not_evaluated:
        return [f"**Regression:** not evaluated: {cell(regression.not_evaluated, 300)}", ""]
    counts = ", ".join(f"{n} {verdict}" for verdict, n in regression.counts().items() if n)
    lines = [
        f"**Regression** (tolerance ±{settings.tolerance:.0%}, {settings.confidence:.0%}"
        f" confidence): **{regression.overall}** ({counts});"
        f" run-to-run drift {cell(regression.drift.describe(), 200)}",
        "",
    ]
    order = {verdict: index for index, verdict in enumerate(VERDICT_MARK)}
    verdicts = sorted(regression.verdicts, key=lambda v: order[v.verdict])

    def row(v: MetricVerdict) -> Sequence[str]:
        previous = "" if v.previous is None else f"{v.previous:g}"
        current = "" if v.current is None else f"{v.current:g}"
        ratio = "" if v.ratio is None else describe_interval(v.ratio, v.interval)
        return (cell(v.label, 60), previous, current, ratio, VERDICT_MARK[v.verdict])

    header = ("metric", "previous", "now", "now / previous (CI)", "verdict")
    return lines + table(header, verdicts, row)


def table(header: Sequence[str], items: Sequence[Any], row: Callable[[Any], Sequence[str]]) -> list:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row(item)) + " |" for item in items[:MAX_ROWS]]
    if len(items) > MAX_ROWS:
        lines += [f"| … {len(items) - MAX_ROWS} more in report.html |" + " |" * (len(header) - 1)]
    return [*lines, ""]


def cell(text: str, limit: int = MAX_CELL) -> str:
    """Plain cell text: one line, bounded, no table breaks, no HTML, no @-mentions."""
    text = _one_line(text, limit)
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|"), ("`", "'")):
        text = text.replace(raw, escaped)
    return text.replace("@", "@\u200b")


def code(text: str, limit: int = 80) -> str:
    """A code span: shown literally (no HTML, no mentions inside), one line, no table breaks."""
    return "`" + _one_line(text, limit).replace("`", "'").replace("|", "\\|") + "`"


def _one_line(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_markdown(
    summary: Summary,
    report_dir: Path,
    redact: Callable[[str], str] = lambda text: text,
    comparison: Comparison | None = None,
) -> Path:
    return write_text_atomic(
        report_dir / MARKDOWN_FILE, redact(render_markdown(summary.redacted(redact), comparison))
    )
