"""A sequential run's plan: how many judgements it may make, and when it ends (the gate with
``--compare``; the run itself is tested in tests/gate/test_regression.py)."""

from __future__ import annotations

from pathlib import Path

from tokenprobe.load import looks
from tokenprobe.load.evidence import Evidence, evidence_document, write_evidence
from tokenprobe.load.latency import Book
from tokenprobe.load.looks import Look, LookPlan
from tokenprobe.load.runner import look_poller
from tokenprobe.load.section import Decided


def test_the_plan_counts_every_judgement_it_may_make() -> None:
    # Looks at 10, 20, 30, 40, 50 s, and the final judgement of the finished 60 s run.
    assert LookPlan(10, 10, 60, judge=None).planned == 6  # type: ignore[arg-type]
    assert LookPlan(25, 10, 60, judge=None).planned == 4  # type: ignore[arg-type]
    assert LookPlan(10, 10, 10, judge=None).planned == 1  # type: ignore[arg-type]


def test_a_run_ends_at_the_first_look_with_nothing_open_and_never_looks_more_than_planned() -> None:
    answers = iter([("p99",), ("p99",), ()])
    judged: list[tuple[float, int]] = []

    def judge(evidence: Evidence, at_s: float, looks: int) -> Look:
        judged.append((at_s, looks))
        return Look(at_s, 40 * int(at_s), next(answers))

    plan = LookPlan(10, 10, 60, judge)
    evidence = Evidence(Path("evidence.json"), 1, {})
    assert plan.look(evidence, 5.0) is None  # before the first look: not judged
    assert plan.look(evidence, 10.0) is None
    assert plan.look(evidence, 20.0) is None
    assert plan.look(evidence, 30.0) == "nothing left to decide"
    assert judged == [(10.0, 6), (20.0, 6), (30.0, 6)]
    record = plan.to_dict(Decided(reason="nothing left to decide", after_s=30.4))
    assert record["ended"] == "decided"
    assert [look["open"] for look in record["looks"]] == [["p99"], ["p99"], []]

    always_open = LookPlan(10, 10, 30, lambda evidence, at_s, looks: Look(at_s, 0, ("p50",)))
    for at_s in (10.0, 20.0, 29.5, 40.0):
        assert always_open.look(evidence, at_s) is None
    assert len(always_open.taken) == always_open.planned - 1 == 2
    assert always_open.to_dict(None)["ended"] == "its planned length ran out"


def test_the_runner_reads_each_look_once_and_says_why_a_look_is_unreadable(
    tmp_path: Path,
) -> None:
    """The runner's poll reads a new look's file once, and decodes its evidence only when the
    plan judges that look; a file it cannot read stops the looks, and the plan says why (the
    run goes on to its planned end)."""
    judged: list[float] = []

    def judge(evidence: Evidence, at_s: float, looks: int) -> Look:
        judged.append(at_s)
        return Look(at_s, evidence.scopes["total"].requests, ())

    document = evidence_document(Book(), {})
    plan = LookPlan(10, 10, 60, judge)
    write_evidence({**document, "elapsed_s": 12.5}, tmp_path, looks.EVIDENCE_FILE)
    look_poller(tmp_path, plan)()
    assert judged == [12.5]
    assert looks.decided(tmp_path) == "nothing left to decide"

    not_ours = {**document, "format": "something else"}
    early = LookPlan(10, 10, 60, judge)  # a look before the plan's first is not even decoded
    write_evidence({**not_ours, "elapsed_s": 5.0}, tmp_path / "early", looks.EVIDENCE_FILE)
    look_poller(tmp_path / "early", early)()
    assert (early.failed, early.taken) == (None, [])

    for n, (damaged, why) in enumerate([
        (document, "a look without its time (elapsed_s: None)"),
        ({**document, "elapsed_s": "12"}, "a look without its time (elapsed_s: '12')"),
        ({**not_ours, "elapsed_s": 12.0}, "not a tokenprobe latency histograms file"),
    ]):  # fmt: skip
        folder = tmp_path / f"damaged-{n}"
        plan = LookPlan(10, 10, 60, judge)
        write_evidence(damaged, folder, looks.EVIDENCE_FILE)
        look_poller(folder, plan)()
        assert plan.failed is not None
        assert why in plan.failed
        assert looks.decided(folder) is None
