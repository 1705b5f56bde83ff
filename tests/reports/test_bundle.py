"""write_all_reports: four reports per run; no secret survives in any of them."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest
import requests

import tokenprobe.reports
from tokenprobe.core.findings import Finding, Severity
from tokenprobe.core.redact import Redactor
from tokenprobe.core.summary import CheckResult, Summary
from tokenprobe.reference.embedded import EmbeddedTarget
from tokenprobe.reports import compare_summaries, new_run_dir, update_latest, write_all_reports
from tokenprobe.reports.html import write_html
from tokenprobe.reports.junit import write_junit
from tokenprobe.reports.markdown import write_markdown
from tokenprobe.reports.summary_json import write_summary

from .conftest import FORM, LIFETIME

# Characters that JSON, XML, HTML and Markdown all escape, between two distinctive chunks:
# whatever escaping a writer applies, a leak shows up as one of the chunks.
PASSWORD = 'Kx7vQ2<"&>|`@mP9wR4'
CHUNKS = ("Kx7vQ2", "mP9wR4")
TOKEN = jwt.encode({"user_id": "42", "token_type": "access"}, "k" * 32, algorithm="HS256")


def leaky_summary(make_summary: Callable[..., Summary]) -> Summary:
    """A gate summary where a careless stage put the password and a token everywhere."""
    leak = f"password={PASSWORD} access={TOKEN}"
    finding = Finding("TP-SEC-003", Severity.ERROR, f"Bypass with {PASSWORD}", leak, "ASVS 6.3.1")
    summary = make_summary(
        findings=[finding, dataclasses.replace(LIFETIME, evidence=leak), FORM],
        errors=[f"stage crashed: {leak}"],
        accepted={"TP-TOKEN-012": f"reason mentions {PASSWORD}"},
    )
    summary.checks.append(CheckResult("TP-SEC-003", f"bypass {PASSWORD}", "security", leak))
    summary.sections["security"] = {"samples": [leak], PASSWORD: {"token": TOKEN}}
    return summary


def test_no_secret_in_any_file_of_the_run_dir(
    make_summary: Callable[..., Summary], tmp_path: Path, plot_files: list[Path]
) -> None:
    summary = leaky_summary(make_summary)
    previous = make_summary(findings=[dataclasses.replace(FORM, title=f"old {PASSWORD}")])
    comparison = compare_summaries(summary.to_dict(), previous.to_dict(), f"run-{PASSWORD}")
    run_dir = new_run_dir(tmp_path / "reports")
    redactor = Redactor([PASSWORD, TOKEN])
    written = write_all_reports(summary, run_dir, redactor, plots=plot_files, comparison=comparison)
    update_latest(run_dir)
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert sorted(p.name for p in files) == [
        "junit.xml",
        "report.html",
        "summary.json",
        "summary.md",
    ]
    assert sorted(written.paths()) == sorted(files)
    _header, payload, signature = TOKEN.split(".")
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in (*CHUNKS, payload, signature):
            assert secret not in text, f"{secret[:6]}… leaked into {path.name}"
        assert "[REDACTED]" in text or path.name == "junit.xml"
    # The redactor left the findings readable.
    data = json.loads((run_dir / "summary.json").read_text())
    assert data["findings"][0]["evidence"].startswith("password=[REDACTED] access=eyJhbGciOi…[")


def test_reports_content_and_summary_untouched(
    make_summary: Callable[..., Summary], tmp_path: Path
) -> None:
    summary = make_summary()
    before = summary.to_dict()
    comparison = compare_summaries(before, make_summary(findings=[FORM]).to_dict(), "prev")
    (tmp_path / "load").mkdir()
    (tmp_path / "load/locust.html").write_text("<html></html>")
    write_all_reports(
        summary,
        tmp_path,
        Redactor(),
        native_reports={"Locust HTML": "load/locust.html"},
        comparison=comparison,
    )
    data = json.loads((tmp_path / "summary.json").read_text())
    assert data["status"] == "fail"
    assert data["artifacts"] == {"Locust HTML": "./load/locust.html"}
    assert data["comparison"]["unchanged"] == [
        {"id": "TP-SEC-009", "title": "Form-encoded credentials accepted", "severity": "warning"}
    ]
    assert data["load"]["throughput_rps"] == 180.0
    assert summary.to_dict() == before  # the caller's summary is not modified
    assert "Locust HTML" in (tmp_path / "report.html").read_text()
    assert "### Since `prev`" in (tmp_path / "summary.md").read_text()
    assert (tmp_path / "junit.xml").read_text().count("<testcase ") == 8
    assert not list(tmp_path.glob(".*.tmp"))


def test_each_writer_alone_redacts_as_data(
    make_summary: Callable[..., Summary], tmp_path: Path
) -> None:
    """JSON/XML/HTML escape the password's quote and angle brackets: text redaction alone misses."""
    summary = leaky_summary(make_summary)
    redactor = Redactor([PASSWORD, TOKEN])
    written = [
        write_summary(summary, tmp_path, redactor),
        write_junit(summary, tmp_path, redactor),
        write_markdown(summary, tmp_path, redactor),
        write_html(summary, tmp_path, redactor),
    ]
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert not [chunk for chunk in CHUNKS if chunk in text], path.name


