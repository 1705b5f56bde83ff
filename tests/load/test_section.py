"""The load section's one codec (`tokenprobe.load.section`): what it reads, what it refuses."""

from __future__ import annotations

from typing import Any

from tokenprobe.load.section import decode_load, load_section

SECTION: dict[str, Any] = {
    "model": "open",
    "profile": "constant",
    "requests": 120,
    "latency_ms": {"p50": 10, "p95": 12.5, "p99": None, "max": 30.0},
    "scenarios": {"valid_login": {"name": "valid login", "requests": 100}},
    "steps": [{"offered_rps": 20, "duration_s": 6.0, "warmup": False}],
    "a_field_of_a_newer_tokenprobe": {"anything": 1},
}


def test_a_section_reads_as_written() -> None:
    load = decode_load(SECTION)
    assert load is not None
    assert (load.requests, load.latency_ms.p50, load.latency_ms.p99) == (120, 10.0, None)
    assert list(load.scopes()) == ["total", "valid_login"]
    assert load.scopes()["valid_login"].name == "valid login"
    assert [step.offered_rps for step in load.measured_steps()] == [20]


def test_scenarios_named_by_display_name_are_read_by_key() -> None:
    """Summaries written before the scenario keys named scenarios by display name."""
    load = decode_load({**SECTION, "scenarios": {"valid login": {"requests": 100}}})
    assert load is not None
    assert list(load.scenarios) == ["valid_login"]


def test_a_wrong_type_makes_the_section_unreadable_not_a_guess() -> None:
    for damaged in ({"requests": "120"}, {"requests": True}, {"latency_ms": {"p95": "12"}}):
        assert decode_load({**SECTION, **damaged}) is None, damaged


def test_no_section_is_none() -> None:
    assert load_section({"command": "security"}) is None
    assert load_section({"load": None}) is None


def test_a_damaged_part_a_reader_can_do_without_reads_as_missing() -> None:
    """A stored run may be old or damaged: its steps, SLOs and capacity search are left out
    where they do not decode, and the run's own numbers still read."""
    damaged = {
        **SECTION,
        "steps": [{"offered_rps": "fast"}, {"offered_rps": 30}],
        "slo": "not a list",
        "capacity": {"reached": "yes"},
    }
    load = decode_load(damaged)
    assert load is not None
    assert [step.offered_rps for step in load.steps] == [30]
    assert (load.slo, load.capacity, load.requests) == ([], None, 120)
