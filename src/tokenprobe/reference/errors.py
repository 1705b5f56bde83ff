"""Error answers: JSON everywhere, as an API should; HTML only where a fault asks for it."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import debug, defaults
from rest_framework.exceptions import ParseError
from rest_framework.views import exception_handler as drf_exception_handler

from tokenprobe.reference import config


def exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse | None:
    """DRF's handler, except that the debug-error-page fault answers bad JSON with a traceback,
    and the oauth-error-body variant answers its 400s in RFC 6749 §5.2's shape."""
    cfg = config.current()
    if isinstance(exc, ParseError) and cfg.has("debug-error-page"):
        request = context["request"]._request
        return debug.technical_500_response(request, type(exc), exc, exc.__traceback__)
    response = drf_exception_handler(exc, context)
    if cfg.has("oauth-error-body") and response is not None and response.status_code == 400:
        response.data = _oauth_error(exc)
    return response


def _oauth_error(exc: Exception) -> dict[str, str]:
    """RFC 6749 §5.2: wrong credentials are invalid_grant, anything else invalid_request."""
    grant = getattr(exc, "default_code", "") == "no_active_account"
    return {
        "error": "invalid_grant" if grant else "invalid_request",
        "error_description": "Invalid credentials." if grant else "Malformed request.",
    }


def _json_or_html(status: int, detail: str, html_view: Any, *args: Any) -> Any:
    def view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        if config.current().has("html-error-pages"):
            return html_view(request, *args) if exception is None else html_view(request, exception)
        return JsonResponse({"detail": detail}, status=status)

    return view


# Django calls these for errors outside DRF:
# oversized bodies (400), unknown paths (404), crashes (500).
bad_request = _json_or_html(400, "Bad request.", defaults.bad_request)
page_not_found = _json_or_html(404, "Not found.", defaults.page_not_found)


def server_error(request: HttpRequest) -> HttpResponse:
    if config.current().has("html-error-pages"):
        return defaults.server_error(request)
    # Nothing about the exception reaches the client.
    return JsonResponse({"detail": "Internal server error."}, status=500)


class OneLineFormatter(logging.Formatter):
    """For requests Django refuses as the client's fault (its ``django.security.*`` loggers: a
    body over DATA_UPLOAD_MAX_MEMORY_SIZE, a bad Host): answered 400, logged as one line, never
    a traceback that makes a correct answer look like a crash."""

    def formatException(
        self, ei: tuple[type[BaseException], BaseException, TracebackType | None] | Any
    ) -> str:
        return ""

    def formatStack(self, stack_info: str) -> str:
        return ""
