"""The registry's promises: stable, unique IDs, each with a standard and a stated rule, and
the catalogue's word on what each probe needs."""

from __future__ import annotations

import re

import pytest

import tokenprobe.security as security
from tokenprobe.core import catalogue
from tokenprobe.core.errors import ConfigError
from tokenprobe.security import PROBES, SecurityOptions, select_probes
from tokenprobe.security.budget import VALUE_ORDER, plan_failures
from tokenprobe.security.bypass import (
    INJECTION_LEAST,
    NEAR_MISS_LEAST,
    NEAR_MISSES,
    PASSWORD_INJECTIONS,
    TYPE_CONFUSION_LEAST,
    TYPE_CONFUSIONS,
)
from tokenprobe.security.field_enumeration import FIELD_PROBES
from tokenprobe.security.options import TimingBudget, field_timing_budget
from tokenprobe.security.probe import FailureDemand


def test_ids_are_unique_and_well_formed() -> None:
    ids = [probe.id for probe in PROBES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"TP-SEC-\d{3}", probe_id) for probe_id in ids)
    assert ids == sorted(ids)


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.id)
def test_every_probe_names_its_standard_and_rule(probe: security.Probe) -> None:
    assert probe.entry.standard
    assert probe.entry.title
    assert probe.run.__doc__, "the docstring states the rule the probe enforces"


def test_every_catalogued_probe_is_registered() -> None:
    # A probe's own ID is the first entry the catalogue lists for it (a second one, like
    # costly input's information, is reported by the same probe).
    own = list(dict.fromkeys(e.check for e in catalogue.SECURITY_PROBES))
    assert [probe.name for probe in PROBES] == own
    first_ids = [catalogue.entries_of("security", name)[0].id for name in own]
    assert [probe.id for probe in PROBES] == first_ids


@pytest.mark.parametrize(
    ("probe_id", "least", "most"),
    [
        ("TP-SEC-001", 1, 1),
        ("TP-SEC-002", TimingBudget().min_pairs, TimingBudget().max_pairs),
        ("TP-SEC-003", NEAR_MISS_LEAST, len(NEAR_MISSES)),
        ("TP-SEC-004", INJECTION_LEAST, len(PASSWORD_INJECTIONS)),
        ("TP-SEC-005", TYPE_CONFUSION_LEAST, len(TYPE_CONFUSIONS)),
        ("TP-SEC-006", 1, 1),
        # Per login field besides the username, planned only when one can be evaluated.
        ("TP-SEC-018", 1, 1),
        ("TP-SEC-019", field_timing_budget().min_pairs, field_timing_budget().max_pairs),
    ],
)
def test_catalogue_states_each_probes_wrong_password_demand(
    probe_id: str, least: int, most: int
) -> None:
    probe = next(p for p in PROBES if p.id == probe_id)
    assert probe.failures is not None
    assert probe.failures(SecurityOptions()) == FailureDemand(least, most)
    assert catalogue.wrong_passwords(least, most) in catalogue.entry(probe_id).needs


def test_probes_without_a_demand_spend_no_wrong_password() -> None:
    spenders = {p.name for p in PROBES if p.failures is not None}
    assert spenders == set(VALUE_ORDER)


def test_one_account_at_the_default_budget_evaluates_every_error_probe() -> None:
    """Issue 11: one account is enough. The least of every probe fits the default budget.
    (The probes of other login fields ask only when the target takes one: tests/security/
    test_login_fields.py plans that case.)"""
    options = SecurityOptions()
    demands = {
        p.name: p.failures(options)
        for p in PROBES
        if p.failures is not None and p.name not in FIELD_PROBES
    }
    plan = plan_failures(demands, options.failures_per_account)
    assert all(plan[name] >= demand.least for name, demand in demands.items()), plan
    assert sum(plan.values()) <= options.failures_per_account


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [
        # Leasts first in value order; a least that does not fit gets nothing, the rest goes on.
        (0, {"a": 0, "b": 0, "c": 0}),
        (3, {"a": 1, "b": 2, "c": 0}),
        (4, {"a": 2, "b": 2, "c": 0}),  # extras in value order too
        (5, {"a": 1, "b": 2, "c": 2}),  # c's least fits after a's and b's
        (8, {"a": 3, "b": 3, "c": 2}),
        (100, {"a": 3, "b": 3, "c": 4}),  # never more than most
    ],
)
def test_the_budget_goes_to_the_most_valuable_attempts_first(
    capacity: int, expected: dict[str, int]
) -> None:
    demands = {"c": FailureDemand(2, 4), "a": FailureDemand(1, 3), "b": FailureDemand(2, 3)}
    # Unknown names keep the order they are given in, after VALUE_ORDER's: here a, b, c.
    ordered = {name: demands[name] for name in ("a", "b", "c")}
    assert plan_failures(ordered, capacity) == expected


def test_unknown_probe_ids_are_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="TP-SEC-999"):
        select_probes(["TP-SEC-999"])


def test_public_surface() -> None:
    assert set(security.__all__) <= set(dir(security))
    assert callable(security.run)
