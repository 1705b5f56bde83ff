"""How the gate shares ``--max-time`` among its stages (`stage_budget`): plain arithmetic."""

from __future__ import annotations

import pytest

from tokenprobe.gate import stage_budget

STAGES = ("conformance-published", "conformance-strict", "security", "load")
LOAD_NEED_S = 30.0  # a 10 s smoke plus its start-up


@pytest.mark.parametrize(
    ("index", "remaining_s", "expected_s"),
    [
        (0, 895.0, (895 - 30) / 3),  # equal shares, the load smoke's need held back
        (1, 880.0, (880 - 30) / 2),  # a quick first stage leaves its time to the others
        (2, 400.0, 400 - 30),  # the last stage before the load smoke
        (3, 370.0, 370),  # the load smoke takes whatever is left
        (2, 20.0, 10.0),  # less left than the load smoke needs: equal shares with it
    ],
)
def test_each_stage_gets_its_share_of_the_time_left(
    index: int, remaining_s: float, expected_s: float
) -> None:
    name, later = STAGES[index], STAGES[index + 1 :]
    assert stage_budget(name, later, remaining_s, LOAD_NEED_S) == pytest.approx(expected_s)


def test_without_the_load_smoke_nothing_is_held_back() -> None:
    assert stage_budget("conformance-published", ["security"], 100.0, LOAD_NEED_S) == 50.0
