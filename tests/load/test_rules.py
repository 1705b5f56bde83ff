"""The load suite's pure rules: SLO syntax and verdicts, profiles, the capacity search, account
split, host safety, generator saturation, fast token validation. No network; the behaviour
against real targets is in the other modules."""

from __future__ import annotations

import base64
import gc
import itertools
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import jwt
import pytest
from hdrh.histogram import HdrHistogram

from tokenprobe.core.credentials import Credential
from tokenprobe.core.jwt_inspect import ClaimsReader, NotAJWT, inspect_token
from tokenprobe.load.accounts import LoadAccounts
from tokenprobe.load.arrivals import ArrivalStream
from tokenprobe.load.latency import SERIES_DIGITS, Book, latency_ms, to_microseconds
from tokenprobe.load.locust_options import LocustOptions
from tokenprobe.load.profiles import build_profile, users_for_rate
from tokenprobe.load.recorder import Recorder
from tokenprobe.load.results import cpu_verdict, step_rows
from tokenprobe.load.runner import failure_reasons
from tokenprobe.load.safety import host_problem
from tokenprobe.load.search import CapacitySearch
from tokenprobe.load.section import Cpu, LoadSection, Slo, encode
from tokenprobe.load.settings import parse_weights
from tokenprobe.load.slo import evaluate, parse_slos
from tokenprobe.load.verdict import saturated_generator, slo_breach


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("", []),
        ("p95<500", ["p95"]),
        # a scenario (by key) narrows the threshold; spaces around items are fine
        (" p99[valid_login] < 800 , error_ratio<0.01", ["p99[valid_login]", "error_ratio"]),
        # a display name, as configurations written before the keys say, is read as the key
        ("p99[valid login]<800, p95[ login storm ]<900", ["p99[valid_login]", "p95[login_storm]"]),
        ("throughput_rps>20, dropped_ratio<0.001", ["throughput_rps", "dropped_ratio"]),
    ],
)  # fmt: skip
def test_slo_syntax(text: str, names: list[str]) -> None:
    assert [t.name for t in parse_slos(text)] == names


@pytest.mark.parametrize(
    "text",
    [
        "p95",  # no bound
        "p95>500",  # latency is bounded from above
        "throughput_rps<5",  # throughput from below
        "p42<5",  # unknown metric
        "p95<fast",  # not a number
        "p95[valid-login]<500",  # no such scenario
    ],
)
def test_slo_syntax_errors_name_the_item(text: str) -> None:
    with pytest.raises(ValueError, match="SLO"):
        parse_slos(text)


def test_an_unknown_scenario_is_named_with_the_known_ones() -> None:
    known = "valid_login, wrong_password, unknown_user, malformed_body, login_storm"
    with pytest.raises(ValueError, match="unknown scenario") as slo_error:
        parse_slos("p95<500, p95[valid-login]<500")
    assert str(slo_error.value) == (
        f"SLO 'p95[valid-login]<500': unknown scenario 'valid-login' (known: {known})"
    )
    with pytest.raises(ValueError, match="unknown scenario") as weight_error:
        parse_weights("valid_login=8,valid login=1")
    assert str(weight_error.value) == (
        f"weight 'valid login=1': unknown scenario 'valid login' (known: {known})"
    )


def test_slo_verdicts_carry_threshold_and_observed_value() -> None:
    results = {
        "requests": 100, "failures": 3, "dropped": 0, "throughput_rps": 10.0,
        "latency_ms": {"p95": 120.0},
        "scenarios": {"valid_login": {"name": "valid login", "requests": 50, "failures": 0,
                                      "throughput_rps": 5.0, "latency_ms": {"p95": 80.0}}},
    }  # fmt: skip
    slos = parse_slos("p95<100, p95[valid_login]<100, error_ratio<0.01, p95[login_storm]<100")
    verdicts = {v["name"]: v for v in evaluate(slos, LoadSection.model_validate(results))}
    assert verdicts["p95"] == {
        "name": "p95",
        "threshold": "< 100 ms",
        "observed": 120.0,
        "unit": "ms",
        "passed": False,
        "judged": True,
    }
    assert verdicts["p95[valid_login]"] == {
        "name": "p95[valid_login]", "threshold": "< 100 ms", "observed": 80.0, "unit": "ms",
        "passed": True, "judged": True,
    }  # fmt: skip
    assert verdicts["error_ratio"]["observed"] == 0.03
    # a threshold on a scenario that never ran cannot pass
    assert verdicts["p95[login_storm]"] == {
        "name": "p95[login_storm]", "threshold": "< 100 ms", "observed": None, "unit": "ms",
        "passed": False, "judged": True,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "levels"),
    [
        ("constant", [40]),
        ("soak", [40]),
        ("ramp", [10, 20, 30, 40]),
        ("spike", [8, 40, 8]),
        # an open-ended warm-up at the first probe's level; the search adds the rest
        ("breakpoint", [40]),
        ("smoke", [2]),  # smoke stays tiny whatever the rate
    ],
)
def test_profiles_as_steps(name: str, levels: list[float]) -> None:
    profile = build_profile(name, "open", 40, 100)
    assert [s.level for s in profile.steps] == pytest.approx(levels)
    assert profile.duration_s == 100
    assert profile.step_at(0).index == 0
    assert profile.step_at(100) is None  # bounded: the profile ends
    assert profile.steps[0].warmup == (name == "breakpoint")
    assert not any(s.warmup for s in profile.steps[1:])


