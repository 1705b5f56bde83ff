"""tokenprobe in Locust's web UI: the SLO verdict and the exact percentiles, live and after STOP.

Locust's own extension points only (``locust/web.py``, its ``extend_web_ui.py`` example):

* two extra tabs (``template_args["extended_tabs"]`` / ``["extended_tables"]``) whose rows
  ride on Locust's own ``/stats/requests`` poll (``extended_stats``): *tokenprobe SLOs*, the
  verdict of every threshold, and *tokenprobe latency*, the exact (HDR, microsecond)
  percentiles per request entry, where Locust's own tables show rounded ones;
* a JSON route, ``/tokenprobe/verdict``: the same for scripts (``state``, ``passed``,
  ``status``, ``line``, ``checks``: each check's outcome, ``final``, ``results``). After STOP
  it holds the final verdict of the partial run. The verdict is `tokenprobe.load.verdict.judge`,
  the rule every report of the run uses.

Which fields of Locust's start form mean something depends on the model: the listeners turn
the users/ramp-up/run-time fields off for the open model (`use_common_fields`). Locust then shows
them greyed, with a "0" and marked required; a small script added to its page (`PAGE_SCRIPT`,
through Flask's ``after_request``, as the tables ride on ``/stats/requests``) hides them in
their place says why, and colours the SLO tab's verdicts as the HTML report's badge does.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request
from locust.env import Environment

from tokenprobe.core.catalogue import SLO_CHECK_PREFIX
from tokenprobe.core.summary import Verdict
from tokenprobe.load.latency import PERCENTILES, TOTAL
from tokenprobe.load.section import BULKY, LoadResults, encode
from tokenprobe.load.verdict import CAPACITY_CHECK, search_result, slo_check_id

VERDICT_ROUTE = "/tokenprobe/verdict"
SLO_TAB = "tokenprobe-slo"
LATENCY_TAB = "tokenprobe-latency"
LATENCY_KEYS = [*PERCENTILES, "max"]
# The HTML report's badge colours (reports/templates/report.html.j2: --pass, --fail).
PASS_COLOUR = "#1a7f37"
FAIL_COLOUR = "#cf222e"
OPEN_MODEL_NOTE = (
    "Open model: tokenprobe sends tp-rate requests/s for tp-duration (under Custom parameters);"
    " Locust's users, ramp-up and run time are not used. They apply with tp-model closed."
)
# Runs in Locust's page (a React app that redraws at will, hence the observer): hides the
# start form's fields Locust disabled for the load shape, with a note in their place, and
# colours the verdict cells of the SLO tab (the verdict line as a badge, each threshold's outcome).
_PAGE_SCRIPT = r"""
<script id="tokenprobe-ui">
(() => {
  const NOTE = __NOTE__, SLO_TAB = __TAB__;
  const PASS = __PASS__, FAIL = __FAIL__;
  const FIELDS = ["userCount", "spawnRate", "runTime"];
  function explainFields() {
    const inputs = FIELDS.map((name) => document.querySelector(`input[name="${name}"]`))
      .filter((input) => input && input.disabled);
    if (!inputs.length) return;
    const form = inputs[0].closest("form");
    if (form && !form.querySelector(".tokenprobe-note")) {
      const note = document.createElement("p");
      note.className = "tokenprobe-note";
      note.textContent = NOTE;
      note.style.cssText = "margin:0;font-size:0.9em;opacity:0.8";
      const field = inputs[0].closest(".MuiFormControl-root") || inputs[0].parentElement;
      field.parentElement.insertBefore(note, field);
    }
    for (const input of inputs) {
      const field = input.closest(".MuiFormControl-root") || input.parentElement;
      field.style.display = "none";
    }
  }
  function colourVerdicts() {
    if (new URLSearchParams(location.search).get("tab") !== SLO_TAB) return;
    for (const cell of document.querySelectorAll("td")) {
      const word = cell.textContent.trim().split(/[;\s]/)[0];
      const colour = { PASS, passed: PASS, FAIL, failed: FAIL, ERROR: FAIL }[word];
      // The overall verdict (its row's name starts "verdict"; Locust sorts the rows) is a badge.
      const badge = cell.parentElement.cells[0].textContent.startsWith("verdict");
      const style = colour === undefined ? "" : badge
        ? `background:${colour};color:#fff;font-weight:700;border-radius:6px;letter-spacing:.05em`
        : `color:${colour};font-weight:600`;
      if (cell.dataset.tokenprobe !== style) {
        cell.dataset.tokenprobe = style;
        cell.style.cssText = style;
      }
    }
  }
  new MutationObserver(() => { explainFields(); colourVerdicts(); })
    .observe(document.body, { childList: true, subtree: true, characterData: true });
})();
</script>
"""
PAGE_SCRIPT = (
    _PAGE_SCRIPT.replace("__NOTE__", json.dumps(OPEN_MODEL_NOTE))
    .replace("__TAB__", json.dumps(SLO_TAB))
    .replace("__PASS__", json.dumps(PASS_COLOUR))
    .replace("__FAIL__", json.dumps(FAIL_COLOUR))
)


@dataclasses.dataclass(frozen=True)
class WebVerdict:
    """What the web UI shows: the run's results as they stand and their verdict (none before
    a run started); ``final``: the verdict of a stopped run, ``stopped_early`` before its end."""

    state: str  # Locust's runner state
    results: LoadResults | None = None
    judged: Verdict | None = None
    final: bool = False
    stopped_early: bool = False

    def checks(self) -> dict[str, str]:
        """Each check's outcome, by check id."""
        return {c.check.id: c.outcome for c in self.judged.checks} if self.judged else {}

    def to_json(self) -> dict[str, Any]:
        """``/tokenprobe/verdict``'s body (``passed``: no SLO check failed)."""
        view: dict[str, Any] = {"state": self.state, "final": self.final, "passed": None,
                                "stopped_early": self.stopped_early, "results": None}  # fmt: skip
        if self.results is None or self.judged is None:
            return view
        slos = [c.outcome for c in self.judged.checks if c.id.startswith(SLO_CHECK_PREFIX)]
        return {**view, "passed": "failed" not in slos, "status": self.judged.status,
                "line": self.judged.line(), "checks": self.checks(),
                "results": encode(self.results, exclude=set(BULKY))}  # fmt: skip


