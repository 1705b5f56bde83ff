"""Security probes for the token endpoint: what a login endpoint must never do, tested the way
an attacker would (issue 4).

Public surface::

    run(target, options=None) -> Summary
    SecurityOptions, TimingBudget          what a run may do
    PROBES, select_probes                  the registry (stable IDs TP-SEC-001 …)
    FINDING_IDS                            every ID a run reports (what [severities] may name)
"""

from tokenprobe.security.options import SecurityOptions, TimingBudget
from tokenprobe.security.probe import Probe, ProbeResult
from tokenprobe.security.registry import FINDING_IDS, PROBE_IDS, PROBES, select_probes
from tokenprobe.security.runner import run

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
