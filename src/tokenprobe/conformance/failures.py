"""How a tokenprobe check reports a finding: as data, whatever its severity.

A check states what it expected and what it received (`CheckFinding`); its catalogue entry
gives the ID, and the entry's default severity decides the way out:

* an error raises `TokenprobeFailure`, a Schemathesis failure: the check fails, plain
  ``schemathesis run`` shows "<ID> <title>" and exits 1; the failure carries the finding, in its
  wire form (`asdict`, the NDJSON report) too;
* a warning or an info cannot fail the run, so `note` records it in this process's log.

`tokenprobe.conformance.report` collects both into one report for ``tokenprobe conformance``.
Nothing a check states carries a password or a token.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from typing import Any, NoReturn

from schemathesis import Case
from schemathesis.core.failures import Failure
from schemathesis.core.failures import Severity as SchemathesisSeverity

from tokenprobe.core import catalogue
from tokenprobe.core.findings import Finding, Severity

# Returned by a check when its rule does not apply to this response. Schemathesis records a
# check that returns a truthy value as "not run" rather than "passed".
NOT_APPLICABLE = True
WIRE_KEY = "tokenprobe"  # where a failure's wire form carries the finding


@dataclasses.dataclass(frozen=True)
class CheckFinding:
    """A finding as a check states it; severity, title and standard come from the catalogue."""

    id: str
    expected: str = ""
    received: str = ""
    evidence: str = ""  # one human line: "<operation>: expected … / received …" by default
    count: int = 1  # cases that showed this one cause; the evidence is the first
    # What makes two findings one, when the check knows better than expected/received
    # (Schemathesis' own failures: operation, code and the failure's unique key).
    cause: str = ""
    # The check it belongs to, when that is not its catalogue entry's (a Schemathesis check
    # the catalogue does not know: `catalogue.conformance_check_id`).
    check: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """One cause, one finding: the same rule broken the same way, whichever case did it."""
        if self.cause:
            return self.id, self.cause
        if self.expected or self.received:
            return self.id, f"{self.expected}\n{self.received}"
        return self.id, self.evidence

    def seen_again(self, other: CheckFinding) -> CheckFinding:
        """This finding (the example kept) with ``other``'s sightings added."""
        return dataclasses.replace(self, count=self.count + other.count)

    @classmethod
    def stated(
        cls, finding_id: str, case: Case | None, expected: str, received: str, evidence: str = ""
    ) -> CheckFinding:
        """The finding with its evidence composed for display (never parsed back)."""
        text = evidence or f"expected {expected} / received {received}"
        if case is not None:
            text = f"{case.operation.label}: {text}"
        return cls(finding_id, expected, received, text)

    def to_finding(self) -> Finding:
        return catalogue.finding(
            self.id,
            self.evidence,
            expected=self.expected,
            received=self.received,
            count=self.count,
            check=self.check or None,
        )

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckFinding:
        return cls(
            str(data["id"]),
            str(data.get("expected", "")),
            str(data.get("received", "")),
            str(data.get("evidence", "")),
            int(data.get("count", 1)),
            str(data.get("cause", "")),
            str(data.get("check", "")),
        )


class TokenprobeFailure(Failure):
    """A tokenprobe check failed; one unique failure per finding ID and operation."""

    code = "ST901"  # Schemathesis' group for custom checks
    kind_title = "tokenprobe check failed"

    def __init__(self, found: CheckFinding, *, operation: str | None) -> None:
        known = catalogue.entry(found.id)
        super().__init__(
            operation=operation,
            title=f"{known.id} {known.title}",
            # For Schemathesis' console only: the finding travels as `found`.
            message=f"Expected: {found.expected}\nReceived: {found.received}",
            severity=SchemathesisSeverity.HIGH,
        )
        self.finding = found

    @property
    def _unique_key(self) -> str:
        return self.finding.id

    def asdict(self) -> dict[str, Any]:
        return {**super().asdict(), WIRE_KEY: self.finding.to_dict()}


def fail(
    check_name: str, case: Case | None, expected: str, received: str, evidence: str = ""
) -> NoReturn:
    """Fail ``check_name`` with its error finding."""
    known = _entry(check_name, error=True)
    found = CheckFinding.stated(known.id, case, expected, received, evidence)
    raise TokenprobeFailure(found, operation=case.operation.label if case is not None else None)


def note(
    check_name: str, case: Case | None, expected: str, received: str, evidence: str = ""
) -> None:
    """Record the warning or info of ``check_name``; the check goes on and can still pass."""
    known = _entry(check_name, error=False)
    NOTES.record(CheckFinding.stated(known.id, case, expected, received, evidence))


def _entry(check_name: str, *, error: bool) -> catalogue.CatalogueEntry:
    """The check's error entry, or its warning or info: a check has at most one of each
    (tests/test_catalogue.py holds the catalogue to that)."""
    entries = catalogue.entries_of("conformance", check_name)
    return next(e for e in entries if (e.severity is Severity.ERROR) == error)


class FindingLog:
    """This process's warnings and infos, each cause once with its count (checks run in
    threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._findings: dict[tuple[str, str], CheckFinding] = {}

    def record(self, found: CheckFinding) -> None:
        with self._lock:
            first = self._findings.get(found.key)
            self._findings[found.key] = found if first is None else first.seen_again(found)

    def recorded(self) -> list[CheckFinding]:
        with self._lock:
            return list(self._findings.values())

    def drain(self) -> list[CheckFinding]:
        """What was recorded, forgotten here: a process that runs the checks again (the
        production profile's repeated runs) reports each run's notes once."""
        with self._lock:
            found, self._findings = list(self._findings.values()), {}
        return found


NOTES = FindingLog()


def describe(found: CheckFinding) -> str:
    """One console line: "tokenprobe warning: TP-… title: evidence"."""
    known = catalogue.entry(found.id)
    return f"tokenprobe {known.severity}: {known.id} {known.title}: {found.evidence}"