def install(environment: Environment, verdict: Callable[[], WebVerdict]) -> None:
    """Add tokenprobe's tabs and route to a web UI; ``verdict`` gives the current verdict."""
    web_ui = environment.web_ui
    if web_ui is None:
        return
    web_ui.template_args["extended_tabs"] = [
        {"title": "tokenprobe SLOs", "key": SLO_TAB},
        {"title": "tokenprobe latency (exact)", "key": LATENCY_TAB},
    ]
    web_ui.template_args["extended_tables"] = [
        {"key": SLO_TAB, "structure": [
            {"key": "name", "title": "SLO"}, {"key": "threshold", "title": "Threshold"},
            {"key": "observed", "title": "Observed"}, {"key": "verdict", "title": "Verdict"},
        ]},
        {"key": LATENCY_TAB, "structure": [
            {"key": "name", "title": "Request entry"}, {"key": "requests", "title": "Requests"},
            {"key": "failures", "title": "Failures"},
            *({"key": key, "title": f"{key} (ms)"} for key in LATENCY_KEYS),
        ]},
    ]  # fmt: skip

    @web_ui.app.route(VERDICT_ROUTE)
    @web_ui.auth_required_if_enabled
    def tokenprobe_verdict() -> Response:
        return jsonify(verdict().to_json())

    @web_ui.app.after_request
    def add_tokenprobe_script(response: Response) -> Response:
        if request.endpoint != "locust.index" or response.mimetype != "text/html":
            return response
        page = response.get_data(as_text=True)
        response.set_data(page.replace("</body>", f"{PAGE_SCRIPT}</body>", 1))
        return response

    @web_ui.app.after_request
    def add_tokenprobe_tables(response: Response) -> Response:
        if request.path != "/stats/requests" or not response.is_json:
            return response
        current = verdict()
        body = response.get_json()
        body["extended_stats"] = [
            {"key": SLO_TAB, "data": slo_rows(current)},
            {"key": LATENCY_TAB, "data": latency_rows(current.results)},
        ]
        response.set_data(jsonify(body).get_data())
        return response


def slo_rows(current: WebVerdict) -> list[dict[str, Any]]:
    """The overall verdict first, then one row per threshold."""
    results, judged = current.results, current.judged
    if results is None or judged is None:
        return [{"name": "verdict", "threshold": "", "observed": "", "verdict": "no data yet"}]
    when = "so far" if not current.final else ("stopped early" if current.stopped_early
                                                else "final")  # fmt: skip
    checks = current.checks()
    overall = {
        "name": f"verdict ({when})",
        "threshold": "every check" if checks else "",
        "observed": f"{results.requests} requests in {results.duration_s or 0:g} s",
        "verdict": judged.line(),
    }
    rows = [
        {"name": slo.name, "threshold": slo.threshold, "observed": slo.observed,
         "verdict": checks.get(slo_check_id(slo.name), "")}
        for slo in results.slo
    ]  # fmt: skip
    if results.capacity:  # as every report words it
        capacity = {"name": "capacity", "threshold": "breakpoint search"}
        found = search_result(results.capacity)
        rows.append({**capacity, "observed": found, "verdict": checks.get(CAPACITY_CHECK, "")})
    return [overall, *rows]


def latency_rows(results: LoadResults | None) -> list[dict[str, Any]]:
    """Each request entry, then the total, with exact percentiles in milliseconds."""
    if results is None:
        return []
    entries = [*sorted(results.scenarios.items()), (TOTAL, results)]
    return [
        {"name": TOTAL if entry is results else entry.name or key, "requests": entry.requests,
         "failures": entry.failures,
         **{k: getattr(entry.latency_ms, k) for k in LATENCY_KEYS}}
        for key, entry in entries
    ]  # fmt: skip
