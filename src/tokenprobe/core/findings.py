"""Findings: the target is wrong (see `tokenprobe.core.errors` for the other tree).

A finding has a stable ID (``TP-<AREA>-<NNN>``, never reused), a severity from an ordered
enum, a fixed title and the standard it comes from (all three from `tokenprobe.core.catalogue`),
what was expected and what was received (as data, when the check knows them) and the evidence,
one human line (never a secret, never parsed). Severities can be overridden per ID by
configuration.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from typing import Any


class Severity(enum.IntEnum):
    """Ordered: only ERROR fails a run; WARNING and INFO are reported."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            allowed = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {allowed})") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclasses.dataclass(frozen=True)
class Finding:
    """One deviation of the target from its contract or from a standard."""

    id: str
    severity: Severity
    title: str
    evidence: str  # for people: composed for display, never parsed
    reference: str
    # Where it was seen: "conformance", "security", "load", ...
    source: str = ""
    # What the rule wanted and what the target did, as the check stated them ("" if unstated).
    expected: str = ""
    received: str = ""
    # How many times this one cause was seen (cases, requests); the evidence is one example.
    count: int = 1
    # The check (its ID) that reported it: every finding belongs to exactly one, whose outcome
    # it decides (`tokenprobe.core.summary.verdict`). Other checks that saw the same cause
    # (folded into this finding, one cause one finding) are ``seen_by``.
    check: str = ""
    seen_by: tuple[str, ...] = ()

    @property
    def checks(self) -> tuple[str, ...]:
        """Every check whose outcome this finding decides (a finding made without a check is
        its ID's own)."""
        return (self.check or self.id, *self.seen_by)

    @property
    def seen(self) -> str:
        return seen_times(self.count)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": str(self.severity),
            "title": self.title,
            "evidence": self.evidence,
            "expected": self.expected,
            "received": self.received,
            "reference": self.reference,
            "source": self.source,
            "count": self.count,
            "check": self.check,
            "seen_by": list(self.seen_by),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            id=str(data["id"]),
            severity=Severity.parse(str(data["severity"])),
            title=str(data["title"]),
            evidence=str(data.get("evidence", "")),
            reference=str(data.get("reference", "")),
            source=str(data.get("source", "")),
            expected=str(data.get("expected", "")),
            received=str(data.get("received", "")),
            count=int(data.get("count", 1)),
            check=str(data.get("check", "")),
            seen_by=tuple(str(c) for c in data.get("seen_by", ())),
        )


def seen_times(count: int) -> str:
    """For display after a finding's evidence: how often its one cause was seen, when more than
    once ("" otherwise)."""
    return f" (seen {count} times)" if count > 1 else ""


def apply_severity_overrides(
    findings: Iterable[Finding], overrides: Mapping[str, Severity]
) -> list[Finding]:
    """Re-grade findings whose ID has a configured severity."""
    return [
        dataclasses.replace(f, severity=overrides[f.id]) if f.id in overrides else f
        for f in findings
    ]


def raise_to_error(findings: Iterable[Finding], ids: Iterable[str]) -> list[Finding]:
    """Findings with an ID in ``ids`` become errors (``--require-complete`` does this to the
    not-evaluated ones); the rest are unchanged."""
    raised = set(ids)
    return [
        dataclasses.replace(f, severity=Severity.ERROR) if f.id in raised else f for f in findings
    ]


def deduplicate(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (id, evidence), the first kept as the example, counting every sighting:
    one cause is one finding, never one per case or per stage."""
    unique: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        key = (finding.id, finding.evidence)
        first = unique.get(key)
        unique[key] = finding if first is None else seen_again(first, finding)
    return list(unique.values())


def seen_again(first: Finding, other: Finding) -> Finding:
    """``first`` (the example kept) counting ``other``'s sightings, and its checks."""
    checks = dict.fromkeys((*first.seen_by, *other.checks))
    checks.pop(first.checks[0], None)
    return dataclasses.replace(first, count=first.count + other.count, seen_by=tuple(checks))
