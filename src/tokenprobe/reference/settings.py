"""Django settings of the reference target, built from a `ReferenceConfig` (no settings module)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tokenprobe.reference.config import ACCESS_LIFETIME_DAYS, REFRESH_LIFETIME_DAYS, ReferenceConfig
from tokenprobe.reference.hashers import HASHERS

WEAK_SECRET = "secret"


def build_settings(config: ReferenceConfig) -> dict[str, Any]:
    parsers = ["rest_framework.parsers.JSONParser"]
    if config.has("accepts-form"):
        parsers += ["rest_framework.parsers.FormParser", "rest_framework.parsers.MultiPartParser"]
    access_lifetime = timedelta(
        days=365 if config.has("long-lived-access") else ACCESS_LIFETIME_DAYS
    )
    return {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["*"],
        "SECRET_KEY": config.secret_key,
        "ROOT_URLCONF": "tokenprobe.reference.urls",
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "rest_framework",
            "rest_framework_simplejwt",
        ],
        "MIDDLEWARE": [
            "tokenprobe.reference.middleware.AvailabilityFaultsMiddleware",
            "django.middleware.common.CommonMiddleware",
        ],
        "DATABASES": {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(config.database),
                # Several worker processes write last_login: wait for the lock, don't fail.
                "OPTIONS": {
                    "timeout": 30,
                    "transaction_mode": "IMMEDIATE",
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                },
            }
        },
        # Shared by all worker processes, so the failed-login throttle counts every attempt.
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "tokenprobe_cache",
            }
        },
        "PASSWORD_HASHERS": HASHERS[config.hasher],
        "AUTHENTICATION_BACKENDS": ["tokenprobe.reference.auth.ReferenceModelBackend"],
        "USE_TZ": True,
        "DEFAULT_AUTO_FIELD": "django.db.models.AutoField",
        "REST_FRAMEWORK": {
            "DEFAULT_PARSER_CLASSES": parsers,
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
            "EXCEPTION_HANDLER": "tokenprobe.reference.errors.exception_handler",
        },
        "SIMPLE_JWT": {
            "ACCESS_TOKEN_LIFETIME": access_lifetime,
            "REFRESH_TOKEN_LIFETIME": timedelta(days=REFRESH_LIFETIME_DAYS),
            "UPDATE_LAST_LOGIN": True,
            "ALGORITHM": "HS256",
            "SIGNING_KEY": WEAK_SECRET if config.has("weak-secret") else config.secret_key,
        },
        "LOGGING": {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "refused": {
                    "()": "tokenprobe.reference.errors.OneLineFormatter",
                    "format": "refused request (%(name)s): %(message)s",
                }
            },
            "handlers": {
                "stderr": {"class": "logging.StreamHandler"},
                "refused": {"class": "logging.StreamHandler", "formatter": "refused"},
            },
            # 4xx are the point of this server; log only real errors, never request bodies.
            # A request Django refuses (an oversized body: a 400) is one line, no traceback.
            "loggers": {
                "django": {"handlers": ["stderr"], "level": "ERROR"},
                "django.security": {"handlers": ["refused"], "level": "ERROR", "propagate": False},
            },
        },
        "TOKENPROBE_TARGET": config,
    }
