"""The catalogue's promises: every ID tokenprobe can report is listed once, well formed, with a
title and a standard; nothing else in the code holds an ID, a title or a severity."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from schemathesis.checks import CHECKS

import tokenprobe
import tokenprobe.conformance.hooks  # registers tokenprobe's checks with Schemathesis
from tokenprobe.core import catalogue
from tokenprobe.core.config_schema import FINDING_ID_PATTERN
from tokenprobe.core.findings import Severity

SOURCE_ROOT = Path(tokenprobe.__file__).parent
REPO_ROOT = SOURCE_ROOT.parents[1]
ANY_ID = re.compile(r"TP-[A-Z0-9]+-[0-9]{3}")


def test_ids_are_unique_well_formed_titled_and_sourced() -> None:
    ids = [entry.id for entry in catalogue.ENTRIES]
    assert len(ids) == len(set(ids))
    for entry in catalogue.ENTRIES:
        assert re.fullmatch(FINDING_ID_PATTERN, entry.id), entry.id
        assert entry.title.strip(), entry.id
        assert entry.standard.strip(), entry.id
        assert entry.check, entry.id
        assert isinstance(entry.severity, Severity)
        assert entry.suite in ("conformance", "security", "load", "gate")


def test_a_check_fails_with_its_own_id_and_notes_with_at_most_one_other() -> None:
    """`fail` and `note` pick the entry by severity: one error and one warning or info at most,
    the error first (a check that only notes, e.g. hardening, has no error entry)."""
    for name in {entry.check for entry in catalogue.CONFORMANCE_CHECKS}:
        entries = catalogue.entries_of("conformance", name)
        assert len(entries) <= 2, name
        assert all(e.severity is not Severity.ERROR for e in entries[1:]), name


def test_every_registered_schemathesis_check_is_catalogued() -> None:
    ours = {entry.check for entry in catalogue.CONFORMANCE_CHECKS}
    builtin = {entry.check for entry in catalogue.SCHEMATHESIS_CHECKS}
    registered = set(CHECKS.get_all_names())
    assert ours <= registered
    assert registered <= ours | builtin, "a new Schemathesis check would hide in TP-CONF-199"


def test_an_unknown_schemathesis_check_falls_back_to_tp_conf_199() -> None:
    assert catalogue.conformance_check("no_such_check").check == catalogue.OTHER_SCHEMATHESIS_CHECK
    assert catalogue.conformance_check("not_a_server_error").title == "Server error (5xx)"


def test_a_finding_takes_title_severity_and_standard_from_the_catalogue() -> None:
    entry = catalogue.entry_of("load", "generator_cpu")
    finding = catalogue.finding(entry.id, "worker-1 busy", expected="idle", received="busy")
    assert (finding.title, finding.severity, finding.reference) == (
        entry.title,
        entry.severity,
        entry.standard,
    )
    assert (finding.source, finding.expected, finding.received) == ("load", "idle", "busy")


def python_sources() -> list[Path]:
    roots = [SOURCE_ROOT, REPO_ROOT / "conformance", REPO_ROOT / "loadtests"]
    return sorted(p for root in roots for p in root.rglob("*.py"))


def id_literals(path: Path) -> list[str]:
    """String constants of the module that are a finding ID (comments and prose aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and ANY_ID.fullmatch(node.value)
    ]


def test_no_id_literal_outside_the_catalogue() -> None:
    """Checks, probes and rules name their catalogue entry; only the catalogue spells IDs."""
    found = [
        f"{path.relative_to(REPO_ROOT)}: {literal}"
        for path in python_sources()
        if path != SOURCE_ROOT / "core" / "catalogue.py"
        for literal in id_literals(path)
    ]
    assert found == []


def test_every_id_the_code_mentions_is_in_the_catalogue() -> None:
    """Docstrings, comments, help texts and the example configuration cite real IDs only."""
    texts = {p: p.read_text(encoding="utf-8") for p in python_sources()}
    example = REPO_ROOT / "tokenprobe.example.toml"
    texts[example] = example.read_text(encoding="utf-8")
    unknown = {
        f"{path.relative_to(REPO_ROOT)}: {found}"
        for path, text in texts.items()
        for found in ANY_ID.findall(text)
        if found not in catalogue.IDS
    }
    assert unknown == set()


@pytest.mark.parametrize("entry", catalogue.ENTRIES, ids=lambda e: e.id)
def test_json_form_has_exactly_the_documented_keys(entry: catalogue.CatalogueEntry) -> None:
    data = entry.to_dict()
    assert list(data) == ["id", "title", "severity", "standard", "suite", "needs", "not_evaluated"]
    assert isinstance(data["needs"], list)
    assert all(isinstance(need, str) for need in data["needs"])
    assert isinstance(data["not_evaluated"], bool)


def test_not_evaluated_entries_are_warnings_naming_one_need() -> None:
    """A check that could not run is visible (a warning by default), never a pass, and says what
    it lacked; each need a probe can lack has its entry."""
    entries = [e for e in catalogue.ENTRIES if e.not_evaluated]
    assert {e.id for e in entries} == catalogue.NOT_EVALUATED_IDS
    for entry in entries:
        assert entry.severity is Severity.WARNING, entry.id
        assert len(entry.needs) == 1, entry.id
    needs = [catalogue.CREDENTIALS, catalogue.ACCOUNTS, catalogue.CANARY, catalogue.KEY]
    for need in [*needs, catalogue.UNTHROTTLED]:
        assert catalogue.not_evaluated_entry("security", need).needs == (need,)
    assert catalogue.not_evaluated_entry("conformance", catalogue.CREDENTIALS).check == (
        "SuccessPathExercised"
    )


def test_one_cause_seen_by_two_suites_is_one_finding() -> None:
    """The gate runs conformance and security: a missing no-store is TP-CONF-005 on every 200
    and TP-SEC-012 once; it stays one finding, counting both, that both checks saw. A probe's
    finding alone (no conformance run) stands as it is."""
    both = [
        catalogue.finding("TP-CONF-005", "no no-store", count=40),
        catalogue.finding("TP-SEC-012", "no no-store", count=1),
        catalogue.finding("TP-SEC-013", "no Pragma"),
    ]
    folded = catalogue.fold_same_causes(both)
    assert [(f.id, f.count) for f in folded] == [("TP-CONF-005", 41), ("TP-SEC-013", 1)]
    # The probe's check saw it too: the folded finding decides its outcome as well.
    assert folded[0].checks == ("TP-CONF-005", "TP-SEC-012")
    alone = [catalogue.finding("TP-SEC-012", "no no-store")]
    assert catalogue.fold_same_causes(alone) == alone