def run_search(capacity: float, start: float = 20, maximum: float = 5000, noise=None) -> Any:
    """Drive the search against a target that holds every level up to ``capacity``;
    ``noise(level, purpose)`` may flip a verdict."""
    search = CapacitySearch(start=start, maximum=maximum, resolution=0.05)
    for _ in range(100):
        decision = search.next_level()
        if decision is None:
            return search
        level, purpose = decision
        held = level <= capacity
        if noise is not None:
            held = noise(level, purpose, held)
        search.record(level, held, purpose)
    raise AssertionError("the search did not end")


@pytest.mark.parametrize(
    ("capacity", "start"),
    [
        (78, 20),  # grows 20, 40, 80, then bisects 40..80
        (3, 20),  # the first probe breaks: halves until one holds
        (1234.5, 20),
        (20, 20),  # exactly the first level
    ],
)
def test_capacity_search_brackets_within_the_resolution(capacity: float, start: float) -> None:
    search = run_search(capacity, start)
    assert search.reached
    assert search.converged
    assert search.capacity is not None
    assert capacity / 1.05 <= search.capacity <= capacity
    assert search.hi <= search.capacity * 1.05
    assert search.probes[-1].purpose == "confirm"  # the knee is re-run before it is reported
    assert len(search.probes) <= 16


def test_capacity_search_reports_a_held_maximum_as_not_reached() -> None:
    search = run_search(capacity=10_000, start=20, maximum=300)
    assert not search.reached
    assert search.capacity is None  # never a capacity figure
    assert search.at_least == 300
    assert max(p.level for p in search.probes) == 300
    assert "not reached, ≥ 300" in search.describe()


def test_a_knee_that_breaks_when_re_run_is_searched_below() -> None:
    flips = {"done": False}

    def noisy(level: float, purpose: str, held: bool) -> bool:
        # The first verdict at the knee is a lucky hold; its re-run breaks.
        if purpose == "confirm" and not flips["done"]:
            flips["done"] = True
            return False
        return held

    search = run_search(capacity=78, noise=noisy)
    assert flips["done"]
    assert search.converged
    confirms = [p for p in search.probes if p.purpose == "confirm"]
    assert not confirms[0].held
    assert confirms[-1].held
    assert search.capacity < confirms[0].level  # the refuted level is not reported


NAN_CLAIMS = b'{"exp": NaN}'
SURROGATE_CLAIMS = b'{"sub": "\\ud800"}'
UTF16_CLAIMS = '{"a": 1}'.encode("utf-16")


