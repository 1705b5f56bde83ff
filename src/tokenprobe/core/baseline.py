"""Known-deviation baseline: accepted finding IDs, each with a reason and an expiry date.

The rule: a finding whose ID has a valid (unexpired) acceptance is *accepted*: shown in every
report, marked, and never failing the run. An acceptance is valid through its expiry date; from
the day after, the finding fails again (*expired*). A finding with no acceptance is *new* and
counts as usual (error severity fails). Acceptances are per ID: every finding with that ID is
covered, whatever its evidence. The file is YAML, meant to be checked in and reviewed::

    version: 1
    accepted:
      - id: TP-TOKEN-009
        title: Token lifetime above the recommended bound   # informational
        reason: Product decision, see TICKET-123
        expires: 2027-01-31

Findings stay immutable: `apply_baseline` returns a `BaselineVerdict` with one `JudgedFinding`
per finding, and `BaselineVerdict.apply_to(summary)` records the accepted IDs on the `Summary`
(``summary.accepted``, ``"accepted": true`` per finding in summary.json) plus a ``baseline``
section.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml

from tokenprobe.core.config_schema import FINDING_ID_PATTERN
from tokenprobe.core.errors import ConfigError
from tokenprobe.core.files import write_text_atomic
from tokenprobe.core.findings import Finding, Severity
from tokenprobe.core.summary import Summary
from tokenprobe.core.validation import validate_document

BASELINE_VERSION = 1
HEADER = """\
# tokenprobe known-deviation baseline (docs/gate.md, "Known-deviation baseline").
# Accepted findings are reported but do not fail the gate until their expiry date has passed.
# Review every entry: keep the reason specific and the expiry short.
"""
BASELINE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "version": {"const": BASELINE_VERSION, "x-expected": f"{BASELINE_VERSION}"},
        "accepted": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {
                        "type": "string",
                        "pattern": FINDING_ID_PATTERN,
                        "x-expected": "a finding ID such as TP-TOKEN-003",
                    },
                    "title": {"type": "string", "x-expected": "a string"},
                    "reason": {
                        "type": "string",
                        "pattern": r"\S",
                        "x-expected": "a non-empty reason",
                    },
                    "expires": {
                        "type": "string",
                        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                        "x-expected": "a date YYYY-MM-DD",
                    },
                },
                "required": ["id", "reason", "expires"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["version"],
    "additionalProperties": False,
}
Status = Literal["new", "accepted", "expired"]
# Suggested expiry for `--update-baseline` without an explicit date: short enough to be reviewed.
DEFAULT_EXPIRY_DAYS = 90


def default_expiry(today: dt.date | None = None) -> dt.date:
    return (today or dt.date.today()) + dt.timedelta(days=DEFAULT_EXPIRY_DAYS)


@dataclasses.dataclass(frozen=True)
class Acceptance:
    id: str
    reason: str
    expires: dt.date
    title: str = ""

    def is_valid_on(self, day: dt.date) -> bool:
        return day <= self.expires

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "reason": self.reason, "expires": self.expires.isoformat()}


@dataclasses.dataclass(frozen=True)
class Baseline:
    path: Path | None = None
    acceptances: Mapping[str, Acceptance] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class JudgedFinding:
    """A finding and what the baseline says about it."""

    finding: Finding
    status: Status
    acceptance: Acceptance | None = None

    @property
    def fails(self) -> bool:
        return self.status != "accepted" and self.finding.severity is Severity.ERROR


@dataclasses.dataclass(frozen=True)
class BaselineVerdict:
    judged: tuple[JudgedFinding, ...]
    # Acceptances no finding needed: the deviation is fixed; the entry can go.
    unused: tuple[Acceptance, ...]
    path: Path | None = None

    def with_status(self, status: Status) -> list[JudgedFinding]:
        return [j for j in self.judged if j.status == status]

    @property
    def accepted(self) -> dict[str, Acceptance]:
        """Finding ID → its valid acceptance, for every accepted finding."""
        return {j.finding.id: j.acceptance for j in self.with_status("accepted") if j.acceptance}

    def to_section(self) -> dict[str, Any]:
        """summary.json ``baseline`` section: acceptances applied, expired and unused."""

        def acceptances(status: Status) -> list[dict[str, Any]]:
            seen = {j.finding.id: j.acceptance for j in self.with_status(status) if j.acceptance}
            return [a.to_dict() for a in seen.values()]

        return {
            "path": str(self.path) if self.path else None,
            "accepted": acceptances("accepted"),
            "expired": acceptances("expired"),
            "unused": [a.to_dict() for a in self.unused],
        }

    def apply_to(self, summary: Summary) -> None:
        """Record accepted IDs on the summary (they stop failing it) and add the section."""
        summary.accepted = {
            finding_id: f"{a.reason} (accepted until {a.expires.isoformat()})"
            for finding_id, a in self.accepted.items()
        }
        summary.sections["baseline"] = self.to_section()


def apply_baseline(
    findings: Iterable[Finding], baseline: Baseline, today: dt.date | None = None
) -> BaselineVerdict:
    """Judge each finding: accepted (valid acceptance), expired, or new."""
    day = today or dt.date.today()
    judged = []
    for finding in findings:
        acceptance = baseline.acceptances.get(finding.id)
        if acceptance is None:
            judged.append(JudgedFinding(finding, "new"))
        elif acceptance.is_valid_on(day):
            judged.append(JudgedFinding(finding, "accepted", acceptance))
        else:
            judged.append(JudgedFinding(finding, "expired", acceptance))
    used = {j.finding.id for j in judged}
    unused = tuple(a for i, a in baseline.acceptances.items() if i not in used)
    return BaselineVerdict(tuple(judged), unused, baseline.path)


def load_baseline(path: Path) -> Baseline:
    """Read and validate a baseline file; a missing file accepts nothing."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Baseline(path)
    except OSError as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"baseline {path} is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {_yaml_problem(exc)}") from None
    document = _dates_as_text(document if document is not None else {"version": 1})
    validate_document(document, BASELINE_SCHEMA, str(path))
    acceptances: dict[str, Acceptance] = {}
    for index, entry in enumerate(document.get("accepted") or []):
        if entry["id"] in acceptances:
            raise ConfigError(f"{path}: accepted.{index}.id: {entry['id']} is listed twice")
        try:
            expires = dt.date.fromisoformat(entry["expires"])
        except ValueError:
            raise ConfigError(
                f"{path}: accepted.{index}.expires: not a date: {entry['expires']!r}"
            ) from None
        acceptances[entry["id"]] = Acceptance(
            entry["id"], entry["reason"].strip(), expires, entry.get("title", "")
        )
    return Baseline(path, acceptances)


