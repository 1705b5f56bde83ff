"""The registry's promises: stable, unique IDs, each with a standard and a stated rule."""

from __future__ import annotations

import re

import pytest

import tokenprobe.security as security
from tokenprobe.core.errors import ConfigError
from tokenprobe.security import PROBES, select_probes


def test_ids_are_unique_and_well_formed() -> None:
    ids = [probe.id for probe in PROBES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"TP-SEC-\d{3}", probe_id) for probe_id in ids)
    assert ids == sorted(ids)


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.id)
def test_every_probe_names_its_standard_and_rule(probe: security.Probe) -> None:
    assert probe.reference
    assert probe.title
    assert probe.run.__doc__, "the docstring states the rule the probe enforces"


def test_unknown_probe_ids_are_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="TP-SEC-999"):
        select_probes(["TP-SEC-999"])


def test_public_surface() -> None:
    assert set(security.__all__) <= set(dir(security))
    assert callable(security.run)
