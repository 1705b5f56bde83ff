"""Security probes for the token endpoint: what a login endpoint must never do, tested the way
an attacker would (issue 4).

Public surface::

    run(target, options=None) -> Summary
    SecurityOptions, TimingBudget          what a run may do
    PROBES, select_probes                  the registry (stable IDs TP-SEC-001 …)
    FINDING_IDS                            every ID a run reports (what [severities] may name)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tokenprobe.core.lazy import lazy_exports

if TYPE_CHECKING:
    from tokenprobe.security.options import SecurityOptions, TimingBudget
    from tokenprobe.security.probe import Probe, ProbeResult
    from tokenprobe.security.registry import FINDING_IDS, PROBE_IDS, PROBES, select_probes
    from tokenprobe.security.runner import run

# Where each public name lives, imported on first use (PEP 562): the command line and the
# gate's configuration name the probes without importing SciPy until a probe runs.
_HOMES = {
    "FINDING_IDS": "tokenprobe.security.registry",
    "PROBES": "tokenprobe.security.registry",
    "PROBE_IDS": "tokenprobe.security.registry",
    "Probe": "tokenprobe.security.probe",
    "ProbeResult": "tokenprobe.security.probe",
    "SecurityOptions": "tokenprobe.security.options",
    "TimingBudget": "tokenprobe.security.options",
    "run": "tokenprobe.security.runner",
    "select_probes": "tokenprobe.security.registry",
}
__all__ = [
    "FINDING_IDS",
    "PROBES",
    "PROBE_IDS",
    "Probe",
    "ProbeResult",
    "SecurityOptions",
    "TimingBudget",
    "run",
    "select_probes",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
