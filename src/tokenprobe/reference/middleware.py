"""Availability faults: slow, slower, stalling and flaky answers on the token endpoints."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from tokenprobe.reference import config

TOKEN_PATH_PREFIX = "/api/v1/token/"
STALL_PERIOD_S = 2.0


def seconds_until_unfrozen(now: float, frozen_s: float, period_s: float = STALL_PERIOD_S) -> float:
    """The stall fault freezes the first ``frozen_s`` of every period, aligned to the wall clock
    so that every worker process freezes together and the ground truth is computable."""
    phase = now % period_s
    return max(0.0, frozen_s - phase)


class AvailabilityFaultsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cfg = config.current()
        if request.path.startswith(TOKEN_PATH_PREFIX):
            if cfg.has("stall"):
                time.sleep(seconds_until_unfrozen(time.time(), cfg.value("stall") / 1000))
            if cfg.has("slow"):
                time.sleep(cfg.value("slow") / 1000)
            if cfg.has("flaky") and random.random() < cfg.value("flaky"):
                return JsonResponse({"detail": "Bad gateway"}, status=502)
            if cfg.has("slower"):
                return self._slower(request, cfg.value("slower") / 100)
        return self.get_response(request)

    def _slower(self, request: HttpRequest, share: float) -> HttpResponse:
        """The answer, after waiting ``share`` of the time it took: a release whose every
        request costs that much more (a query added, a slower dependency)."""
        started = time.perf_counter()
        response = self.get_response(request)
        time.sleep((time.perf_counter() - started) * share)
        return response