def test_claims_reader_rejects_exactly_what_pyjwt_rejects() -> None:
    key = "k" * 32
    header = b64url({"alg": "HS256", "typ": "JWT"})
    good = jwt.encode({"sub": "1", "exp": 2_000_000_000}, key, algorithm="HS256")
    tokens = {
        "good": good,
        "claims a list": f"{header}.{b64url([1])}.c2ln",
        "claims not JSON": f"{header}.{b64url(b'not json')}.c2ln",
        "claim types are not checked": f"{header}.{b64url({'nbf': 'x', 'jti': 5})}.c2ln",
        "signature of impossible length": f"{header}.{b64url({'a': 1})}.abcde",
        "signature with stray bits": f"{header}.{b64url({'a': 1})}.xy",
        "claims with stray bits": f"{header}.{b64url({'a': 1})}B.c2ln",
        "empty signature": f"{header}.{b64url({'a': 1})}.",
        "empty claims": f"{header}..c2ln",
        "kid not a string": f"{b64url({'alg': 'HS256', 'kid': 3})}.{b64url({'a': 1})}.c2ln",
        "unsupported crit": f"{b64url({'alg': 'HS256', 'crit': ['b64'], 'b64': False})}.e30.c2ln",
        "header a list": f"{b64url([1])}.{b64url({'a': 1})}.c2ln",
        "not base64url": f"{header}.{b64url({'a': 1})}!.c2ln",
        # What orjson refuses and the standard library (PyJWT's parser) accepts:
        "claims with NaN": f"{header}.{b64url(NAN_CLAIMS)}.c2ln",
        "claims with a lone surrogate": f"{header}.{b64url(SURROGATE_CLAIMS)}.c2ln",
        "claims in UTF-16": f"{header}.{b64url(UTF16_CLAIMS)}.c2ln",
        # Every length of a last, partial group, with and without stray bits:
        **{
            f"signature of {length} characters{' with stray bits' if stray else ''}": (
                f"{header}.{b64url({'a': 1})}.{'A' * (length - 1)}{'B' if stray else 'A'}"
            )
            for length in (4, 5, 6, 7, 8)
            for stray in (False, True)
        },
    }
    warm = ClaimsReader()
    warm.claims(good)  # the good header is remembered: the fast path judges the rest
    for name, token in tokens.items():
        expected = outcome(lambda t: inspect_token(t).claims, token)
        assert outcome(warm.claims, token) == expected, name
        assert outcome(ClaimsReader().claims, token) == expected, name


def test_claims_reader_reads_a_number_past_64_bits_as_a_float() -> None:
    """The one difference orjson makes (tokenprobe.core.fast_json): accepted all the same, and
    an exp that large is in the future either way."""
    token = jwt.encode({"exp": 10**30}, "k" * 32, algorithm="HS256")
    assert inspect_token(token).claims == {"exp": 10**30}
    assert ClaimsReader().claims(token) == {"exp": 10**30}  # PyJWT's path: the first header
    warm = ClaimsReader()
    warm.claims(jwt.encode({"exp": 1}, "k" * 32, algorithm="HS256"))
    assert warm.claims(token) == {"exp": 1e30}


def b64url(value: object) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def outcome(read: Any, token: str) -> object:
    try:
        return read(token)
    except NotAJWT:
        return "rejected"


def test_open_model_streams_never_exceed_the_stream_rate() -> None:
    assert users_for_rate(100, 2) == 50
    assert users_for_rate(0.5, 2) == 1


def arrivals_of(stream: ArrivalStream) -> list[float]:
    """Every intended send of one stream, to the end of its profile."""
    times = []
    while (arrival := stream.next_arrival()) is not None:
        times.append(arrival.intended_wall)
    return times


# Wall-clock seconds as time.time() gives them: large enough that float error could add up.
STARTED_WALL = 1_700_000_000.0


def evenly_spaced(times: list[float], interval: float) -> bool:
    """Consecutive sends ``interval`` apart, to the microsecond a wall-clock float holds."""
    ordered = sorted(times)
    return all(abs(b - a - interval) < 1e-6 for a, b in itertools.pairwise(ordered))


def test_constant_streams_take_turns_on_one_evenly_spaced_schedule() -> None:
    """20 req/s from 10 streams of 2/s: one arrival every 50 ms in total, each stream every
    500 ms. Streams with phases of their own would sample a target that freezes every 2 s at
    10 random phases, and its percentiles would vary from run to run with them."""
    profile = build_profile("constant", "open", 20, 4)
    streams = [
        ArrivalStream(profile, STARTED_WALL, 2, False, STARTED_WALL, index=i) for i in range(10)
    ]
    schedules = [arrivals_of(stream) for stream in streams]
    assert all(evenly_spaced(times, 0.5) for times in schedules)
    merged = [t for times in schedules for t in times]
    assert len(merged) == 80
    assert evenly_spaced(merged, 0.05)
    assert min(merged) == STARTED_WALL


def test_constant_streams_keep_even_turns_across_workers_and_steps() -> None:
    """A ramp (10, 20, 30, 40 req/s over 4 s) whose streams start when their step does, spread
    over two workers (index = number * 2 + slot): every step sends evenly at its own rate."""
    profile = build_profile("ramp", "open", 40, 4)
    schedules = []
    for slot in (0, 1):
        for number in range(10):
            index = number * 2 + slot
            # stream `index` is needed from the first step that has more than `index` streams
            step = next(s for s in profile.steps if users_for_rate(s.level, 2) > index)
            begins = STARTED_WALL + step.start_s + 0.001  # spawned just after its step started
            stream = ArrivalStream(profile, STARTED_WALL, 2, False, begins, index)
            schedules.append(arrivals_of(stream))
    merged = [t for times in schedules for t in times]
    for step in profile.steps:
        inside = [t for t in merged if step.start_s <= t - STARTED_WALL < step.end_s - 1e-6]
        # a stream spawned after its step began skips the turn it missed, and no other
        assert evenly_spaced(inside, 1 / step.level), step
        assert step.level * step.duration_s - 1 <= len(inside) <= step.level * step.duration_s


