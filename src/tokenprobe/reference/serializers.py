"""The token serializer: SimpleJWT's obtain-pair logic, answering like the documented service."""

from __future__ import annotations

import hashlib
import traceback
from datetime import timedelta
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.tokens import RefreshToken

from tokenprobe.reference import config

NO_ACTIVE_ACCOUNT = "No active account found with the given credentials"
UNKNOWN_USER_MESSAGE = "No account with this username"  # enumeration-message fault only
USERNAME_MAX_LENGTH = 150  # Django's User.username
PASSWORD_MAX_LENGTH = 4096  # bounds the hashing cost of a single request (API4)
LONG_INPUT = 1000  # server-error-on-long-input fault threshold
KEY_URL = "http://127.0.0.1/.well-known/jwks.json"  # key-location-header fault only


class InvalidCredentials(exceptions.APIException):
    """The documented answer to wrong credentials: 400 with a DRF ``detail``."""

    status_code = 400
    default_detail = NO_ACTIVE_ACCOUNT
    default_code = "no_active_account"


class RawField(serializers.Field):
    """Accepts any JSON value unchanged (type-confusion faults only)."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


def _string_field(max_length: int | None, allow_blank: bool = False) -> serializers.Field:
    return serializers.CharField(write_only=True, max_length=max_length, allow_blank=allow_blank)


class IAMTokenObtainPairSerializer(serializers.Serializer):
    """This only updates when /token is called, not when /token/refresh is called.

    (The real serializer's docstring; it refers to ``UPDATE_LAST_LOGIN``.)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cfg = config.current()
        unbounded = cfg.has("unbounded-input") or cfg.has("server-error-on-long-input")
        raw = cfg.has("server-error-on-wrong-type") or cfg.has("nosql-bypass")
        if raw:
            self.fields["username"] = RawField(write_only=True)
            self.fields["password"] = RawField(write_only=True)
            return
        self.fields["username"] = _string_field(None if unbounded else USERNAME_MAX_LENGTH)
        self.fields["password"] = _string_field(
            None if unbounded else PASSWORD_MAX_LENGTH,
            allow_blank=cfg.has("empty-password-accepted"),
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        cfg = config.current()
        username, password = attrs["username"], attrs["password"]
        _raise_injected_server_errors(cfg, username, password)
        _refuse_when_locked_out(cfg, username)
        user = authenticate(self.context.get("request"), username=username, password=password)
        if user is None:
            _record_failure(cfg, username)
            raise _invalid_credentials(cfg, username, password)
        _forget_failures(cfg, username)
        tokens = _issue_tokens(cfg, user)
        update_last_login(None, user)
        return tokens


def _raise_injected_server_errors(
    cfg: config.ReferenceConfig, username: Any, password: Any
) -> None:
    if cfg.has("server-error-on-wrong-type") and not (
        isinstance(username, str) and isinstance(password, (str, dict))
    ):
        raise TypeError("credentials must be strings")  # unhandled on purpose: a 500
    if cfg.has("server-error-on-unicode") and isinstance(username, str) and not username.isascii():
        username.encode("ascii")  # raises UnicodeEncodeError: a 500
    if (
        cfg.has("server-error-on-long-input")
        and max(len(str(username)), len(str(password))) > LONG_INPUT
    ):
        raise ValueError("field too long")  # a 500


def _lockout_key(username: Any) -> str:
    return "lockout:" + hashlib.sha256(str(username).encode("utf-8", "replace")).hexdigest()


def _refuse_when_locked_out(cfg: config.ReferenceConfig, username: Any) -> None:
    if cfg.lockout_enabled and cache.get(_lockout_key(username), 0) >= cfg.lockout_after:
        raise exceptions.Throttled(wait=cfg.lockout_window_s)


def _record_failure(cfg: config.ReferenceConfig, username: Any) -> None:
    if not cfg.lockout_enabled:
        return
    key = _lockout_key(username)
    if not cache.add(key, 1, timeout=cfg.lockout_window_s):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=cfg.lockout_window_s)


def _forget_failures(cfg: config.ReferenceConfig, username: Any) -> None:
    if cfg.lockout_enabled:
        cache.delete(_lockout_key(username))


def _invalid_credentials(
    cfg: config.ReferenceConfig, username: Any, password: Any
) -> exceptions.APIException:
    message = NO_ACTIVE_ACCOUNT
    if cfg.has("enumeration-message") and not _user_exists(username):
        message = UNKNOWN_USER_MESSAGE
    if cfg.has("password-echo"):
        message = f"{message} (password: {password})"
    detail: dict[str, Any] | str = message
    if cfg.has("stack-trace-body"):
        detail = {"detail": message, "traceback": "".join(traceback.format_stack(limit=8))}
    if cfg.has("status-401"):
        return exceptions.AuthenticationFailed(detail, "no_active_account")
    return InvalidCredentials(detail)


def _user_exists(username: Any) -> bool:
    return get_user_model()._default_manager.filter(username=username).exists()


def _issue_tokens(cfg: config.ReferenceConfig, user: Any) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    access = refresh.access_token
    if cfg.has("expired-access"):
        access.set_exp(lifetime=timedelta(minutes=-5))
    if cfg.has("no-exp"):
        del access["exp"]
    if cfg.has("wrong-token-type"):
        access["token_type"] = "refresh"
    if cfg.has("fixed-jti"):
        access["jti"] = refresh["jti"] = "0" * 32
    if cfg.has("sensitive-claims"):
        access["password"] = user.password
        access["email"] = user.email
    pair = {"refresh": _encode(cfg, refresh), "access": _encode(cfg, access)}
    if cfg.has("same-tokens"):
        pair["access"] = pair["refresh"]
    if cfg.has("missing-refresh"):
        del pair["refresh"]
    return pair


def _encode(cfg: config.ReferenceConfig, token: Any) -> str:
    if cfg.has("alg-none"):
        return jwt.encode(dict(token.payload), key=None, algorithm="none")
    if cfg.has("key-location-header"):
        headers = {"jku": KEY_URL, "kid": "tokenprobe-1"}
        key = settings.SIMPLE_JWT["SIGNING_KEY"]
        return jwt.encode(dict(token.payload), key, algorithm="HS256", headers=headers)
    return str(token)