def write_baseline(
    findings: Iterable[Finding],
    path: Path,
    reason: str,
    expires: dt.date,
    *,
    today: dt.date | None = None,
) -> Path:
    """Accept every finding's ID (``--update-baseline``); atomic write.

    Valid acceptances already in the file keep their own reason and expiry; new and expired ones
    get ``reason`` and ``expires``; entries whose finding is gone (fixed) are dropped.
    """
    day = today or dt.date.today()
    if not reason.strip():
        raise ConfigError("a baseline acceptance needs a reason")
    if expires < day:
        raise ConfigError(f"baseline expiry {expires.isoformat()} is in the past")
    existing = load_baseline(path).acceptances
    entries: dict[str, Acceptance] = {}
    for finding in findings:
        if finding.id in entries:
            continue
        kept = existing.get(finding.id)
        entries[finding.id] = (
            kept
            if kept and kept.is_valid_on(day)
            else Acceptance(finding.id, reason.strip(), expires, finding.title)
        )
    document = {
        "version": BASELINE_VERSION,
        "accepted": [
            {"id": a.id, "title": a.title, "reason": a.reason, "expires": a.expires}
            for a in sorted(entries.values(), key=lambda a: a.id)
        ],
    }
    text = HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return write_text_atomic(path, text)


def _dates_as_text(document: Any) -> Any:
    """YAML reads ``2027-01-31`` as a date; the schema checks text, as written."""
    if isinstance(document, dict) and isinstance(document.get("accepted"), list):
        for entry in document["accepted"]:
            if isinstance(entry, dict) and isinstance(entry.get("expires"), dt.date):
                entry["expires"] = entry["expires"].isoformat()
    return document


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or type(exc).__name__
    return f"{problem} (line {mark.line + 1})" if mark else str(problem)