def test_accounts_are_disjoint_across_workers_and_users() -> None:
    accounts = [Credential(f"user{i}", f"password-{i}") for i in range(40)]
    pool = LoadAccounts.split(accounts)
    assert len(pool.decoys) == 4
    assert not set(pool.decoys) & set(pool.valid)
    slices = [set(pool.for_worker(w, 2).for_user(u, 3)) for w in range(2) for u in range(3)]
    assert sum(len(s) for s in slices) == len(pool.valid)
    assert set().union(*slices) == set(pool.valid)


@pytest.mark.parametrize(
    ("host", "allowed", "remote", "refused"),
    [
        ("http://127.0.0.1:8000", (), False, False),
        ("http://localhost:8000", (), False, False),
        ("http://[::1]:8000", (), False, False),
        ("https://staging.example.com", (), False, True),
        ("https://staging.example.com", ("staging.example.com",), False, False),
        ("http://10.0.0.8", (), True, False),  # the explicit flag
        ("ftp://127.0.0.1", (), False, True),
        (None, (), False, True),
    ],
)
def test_only_loopback_or_allowed_hosts(
    host: str | None, allowed: tuple[str, ...], remote: bool, refused: bool
) -> None:
    assert (host_problem(host, allowed, remote) is not None) == refused


def test_a_saturated_generator_makes_results_unreliable() -> None:
    recorder = Recorder(build_profile("constant", "open", 10, 10))
    for percent in (20, 30, 25, 40):
        recorder.note_cpu("worker-0", percent)
    assert cpu_verdict(recorder)[0] is False
    for percent in (95, 99):
        recorder.note_cpu("worker-1", percent)
    unreliable, report = cpu_verdict(recorder)
    assert unreliable
    assert report["processes"]["worker-1"]["saturated"] == 2


def test_a_long_run_frees_the_histograms_it_drops_without_the_cycle_collector() -> None:
    """A long run's memory stays flat (issue 21): every second's cells and book are dropped
    once folded and settled, and must be freed then. hdrh's histograms refer to themselves
    through their encoder; left so, they wait for a full cyclic collection, which comes rarer
    as a run grows (the load generator grew about 190 MB/h at 200 req/s)."""
    recorder = Recorder(build_profile("constant", "open", 10, 600))
    recorder.reset(STARTED_WALL)

    def histograms_alive_after(seconds: range) -> int:
        for second in seconds:
            for name in ("valid login", "wrong password", "unknown user"):
                recorder.record(name, 12.5, False, False, STARTED_WALL + second)
            recorder.settle_series(STARTED_WALL + second)
            recorder.run.total()  # what a snapshot of the results builds and drops
            Book().merge(recorder.steps[0].encode())  # what a master does with a report
        return sum(type(o) is HdrHistogram for o in gc.get_objects())  # no lazy proxy woken

    gc.collect()
    gc.disable()
    try:
        after_10_s = histograms_alive_after(range(10))
        after_60_s = histograms_alive_after(range(10, 60))
    finally:
        gc.enable()
    assert after_60_s == after_10_s
    assert len(recorder.series) == 59


def test_a_step_holds_on_the_answers_that_came_while_it_ran() -> None:
    """A target that answers 78 req/s, offered 100: the step's own requests all get answers in
    the end, working off the backlog during the next step, yet the step did not keep up."""
    profile = build_profile("ramp", "open", 200, 4)  # 50, 100, 150, 200 req/s, 1 s each
    options = LocustOptions(
        model="open", arrival="constant", profile=profile, stream_rate=2, late_s=0.01,
        max_lateness_s=10, weights=parse_weights("valid_login=1"), storm_size=10,
        credentials_file="", throttled_is_failure=False, slos=[], max_requests=1000,
        allow_hosts=(), allow_remote=False, results_file="", raw_samples_prefix="",
    )  # fmt: skip
    recorder = Recorder(profile)
    recorder.reset(STARTED_WALL)
    for n in range(100):  # step 1: 100 requests offered evenly, answered 78 a second
        intended = 1 + n / 100
        answered = 1 + (n + 0.5) / 78
        recorder.record("valid login", (answered - intended) * 1000, False, False,
                        STARTED_WALL + intended)  # fmt: skip
    (row,) = step_rows(recorder, options, [profile.steps[1]], elapsed_s=4)
    assert row["requests"] == 100  # every request of the step was answered…
    assert row["achieved_rps"] == 78  # …but only 78 while it ran
    assert (row["held"], row["reason"]) == (False, "answered 78 req/s of 100 offered")


