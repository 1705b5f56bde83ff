"""A Schemathesis run's results as checks and findings, judged by the one verdict."""

from __future__ import annotations

from schemathesis.core.failures import Failure

from tokenprobe.conformance.report import finding_of
from tokenprobe.conformance.results import CheckTally, RunResults
from tokenprobe.core.summary import Summary, verdict


def test_each_check_the_catalogue_does_not_know_is_judged_alone() -> None:
    """Two Schemathesis checks tokenprobe has no ID of: one fails, the other passed every
    response. Both report under TP-CONF-199, yet each is its own check, judged alone."""
    results = RunResults()
    results.tallies = {"custom_a": CheckTally(passed=3, failed=1), "custom_b": CheckTally(passed=4)}
    failure = Failure(operation="POST /api/v1/token/", title="custom", message="no")
    results.add_finding(finding_of("custom_a", failure))
    summary = Summary("conformance", "http://127.0.0.1:1", checks=results.check_results(True))
    summary.findings = results.to_findings(lambda text: text)
    outcomes = {c.id: c.outcome for c in verdict(summary).checks if c.id.startswith("TP-CONF-199")}
    assert outcomes == {"TP-CONF-199:custom_a": "failed", "TP-CONF-199:custom_b": "passed"}
    assert [f.id for f in summary.findings] == ["TP-CONF-199"]
