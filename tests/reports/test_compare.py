"""--compare: new / fixed / unchanged findings by ID + title, load deltas."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tokenprobe.core.errors import ConfigError
from tokenprobe.core.summary import Summary
from tokenprobe.reports.compare import compare_runs, compare_summaries
from tokenprobe.reports.rundir import new_run_dir, update_latest
from tokenprobe.reports.summary_json import write_summary

from .conftest import CACHE, FORM, LIFETIME, TRIM, load_section


def test_new_fixed_unchanged(make_summary: Callable[..., Summary], tmp_path: Path) -> None:
    previous = make_summary(findings=[LIFETIME, FORM])
    write_summary(previous, tmp_path / "before")
    current = make_summary(findings=[LIFETIME, CACHE, TRIM])
    comparison = compare_runs(current.to_dict(), tmp_path / "before")
    assert [f["id"] for f in comparison.new] == ["TP-SEC-006", "TP-SEC-010"]
    assert [f["id"] for f in comparison.fixed] == ["TP-SEC-009"]
    assert [f["id"] for f in comparison.unchanged] == ["TP-TOKEN-012"]
    assert comparison.previous_status == "fail"
    assert comparison.to_dict()["new"][0] == {
        "id": "TP-SEC-006",
        "title": "Token response cacheable",
        "severity": "error",
    }


def test_same_id_other_title_is_a_different_finding(make_summary: Callable[..., Summary]) -> None:
    renamed = dataclasses.replace(LIFETIME, title="Refresh token outlives policy")
    comparison = compare_summaries(
        make_summary(findings=[renamed]).to_dict(), make_summary(findings=[LIFETIME]).to_dict(), "p"
    )
    assert (len(comparison.new), len(comparison.fixed), len(comparison.unchanged)) == (1, 1, 0)


def test_evidence_changes_do_not_make_a_finding_new(make_summary: Callable[..., Summary]) -> None:
    changed = dataclasses.replace(LIFETIME, evidence="received 31d")
    comparison = compare_summaries(
        make_summary(findings=[changed]).to_dict(), make_summary(findings=[LIFETIME]).to_dict(), "p"
    )
    assert [f["id"] for f in comparison.unchanged] == ["TP-TOKEN-012"]


def test_a_damaged_stored_finding_is_left_out_not_guessed(
    make_summary: Callable[..., Summary],
) -> None:
    """A stored run is decoded part by part: its readable findings still compare."""
    previous = make_summary(findings=[LIFETIME, FORM]).to_dict()
    previous["findings"] = [*previous["findings"], {"title": "no ID"}, 7]
    previous["findings"][1]["id"] = 9  # FORM's ID damaged
    comparison = compare_summaries(make_summary(findings=[LIFETIME]).to_dict(), previous, "p")
    assert [f["id"] for f in comparison.unchanged] == ["TP-TOKEN-012"]
    assert comparison.fixed == ()


def test_load_deltas_total_and_scenarios(make_summary: Callable[..., Summary]) -> None:
    previous = make_summary(load=load_section(p95=10.0, throughput=200.0))
    current = make_summary(load=load_section(p95=15.0, throughput=150.0))
    comparison = compare_summaries(current.to_dict(), previous.to_dict(), "p")
    deltas = {(d.scope, d.metric): d for d in comparison.load}
    p95 = deltas[("total", "p95_ms")]
    assert (p95.previous, p95.current, p95.change, p95.change_pct) == (10.0, 15.0, 5.0, 50.0)
    assert not p95.improved
    throughput = deltas[("total", "throughput_rps")]
    assert throughput.change_pct == -25.0
    assert not throughput.improved
    assert deltas[("valid_login", "p95_ms")].change == 5.0
    assert {m for s, m in deltas if s == "total"} == {
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "throughput_rps",
    }


def test_a_summary_keyed_by_display_names_compares_by_key(
    make_summary: Callable[..., Summary],
) -> None:
    """Summaries written before scenarios were keyed by key name them "valid login"."""
    old = load_section(p95=10.0)
    old["scenarios"] = {v.pop("name"): v for v in old["scenarios"].values()}
    assert set(old["scenarios"]) == {"valid login", "wrong password"}
    current = make_summary(load=load_section(p95=15.0)).to_dict()
    comparison = compare_summaries(current, make_summary(load=old).to_dict(), "p")
    deltas = {(d.scope, d.metric): d for d in comparison.load}
    assert deltas[("valid_login", "p95_ms")].change == 5.0
    assert ("wrong_password", "p50_ms") in deltas


def test_no_load_section_no_deltas(make_summary: Callable[..., Summary]) -> None:
    comparison = compare_summaries(
        make_summary(load=False).to_dict(), make_summary().to_dict(), "p"
    )
    assert comparison.load == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no summary.json there"),  # an empty directory
        ("{not json", "unreadable summary.json"),
        ('["a list"]', "is not a tokenprobe summary"),
        ('{"schema_version": 99, "findings": []}', "schema_version 99 is newer"),
    ],
)
def test_bad_previous_run_is_a_one_line_config_error(
    tmp_path: Path, make_summary: Callable[..., Summary], content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / "summary.json").write_text(content)
    with pytest.raises(ConfigError, match=message) as excinfo:
        compare_runs(make_summary().to_dict(), tmp_path)
    assert "\n" not in str(excinfo.value)


def test_compare_with_latest_pointer(make_summary: Callable[..., Summary], tmp_path: Path) -> None:
    run = new_run_dir(tmp_path / "reports")
    write_summary(make_summary(findings=[FORM]), run)
    update_latest(run)
    comparison = compare_runs(make_summary(findings=[]).to_dict(), tmp_path / "reports/latest")
    assert [f["id"] for f in comparison.fixed] == ["TP-SEC-009"]
    assert json.loads((run / "summary.json").read_text())["findings"][0]["id"] == "TP-SEC-009"