@pytest.mark.parametrize(
    "load",
    [
        {},  # a load stage that stopped before measuring anything
        {"slo": "not a list", "scenarios": ["not", "a", "dict"], "latency_ms": None},
        {"slo": [{"passed": False}, "junk"], "scenarios": {"valid_login": None}},
        "not even a dict",
    ],
)
def test_partial_load_sections_still_render(
    make_summary: Callable[..., Summary], tmp_path: Path, load: object
) -> None:
    summary = make_summary(load=load)
    comparison = compare_summaries(summary.to_dict(), make_summary().to_dict(), "prev")
    written = write_all_reports(summary, tmp_path, Redactor(), comparison=comparison)
    assert all(path.stat().st_size > 0 for path in written.paths())


def test_public_surface() -> None:
    assert all(hasattr(tokenprobe.reports, name) for name in tokenprobe.reports.__all__)


def test_invalid_utf8_from_the_target_is_written_escaped(
    make_summary: Callable[..., Summary], tmp_path: Path
) -> None:
    raw = b"body \xff\xfe<html>".decode("utf-8", errors="surrogateescape")
    summary = make_summary(findings=[dataclasses.replace(LIFETIME, evidence=raw)])
    written = write_all_reports(summary, tmp_path, Redactor())
    for path in written.paths():
        text = path.read_bytes().decode("utf-8")  # valid UTF-8, whatever the target sent
        assert "body \\udcff\\udcfe" in text
    # In JSON that is an escape sequence: the file still parses.
    assert json.loads((tmp_path / "summary.json").read_text())["findings"][0]["evidence"] == raw


def test_real_issued_tokens_and_password_never_reach_the_run_dir(
    make_summary: Callable[..., Summary], clean_target: EmbeddedTarget, tmp_path: Path
) -> None:
    """Tokens issued by the reference target, pasted into evidence by a careless stage."""
    account = clean_target.credentials[0]
    answer = requests.post(clean_target.url, json=account.as_json(), timeout=10)
    assert answer.status_code == 200
    pair = answer.json()
    redactor = Redactor([account.password])
    redactor.add(pair["access"], pair["refresh"])  # learnt from the response, as stages do
    leak = f"sent {account.password!r}, got {answer.text}"
    summary = make_summary(findings=[dataclasses.replace(LIFETIME, evidence=leak)])
    summary.sections["conformance"] = {"last_response": pair}
    write_all_reports(summary, new_run_dir(tmp_path / "reports"), redactor)
    secrets = [account.password, *(token.split(".", 1)[1] for token in pair.values())]
    for path in (tmp_path / "reports").rglob("*.*"):
        text = path.read_text(encoding="utf-8")
        assert not [s for s in secrets if s in text], path.name
