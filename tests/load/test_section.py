"""The load section's one codec (`tokenprobe.load.section`): what it reads, what it refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tokenprobe.core.errors import StageError
from tokenprobe.load.locust_options import LocustOptions
from tokenprobe.load.profiles import Profile, build_profile
from tokenprobe.load.recorder import Recorder
from tokenprobe.load.results import SearchOutcome, build_results
from tokenprobe.load.runner import read_results
from tokenprobe.load.search import CapacitySearch
from tokenprobe.load.section import BULKY, LoadResults, decode_load, encode, load_section
from tokenprobe.load.settings import parse_weights
from tokenprobe.load.slo import parse_slos

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


STARTED_WALL = 1_700_000_000.0


def finished_recorder(profile: Profile) -> Recorder:
    """A recorder that saw every kind of event a run records: answers in two scenarios, a
    failure, a deviation, a drop, a cut-off, a request left unanswered, CPU samples."""
    recorder = Recorder(profile)
    recorder.reset(STARTED_WALL)
    for n in range(40):
        name = "valid login" if n % 2 else "wrong password"
        recorder.record(name, 5.0 + n, n == 7, False, STARTED_WALL + n / 10)
    recorder.note_offered(0, 40, late=True)
    recorder.note_deviation("valid login", "200 without a refresh token")
    recorder.note_dropped(1, 2)
    recorder.note_cut_off(recorder.note_sent("valid login", STARTED_WALL + 1.5), "valid login")
    recorder.note_sent("wrong password", STARTED_WALL + 2.5)
    recorder.close(STARTED_WALL + 4)
    recorder.note_cpu("standalone-0", 30)
    return recorder


def locust_options(profile: Profile, slos: str) -> LocustOptions:
    return LocustOptions(
        model="open", arrival="constant", profile=profile, stream_rate=2, late_s=0.01,
        max_lateness_s=10, weights=parse_weights("valid_login=1, wrong_password=1"),
        storm_size=10, credentials_file="", throttled_is_failure=False,
        slos=parse_slos(slos), max_requests=1000, allow_hosts=(), allow_remote=False,
        results_file="", raw_samples_prefix="",
    )  # fmt: skip


def test_the_childs_results_survive_the_codec_whole() -> None:
    """results.json goes through `LoadResults` on its way out and back: a field the Locust child
    writes that the record does not declare would vanish from it (and from summary.json)."""
    profile = build_profile("ramp", "open", 40, 4)
    options = locust_options(profile, "p95<100, capacity>5")
    search = CapacitySearch(start=10, maximum=40)
    search.record(10, True, "measure")
    search.record(20, False, "measure")
    searched = SearchOutcome(search, {0: (True, "held"), 1: (False, "p95 ≥ 100 ms")}, 3.0)
    for outcome in (None, searched):
        written = build_results(finished_recorder(profile), options, 4.0, outcome)
        written = json.loads(json.dumps(written))
        read = LoadResults.model_validate_json(json.dumps(written))
        assert encode(read) == written
        section = read.section([])
        assert set(section) == set(written) - BULKY | {"failure_reasons"}


def test_a_damaged_part_no_reader_needs_reads_as_missing() -> None:
    """A stored run keeps its numbers when a part only the Locust child's own record has is
    damaged: a scenario's deviations, a capacity search's probes, the steps the SLOs judged."""
    scenarios = {"valid_login": {"name": "valid login", "requests": 100,
                                 "contract_deviations": ["not a mapping"]}}  # fmt: skip
    capacity = {"reached": True, "capacity_rps": 155, "probes": [{"level": "high"}, {"level": 80}]}
    load = decode_load({**SECTION, "scenarios": scenarios, "capacity": capacity,
                        "slo_steps": "all"})  # fmt: skip
    assert load is not None
    assert load.scenarios["valid_login"].contract_deviations is None
    assert load.capacity is not None
    assert [probe.level for probe in load.capacity.probes] == [80]
    assert load.slo_steps is None


def test_a_run_just_written_is_read_exactly_a_damaged_verdict_is_no_pass(tmp_path: Path) -> None:
    """A stored run may do without a damaged part; the run just made may not: a damaged SLO
    verdict left out would pass, a damaged stop would make a stopped run look complete."""
    profile = build_profile("constant", "open", 10, 4)
    options = locust_options(profile, "p95<100")
    written = json.loads(json.dumps(build_results(finished_recorder(profile), options, 4.0)))
    stopped = {"reason": "SIGTERM", "after_s": 2.0, "planned_s": 4.0}
    (tmp_path / "locust.log").write_text("")
    for damaged in (
        {**written, "slo": [{**written["slo"][0], "passed": 1}]},
        {**written, "stopped": {**stopped, "planned_s": "4"}},
    ):
        assert decode_load(damaged) is not None  # as a stored run: readable, the part missing
        (tmp_path / "results.json").write_text(json.dumps(damaged))
        with pytest.raises(StageError, match=r"^Locust wrote unreadable results \((slo|stopped)"):
            read_results(tmp_path / "results.json", tmp_path)
