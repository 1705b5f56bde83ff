"""The token views: SimpleJWT's, answering like the documented service."""

from __future__ import annotations

import secrets
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from tokenprobe.reference import config
from tokenprobe.reference.serializers import IAMTokenObtainPairSerializer


class NoStoreMixin:
    """RFC 6749 §5.1: responses that may carry tokens must not be cached."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        cfg = config.current()
        if not cfg.has("no-cache-headers"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        if cfg.has("text-content-type") and response.status_code == 200:
            response.content_type = "text/plain; charset=utf-8"
        if cfg.has("problem-json-errors") and response.status_code == 400:
            response.content_type = "application/problem+json"
        if cfg.has("no-allow-header") and response.status_code == 405:
            del response["Allow"]
        return response


class TokenView(NoStoreMixin, TokenObtainPairView):
    """POST /api/v1/token/: credentials in, a JWT pair out."""

    serializer_class = IAMTokenObtainPairSerializer

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data
        if config.current().has("accepts-get-query") and "password" in request.query_params:
            data = request.query_params
        return self.obtain(data)

    def obtain(self, data: Any) -> Response:
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        cfg = config.current()
        body = dict(serializer.validated_data)
        if cfg.has("extra-response-fields"):
            body.update(_extra_fields(str(data.get("username", ""))))
        response = Response(body, status=200)
        if cfg.has("session-cookie"):
            # As django.contrib.auth.login would: a second credential, HttpOnly, two weeks.
            response.set_cookie(
                "sessionid", secrets.token_hex(16), max_age=1_209_600, httponly=True
            )
            response.set_cookie("csrftoken", secrets.token_hex(16), max_age=31_449_600)
        return response


def _extra_fields(username: str) -> dict[str, Any]:
    """What many real token answers add beside the pair (dj-rest-auth's user object, OAuth's
    token_type, expires_in, scope): data, never tokens."""
    return {
        "user": {"username": username, "email": f"{username}@example.test"},
        "username": username,
        "token_type": "Bearer",
        "expires_in": 604_800,
        "scope": "read write",
        "detail": "Signed in.",
    }


class QueryTokenView(TokenView):
    """The accepts-get-query fault: GET with credentials in the query string issues tokens."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.obtain(request.query_params)


class RefreshView(NoStoreMixin, TokenRefreshView):
    """POST /api/v1/token/refresh/: stock SimpleJWT."""
