"""tokenprobe in Locust's web UI: the SLO verdict and the exact percentiles, live and after STOP.

Locust's own extension points only (``locust/web.py``, its ``extend_web_ui.py`` example):

* two extra tabs (``template_args["extended_tabs"]`` / ``["extended_tables"]``) whose rows
  ride on Locust's own ``/stats/requests`` poll (``extended_stats``): *tokenprobe SLOs*, the
  verdict of every threshold, and *tokenprobe latency*, the exact (HDR, microsecond)
  percentiles per request entry, where Locust's own tables show rounded ones;
* a JSON route, ``/tokenprobe/verdict``: the same numbers for scripts (``state``, ``passed``,
  ``final``, ``results``). After STOP it holds the final verdict of the partial run.

Which fields of Locust's start form mean something depends on the model: the listeners turn
the users/ramp-up/run-time fields off for the open model (`use_common_fields`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request
from locust.env import Environment

from tokenprobe.load.latency import PERCENTILES, TOTAL

VERDICT_ROUTE = "/tokenprobe/verdict"
SLO_TAB = "tokenprobe-slo"
LATENCY_TAB = "tokenprobe-latency"
LATENCY_KEYS = [*PERCENTILES, "max"]


def install(environment: Environment, verdict: Callable[[], dict[str, Any]]) -> None:
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
        return jsonify(verdict())

    @web_ui.app.after_request
    def add_tokenprobe_tables(response: Response) -> Response:
        if request.path != "/stats/requests" or not response.is_json:
            return response
        current = verdict()
        body = response.get_json()
        body["extended_stats"] = [
            {"key": SLO_TAB, "data": slo_rows(current)},
            {"key": LATENCY_TAB, "data": latency_rows(current.get("results"))},
        ]
        response.set_data(jsonify(body).get_data())
        return response


def slo_rows(current: dict[str, Any]) -> list[dict[str, Any]]:
    """The overall verdict first, then one row per threshold."""
    results = current.get("results")
    if not results:
        return [{"name": "verdict", "threshold": "", "observed": "", "verdict": "no data yet"}]
    when = "so far" if not current["final"] else ("stopped early" if current["stopped_early"]
                                                   else "final")  # fmt: skip
    overall = {
        "name": f"verdict ({when})",
        "threshold": "every SLO" if results["slo"] else "no SLO set (--tp-slo)",
        "observed": f"{results['requests']} requests in {results['duration_s']:g} s",
        "verdict": ("PASS" if current["passed"] else "FAIL") if results["slo"] else "",
    }
    rows = [
        {"name": slo["name"], "threshold": slo["threshold"], "observed": slo["observed"],
         "verdict": "pass" if slo["passed"] else "FAIL"}
        for slo in results["slo"]
    ]  # fmt: skip
    if results.get("capacity"):
        capacity = {"name": "capacity", "threshold": "breakpoint search"}
        rows.append({**capacity, "observed": results["capacity"]["summary"], "verdict": ""})
    return [overall, *rows]


def latency_rows(results: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each request entry, then the total, with exact percentiles in milliseconds."""
    if not results:
        return []
    entries = [*sorted(results["scenarios"].items()), (TOTAL, results)]
    return [
        {"name": entry.get("name", key), "requests": entry["requests"],
         "failures": entry["failures"], **{k: entry["latency_ms"][k] for k in LATENCY_KEYS}}
        for key, entry in entries
    ]  # fmt: skip
