"""Sharing the pool's wrong-password budget among the probes, most valuable first.

Every wrong password sent for a real account counts towards that account's lockout (the
reference target: 20 in 5 minutes), so each account takes at most ``--failures-per-account``
per run, and one account must be enough to evaluate every error-severity probe. Before any probe
runs, the budget is planned in two passes over `VALUE_ORDER`: first every probe gets its
``least`` (its most valuable attempts: a probe that cannot get them is not evaluated, visibly),
then what is left extends each probe towards its ``most``, in the same order. Attempts with an
unknown username spend nothing: no real account's counter moves.

The order: one-request enumeration first, then the deterministic bypass checks (a near-miss or
an injection that logs in is the worst defect there is, and costs one attempt to show), then
type confusion, then the statistical timing probe (it needs several samples for any verdict),
then the information-only whitespace note. The probes of other login fields (an email: TP-SEC-018,
TP-SEC-019) come right after their username counterparts; they demand anything only when such a
field can be evaluated, so without one the plan is as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tokenprobe.security.probe import FailureDemand

VALUE_ORDER = (
    "enumeration by answer",
    "enumeration by answer, other login fields",
    "near-miss passwords",
    "injection strings",
    "type-confused credentials",
    "enumeration by timing",
    "enumeration by timing, other login fields",
    "whitespace trimming",
)


def plan_failures(demands: Mapping[str, FailureDemand], capacity: int) -> dict[str, int]:
    """Probe name → wrong passwords it may spend. A probe whose ``least`` does not fit gets
    nothing (it reports itself not evaluated) and leaves the budget to the next."""
    allowed = dict.fromkeys(demands, 0)
    left = capacity
    for name in _in_value_order(demands):
        if demands[name].least <= left:
            allowed[name] = demands[name].least
            left -= allowed[name]
    for name in _in_value_order(demands):
        if allowed[name]:
            extra = min(demands[name].most - allowed[name], left)
            allowed[name] += extra
            left -= extra
    return allowed


def _in_value_order(names: Iterable[str]) -> list[str]:
    """Known probes in `VALUE_ORDER`, any other after them in the order given."""
    rank = {name: index for index, name in enumerate(VALUE_ORDER)}
    return sorted(names, key=lambda name: rank.get(name, len(rank)))
