"""report.html: self-contained, autoescaped, every section a reader needs."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from tokenprobe.core.summary import Summary
from tokenprobe.reports.compare import compare_summaries
from tokenprobe.reports.html import render_html

from .conftest import CACHE, FORM, LIFETIME, load_section


class Resources(HTMLParser):
    """Collects every URL-bearing attribute and every script element."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        self.urls += [(tag, name, value or "") for name, value in attrs if name in ("src", "href")]


def parse(html: str) -> Resources:
    parser = Resources()
    parser.feed(html)
    return parser


def test_script_in_evidence_is_escaped(
    make_summary: Callable[..., Summary], tmp_path: Path
) -> None:
    hostile = dataclasses.replace(
        LIFETIME,
        title='<img src=x onerror="alert(1)">',
        evidence="<script>alert(document.cookie)</script>",
    )
    html = render_html(make_summary(findings=[hostile]), run_dir=tmp_path)
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert parse(html).scripts == 0


def test_self_contained_with_embedded_plots(
    make_summary: Callable[..., Summary], tmp_path: Path, plot_files: list[Path]
) -> None:
    html = render_html(make_summary(), run_dir=tmp_path, plots=plot_files)
    resources = parse(html)
    images = [value for tag, _, value in resources.urls if tag == "img"]
    assert len(images) == 2
    prefix = "data:image/png;base64,"
    assert all(src.startswith(prefix) for src in images)
    assert base64.b64decode(images[0].removeprefix(prefix)) == plot_files[0].read_bytes()
    # Nothing is fetched from anywhere; the CSP forbids it anyway.
    assert not [u for u in resources.urls if u[0] != "img"]
    assert "default-src 'none'; img-src data:" in html


def test_missing_plot_is_reported_not_fatal(
    make_summary: Callable[..., Summary], tmp_path: Path
) -> None:
    html = render_html(make_summary(), run_dir=tmp_path, plots=[tmp_path / "absent.png"])
    assert "absent.png: No such file or directory" in html


def test_native_reports_are_relative_links(
    make_summary: Callable[..., Summary], tmp_path: Path
) -> None:
    (tmp_path / "conformance").mkdir()
    (tmp_path / "conformance/cassette.yaml").write_text("x")
    html = render_html(
        make_summary(),
        run_dir=tmp_path,
        native_reports={
            "Schemathesis cassette": "conformance/cassette.yaml",
            "Locust HTML": tmp_path / "load/locust.html",  # absolute, and not written
        },
    )
    links = [value for tag, _, value in parse(html).urls if tag == "a"]
    assert links == ["./conformance/cassette.yaml", "./load/locust.html"]
    assert './load/locust.html</code> <span class="bad">(missing)</span>' in html


def test_verdict_findings_slos_load(make_summary: Callable[..., Summary], tmp_path: Path) -> None:
    summary = make_summary(accepted={"TP-TOKEN-012": "TICKET-1 (accepted until 2027-01-31)"})
    html = render_html(summary, run_dir=tmp_path)
    assert '<span class="verdict fail">FAIL</span>' in html
    # Failing first, accepted last, each row with severity, ID, evidence, standard.
    assert html.index("TP-SEC-006") < html.index("TP-SEC-009") < html.index("TP-TOKEN-012</code>")
    assert "expected Cache-Control: no-store / received (absent)" in html
    assert "RFC 6749 §5.1" in html
    assert '<span class="tag" title="TICKET-1 (accepted until 2027-01-31)">accepted</span>' in html
    assert "<td>total p95 latency</td>" in html
    # a scenario by its key, with its display name (Locust's request entry) beside it
    assert '<td>valid_login <span class="muted">valid login</span></td>' in html
    # The check failed only by the accepted finding is shown as passed.
    assert "6 passed, 1 failed, 1 skipped" in html


def test_comparison_section(make_summary: Callable[..., Summary], tmp_path: Path) -> None:
    previous = make_summary(findings=[LIFETIME, FORM], load=load_section(p95=10.0))
    current = make_summary(findings=[LIFETIME, CACHE], load=load_section(p95=15.0))
    comparison = compare_summaries(current.to_dict(), previous.to_dict(), "reports/previous")
    html = render_html(current, run_dir=tmp_path, comparison=comparison)
    assert '<h2 id="comparison">Since reports/previous</h2>' in html
    assert "<b>1</b> new, <b>1</b> fixed, 1 unchanged" in html
    assert "5.0 (+50.0 %)" in html


def test_pass_without_findings(make_summary: Callable[..., Summary], tmp_path: Path) -> None:
    html = render_html(make_summary(findings=[], load=False), run_dir=tmp_path)
    assert '<span class="verdict pass">PASS</span>' in html
    assert "No findings." in html
    assert 'id="slos"' not in html