def test_failure_reasons_name_the_scenario_by_key_and_display_name(tmp_path: Path) -> None:
    (tmp_path / "locust_failures.csv").write_text(
        "Method,Name,Error,Occurrences\n"
        "POST,valid login,200 without a refresh token,3\n"
        "POST,my own task,server error 500,1\n"  # a locustfile's own request entry
    )
    assert [encode(reason) for reason in failure_reasons(tmp_path)] == [
        {"name": "valid login", "scenario": "valid_login",
         "error": "200 without a refresh token", "occurrences": 3},
        {"name": "my own task", "scenario": "my own task",
         "error": "server error 500", "occurrences": 1},
    ]  # fmt: skip


def test_a_breached_slo_is_an_error_finding_with_threshold_and_observed_value() -> None:
    results = {"requests": 10, "failures": 0, "dropped": 0, "latency_ms": {"p95": 120.0}}
    (verdict,) = evaluate(parse_slos("p95<100"), LoadSection.model_validate(results))
    finding = slo_breach(Slo.model_validate(verdict))
    assert (finding.id, str(finding.severity)) == ("TP-LOAD-001", "error")
    assert (finding.expected, finding.received) == ("p95 < 100 ms", "p95 = 120.0")


def test_a_saturated_generator_is_a_warning_naming_the_busy_process() -> None:
    recorder = Recorder(build_profile("constant", "open", 10, 10))
    for percent in (95, 99, 20):
        recorder.note_cpu("worker-1", percent)
    finding = saturated_generator(Cpu.model_validate(cpu_verdict(recorder)[1]))
    assert (finding.id, str(finding.severity)) == ("TP-LOAD-002", "warning")
    assert finding.received == "worker-1 2 of 3 samples"


def test_each_sample_recorded_once_lands_in_its_step_and_its_second_exactly() -> None:
    """The recorder keeps one exact record per sample (its step's and second's cell) and folds
    cells into step books and 2-digit per-second books when they are read: both must equal
    books that recorded every sample directly, whenever the fold happens."""
    profile = build_profile("ramp", "open", 200, 4)  # four 1 s steps
    recorder = Recorder(profile)
    recorder.reset(STARTED_WALL)
    steps: dict[int, Book] = {}
    seconds: dict[int, Book] = {}
    rng = random.Random(3)
    for index in range(6000):
        intended, ms = rng.uniform(0, 4.2), rng.lognormvariate(2.0, 1.2)  # up to seconds
        name, failed = rng.choice(["valid login", "wrong password"]), rng.random() < 0.1
        recorder.record(name, ms, failed, False, STARTED_WALL + intended)
        step = profile.step_at(intended) or profile.steps[-1]
        sample = (name, to_microseconds(ms), failed, False)
        steps.setdefault(step.index, Book()).record(*sample)
        seconds.setdefault(int(intended + ms / 1000), Book(SERIES_DIGITS)).record(*sample)
        if index % 1500 == 0:
            assert recorder.steps  # a read folds the cells so far
    assert recorder.steps.keys() == steps.keys()
    for key, book in steps.items():
        assert recorder.steps[key].encode() == book.encode()
    assert recorder.seconds.keys() == seconds.keys()
    for key, book in seconds.items():
        assert recorder.seconds[key].encode() == book.encode()
        for name, tally in book.tallies.items():
            folded = recorder.seconds[key].tallies[name]
            assert latency_ms(folded.histogram) == latency_ms(tally.histogram)


def test_arrivals_due_at_the_stop_and_never_sent_are_no_target_errors() -> None:
    """Open model: an arrival its stream was still waiting for, or was behind on, when the run
    stopped never reached the target. Within the lateness limit the stop cut it off; past it,
    it would have been dropped anyway. Neither is unanswered (an error of the target's)."""
    recorder = Recorder(build_profile("constant", "open", 10, 10))
    recorder.reset(STARTED_WALL)
    recorder.note_unsent(0, 1, hopeless=False)
    recorder.note_unsent(0, 10, hopeless=True)  # a login storm's ten
    assert recorder.unanswered_by_step() == Counter()
    assert (recorder.cut_off[0], recorder.dropped[0]) == (1, 10)
    recorder.close(STARTED_WALL + 10)
    recorder.note_unsent(0, 1, hopeless=False)  # after the close, nothing moves
    assert recorder.cut_off[0] == 1
