"""The gate's verdicts on token services tokenprobe did not build (issue 11).

A correct service passes with no error finding; the stock service gets exactly the deviations
docs/reference-target.md lists; and each deliberate defect of the FastAPI service is caught by
an error finding the correct service lacks, with one account and with a pool.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.servers.conftest import SERVICE_USERS, GateRun, GateRunner

DOCS = Path(__file__).resolve().parents[2] / "docs"
STOCK_SECTION = "## What the stock service gets"

# (defect of the FastAPI service, the error findings that catch it whatever the accounts, the
# stages that can catch it; a run may find more, e.g. with the key given, unsigned tokens also
# fail TP-SEC-010). Strict adds nothing to any of them (and time to the suite).
CONFORMANCE = ("--skip", "conformance-strict", "--skip", "security")
SECURITY = ("--skip", "conformance-strict", "--skip", "conformance-published")
BOTH = ("--skip", "conformance-strict")
DEFECTS = [
    ("enumeration-message", {"TP-SEC-001"}, SECURITY),
    # one cause, one finding: the probe's TP-SEC-012 is folded into TP-CONF-005, its check fails
    ("no-store-missing", {"TP-CONF-005"}, BOTH),
    ("alg-none", {"TP-TOKEN-002", "TP-SEC-008"}, BOTH),
    ("password-echo", {"TP-CONF-003"}, CONFORMANCE),
    ("case-insensitive-password", {"TP-SEC-003"}, SECURITY),
    ("get-query-login", {"TP-SEC-011"}, SECURITY),
    ("wrong-type-500", {"TP-CONF-101", "TP-SEC-004", "TP-SEC-005"}, BOTH),
]

# The security probe whose finding a defect's conformance finding absorbs (catalogue.SAME_CAUSE).
FOLDED = {"no-store-missing": "TP-SEC-012", "enumeration-message": "TP-SEC-020"}

ACCOUNTS = ("one", "pool")
# The production profile (issue 22), paced fast: the defects it can see without harming a service.
PRODUCTION = ("--profile", "production", "--max-rate", "50")
PRODUCTION_CATCHES = {"alg-none": {"TP-TOKEN-002"}, "no-store-missing": {"TP-CONF-005"},
                      "password-echo": {"TP-CONF-003"},
                      "enumeration-message": {"TP-SEC-020"}}  # fmt: skip
# The correct service's full runs, which the other tests read too.
CORRECT_RUN = {"one": (), "pool": ("--require-complete",)}


@pytest.fixture(scope="module", autouse=True)
def every_run(gate_on: GateRunner) -> None:
    """Every gate run of this module, two at a time, before the tests read them."""
    runs = [("fastapi", accounts, args, "") for accounts, args in CORRECT_RUN.items()]
    runs += [("flask", "pool", ("--require-complete",), ""), ("stock", "pool", (), "")]
    runs += [("fastapi", a, stages, defect) for defect, _, stages in DEFECTS for a in ACCOUNTS]
    runs += [(kind, "one", PRODUCTION, "") for kind in ("fastapi", "flask", "stock")]
    runs += [("fastapi", "one", PRODUCTION, defect) for defect in PRODUCTION_CATCHES]
    gate_on.prefetch(runs)


def errors_of(run: GateRun) -> set[str]:
    return run.ids("error")


@pytest.mark.parametrize("kind", ["fastapi", "flask"])
def test_a_correct_service_passes_complete_with_a_pool(gate_on: GateRunner, kind: str) -> None:
    # Canary and signing key given: nothing is left unevaluated, so --require-complete passes.
    run = gate_on(kind, "pool", "--require-complete")
    assert run.returncode == 0, run.stdout + run.stderr
    assert errors_of(run) == set()
    assert run.summary["not_evaluated"] == 0
    assert "tokenprobe gate: PASS; findings: 0 error," in run.stdout
    assert "not evaluated" not in run.stdout
    # The one account and the credentials file made one pool (the canary is kept apart).
    assert run.summary["security"]["pool_accounts"] == SERVICE_USERS - 1


def test_a_correct_service_passes_with_one_account_and_says_what_it_skipped(
    gate_on: GateRunner,
) -> None:
    run = gate_on("fastapi", "one")
    assert run.returncode == 0, run.stdout + run.stderr
    assert errors_of(run) == set()
    # Every error-severity probe ran on one account's budget; only what needs a canary account
    # or the signing key was not evaluated, and the verdict line says so.
    assert run.ids("warning") == {"TP-SEC-103", "TP-SEC-104"}
    assert run.summary["not_evaluated"] == 2
    assert "tokenprobe gate: PASS; findings: 0 error, 2 warning," in run.stdout
    assert "; 2 checks not evaluated; reports in" in run.stdout
    checks = run.summary["checks"]
    skipped = {c["id"] for c in checks if c["source"] == "security" and c["outcome"] == "skipped"}
    assert skipped == {"TP-SEC-010", "TP-SEC-015"}


def documented_stock_deviations() -> set[str]:
    """The finding IDs docs/reference-target.md says the stock service gets."""
    page = (DOCS / "reference-target.md").read_text(encoding="utf-8")
    section = page.split(STOCK_SECTION, 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"TP-[A-Z]+-\d{3}", section))


def test_the_stock_service_gets_exactly_the_documented_deviations(gate_on: GateRunner) -> None:
    run = gate_on("stock", "pool")
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.ids() == documented_stock_deviations()
    assert run.summary["not_evaluated"] == 0


@pytest.mark.parametrize("accounts", ACCOUNTS)
@pytest.mark.parametrize(("defect", "caught_by", "stages"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_each_defect_is_caught_by_an_error_the_correct_service_lacks(
    gate_on: GateRunner, defect: str, caught_by: set[str], stages: tuple[str, ...], accounts: str
) -> None:
    faulty = gate_on("fastapi", accounts, *stages, defect=defect)
    correct = gate_on("fastapi", accounts, *CORRECT_RUN[accounts])
    assert faulty.returncode == 1, faulty.stdout + faulty.stderr
    assert correct.returncode == 0, correct.stdout + correct.stderr
    assert caught_by <= errors_of(faulty) - errors_of(correct), errors_of(faulty)
    if defect in FOLDED:  # the probe's check fails; its finding is counted in conformance's
        outcomes = {c["id"]: c["outcome"] for c in faulty.summary["checks"]}
        assert outcomes[FOLDED[defect]] == "failed"
        assert FOLDED[defect] not in faulty.ids()


@pytest.mark.parametrize("kind", ["fastapi", "flask"])
def test_a_correct_service_passes_the_production_profile(gate_on: GateRunner, kind: str) -> None:
    run = gate_on(kind, "one", *PRODUCTION)
    assert run.returncode == 0, run.stdout + run.stderr
    assert errors_of(run) == set()
    assert run.summary["limits"]["requests_sent"] <= run.summary["limits"]["max_requests"]


def test_the_production_profile_sees_the_stock_services_deviations(gate_on: GateRunner) -> None:
    """Of the documented deviations, those its few requests can show; nothing else."""
    run = gate_on("stock", "one", *PRODUCTION)
    assert run.returncode == 1, run.stdout + run.stderr
    assert errors_of(run)
    assert errors_of(run) <= documented_stock_deviations()


@pytest.mark.parametrize(("defect", "caught_by"), PRODUCTION_CATCHES.items())
def test_the_production_profile_catches_a_defect_the_correct_service_lacks(
    gate_on: GateRunner, defect: str, caught_by: set[str]
) -> None:
    faulty = gate_on("fastapi", "one", *PRODUCTION, defect=defect)
    correct = gate_on("fastapi", "one", *PRODUCTION)
    assert faulty.returncode == 1, faulty.stdout + faulty.stderr
    assert caught_by <= errors_of(faulty) - errors_of(correct), errors_of(faulty)
