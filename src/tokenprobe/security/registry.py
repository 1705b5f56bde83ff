"""The probe registry: every security probe, in run order, by stable ID."""

from __future__ import annotations

from collections.abc import Iterable

from tokenprobe.core import catalogue
from tokenprobe.core.errors import ConfigError
from tokenprobe.security import (
    bruteforce,
    bypass,
    costly,
    enumeration,
    field_enumeration,
    signing,
    timing,
    transport,
    url_credentials,
)
from tokenprobe.security.probe import Probe

PROBES: tuple[Probe, ...] = tuple(
    sorted(
        [
            *enumeration.PROBES,
            *timing.PROBES,
            *bypass.PROBES,
            *signing.PROBES,
            *url_credentials.PROBES,
            *transport.PROBES,
            *bruteforce.PROBES,
            *costly.PROBES,
            *field_enumeration.PROBES,
        ],
        key=lambda probe: probe.id,
    )
)
PROBE_IDS = frozenset(probe.id for probe in PROBES)
# Every ID a security run can report (a probe's second entry, the not-evaluated ones): what
# a severity override may name.
FINDING_IDS = frozenset(entry.id for entry in catalogue.ENTRIES if entry.suite == "security")


def select_probes(ids: Iterable[str] = ()) -> list[Probe]:
    """The probes to run: all when ``ids`` is empty; unknown IDs are a configuration error."""
    wanted = set(ids)
    if unknown := wanted - PROBE_IDS:
        raise ConfigError(f"unknown security probe ID(s): {', '.join(sorted(unknown))}")
    return [probe for probe in PROBES if not wanted or probe.id in wanted]


def check_severity_ids(ids: Iterable[str]) -> None:
    """Severity overrides must name IDs a security run reports: a typo would silently change
    nothing."""
    if unknown := set(ids) - FINDING_IDS:
        raise ConfigError(f"severity set for unknown probe ID(s): {', '.join(sorted(unknown))}")
