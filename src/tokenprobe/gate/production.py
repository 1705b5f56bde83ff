"""The gate's production profile (issue 22): what it runs against a live service, and what not.

With one account it runs the conformance checks on a fixed plan of requests
(`conformance.bounded`) and the security probes that send nothing a live service could be
harmed by: the signing probes judge the tokens of one login offline, the transport probes the
headers of a login. Everything else is listed as not run by the profile, never as passed: the
generated Schemathesis runs, the strict spec, the load smoke, and every probe that spends wrong
passwords, sends megabyte bodies, credentials in a URL or a brute force.

Its limits (`core.limits`) hold for every request of the run, whichever stage sends it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from tokenprobe.core import catalogue, defaults
from tokenprobe.core.limits import RequestLedger, RequestLimits
from tokenprobe.core.summary import CheckResult
from tokenprobe.security import SecurityOptions
from tokenprobe.security.registry import PROBE_IDS

PRODUCTION = "production"
NOT_RUN = "not run by the production profile"
STAGES = defaults.GATE_STAGES[PRODUCTION]
# The staging stages the profile leaves out: listed as not run, with NOT_RUN as the reason.
LEFT_OUT = tuple(name for name in defaults.GATE_STAGES["staging"] if name not in STAGES)
# Probes that send no wrong password for a real account, no large body, no credentials in a
# URL: each judges the tokens or headers of a login of the account, or one unknown username's
# answer (named as the catalogue lists them).
SAFE_PROBE_CHECKS = (
    "weak HMAC secret",  # the token is cracked offline
    "unsigned tokens",
    "key-location headers",
    "signature with configured key",
    "Cache-Control no-store",
    "Pragma no-cache",
    "enumeration by answer, unknown users",  # one unknown username's answer
)
SAFE_PROBES = frozenset(catalogue.entries_of("security", name)[0].id for name in SAFE_PROBE_CHECKS)


def ledger(max_requests: int, max_rate_per_s: float) -> RequestLedger:
    opened = RequestLedger(RequestLimits(max_requests, max_rate_per_s))
    opened.stage = "target"  # opening it: a reachability check of a --url target
    return opened


def security_options(options: SecurityOptions) -> SecurityOptions:
    """The staging options, narrowed to the safe probes; no canary, no brute force."""
    return dataclasses.replace(options, probes=SAFE_PROBES, allow_brute_force=False, canary=None)


def probes_not_run() -> list[CheckResult]:
    """Every other probe, as a check that did not run (never a pass)."""
    return [
        CheckResult(probe_id, catalogue.entry(probe_id).check, "security", NOT_RUN, ran=False)
        for probe_id in sorted(PROBE_IDS - SAFE_PROBES)
    ]


def conformance_checks_not_run(ran: Collection[str]) -> list[CheckResult]:
    """The catalogue's Schemathesis checks the bounded stage did not run (``ran``: those that
    only read an answer; the others send requests of their own), as checks that did not run."""
    known = {entry.check for entry in catalogue.SCHEMATHESIS_CHECKS}
    return [
        CheckResult(catalogue.conformance_check_id(name), name, "conformance", NOT_RUN, ran=False)
        for name in sorted(known - set(ran) - {catalogue.OTHER_SCHEMATHESIS_CHECK})
    ]
