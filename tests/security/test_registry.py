"""The registry's promises: stable, unique IDs, each with a standard and a stated rule, and
the catalogue's word on what each probe needs."""

from __future__ import annotations

import re

import pytest

import tokenprobe.security as security
from tokenprobe.core import catalogue
from tokenprobe.core.errors import ConfigError
from tokenprobe.security import PROBES, select_probes
from tokenprobe.security.bypass import LDAP, NEAR_MISSES, NOSQL, SQL, TYPE_CONFUSIONS
from tokenprobe.security.options import TimingBudget


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
    assert [probe.id for probe in PROBES] == [e.id for e in catalogue.SECURITY_PROBES]


@pytest.mark.parametrize(
    ("probe_id", "attempts"),
    [
        ("TP-SEC-002", f"{TimingBudget().min_pairs}-{TimingBudget().max_pairs}"),
        ("TP-SEC-003", len(NEAR_MISSES)),
        ("TP-SEC-004", len(SQL) + len(LDAP) + len(NOSQL)),
        ("TP-SEC-005", len(TYPE_CONFUSIONS)),
    ],
)
def test_catalogue_states_each_probes_wrong_password_budget(
    probe_id: str, attempts: int | str
) -> None:
    assert catalogue.wrong_passwords(attempts) in catalogue.entry(probe_id).needs


def test_unknown_probe_ids_are_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="TP-SEC-999"):
        select_probes(["TP-SEC-999"])


def test_public_surface() -> None:
    assert set(security.__all__) <= set(dir(security))
    assert callable(security.run)
